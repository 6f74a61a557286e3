import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import type { Project } from '../contract/projects';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';
import { canonicalJson, sha256Hex } from './content-hash';

/** Issue 18: imports and confounder analyses run on the worker thread, with progress, and the host keeps serving. */

let ctx: ReturnType<typeof tempContext>;
let events: AppEvent[];
beforeEach(() => {
  ctx = tempContext({ offThread: true });
  events = [];
  ctx.events.subscribe((e) => events.push(e));
});
afterEach(() => ctx.cleanup());

/** One project with one finished run of `points` points over four metrics. */
function bundleOf(points: number): Buffer {
  const perSeries = points / 4;
  const steps = Array.from({ length: perSeries }, (_, i) => i * 10);
  const metrics = ['testAcc', 'trainAcc', 'testLoss', 'trainLoss'].map((name, k) => ({ name, steps, values: steps.map((s) => Math.cos(s / 997 + k)) }));
  const at = '2026-01-01T00:00:00.000Z';
  const content = {
    project: { id: '11111111-1111-4111-8111-111111111111', title: 'Off thread', phenomenon: 'grokking', question: '', tags: [], createdAt: at, updatedAt: at, archivedAt: null },
    checklist: { answers: [], revisions: [] },
    evidence: [],
    notes: [],
    hypotheses: [],
    sweeps: [],
    runs: [
      {
        id: '22222222-2222-4222-8222-222222222222', groupId: '33333333-3333-4333-8333-333333333333', experiment: 'grokking-mlp', preset: null,
        config: {}, seed: 0, status: 'done', error: null, backend: 'cpu', gpu: false, backendDetail: null, appVersion: '0.1.0', dataHash: null,
        stepsTotal: 1, stepsDone: 1, trainSeconds: 1, wallSeconds: 1, rerunOf: null, createdAt: at, startedAt: at, finishedAt: at,
        sweepId: null, sweepPoint: null, metrics,
      },
    ],
    figures: [],
    confounders: [],
  };
  const bundle = { format: 'phenobook-bundle', version: 1, createdAt: at, app: { name: 'phenobook', version: '0.1.0', schemaVersion: 80 }, contentHash: sha256Hex(canonicalJson(content)), content };
  return gzipSync(Buffer.from(JSON.stringify(bundle)));
}

describe('off the host thread', () => {
  it('imports a bundle on the worker with progress events, every point stored exactly, while the host keeps turning', async () => {
    const data = bundleOf(400_000).toString('base64');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    const r = await dispatch(ctx, 'bundles:import', { data });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(r.ok).toBe(true);
    const result = (r as { value: { projectId: string; counts: { metricPoints: number } } }).value;
    expect(result.counts.metricPoints).toBe(400_000);
    expect(ctx.db.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(400_000);
    const [value] = ctx.db.prepare("SELECT value FROM metrics m JOIN metric_names n ON n.id = m.name_id WHERE n.name = 'testLoss' AND step = 12340").pluck().all() as number[];
    expect(value).toBe(Math.cos(12340 / 997 + 2));
    const phases = events.flatMap((e) => (e.type === 'bundles:progress' ? [e.phase] : []));
    expect(new Set(phases)).toEqual(new Set(['inflating', 'checking', 'staging', 'writing']));
    expect(events.some((e) => e.type === 'projects:changed' && e.ids.includes(result.projectId))).toBe(true);
    // On the host thread the interval could not have run during the import at all.
    expect(ticks).toBeGreaterThan(ms / 5 / 4);
  }, 30_000);

  it('refuses a compression bomb on the worker (413) and writes nothing', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"format":"phenobook-bundle","version":1,"x":"'), Buffer.alloc(250 * 1024 * 1024, 0x61), Buffer.from('"}')]), { level: 9 });
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'bundles:import', { data: bomb.toString('base64') });
    expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(!r.ok && r.error.message).toMatch(/compression bomb/);
    expect(snapshotTables(ctx)).toEqual(before);
  }, 30_000);

  it('refuses five million empty objects from a 15 KB file (past 4 MiB at 200×) before parsing them', async () => {
    const file = gzipSync(Buffer.from(`{"format":"phenobook-bundle","version":1,"content":{"runs":[${'{},'.repeat(5_000_000)}{}]}}`), { level: 9 });
    expect(file.length).toBeLessThan(40_000);
    const r = await dispatch(ctx, 'bundles:import', { data: file.toString('base64') });
    expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  }, 30_000);

  it('refuses data that is not base64 on the worker with the field path', async () => {
    const r = await dispatch(ctx, 'bundles:import', { data: 'not base64!' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'data', message: 'data must be base64' }] } });
  }, 30_000);

  it('refuses a bad bundle with the same field issues as in-thread, nothing written', async () => {
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'bundles:import', { data: Buffer.from('{"format":"phenobook-bundle","version":1,"contentHash":"x","content":{}}').toString('base64') });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(snapshotTables(ctx)).toEqual(before);
  }, 30_000);

  it('a refusal on the worker comes back as the same 400 with its field path, nothing written', async () => {
    const project = (await dispatch(ctx, 'projects:create', { title: 'C', phenomenon: 'other' })) as { ok: true; value: Project };
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'confounders:run', { projectId: project.value.id, runIds: ['00000000-0000-4000-8000-000000000000'], resamples: 200 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'runIds' }] } });
    expect(snapshotTables(ctx)).toEqual(before);
  }, 30_000);

  it('analyses a confounder test on the worker and stores the same report as in-thread', async () => {
    const project = (await dispatch(ctx, 'projects:create', { title: 'C', phenomenon: 'double-descent' })) as { ok: true; value: Project };
    const sweep = (await dispatch(ctx, 'sweeps:start', { projectId: project.value.id, experiment: 'double-descent', preset: 'cheap', grid: [{ key: 'width', values: [8, 16, 32, 64] }], seeds: 2 })) as { ok: true; value: { id: string } };
    const rows = ctx.db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as string[];
    rows.forEach((id, i) => {
      ctx.db.prepare("INSERT OR IGNORE INTO metric_names (name) VALUES ('testAcc'), ('l2'), ('primeCount'), ('tailCount'), ('shiftedPrimeCount')").run();
      for (const [name, v] of [['testAcc', 0.5 + ((i * 7) % 5) / 20], ['l2', 10 + i], ['primeCount', 3 + (i % 3)], ['tailCount', 5 + i], ['shiftedPrimeCount', 2 + ((i * 3) % 4)]] as const) {
        ctx.db.prepare('INSERT INTO metrics (run_id, name_id, step, value) SELECT ?, id, 100, ? FROM metric_names WHERE name = ?').run(id, v, name);
      }
    });
    ctx.db.prepare("UPDATE runs SET status = 'done', steps_done = steps_total").run();
    const input = { projectId: project.value.id, sweepId: sweep.value.id, resamples: 300 };
    const r = await dispatch(ctx, 'confounders:run', input);
    expect(r.ok).toBe(true);
    expect(events.some((e) => e.type === 'confounders:progress' && e.phase === 'analysing')).toBe(true);
    // The same test in-thread (no worker) on the same rows gives the same report: same seed, same numbers.
    const again = await new (ctx.confounders.constructor as new (d: unknown) => typeof ctx.confounders)({
      ...(ctx.confounders as unknown as { d: object }).d,
      compute: undefined,
    }).run((await import('../contract/confounders')).ConfounderTestSchema.parse(input));
    expect((r as { value: { report: unknown } }).value.report).toEqual(again.report);
  }, 30_000);
});
