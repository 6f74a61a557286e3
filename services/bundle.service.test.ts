import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_LIMITS, bundleFilename, type Bundle } from '../contract/bundle';
import type { ChecklistRevision, ChecklistState } from '../contract/checklist';
import type { ConfounderTest } from '../contract/confounders';
import type { FigureProvenance, Figure, FigureSummary } from '../contract/figures';
import type { Hypothesis, HypothesisCreate } from '../contract/hypotheses';
import type { SearchHit } from '../contract/notebook';
import type { Note } from '../contract/notes';
import type { Project } from '../contract/projects';
import type { RunSummary } from '../contract/runs';
import type { Sweep, SweepDetail } from '../contract/sweeps';
import type { RunRow } from '../db/runs.repo';
import { RunsRepo } from '../db/runs.repo';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';
import { BundleError } from './bundle.service';
import { canonicalJson, sha256Hex } from './content-hash';

type Ctx = ReturnType<typeof tempContext>;
const contexts: Ctx[] = [];
afterEach(() => {
  for (const c of contexts.splice(0)) c.cleanup();
});

/** A context whose clock moves a minute per call, so checklist saves become separate revisions. */
function context(): Ctx {
  let tick = 0;
  const ctx = tempContext({ clock: () => new Date(Date.UTC(2026, 0, 1) + 61_000 * tick++).toISOString() });
  contexts.push(ctx);
  return ctx;
}

async function call<T>(ctx: Ctx, op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

const METRIC_NAMES = ['testAcc', 'trainAcc', 'testLoss', 'trainLoss', 'l2', 'primeCount', 'wallTime'];

/** Seven metrics at `points` evaluations 500 steps apart; values that are not round numbers, and one NaN (stored as null). */
function storeMetrics(ctx: Ctx, runId: string, points: number, salt: number, withNull = false): void {
  new RunsRepo(ctx.db).insertMetrics(
    runId,
    Array.from({ length: points }, (_, i) => ({
      step: i * 500,
      values: Object.fromEntries(
        METRIC_NAMES.map((name, k) => [name, withNull && i === 2 && k === 2 ? Number.NaN : Math.sin(salt * 13 + i * 0.7 + k) / (k + 3) + i * 1e-7]),
      ),
    })),
  );
}

/** Marks a queued run as finished the way a trainer would have. */
function finish(ctx: Ctx, runId: string, status: 'done' | 'failed' | 'running', error: string | null = null): void {
  const detail = { name: 'wasm', tfBackend: 'wasm', gpu: false, skipped: [{ name: 'tfjs-node', reason: 'not installed' }], versions: { 'tfjs-core': '4.22.0' } };
  ctx.db
    .prepare(
      `UPDATE runs SET status = @status, error = @error, backend = 'wasm', gpu = 0, backend_detail = @detail, data_hash = @hash,
         steps_done = CASE WHEN @status = 'running' THEN 1500 ELSE steps_total END, train_seconds = @train, wall_seconds = @wall,
         started_at = '2026-01-02T10:00:00.000Z', finished_at = CASE WHEN @status = 'running' THEN NULL ELSE '2026-01-02T10:05:00.123Z' END,
         owner_pid = NULL WHERE id = @id`,
    )
    .run({ id: runId, status, error, detail: JSON.stringify(detail), hash: `sha256-${runId.slice(0, 8)}`, train: 12.345678901234, wall: 0.1 + 0.2 });
}

const prediction = {
  metric: 'testAcc',
  at: { kind: 'step', step: 3000 },
  when: [{ field: 'weightDecay', op: '=', value: 0 }],
  comparison: '<',
  threshold: 0.2,
};

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="9">grokking</text></svg>';

interface Source {
  ctx: Ctx;
  project: Project;
  runs: { a: RunSummary; b: RunSummary; queued: RunSummary; rerun: RunSummary };
  sweep: Sweep;
  note: Note;
  locked: Hypothesis;
  draft: Hypothesis;
  figure: FigureSummary;
  confounder: ConfounderTest;
}

/** A realistic project built through the operations, as the app would. */
async function buildSource(): Promise<Source> {
  const ctx = context();
  const project = await call<Project>(ctx, 'projects:create', {
    title: 'Grokking and weight decay',
    phenomenon: 'grokking',
    question: 'Does weight decay cause grokking?\nOr only speed it up?',
    tags: ['omnigrok', 'mlp'],
  });
  const other = await call<Project>(ctx, 'projects:create', { title: 'Other project', phenomenon: 'other' });
  await call(ctx, 'notes:create', { projectId: other.id, title: 'Not part of the bundle', body: 'unrelated' });
  await call(ctx, 'runs:start', { projectId: null, experiment: 'grokking-mlp', config: { steps: 3000 } });

  const [a, b] = await call<RunSummary[]>(ctx, 'runs:start', {
    projectId: project.id,
    experiment: 'grokking-mlp',
    config: { weightDecay: 0, steps: 3000 },
    seeds: 2,
  });
  const [queued] = await call<RunSummary[]>(ctx, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { weightDecay: 1, steps: 3000 } });
  finish(ctx, a!.id, 'done');
  finish(ctx, b!.id, 'done');
  storeMetrics(ctx, a!.id, 7, 1, true);
  storeMetrics(ctx, b!.id, 7, 2);
  const rerun = await call<RunSummary>(ctx, 'runs:rerun', { id: a!.id });
  finish(ctx, rerun.id, 'failed', 'boom at step 3\n\u001b[31mstack\u001b[0m');

  const sweep = await call<Sweep>(ctx, 'sweeps:start', {
    projectId: project.id,
    experiment: 'grokking-mlp',
    config: { steps: 3000 },
    grid: [{ key: 'weightDecay', values: [0, 1] }],
    seeds: 2,
  });
  const sweepRuns = (await call<SweepDetail>(ctx, 'sweeps:get', { id: sweep.id })).runs;
  sweepRuns.forEach((r, i) => {
    finish(ctx, r.id, i === 3 ? 'running' : 'done');
    storeMetrics(ctx, r.id, i === 3 ? 3 : 7, 10 + i);
  });

  await call(ctx, 'checklist:answer', { projectId: project.id, questionKey: 'throughout.utility.confounders', status: 'in-progress', markdown: 'First draft' });
  await call(ctx, 'checklist:answer', {
    projectId: project.id,
    questionKey: 'throughout.utility.confounders',
    status: 'answered',
    markdown: 'Controlled for **weight norm** and initialisation scale.',
  });
  await call(ctx, 'checklist:answer', {
    projectId: project.id,
    questionKey: 'early.value.synthetic',
    status: 'not-applicable',
    notApplicableReason: 'Not an edge case.',
  });

  const figure = await call<FigureSummary>(ctx, 'figures:create', {
    projectId: project.id,
    title: 'Test accuracy by weight decay',
    caption: 'Sweep of weight decay, 2 seeds',
    provenance: {
      app: '0.1.0',
      exportedAt: '2026-01-01T00:00:00Z',
      experiment: 'grokking-mlp',
      preset: null,
      sweepIds: [sweep.id],
      runIds: [a!.id, '00000000-0000-4000-8000-000000000000'],
      selection: 'weightDecay 0, 1 × 2 seeds',
      shows: 'test accuracy',
      config: { steps: 3000, nested: { lr: 0.001 } },
    } satisfies FigureProvenance,
    svg: SVG,
  });
  const note0 = await call<Note>(ctx, 'notes:create', {
    projectId: project.id,
    title: 'Memorisation without decay',
    body: 'The network memorises the training pairs; test accuracy stays near chance.',
    tags: ['Negative-Result', 'wd'],
    runIds: [a!.id, b!.id],
  });
  const note = await call<Note>(ctx, 'notes:linkFigure', { id: note0.id, figureId: figure.id, linked: true });

  const hypothesisInput: HypothesisCreate = {
    projectId: project.id,
    statement: 'Without weight decay the network memorises and never generalises within 3000 steps.',
    theory: 'Grokking is driven by weight-norm decay (Omnigrok)',
    relation: 'refines',
    predictions: [prediction as HypothesisCreate['predictions'][number]],
  };
  const h = await call<Hypothesis>(ctx, 'hypotheses:create', hypothesisInput);
  await call(ctx, 'hypotheses:lock', { id: h.id });
  const { projectId: _p, ...content } = hypothesisInput;
  await call(ctx, 'hypotheses:update', { id: h.id, ...content, statement: 'Amended: memorises for at least 3000 steps.', reason: 'Clearer wording' });
  await call(ctx, 'hypotheses:linkRun', { id: h.id, runId: a!.id, linked: true });
  const locked = await call<Hypothesis>(ctx, 'hypotheses:linkRun', { id: h.id, runId: sweepRuns[2]!.id, linked: true });
  const draft = await call<Hypothesis>(ctx, 'hypotheses:create', { ...hypothesisInput, statement: 'A draft, not locked.', relation: 'challenges' });

  const confounder = await call<ConfounderTest>(ctx, 'confounders:run', {
    projectId: project.id,
    runIds: [a!.id, b!.id],
    outcome: 'testLoss',
    candidate: { kind: 'builtin', metric: 'primeCount' },
    controls: ['logL2'],
    resamples: 200,
  });
  await call(ctx, 'hypotheses:linkConfounder', { hypothesisId: h.id, testId: confounder.id, linked: true });

  const cite = (questionKey: string, kind: string, targetId: string) =>
    call(ctx, 'evidence:link', { projectId: project.id, questionKey, kind, targetId, linked: true });
  await cite('throughout.utility.confounders', 'run', a!.id);
  await cite('throughout.utility.confounders', 'note', note.id);
  await cite('throughout.method.hypothesis', 'hypothesis', h.id);
  await cite('throughout.method.hypothesis', 'figure', figure.id);
  await cite('throughout.utility.confounders', 'confounder', confounder.id);
  await call(ctx, 'projects:setArchived', { id: project.id, archived: true });

  return { ctx, project: await call<Project>(ctx, 'projects:get', { id: project.id }), runs: { a: a!, b: b!, queued: queued!, rerun }, sweep, note, locked, draft, figure, confounder };
}

const runRows = (ctx: Ctx, projectId: string) =>
  ctx.db.prepare<[string], RunRow>('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, rowid').all(projectId);

/** Rows, count and a checksum over (metric name, step, value) of a run's metrics. */
function metricDigest(ctx: Ctx, runId: string): { rows: number; nulls: number; sha: string } {
  const rows = ctx.db
    .prepare<[string], [string, number, number | null]>(
      'SELECT n.name, m.step, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id WHERE m.run_id = ? ORDER BY n.name, m.step',
    )
    .raw()
    .all(runId);
  return { rows: rows.length, nulls: rows.filter((r) => r[2] === null).length, sha: sha256Hex(JSON.stringify(rows)) };
}

let source: Source;
let file: Buffer;
beforeAll(async () => {
  source = await buildSource();
  file = source.ctx.bundles.export(source.project.id);
  contexts.splice(contexts.indexOf(source.ctx), 1); // kept for the whole file
  return () => source.ctx.cleanup();
});

describe('bundle round trip', () => {
  it('imports a project into another Phenobook losslessly, under new ids', async () => {
    const { ctx: src, project, runs, sweep, note, locked, draft, figure, confounder } = source;
    const dst = context();
    const result = dst.bundles.import(file);
    const { projectId, idMap } = result;
    expect(projectId).not.toBe(project.id);
    expect(result.counts).toMatchObject({
      runs: 8,
      notes: 1,
      hypotheses: 2,
      amendments: 1,
      sweeps: 1,
      figures: 1,
      confounders: 1,
      answers: 2,
      revisions: 3,
      evidence: 5,
      interruptedRuns: 2,
      closedSweeps: 1,
      metricPoints: 2 * 49 + 3 * 49 + 21,
    });
    expect(result.notices.join('\n')).toMatch(/2 runs were queued or training.*imported as interrupted/);
    expect(result.notices.join('\n')).toMatch(/1 sweep was still open/);

    // The project, as it was (archived included).
    const imported = await call<Project>(dst, 'projects:get', { id: projectId });
    expect(imported).toEqual({ ...project, id: projectId });

    // Runs: every column identical, ids mapped; the queued and running ones became interrupted.
    const before = runRows(src, project.id);
    const after = runRows(dst, projectId);
    expect(after).toHaveLength(before.length);
    const groups = new Map<string, string>();
    before.forEach((old, i) => {
      const now = after[i]!;
      expect(now.id).toBe(idMap.runs[old.id]);
      expect(groups.get(old.group_id) ?? now.group_id).toBe(now.group_id);
      groups.set(old.group_id, now.group_id);
      const active = old.status === 'queued' || old.status === 'running';
      expect(now).toEqual({
        ...old,
        id: idMap.runs[old.id],
        project_id: projectId,
        group_id: now.group_id,
        rerun_of: old.rerun_of && idMap.runs[old.rerun_of],
        sweep_id: old.sweep_id && idMap.sweeps[old.sweep_id],
        owner_pid: null,
        ...(active
          ? { status: 'interrupted', error: expect.stringMatching(/^Interrupted: this run was (queued|training) when the bundle was exported/), finished_at: expect.any(String) }
          : {}),
      });
      expect(metricDigest(dst, now.id)).toEqual(metricDigest(src, old.id));
    });
    expect(new Set(groups.values()).size).toBe(new Set(before.map((r) => r.group_id)).size);
    expect(groups.get(sweep.id)).toBe(idMap.sweeps[sweep.id]);
    expect(metricDigest(dst, idMap.runs[runs.a.id]!)).toMatchObject({ rows: 49, nulls: 1 });
    expect(after.find((r) => r.id === idMap.runs[runs.rerun.id])).toMatchObject({ rerun_of: idMap.runs[runs.a.id], status: 'failed' });
    expect(after.find((r) => r.id === idMap.runs[runs.queued.id])).toMatchObject({ status: 'interrupted', finished_at: expect.any(String) });
    // Runs read back through the app: same summaries and final values.
    const listed = await call<RunSummary[]>(dst, 'runs:list', { projectId });
    const original = await call<RunSummary[]>(src, 'runs:list', { projectId: project.id });
    expect(listed.map((r) => [r.label.replace(/ · [0-9a-f]{8}$/, ''), r.final, r.trainSeconds, r.wallSeconds, r.seed])).toEqual(
      original.map((r) => [r.label.replace(/ · [0-9a-f]{8}$/, ''), r.final, r.trainSeconds, r.wallSeconds, r.seed]),
    );

    // The sweep: its grid, config and runs; closed, because one of its runs had not finished.
    const newSweep = await call<SweepDetail>(dst, 'sweeps:get', { id: idMap.sweeps[sweep.id] });
    const oldSweep = await call<SweepDetail>(src, 'sweeps:get', { id: sweep.id });
    expect(newSweep).toMatchObject({ grid: oldSweep.grid, config: oldSweep.config, seeds: 2, createdAt: oldSweep.createdAt, status: 'cancelled' });
    expect(newSweep.runs.map((r) => [r.point, r.seed, r.status])).toEqual(
      oldSweep.runs.map((r) => [r.point, r.seed, r.status === 'running' ? 'interrupted' : r.status]),
    );
    expect(newSweep.results.points).toEqual(oldSweep.results.points);

    // Checklist: answers and every revision, with their times.
    const oldState = await call<ChecklistState>(src, 'checklist:get', { projectId: project.id });
    const newState = await call<ChecklistState>(dst, 'checklist:get', { projectId });
    expect(newState.answers).toEqual(oldState.answers);
    for (const questionKey of ['throughout.utility.confounders', 'early.value.synthetic']) {
      const strip = (rs: ChecklistRevision[]) => rs.map(({ id: _id, ...r }) => r);
      const oldRevisions = await call<ChecklistRevision[]>(src, 'checklist:revisions', { projectId: project.id, questionKey });
      const newRevisions = await call<ChecklistRevision[]>(dst, 'checklist:revisions', { projectId, questionKey });
      expect(strip(newRevisions)).toEqual(strip(oldRevisions));
    }
    expect((await call<ChecklistRevision[]>(dst, 'checklist:revisions', { projectId, questionKey: 'throughout.utility.confounders' })).map((r) => r.status)).toEqual([
      'answered',
      'in-progress',
    ]);
    // Evidence resolves to the imported rows, one of each kind.
    const targets = { ...idMap.runs, ...idMap.notes, ...idMap.hypotheses, ...idMap.figures, ...idMap.confounders };
    expect(newState.evidence.map((e) => [e.questionKey, e.kind, e.targetId, e.linkedAt, e.detail])).toEqual(
      oldState.evidence.map((e) => [e.questionKey, e.kind, targets[e.targetId], e.linkedAt, e.detail]),
    );
    expect(newState.evidence.map((e) => e.kind).sort()).toEqual(['confounder', 'figure', 'hypothesis', 'note', 'run']);

    // Notes with tags, run and figure links, and the questions citing them.
    const [newNote] = await call<Note[]>(dst, 'notes:list', { projectId });
    expect(newNote).toEqual({
      ...note,
      id: idMap.notes[note.id],
      projectId,
      runIds: newNote!.runIds,
      figureIds: [idMap.figures[figure.id]],
      questionKeys: ['throughout.utility.confounders'],
    });
    expect([...newNote!.runIds].sort()).toEqual(note.runIds.map((id) => idMap.runs[id]).sort());

    // Hypotheses: the locked one still verifies, with its amendment, runs and verdicts.
    const newLocked = await call<Hypothesis>(dst, 'hypotheses:get', { id: idMap.hypotheses[locked.id] });
    expect(newLocked.lock).toEqual({ ...locked.lock, intact: true });
    expect(newLocked.statement).toBe(locked.statement);
    expect(newLocked.amendments).toEqual(locked.amendments);
    expect(newLocked.current).toEqual(locked.current);
    expect(newLocked.runs.map((r) => [r.runId, r.linkedAt])).toEqual(locked.runs.map((r) => [idMap.runs[r.runId], r.linkedAt]));
    expect(newLocked.results.map(({ runId, ...r }) => [runId, r])).toEqual(locked.results.map(({ runId, ...r }) => [idMap.runs[runId], r]));
    expect(newLocked.tally).toEqual(locked.tally);
    expect(newLocked).toMatchObject({ createdAt: locked.createdAt, updatedAt: locked.updatedAt });
    const newDraft = await call<Hypothesis>(dst, 'hypotheses:get', { id: idMap.hypotheses[draft.id] });
    expect(newDraft).toMatchObject({ statement: draft.statement, relation: 'challenges', lock: null, predictions: draft.predictions });

    // The figure: SVG, caption, provenance (ids of what came along mapped, others kept).
    const newFigure = await call<Figure>(dst, 'figures:get', { id: idMap.figures[figure.id] });
    const oldFigure = await call<Figure>(src, 'figures:get', { id: figure.id });
    expect(newFigure).toEqual({
      ...oldFigure,
      id: idMap.figures[figure.id],
      projectId,
      provenance: {
        ...oldFigure.provenance,
        sweepIds: [idMap.sweeps[sweep.id]],
        runIds: [idMap.runs[runs.a.id], '00000000-0000-4000-8000-000000000000'],
      },
    });

    // The confounder test: its report and verdict as run, its settings naming the imported runs, its hypothesis link.
    const [newTest] = await call<ConfounderTest[]>(dst, 'confounders:list', { projectId });
    expect(newTest).toEqual({
      ...confounder,
      id: idMap.confounders[confounder.id],
      projectId,
      settings: { ...confounder.settings, projectId, runIds: confounder.settings.runIds!.map((id) => idMap.runs[id]) },
    });
    expect(dst.db.prepare('SELECT hypothesis_id, test_id FROM hypothesis_confounders').all()).toEqual([
      { hypothesis_id: idMap.hypotheses[locked.id], test_id: idMap.confounders[confounder.id] },
    ]);

    // Search finds the imported notes, answers and hypotheses.
    const hits = await call<SearchHit[]>(dst, 'notebook:search', { projectId, query: 'memoris' });
    const refs = { ...idMap.notes, ...idMap.hypotheses };
    const oldHits = await call<SearchHit[]>(src, 'notebook:search', { projectId: project.id, query: 'memoris' });
    expect(hits.map((h) => [h.kind, h.ref, h.snippet])).toEqual(oldHits.map((h) => [h.kind, refs[h.ref] ?? h.ref, h.snippet]));
    expect(hits.map((h) => h.kind).sort()).toEqual(['hypothesis', 'note']);
    expect(await call<SearchHit[]>(dst, 'notebook:search', { projectId, query: 'negative-result' })).toHaveLength(1);
    expect(await call<SearchHit[]>(dst, 'notebook:search', { projectId, query: 'initialisation' })).toEqual([
      expect.objectContaining({ kind: 'answer', ref: 'throughout.utility.confounders' }),
    ]);
    // Nothing of the other project, or of the run without a project, came along.
    expect(await call<Project[]>(dst, 'projects:list', { filter: 'all' })).toHaveLength(1);
    expect(await call<RunSummary[]>(dst, 'runs:list', {})).toHaveLength(8);
  });

  it('imports the same bundle twice as two projects, and a re-export carries the same content', async () => {
    const dst = context();
    const first = dst.bundles.import(file);
    const second = dst.bundles.import(file);
    expect(first.projectId).not.toBe(second.projectId);
    expect(Object.values(first.idMap.runs).some((id) => Object.values(second.idMap.runs).includes(id))).toBe(false);
    expect(await call<RunSummary[]>(dst, 'runs:list', {})).toHaveLength(16);

    // A second round trip changes nothing but ids (the first already settled unfinished runs).
    const again = JSON.parse(gunzipSync(dst.bundles.export(first.projectId)).toString('utf8')) as Bundle;
    const third = context();
    const reimported = third.bundles.import(Buffer.from(JSON.stringify(again)));
    expect(reimported.counts).toMatchObject({ interruptedRuns: 0, closedSweeps: 0, metricPoints: first.counts.metricPoints });
    const thirdRows = runRows(third, reimported.projectId);
    runRows(dst, first.projectId).forEach((row, i) => {
      const { id: _a, project_id: _b, group_id: _c, rerun_of: _d, sweep_id: _e, ...rest } = row;
      expect(thirdRows[i]).toMatchObject(rest);
    });
  });

  it('writes plain JSON on request, names the file, and refuses an unknown project', () => {
    const json = source.ctx.bundles.export(source.project.id, { compress: false });
    const doc = JSON.parse(json.toString('utf8')) as Bundle;
    expect(doc).toMatchObject({ format: 'phenobook-bundle', version: 1, app: { name: 'phenobook' } });
    expect(doc.contentHash).toBe(sha256Hex(canonicalJson(doc.content)));
    const run = doc.content.runs.find((r) => r.id === source.runs.a.id)!;
    expect(run.metrics.map((m) => m.name)).toEqual([...METRIC_NAMES].sort());
    expect(run.metrics.find((m) => m.name === 'testLoss')!.values[2]).toBeNull();
    expect(gunzipSync(file).equals(json)).toBe(false); // createdAt differs; both import:
    expect(context().bundles.import(json).counts.runs).toBe(8);
    expect(bundleFilename('Grokking & weight decay!')).toBe('grokking-weight-decay.phenobook.json.gz');
    expect(() => source.ctx.bundles.export('00000000-0000-4000-8000-000000000000')).toThrow(/does not exist/);
  });
});

describe('external runs in bundles', () => {
  it('carry source, origin, name and content hash; runs of Phenobook\'s own carry none of them (older versions read those bundles)', async () => {
    const src = context();
    const project = await call<Project>(src, 'projects:create', { title: 'Mixed', phenomenon: 'grokking' });
    const [own] = await call<RunSummary[]>(src, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 100 } });
    finish(src, own!.id, 'done');
    const hash = 'c'.repeat(64);
    const stored = src.externalRuns.store(project.id, {
      source: 'jsonl',
      notes: [],
      runs: [{ name: 'lr0.01', experiment: 'train.py', source: 'jsonl', origin: '/logs/lr0.01.jsonl', config: { lr: 0.01 }, seed: 0, contentHash: hash, metrics: { train_loss: { steps: [0, 5], values: [1, 0.5] } } }],
    });
    const doc = JSON.parse(src.bundles.export(project.id, { compress: false }).toString('utf8')) as Bundle;
    const mine = doc.content.runs.find((r) => r.id === own!.id)!;
    expect(['source', 'origin', 'contentHash', 'name'].filter((k) => k in mine)).toEqual([]);
    expect(doc.content.runs.find((r) => r.id === stored.added[0]!.id)).toMatchObject({ source: 'jsonl', origin: '/logs/lr0.01.jsonl', contentHash: hash, name: 'lr0.01' });

    const dst = context();
    const imported = dst.bundles.import(Buffer.from(JSON.stringify(doc)));
    const runs = await call<RunSummary[]>(dst, 'runs:list', { projectId: imported.projectId });
    expect(runs.map((r) => [r.source, r.origin, r.name]).sort()).toEqual([
      ['jsonl', '/logs/lr0.01.jsonl', 'lr0.01'],
      ['phenobook', null, null],
    ]);
    // Names another tool gave travel as they were (a TensorBoard tag, an experiment folder with a space).
    src.externalRuns.store(project.id, {
      source: 'tensorboard',
      notes: [],
      runs: [{ name: 'lr0.01/seed1', experiment: 'my runs', source: 'tensorboard', origin: '/logs', config: {}, seed: 1, contentHash: 'e'.repeat(64), metrics: { 'loss/train': { steps: [0], values: [1] } } }],
    });
    const withTags = JSON.parse(src.bundles.export(project.id, { compress: false }).toString('utf8')) as Bundle;
    const tb = context().bundles.import(Buffer.from(JSON.stringify(withTags)));
    expect(tb.counts.runs).toBe(3);

    // The imported project knows that content: importing it there again adds nothing.
    expect(dst.externalRuns.store(imported.projectId, { source: 'jsonl', notes: [], runs: [{ name: 'x', experiment: 'train.py', source: 'jsonl', origin: 'x', config: {}, seed: 0, contentHash: hash, metrics: {} }] }).added).toEqual([]);
  });
});

describe('untrusted bundles', () => {
  const original = () => JSON.parse(gunzipSync(file).toString('utf8')) as Bundle;
  const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc), 'utf8');
  /** An edited bundle with its hash made to match, so the check after the hash is what refuses it. */
  const resealed = (edit: (b: Bundle) => void) => {
    const doc = original();
    edit(doc);
    doc.contentHash = sha256Hex(canonicalJson(doc.content));
    return encode(doc);
  };
  const note0 = (b: Bundle) => b.content.notes[0]!;
  const run0 = (b: Bundle) => b.content.runs[0]!;

  /** A gzip stream (many members) that inflates past the limit while only a few hundred KiB itself. */
  function gzipBomb(): Buffer {
    const member = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20), { level: 9 });
    const count = Math.ceil(BUNDLE_LIMITS.jsonBytes / (4 * 1024 * 1024)) + 2;
    return Buffer.concat([gzipSync(Buffer.from('{"format":"phenobook-bundle","pad":"')), ...Array.from({ length: count }, () => member)]);
  }

  const cases: [string, () => Buffer, RegExp][] = [
    ['not JSON', () => Buffer.from('PK\u0003\u0004 this is a zip, not a bundle'), /neither JSON nor gzip/],
    ['broken JSON', () => Buffer.from('{"format": "phenobook-bundle", '), /not valid JSON/],
    ['JSON that is not an object', () => Buffer.from('[1, 2, 3]'), /neither JSON nor gzip|not an object/],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ['damaged gzip', () => gzipSync(encode(original())).subarray(0, 1000), /gzip data is damaged/],
    ['a gzip bomb', gzipBomb, /inflates to more than 200× its 265 KiB \(past 52 MiB\): refused as a compression bomb/],
    ['a wrong format tag', () => encode({ ...original(), format: 'zip' }), /format is "zip", expected "phenobook-bundle"/],
    ['a newer version', () => encode({ ...original(), version: 7 }), /^Bundle version 7 is newer than this Phenobook understands \(1\)/],
    ['a version that is not a number', () => encode({ ...original(), version: '1' }), /Unsupported bundle version "1"/],
    ['no content', () => encode({ ...original(), content: undefined }), /content: missing/],
    [
      'one value edited after export',
      () => {
        const doc = original();
        run0(doc).metrics[0]!.values[1] = 0.5;
        return encode(doc);
      },
      /modified after export: its content hash does not match/,
    ],
    ['a note over its limit', () => resealed((b) => (note0(b).body = 'x'.repeat(100_001))), /content\.notes\.0\.body: Note must be at most 100000 characters/],
    ['a dangling run link', () => resealed((b) => note0(b).runIds.push('00000000-0000-4000-8000-000000000000')), /content\.notes\.0\.runIds\.2: run 00000000-0000-4000-8000-000000000000 is not in the bundle/],
    ['dangling evidence', () => resealed((b) => (b.content.evidence[0]!.targetId = '00000000-0000-4000-8000-000000000001')), /content\.evidence\.0\.targetId: .* is not in the bundle/],
    ['a confounder test of runs not in the bundle', () => resealed((b) => (b.content.confounders[0]!.settings.runIds = ['00000000-0000-4000-8000-000000000002'])), /content\.confounders\.0\.settings\.runIds\.0: run .* is not in the bundle/],
    ['a confounder test of another project', () => resealed((b) => (b.content.confounders[0]!.settings.projectId = '00000000-0000-4000-8000-000000000003')), /settings\.projectId: names another project/],
    ['a run in a missing sweep', () => resealed((b) => (b.content.sweeps = [])), /content\.runs\.\d+\.sweepId: sweep .* is not in the bundle/],
    ['duplicate run ids', () => resealed((b) => b.content.runs.push(structuredClone(run0(b)))), /content\.runs\.8\.id: run .* appears twice/],
    ['a path as an id', () => resealed((b) => (b.content.figures[0]!.id = '../../etc/passwd')), /content\.figures\.0\.id: Figure id must be a UUID/],
    ['a path as a metric name', () => resealed((b) => (run0(b).metrics[0]!.name = '../../etc/passwd')), /content\.runs\.0\.metrics\.0\.name: Metric name must not look like a path/],
    ['a path inside a metric name', () => resealed((b) => (run0(b).metrics[0]!.name = 'loss/../../x')), /content\.runs\.0\.metrics\.0\.name: Metric name must not look like a path/],
    ['a path as an experiment', () => resealed((b) => (run0(b).experiment = '/etc/passwd')), /content\.runs\.0\.experiment: Experiment must not look like a path/],
    ['an unknown extra key', () => resealed((b) => Object.assign(run0(b), { shell: 'rm -rf /' })), /content\.runs\.0: Unrecognized key: "shell"/],
    ['an unknown top-level key', () => encode({ ...original(), extra: true }), /Unrecognized key: "extra"/],
    ['steps out of order', () => resealed((b) => run0(b).metrics[0]!.steps.reverse()), /content\.runs\.0\.metrics\.0\.steps\.1: Steps must increase/],
    ['more values than steps', () => resealed((b) => run0(b).metrics[0]!.values.push(1)), /content\.runs\.0\.metrics\.0\.values: has 8 values for 7 steps/],
    ['a script in a figure', () => resealed((b) => (b.content.figures[0]!.svg = '<svg onload="alert(1)"></svg>')), /svg must not contain scripts/],
    // Any recorded metric name travels (runs trained elsewhere); paths and Object.prototype members never do.
    ['a prediction metric that reads as a path', () => resealed((b) => ((b.content.hypotheses[0]!.predictions[0] as { metric: string }).metric = '../secret')), /content\.hypotheses\.0\.predictions\.0\.metric: Metric must be a metric name/],
    ['a prediction metric named constructor', () => resealed((b) => ((b.content.hypotheses[0]!.predictions[0] as { metric: string }).metric = 'constructor')), /content\.hypotheses\.0\.predictions\.0\.metric: Metric must be a metric name/],
    ['an unknown checklist question', () => resealed((b) => (b.content.checklist.answers[0]!.questionKey = 'no.such.question')), /questionKey is not a question of the checklist/],
    ['a revision without its answer', () => resealed((b) => b.content.checklist.revisions.push({ ...b.content.checklist.revisions[0]!, questionKey: 'early.context.framing' })), /a revision of early\.context\.framing, which has no answer/],
    ['a lock without its hash', () => resealed((b) => (b.content.hypotheses.find((h) => h.lockHash)!.lockHash = null)), /lockHash: A lock has both a time and a hash/],
    [
      'reruns in a loop',
      () =>
        resealed((b) => {
          const [x, y] = b.content.runs;
          x!.rerunOf = y!.id;
          y!.rerunOf = x!.id;
        }),
      /reruns form a loop/,
    ],
    ['a control character in a title', () => resealed((b) => (b.content.project.title = 'a\u0007b')), /content\.project\.title: Project title contains control characters/],
    [
      'a __proto__ key in a config',
      () => {
        const doc = JSON.parse(JSON.stringify(original()).replace('"config":{', '"config":{"__proto__":{"polluted":true},')) as Bundle;
        doc.contentHash = sha256Hex(canonicalJson(doc.content));
        return encode(doc);
      },
      /config is nested too deeply or uses the key __proto__/,
    ],
    ['deeply nested config', () => resealed((b) => (run0(b).config = JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) as Record<string, unknown>)), /Run config is nested too deeply or uses the key __proto__/],
  ];

  it.each(cases)('refuses %s cleanly and writes nothing', (_what, make, message) => {
    const dst = context();
    const data = make();
    const before = snapshotTables(dst);
    let error: unknown;
    try {
      dst.bundles.import(data);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).message).toMatch(message);
    expect(['invalid_input', 'payload_too_large']).toContain((error as BundleError).code);
    expect(snapshotTables(dst)).toEqual(before);
  });

  it('rolls back everything when the database refuses a row halfway', () => {
    const dst = context();
    // A resealed bundle the schema accepts but SQLite refuses late in the write (a trigger makes it fail).
    dst.db.exec("CREATE TEMP TRIGGER refuse_evidence BEFORE INSERT ON evidence BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    const before = snapshotTables(dst);
    expect(() => dst.bundles.import(file)).toThrow(/could not be stored \(nothing was imported\): refused for the test/);
    expect(snapshotTables(dst)).toEqual(before);
  });
});

describe('bundle size', () => {
  // Export and import times belong to the benchmarks; this checks a realistic project fits and compresses.
  it('carries 20 runs × 7 metrics × 600 points in under a megabyte of gzip', async () => {
    const ctx = context();
    const project = await call<Project>(ctx, 'projects:create', { title: 'Size', phenomenon: 'grokking' });
    const runs = await call<RunSummary[]>(ctx, 'runs:start', { projectId: project.id, experiment: 'grokking-mlp', config: { steps: 300_000 }, seeds: 20 });
    runs.forEach((r, i) => {
      finish(ctx, r.id, 'done');
      storeMetrics(ctx, r.id, 600, i);
    });
    const data = ctx.bundles.export(project.id);
    expect(gunzipSync(data).length).toBeGreaterThan(2.5 * data.length);
    expect(data.length).toBeLessThan(1_000_000);
    expect(context().bundles.import(data).counts.metricPoints).toBe(20 * 7 * 600);
  });
});
