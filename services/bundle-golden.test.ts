import type * as NodeCrypto from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bundle } from '../contract/bundle';
import type { Hypothesis, HypothesisCreate } from '../contract/hypotheses';
import type { Note } from '../contract/notes';
import type { Project } from '../contract/projects';
import type { RunSummary } from '../contract/runs';
import type { Sweep, SweepDetail } from '../contract/sweeps';
import type { FigureSummary } from '../contract/figures';
import type { ConfounderTest } from '../contract/confounders';
import { RunsRepo } from '../db/runs.repo';
import { dispatch } from '../host/handlers';
import { PNG_1X1 } from '../test/attachment-fixtures';
import { addLoggedRun } from '../test/external-runs';
import { tempContext } from '../test/temp-context';
import { canonicalJson, sha256Hex } from './content-hash';

// Ids are counted, not random, so a project built the same way exports the same content.
let uuids = 0;
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>();
  const randomUUID = () => `00000000-0000-4000-8000-${(++uuids).toString(16).padStart(12, '0')}`;
  return { ...real, default: { ...real, randomUUID }, randomUUID };
});

/**
 * The canonical hash of the content exported from the project below, recorded before the bundle
 * rows moved into their tables' repos (issue 16): exports must stay byte-identical. A deliberate
 * change to what a bundle carries (a new column, the app version the runs record) changes it: take
 * the new value from the failing assertion, and say why in the commit.
 */
const RECORDED_CONTENT_HASH = 'a41dbf4aea389ea58fcd24c609b10f737331d6630011b25af8735e30864bf58f';

type Ctx = ReturnType<typeof tempContext>;
const contexts: Ctx[] = [];
afterEach(() => {
  for (const c of contexts.splice(0)) c.cleanup();
});

function context(): Ctx {
  let tick = 0;
  const ctx = tempContext({ clock: () => new Date(Date.UTC(2026, 0, 1) + 61_000 * tick++).toISOString(), recover: false });
  contexts.push(ctx);
  return ctx;
}

async function call<T>(ctx: Ctx, op: string, input: unknown): Promise<T> {
  const r = await dispatch(ctx, op, input);
  if (!r.ok) throw new Error(`${op}: ${r.error.message}`);
  return r.value as T;
}

function finish(ctx: Ctx, runId: string): void {
  const detail = { name: 'wasm', tfBackend: 'wasm', gpu: false, skipped: [], versions: { 'tfjs-core': '4.22.0' } };
  ctx.db
    .prepare(
      `UPDATE runs SET status = 'done', backend = 'wasm', gpu = 0, backend_detail = @detail, data_hash = 'sha256-data',
         steps_done = steps_total, train_seconds = 1.25, wall_seconds = 2.5, started_at = '2026-01-02T10:00:00.000Z',
         finished_at = '2026-01-02T10:05:00.000Z', owner_pid = NULL WHERE id = @id`,
    )
    .run({ id: runId, detail: JSON.stringify(detail) });
  new RunsRepo(ctx.db).insertMetrics(
    runId,
    [0, 500, 1000].map((step, i) => ({ step, values: { testAcc: 0.1 + i * 0.3, testLoss: i === 1 ? Number.NaN : 1 - i * 0.25, l2: 3 - i, primeCount: 7 + i } })),
  );
}

/** A project holding one of everything a bundle carries. */
async function buildEverything(ctx: Ctx): Promise<string> {
  const project = await call<Project>(ctx, 'projects:create', { title: 'Everything', phenomenon: 'grokking', question: 'All of it?', tags: ['b-tag', 'a-tag'] });
  const pid = project.id;
  const [a, b] = await call<RunSummary[]>(ctx, 'runs:start', { projectId: pid, experiment: 'grokking-mlp', config: { weightDecay: 0, steps: 1000 }, seeds: 2 });
  finish(ctx, a!.id);
  finish(ctx, b!.id);
  const rerun = await call<RunSummary>(ctx, 'runs:rerun', { id: a!.id });
  finish(ctx, rerun.id);
  const sweep = await call<Sweep>(ctx, 'sweeps:start', { projectId: pid, experiment: 'grokking-mlp', config: { steps: 1000 }, grid: [{ key: 'weightDecay', values: [0, 1] }], seeds: 1 });
  for (const r of (await call<SweepDetail>(ctx, 'sweeps:get', { id: sweep.id })).runs) finish(ctx, r.id);

  // Runs trained elsewhere, one stored as an import does, then adopted as a sweep over width.
  const external = ctx.externalRuns.store(pid, {
    source: 'jsonl',
    notes: [],
    runs: [{ name: 'lr0.01', experiment: 'train.py', source: 'jsonl', origin: '/logs/lr0.01.jsonl', config: { lr: 0.01 }, seed: 0, contentHash: 'c'.repeat(64), metrics: { train_loss: { steps: [0, 5], values: [1, 0.5] } } }],
  });
  const logged = [4, 8].map((width) => addLoggedRun(ctx, pid, { config: { width, lr: 0.01, seed: 0 }, final: { trainAcc: 1, testAcc: 0.5 }, names: { trainAcc: 'train_acc', testAcc: 'test_acc' } }));
  await call(ctx, 'metricRoles:set', { projectId: pid, roles: { trainAcc: 'train_acc', testAcc: 'test_acc' } });
  await call(ctx, 'sweeps:adopt', { projectId: pid, runIds: logged, field: 'width' });

  await call(ctx, 'checklist:answer', { projectId: pid, questionKey: 'throughout.utility.confounders', status: 'in-progress', markdown: 'Draft' });
  await call(ctx, 'checklist:answer', { projectId: pid, questionKey: 'throughout.utility.confounders', status: 'answered', markdown: 'Final' });
  await call(ctx, 'checklist:answer', { projectId: pid, questionKey: 'early.value.synthetic', status: 'not-applicable', notApplicableReason: 'Not an edge case.' });

  const figure = await call<FigureSummary>(ctx, 'figures:create', {
    projectId: pid,
    title: 'Figure',
    caption: 'Caption',
    provenance: { app: '0.1.0', exportedAt: '2026-01-01T00:00:00Z', experiment: 'grokking-mlp', preset: null, sweepIds: [sweep.id], runIds: [a!.id], selection: 's', shows: 'test accuracy', config: { steps: 1000 } },
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="9">g</text></svg>',
  });
  const note0 = await call<Note>(ctx, 'notes:create', { projectId: pid, title: 'Note', body: 'Body', tags: ['t'], runIds: [a!.id, external.added[0]!.id] });
  const note = await call<Note>(ctx, 'notes:linkFigure', { id: note0.id, figureId: figure.id, linked: true });
  const attachment = await call<{ id: string }>(ctx, 'attachments:add', { projectId: pid, noteId: note.id, name: 'pixel.png', data: PNG_1X1.toString('base64') });
  await call(ctx, 'attachments:add', { projectId: pid, noteId: null, name: 'pixel-again.png', data: PNG_1X1.toString('base64') });

  const input: HypothesisCreate = {
    projectId: pid,
    statement: 'Without decay, no generalisation.',
    theory: 'Omnigrok',
    relation: 'refines',
    predictions: [{ metric: 'testAcc', at: { kind: 'step', step: 1000 }, when: [], comparison: '<', threshold: 0.9 } as HypothesisCreate['predictions'][number]],
  };
  const h = await call<Hypothesis>(ctx, 'hypotheses:create', input);
  await call(ctx, 'hypotheses:lock', { id: h.id });
  const { projectId: _p, ...content } = input;
  await call(ctx, 'hypotheses:update', { id: h.id, ...content, statement: 'Amended.', reason: 'Clearer' });
  await call(ctx, 'hypotheses:linkRun', { id: h.id, runId: a!.id, linked: true });
  await call(ctx, 'hypotheses:linkRun', { id: h.id, runId: external.added[0]!.id, linked: true });
  await call(ctx, 'hypotheses:create', { ...input, statement: 'A draft.', relation: 'challenges' });

  const confounder = await call<ConfounderTest>(ctx, 'confounders:run', {
    projectId: pid,
    runIds: [a!.id, b!.id, rerun.id],
    outcome: 'testLoss',
    candidate: { kind: 'builtin', metric: 'primeCount' },
    controls: ['logL2'],
    resamples: 200,
  });
  await call(ctx, 'hypotheses:linkConfounder', { hypothesisId: h.id, testId: confounder.id, linked: true });

  const cite = (questionKey: string, kind: string, targetId: string) => call(ctx, 'evidence:link', { projectId: pid, questionKey, kind, targetId, linked: true });
  await cite('throughout.utility.confounders', 'run', a!.id);
  await cite('throughout.utility.confounders', 'note', note.id);
  await cite('throughout.method.hypothesis', 'hypothesis', h.id);
  await cite('throughout.method.hypothesis', 'figure', figure.id);
  await cite('throughout.utility.confounders', 'confounder', confounder.id);
  await cite('early.context.framing', 'attachment', attachment.id);
  await call(ctx, 'projects:setArchived', { id: pid, archived: true });
  return pid;
}

const contentOf = (ctx: Ctx, projectId: string) => (JSON.parse(gunzipSync(ctx.bundles.export(projectId)).toString('utf8')) as Bundle).content;

describe('bundle export is byte-stable (issue 16)', () => {
  it('exports a project with one of everything to the recorded content, and an import re-exports the same content', async () => {
    uuids = 0;
    const src = context();
    const projectId = await buildEverything(src);
    const content = contentOf(src, projectId);
    // Every part of the format is present, so the hash covers every table's rows.
    expect(content.project.tags).toHaveLength(2);
    expect(content.checklist.answers.length).toBeGreaterThan(0);
    expect(content.checklist.revisions.length).toBeGreaterThan(1);
    expect(new Set(content.evidence.map((e) => e.kind))).toEqual(new Set(['run', 'note', 'hypothesis', 'figure', 'confounder', 'attachment']));
    expect(content.notes[0]).toMatchObject({ runIds: expect.arrayContaining([expect.any(String)]), figureIds: [expect.any(String)] });
    expect(content.hypotheses.some((h) => h.lockedAt && h.amendments.length === 1 && h.runs.length === 2)).toBe(true);
    expect(content.sweeps).toHaveLength(2);
    expect(content.runs.some((r) => r.source === 'jsonl') && content.runs.some((r) => r.rerunOf)).toBe(true);
    expect(content.figures).toHaveLength(1);
    expect(content.confounders[0]!.hypothesisIds).toHaveLength(1);
    expect(content.attachments).toHaveLength(2);
    expect(content.attachmentFiles).toHaveLength(1);
    expect(content.metricRoles).toEqual({ trainAcc: 'train_acc', testAcc: 'test_acc' });
    const hash = sha256Hex(canonicalJson(content));
    expect(hash).toBe(RECORDED_CONTENT_HASH);

    // Import under new ids, export again: the same content once the new ids are mapped back.
    const dst = context();
    const imported = dst.bundles.import(src.bundles.export(projectId));
    const reexported = contentOf(dst, imported.projectId);
    const back = new Map<string, string>();
    for (const ids of Object.values(imported.idMap) as Record<string, string>[]) for (const [oldId, newId] of Object.entries(ids)) back.set(newId, oldId);
    // Run groups get new ids too (not listed in idMap): mapped through their runs.
    for (const run of reexported.runs) back.set(run.groupId, content.runs.find((r) => r.id === back.get(run.id))!.groupId);
    let again = canonicalJson(reexported);
    again = again.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => back.get(id) ?? id);
    expect(sha256Hex(again)).toBe(hash);
  });
});
