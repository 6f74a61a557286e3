import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hypothesis, HypothesisCreate } from '../contract/hypotheses';
import type { Note } from '../contract/notes';
import type { Project } from '../contract/projects';
import type { RunSummary } from '../contract/runs';
import { RunsRepo } from '../db/runs.repo';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';
import { hypothesisHash } from './hypotheses.service';

let ctx: ReturnType<typeof tempContext>;
let project: Project;

async function call<T>(op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

/** A grokking-mlp run stored with a test-accuracy curve, as if it had trained. */
async function storedRun(weightDecay: number, testAcc: number[], projectId: string | null = project.id): Promise<RunSummary> {
  const [run] = await call<RunSummary[]>('runs:start', {
    projectId,
    experiment: 'grokking-mlp',
    config: { weightDecay, steps: 3000 },
  });
  const repo = new RunsRepo(ctx.db);
  repo.insertMetrics(
    run!.id,
    testAcc.map((v, i) => ({ step: i * 1000, values: { testAcc: v, trainAcc: 1 } })),
  );
  ctx.db.prepare("UPDATE runs SET status = 'done', steps_done = steps_total, owner_pid = NULL WHERE id = ?").run(run!.id);
  return run!;
}

const prediction = {
  metric: 'testAcc',
  at: { kind: 'step', step: 3000 },
  when: [{ field: 'weightDecay', op: '=', value: 0 }],
  comparison: '<',
  threshold: 0.2,
};
const hypothesisInput = (): HypothesisCreate => ({
  projectId: project.id,
  statement: 'Without weight decay the network memorises and never generalises within 3000 steps.',
  theory: 'Grokking is driven by weight-norm decay (Omnigrok)',
  relation: 'refines',
  predictions: [prediction as HypothesisCreate['predictions'][number]],
});

beforeEach(async () => {
  ctx = tempContext();
  project = await call<Project>('projects:create', { title: 'Grokking and weight decay', phenomenon: 'grokking' });
});
afterEach(() => ctx.cleanup());

describe('hypotheses', () => {
  it('decides the acceptance prediction on stored runs: wd 0 supported, wd 1 refuted, with the values', async () => {
    const h0 = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    const locked = await call<Hypothesis>('hypotheses:lock', { id: h0.id });
    expect(locked.lock).toMatchObject({ hash: hypothesisHash(hypothesisInput() as never), intact: true });
    expect(locked.lock!.hash).toMatch(/^[0-9a-f]{64}$/);

    const noDecay = await storedRun(0, [0.01, 0.02, 0.025, 0.031]);
    const decay = await storedRun(1, [0.01, 0.6, 0.99, 1]);
    await call('hypotheses:linkRun', { id: h0.id, runId: noDecay.id, linked: true });
    const h = await call<Hypothesis>('hypotheses:linkRun', { id: h0.id, runId: decay.id, linked: true });

    const byRun = new Map(h.results.map((r) => [r.runId, r]));
    expect(byRun.get(noDecay.id)).toMatchObject({ verdict: 'supported', value: 0.031, step: 3000, conditionMet: true });
    expect(byRun.get(decay.id)).toMatchObject({ verdict: 'refuted', value: 1, step: 3000, conditionMet: false });
    expect(byRun.get(decay.id)!.explanation).toContain('= 1, not < 0.2');
    // The wd 1 run is outside the condition: it is counted apart, not as a refutation.
    expect(h.tally).toEqual({ supported: 1, refuted: 0, inconclusive: 0, outside: 1 });
    expect(h.runs.map((r) => r.runId)).toEqual([noDecay.id, decay.id]);
  });

  it('counts only runs inside the condition in the headline tally, in the API, the Markdown export and the HTML report', async () => {
    const h0 = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    await call('hypotheses:lock', { id: h0.id });
    // Six runs inside the condition (wd 0) support it; six outside it (wd 1) would "refute" it.
    for (let i = 0; i < 6; i++) {
      const inside = await storedRun(0, [0.01, 0.02, 0.03, 0.04]);
      const outside = await storedRun(1, [0.01, 0.6, 0.99, 1]);
      await call('hypotheses:linkRun', { id: h0.id, runId: inside.id, linked: true });
      await call('hypotheses:linkRun', { id: h0.id, runId: outside.id, linked: true });
    }
    const h = await call<Hypothesis>('hypotheses:get', { id: h0.id });
    expect(h.results.filter((r) => r.verdict === 'refuted')).toHaveLength(6);
    expect(h.tally).toEqual({ supported: 6, refuted: 0, inconclusive: 0, outside: 6 });

    const { markdown } = await call<{ markdown: string }>('notebook:export', { projectId: project.id });
    expect(markdown).toContain("- Verdicts (runs inside each prediction's condition): 6 supported, 0 refuted, 0 inconclusive, 6 outside the condition");
    expect(markdown).not.toMatch(/6 refuted/);

    const { html } = await call<{ html: string }>('notebook:report', { projectId: project.id });
    const verdictLine = html.split('\n').find((l) => l.includes('Verdicts on runs inside'))!;
    expect(verdictLine).toContain('>6 supported<');
    expect(verdictLine).toContain('>0 refuted<');
    expect(verdictLine).toContain('6 outside the condition (not counted)');
  });

  it('warns, never refuses, about a condition key no experiment of the project has, with the closest field', async () => {
    const typo = { ...hypothesisInput(), predictions: [{ ...prediction, when: [{ field: 'weight_decay', op: '=', value: 0 }] }] } as HypothesisCreate;
    const h = await call<Hypothesis>('hypotheses:create', typo);
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatchObject({ predictionIndex: 0, conditionIndex: 0, suggestion: 'weightDecay' });
    expect(h.warnings[0]!.message).toContain('(grokking-mlp, grokking-transformer, init-scale)');
    // The live check the form uses answers the same, and the right field has no warning.
    expect(await call('hypotheses:check', { projectId: project.id, predictions: typo.predictions })).toEqual(h.warnings);
    expect(await call('hypotheses:check', { projectId: project.id, predictions: [prediction] })).toEqual([]);
    // Lock still works (on purpose), and the warning stays on the record.
    const locked = await call<Hypothesis>('hypotheses:lock', { id: h.id });
    expect(locked.lock).not.toBeNull();
    expect(locked.warnings[0]!.suggestion).toBe('weightDecay');
  });

  it('turns an edit after lock into an amendment; the locked text and hash stay', async () => {
    const h0 = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    const locked = await call<Hypothesis>('hypotheses:lock', { id: h0.id });
    const edit = { id: h0.id, ...hypothesisInput(), projectId: undefined, statement: 'Amended: memorises for at least 3000 steps.' };
    delete edit.projectId;

    const noReason = await dispatch(ctx, 'hypotheses:update', edit);
    expect(noReason).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'reason' }] } });

    const amended = await call<Hypothesis>('hypotheses:update', { ...edit, reason: 'Clearer wording' });
    expect(amended.statement).toBe(hypothesisInput().statement);
    expect(amended.lock).toEqual(locked.lock);
    expect(amended.current.statement).toBe('Amended: memorises for at least 3000 steps.');
    expect(amended.amendments).toHaveLength(1);
    expect(amended.amendments[0]).toMatchObject({ number: 1, reason: 'Clearer wording' });
    expect(amended.lock!.intact).toBe(true);

    // The database refuses to change locked content even when asked directly.
    expect(() => ctx.db.prepare("UPDATE hypotheses SET statement = 'x' WHERE id = ?").run(h0.id)).toThrow(/locked/);
    // Tampering with an amendment breaks the hash chain.
    ctx.db.prepare("UPDATE hypothesis_amendments SET reason = 'forged' WHERE hypothesis_id = ?").run(h0.id);
    expect((await call<Hypothesis>('hypotheses:get', { id: h0.id })).lock!.intact).toBe(false);

    const del = await dispatch(ctx, 'hypotheses:delete', { id: h0.id });
    expect(del).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const relock = await dispatch(ctx, 'hypotheses:lock', { id: h0.id });
    expect(relock).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('edits a draft in place and deletes it', async () => {
    const h0 = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    const { projectId: _p, ...content } = hypothesisInput();
    const edited = await call<Hypothesis>('hypotheses:update', { id: h0.id, ...content, statement: 'Changed' });
    expect(edited.statement).toBe('Changed');
    expect(edited.amendments).toEqual([]);
    await call('hypotheses:delete', { id: h0.id });
    expect(await call<Hypothesis[]>('hypotheses:list', { projectId: project.id })).toEqual([]);
  });

  it.each([
    ['empty statement', { statement: '   ' }, 'statement'],
    // Any recorded name is a metric now (runs trained elsewhere: test_acc); __proto__ and paths never are.
    ['a __proto__ metric', { predictions: [{ ...prediction, metric: '__proto__' }] }, 'predictions.0.metric'],
    ['a metric that reads as a path', { predictions: [{ ...prediction, metric: '../etc/passwd' }] }, 'predictions.0.metric'],
    ['an empty metric', { predictions: [{ ...prediction, metric: '  ' }] }, 'predictions.0.metric'],
    ['threshold not a number', { predictions: [{ ...prediction, threshold: 'low' }] }, 'predictions.0.threshold'],
    ['no predictions', { predictions: [] }, 'predictions'],
    ['no theory', { theory: '' }, 'theory'],
  ])('rejects %s and writes nothing', async (_what, patch, path) => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'hypotheses:create', { ...hypothesisInput(), ...patch });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_input');
    expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('refuses to link a run of another project', async () => {
    const other = await call<Project>('projects:create', { title: 'Other', phenomenon: 'other' });
    const foreign = await storedRun(0, [0, 0, 0, 0], other.id);
    const h = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'hypotheses:linkRun', { id: h.id, runId: foreign.id, linked: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('another project') } });
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('notes, evidence and search', () => {
  it('keeps notes with tags and run links, cites them as evidence, and finds them by full-text search', async () => {
    const run = await storedRun(0, [0, 0, 0, 0.02]);
    const note = await call<Note>('notes:create', {
      projectId: project.id,
      title: 'Memorisation without decay',
      body: 'The **test accuracy** stays near chance; the network memorises the training pairs.',
      tags: ['Negative-Result', 'wd'],
      runIds: [run.id],
    });
    expect(note).toMatchObject({ tags: ['negative-result', 'wd'], runIds: [run.id] });

    const cited = await call<unknown[]>('evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'note', targetId: note.id, linked: true });
    expect(cited).toHaveLength(1);
    await call('checklist:answer', { projectId: project.id, questionKey: 'throughout.utility.confounders', status: 'answered', markdown: 'Controlled for weight norm and memorisation speed.' });
    const state = await call<{ evidence: { kind: string; label: string }[] }>('checklist:get', { projectId: project.id });
    expect(state.evidence).toEqual([expect.objectContaining({ kind: 'note', label: 'Memorisation without decay' })]);
    expect((await call<Note>('notes:get', { id: note.id })).questionKeys).toEqual(['throughout.utility.confounders']);

    const hits = await call<{ kind: string; ref: string; snippet: string }[]>('notebook:search', { projectId: project.id, query: 'memoris' });
    expect(hits.map((h) => h.kind).sort()).toEqual(['answer', 'note']);
    expect(hits.find((h) => h.kind === 'note')!.snippet).toContain('\u0002memorises\u0003');
    // Operators and quotes in the query are plain text, not FTS syntax errors.
    expect(await call('notebook:search', { projectId: project.id, query: '"unbalanced AND (' })).toEqual([]);
    expect(await call('notebook:search', { projectId: project.id, query: 'NEGATIVE-result' })).toHaveLength(1);

    // Deleting the note removes it from search and from the answer's evidence.
    await call('notes:delete', { id: note.id });
    expect((await call<{ evidence: unknown[] }>('checklist:get', { projectId: project.id })).evidence).toEqual([]);
    expect(await call('notebook:search', { projectId: project.id, query: 'chance' })).toEqual([]);
  });

  it('rejects bad notes and evidence and writes nothing', async () => {
    const before = snapshotTables(ctx);
    const bad = [
      ['notes:create', { projectId: project.id, title: '' }],
      ['notes:create', { projectId: project.id, title: 'x', body: 'y'.repeat(100_001) }],
      ['notes:create', { projectId: project.id, title: 'x', runIds: ['00000000-0000-4000-8000-000000000000'] }],
      ['evidence:link', { projectId: project.id, questionKey: 'no.such.question', kind: 'note', targetId: '00000000-0000-4000-8000-000000000000', linked: true }],
      ['evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'figure', targetId: '00000000-0000-4000-8000-000000000000', linked: true }],
      ['evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'run', targetId: '00000000-0000-4000-8000-000000000000', linked: true }],
      ['checklist:answer', { projectId: project.id, questionKey: 'throughout.utility.confounders', status: 'answered', markdown: 'a'.repeat(100_000) }],
    ] as const;
    for (const [op, input] of bad) {
      const r = await dispatch(ctx, op, input);
      expect(r.ok, `${op} ${JSON.stringify(input).slice(0, 120)}`).toBe(false);
    }
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('notebook export', () => {
  it('writes checklist answers with evidence, hypotheses with lock and verdicts, notes and runs as Markdown', async () => {
    const run = await storedRun(0, [0, 0, 0, 0.031]);
    const h = await call<Hypothesis>('hypotheses:create', hypothesisInput());
    const locked = await call<Hypothesis>('hypotheses:lock', { id: h.id });
    await call('hypotheses:linkRun', { id: h.id, runId: run.id, linked: true });
    await call('checklist:answer', { projectId: project.id, questionKey: 'throughout.utility.confounders', status: 'answered', markdown: '# Not a heading of the export\nWeight norm controlled.' });
    await call('evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'hypothesis', targetId: h.id, linked: true });
    await call('notes:create', { projectId: project.id, title: 'Seed 0 memorises', body: '## Observation\nflat test curve', runIds: [run.id] });

    const { filename, markdown } = await call<{ filename: string; markdown: string }>('notebook:export', { projectId: project.id });
    expect(filename).toBe('grokking-and-weight-decay-notebook.md');
    expect(markdown).toMatch(/^# Grokking and weight decay\n/);
    expect(markdown).toContain('> # Not a heading of the export');
    expect(markdown).toContain('- hypothesis: Without weight decay');
    expect(markdown).toContain(`SHA-256 \`${locked.lock!.hash}\``);
    expect(markdown).toContain('with weightDecay = 0, test accuracy at step 3000 < 0.2');
    expect(markdown).toContain('**supported** — Supported: test accuracy at step 3000 = 0.031 < 0.2.');
    expect(markdown).toContain('#### Observation');
    expect(markdown).toMatch(/\| grokking-mlp · weightDecay 0 · steps 3000 · seed 0 · [0-9a-f]{8} \| Phenobook \| — \| done \|/);
    expect(markdown.match(/^### /gm)!.length).toBeGreaterThanOrEqual(5);
  });
});

describe('figures', () => {
  const provenance = {
    app: '0.1.0',
    exportedAt: '2026-01-01T00:00:00Z',
    experiment: 'double-descent',
    preset: 'cheap',
    sweepIds: [],
    runIds: [],
    selection: 'width 8, 96 × 2 seeds',
    shows: 'mean ± std over seeds of error',
    config: { steps: 5000 },
  };

  it('saves a figure with its provenance, cites it in an answer and attaches it to a note; deleting it removes both links', async () => {
    const figure = await call<{ id: string }>('figures:create', { projectId: project.id, title: 'DD error', caption: 'sweep … width 8, 96', provenance, svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>' });
    const note = await call<Note>('notes:create', { projectId: project.id, title: 'Peak' });
    expect((await call<Note>('notes:linkFigure', { id: note.id, figureId: figure.id, linked: true })).figureIds).toEqual([figure.id]);
    await call('evidence:link', { projectId: project.id, questionKey: 'throughout.utility.confounders', kind: 'figure', targetId: figure.id, linked: true });
    const state = await call<{ evidence: { kind: string; label: string }[] }>('checklist:get', { projectId: project.id });
    expect(state.evidence).toEqual([expect.objectContaining({ kind: 'figure', label: 'DD error' })]);
    expect((await call<{ markdown: string }>('notebook:export', { projectId: project.id })).markdown).toContain('### DD error');

    await call('figures:delete', { id: figure.id });
    expect((await call<Note>('notes:get', { id: note.id })).figureIds).toEqual([]);
    expect((await call<{ evidence: unknown[] }>('checklist:get', { projectId: project.id })).evidence).toEqual([]);
  });

  it('refuses a figure that is not SVG, or too large, and writes nothing', async () => {
    const before = snapshotTables(ctx);
    for (const svg of ['<script>alert(1)</script>', `<svg>${'x'.repeat(3_000_001)}</svg>`]) {
      const r = await dispatch(ctx, 'figures:create', { projectId: project.id, title: 'x', caption: '', provenance, svg });
      expect(r.ok).toBe(false);
    }
    expect(snapshotTables(ctx)).toEqual(before);
  });
});
