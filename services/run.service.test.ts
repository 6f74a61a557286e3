import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import { RunStartSchema } from '../contract/runs';
import { FAKE_EXPERIMENTS } from '../test/fake-experiment';
import { inProcessTrainer } from '../test/in-process-trainer';
import { snapshotTables, tempContext } from '../test/temp-context';
import os from 'node:os';
import { defaultParallelRuns } from './app-context';
import { ServiceError } from './errors';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

function setup(parallel = 1) {
  const spawn = inProcessTrainer(FAKE_EXPERIMENTS);
  ctx = tempContext({ spawnTrainer: spawn, experiments: FAKE_EXPERIMENTS, defaultParallel: parallel });
  const project = ctx.projects.create({ title: 'P', phenomenon: 'other', question: '', tags: [] });
  const start = (input: Record<string, unknown>) =>
    ctx!.runs.start(RunStartSchema.parse({ projectId: project.id, experiment: 'countdown', ...input }));
  const events: AppEvent[] = [];
  ctx.events.subscribe((e) => events.push(e));
  return { ctx, spawn, project, start, events };
}

const waitFor = async (predicate: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('At once, before the user picks', () => {
  it('is every core of a CPU-only machine (the setting allows up to 16); a choice sticks', () => {
    ctx = tempContext({ recover: false });
    expect(defaultParallelRuns()).toBe(Math.min(16, os.availableParallelism()));
    expect(ctx.runs.parallel).toBe(defaultParallelRuns());
    ctx.runs.setParallel(1);
    expect(ctx.runs.parallel).toBe(1);
  });
});

describe('RunService', () => {
  it('trains a run in a trainer, storing status, backend, config and every metric', async () => {
    const { ctx, start } = setup();
    const [queued] = start({ config: { steps: 20, evalEvery: 5 } });
    expect(queued!.status).toBe('queued');
    const [run] = await ctx.runs.whenSettled([queued!.id]);
    expect(run).toMatchObject({ status: 'done', stepsDone: 20, stepsTotal: 20, backend: expect.any(String), gpu: false, error: null });
    expect(run!.config).toEqual({ steps: 20, evalEvery: 5, stepDelayMs: 0, failAtStep: -1, nanAtStep: -1, seed: 0 });
    expect(run!.backendDetail?.versions['tfjs-core']).toMatch(/^4\./);
    expect(run!.dataHash).toBe('seed-0');
    expect(run!.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    const series = ctx.runs.metrics({ id: run!.id, maxPoints: 4000 });
    const loss = series.find((s) => s.name === 'trainLoss')!;
    expect(loss.steps).toEqual([0, 5, 10, 15, 20]);
    expect(loss.values[4]).toBeCloseTo(0.9 ** 20, 5);
    expect(run!.final.trainLoss).toBeCloseTo(0.9 ** 20, 5);
  });

  it('runs one process per seed with consecutive seeds, at most `parallel` at a time', async () => {
    const { ctx, start, spawn } = setup(2);
    const runs = start({ seeds: 3, config: { steps: 30, stepDelayMs: 1, seed: 7 } });
    expect(runs.map((r) => r.seed)).toEqual([7, 8, 9]);
    expect(spawn.spawned).toHaveLength(2); // the third waits for a free slot
    const done = await ctx.runs.whenSettled(runs.map((r) => r.id));
    expect(done.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(spawn.spawned).toHaveLength(3);
    expect(new Set(done.map((r) => r.final.trainLoss)).size).toBe(3);
  });

  it('rejects an invalid config with field errors under config.* and writes nothing', () => {
    const { ctx, start } = setup();
    const before = snapshotTables(ctx);
    for (const [config, path] of [
      [{ steps: 0 }, 'config.steps'],
      [{ steps: 'many' }, 'config.steps'],
      [{ colour: 'red' }, 'config'],
    ] as const) {
      try {
        start({ config });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ServiceError);
        expect((err as ServiceError).issues?.map((i) => i.path)).toContain(path);
      }
    }
    expect(() => start({ experiment: 'nope' })).toThrow(/Unknown experiment "nope" \(known: countdown\)/);
    expect(() => start({ preset: 'nope' })).toThrow(/Unknown preset "nope"/);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('cancels a running run cooperatively and a queued one at once', async () => {
    const { ctx, start } = setup(1);
    const [running, waiting] = start({ seeds: 2, preset: 'long' });
    await waitFor(() => ctx.runs.get(running!.id).status === 'running' && ctx.runs.get(running!.id).stepsDone > 0);
    const t0 = Date.now();
    ctx.runs.cancel(waiting!.id);
    expect(ctx.runs.get(waiting!.id)).toMatchObject({ status: 'cancelled', error: 'Cancelled before it started' });
    ctx.runs.cancel(running!.id);
    const [run] = await ctx.runs.whenSettled([running!.id]);
    expect(run!.status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(run!.stepsDone).toBeGreaterThan(0);
  });

  it('marks a killed trainer failed with the reason, and the next run still works', async () => {
    const { ctx, start, spawn } = setup(1);
    const [victim] = start({ preset: 'long' });
    await waitFor(() => ctx.runs.get(victim!.id).stepsDone > 0);
    spawn.spawned[0]!.kill();
    const [dead] = await ctx.runs.whenSettled([victim!.id]);
    expect(dead).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed \(SIGKILL\)/) });
    const [next] = start({ config: { steps: 10 } });
    expect((await ctx.runs.whenSettled([next!.id]))[0]!.status).toBe('done');
  });

  it('reports an exception inside training as failed, and NaN loss as diverged', async () => {
    const { ctx, start } = setup(2);
    const [boom, nan] = [start({ config: { failAtStep: 3 } })[0]!, start({ config: { nanAtStep: 10 } })[0]!];
    const [a, b] = await ctx.runs.whenSettled([boom.id, nan.id]);
    expect(a).toMatchObject({ status: 'failed', error: 'boom at step 3' });
    expect(b).toMatchObject({ status: 'diverged', error: 'train loss became NaN at step 10' });
    expect(b!.final.trainLoss).toBeNull();
  });

  it('streams progress with a rate and an ETA, and metric batches', async () => {
    const { ctx, start, events } = setup();
    const [r] = start({ config: { steps: 300, stepDelayMs: 6 } });
    await ctx.runs.whenSettled([r!.id]);
    const progress = events.flatMap((e) => (e.type === 'runs:progress' ? [e] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!).toMatchObject({ runId: r!.id, step: 300, total: 300 });
    // First "estimating" (no rate, no ETA), then an ETA that is exactly what the rate implies.
    expect(progress[0]).toMatchObject({ stepsPerSecond: null, etaSeconds: null });
    const measured = progress.filter((e) => e.stepsPerSecond !== null && e.step < 300);
    expect(measured.length).toBeGreaterThan(0);
    for (const e of measured) expect(e.etaSeconds!).toBeCloseTo((e.total - e.step) / e.stepsPerSecond!, 9);
    const points = events.flatMap((e) => (e.type === 'runs:metrics' ? e.points : []));
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 61 }, (_, i) => i * 5));
  });

  it('re-runs a stored config exactly, and deletes finished runs with their metrics', async () => {
    const { ctx, start } = setup();
    const [first] = start({ config: { steps: 15, seed: 3 } });
    await ctx.runs.whenSettled([first!.id]);
    const again = ctx.runs.rerun(first!.id);
    const [second] = await ctx.runs.whenSettled([again.id]);
    expect(second!.rerunOf).toBe(first!.id);
    expect(second!.config).toEqual(ctx.runs.get(first!.id).config);
    expect(ctx.runs.metrics({ id: second!.id, maxPoints: 4000 })).toEqual(ctx.runs.metrics({ id: first!.id, maxPoints: 4000 }).map((s) => ({ ...s, values: s.name === 'wallTime' ? expect.any(Array) : s.values })));
    ctx.runs.delete(first!.id);
    expect(() => ctx.runs.get(first!.id)).toThrow(ServiceError);
    expect(ctx.db.prepare('SELECT count(*) FROM metrics WHERE run_id = ?').pluck().get(first!.id)).toBe(0);
  });

  it('refuses to delete a project while its runs are queued or training', async () => {
    const { ctx, start, project } = setup();
    const [r] = start({ preset: 'long' });
    expect(() => ctx.projects.delete(project.id)).toThrow(/1 queued or running run: cancel it before deleting the project/);
    ctx.runs.cancel(r!.id);
    await ctx.runs.whenSettled([r!.id]);
    expect(ctx.projects.delete(project.id)).toEqual({ id: project.id });
  });

  it('survives a run row deleted underneath a training run (e.g. by another process)', async () => {
    const { ctx, start } = setup();
    const [r] = start({ preset: 'long' });
    await waitFor(() => ctx.runs.get(r!.id).stepsDone > 0);
    ctx.db.prepare('DELETE FROM runs WHERE id = ?').run(r!.id);
    expect(await ctx.runs.whenSettled([r!.id])).toEqual([]);
    const [next] = start({ config: { steps: 10 } });
    const [done] = await ctx.runs.whenSettled([next!.id]);
    expect(done!.status).toBe('done');
    expect(done!.final.trainLoss).toBeCloseTo(0.9 ** 10, 5);
  });

  it('refuses to delete a run that is still active', () => {
    const { ctx, start } = setup();
    const [r] = start({ preset: 'long' });
    expect(() => ctx.runs.delete(r!.id)).toThrow(/Cancel this run before deleting it/);
    ctx.runs.cancel(r!.id);
  });

  it('marks runs of a host that died as interrupted, but not runs of a live process', () => {
    const { ctx } = setup();
    const insert = ctx.db.prepare(
      `INSERT INTO runs (id, group_id, experiment, config, seed, status, app_version, steps_total, owner_pid, created_at)
       VALUES (?, 'g', 'countdown', '{}', 0, ?, '0', 10, ?, '2026-01-01T00:00:00Z')`,
    );
    // Owner pids other than this process's own, whatever it is: a run of this process that it is
    // not training counts as the host's own and is recovered (a fixed 4242 was this very process
    // once, in a fresh container).
    const [deadA, deadB, live] = [process.pid + 1, process.pid + 2, process.pid + 3];
    insert.run('11111111-1111-4111-8111-111111111111', 'running', deadA);
    insert.run('22222222-2222-4222-8222-222222222222', 'queued', deadB);
    insert.run('33333333-3333-4333-8333-333333333333', 'running', live);
    const alive = (pid: number) => pid === live;
    expect(ctx.runs.recoverInterrupted(alive)).toBe(2);
    expect(ctx.runs.get('11111111-1111-4111-8111-111111111111')).toMatchObject({
      status: 'interrupted',
      error: 'Interrupted: the app stopped while this run was training',
    });
    expect(ctx.runs.get('22222222-2222-4222-8222-222222222222').status).toBe('interrupted');
    expect(ctx.runs.get('33333333-3333-4333-8333-333333333333').status).toBe('running');
  });
});
