import { afterEach, describe, expect, it } from 'vitest';
import { RunsRepo } from '../db/runs.repo';
import { createAppContext } from './app-context';
import { dispatch } from '../host/handlers';
import { SweepStartSchema } from '../contract/sweeps';
import { FAKE_EXPERIMENTS } from '../test/fake-experiment';
import { inProcessTrainer } from '../test/in-process-trainer';
import { snapshotTables, tempContext } from '../test/temp-context';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

function setup(spawn = true) {
  ctx = tempContext({ spawnTrainer: spawn ? inProcessTrainer(FAKE_EXPERIMENTS) : undefined, experiments: FAKE_EXPERIMENTS, defaultParallel: 2 });
  const project = ctx.projects.create({ title: 'P', phenomenon: 'other', question: '', tags: [] });
  return { ctx, project };
}

describe('sweeps:check', () => {
  it('names every invalid field at once — seeds, each knob, each sweep value by value — and starts nothing', async () => {
    ctx = tempContext({ recover: false });
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'sweeps:check', {
      experiment: 'double-descent',
      preset: 'cheap',
      config: { lr: 'fast', steps: -5 },
      grid: [{ key: 'width', values: [8, 12.5, 'wide', 16] }],
      seeds: 'abc',
    });
    expect(r.ok).toBe(true);
    const issues = r.ok ? r.value : [];
    expect(issues).toEqual([
      { path: 'seeds', message: 'seeds must be an integer' },
      { path: 'config.steps', message: 'steps must be an integer from 1 to 10000000' },
      { path: 'config.lr', message: 'lr must be a number greater than 0 and at most 10' },
      { path: 'grid.0.values', message: "width: '12.5' must be an integer from 1 to 4096" },
      { path: 'grid.0.values', message: "width: 'wide' must be an integer from 1 to 4096" },
    ]);
    const fine = await dispatch(ctx, 'sweeps:check', { experiment: 'double-descent', preset: 'cheap', grid: [{ key: 'width', values: [8, 16] }], seeds: 3 });
    expect(fine).toEqual({ ok: true, value: [] });
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('sweeps', () => {
  it('queues grid × seeds as runs, follows them, and aggregates final metrics per point over seeds', async () => {
    const { ctx, project } = setup();
    const sweep = ctx.sweeps.start(
      SweepStartSchema.parse({ projectId: project.id, experiment: 'countdown', grid: [{ key: 'steps', values: [10, 20] }], seeds: 2 }),
    );
    expect(sweep).toMatchObject({ status: 'running', grid: [{ key: 'steps', values: [10, 20] }], seeds: 2, progress: { runs: 4, stepsTotal: 60 } });
    const done = await ctx.sweeps.whenSettled(sweep.id);
    expect(done.status).toBe('done');
    expect(done.progress).toMatchObject({ byStatus: { done: 4 }, stepsDone: 60, etaSeconds: null });
    expect(done.runs.map((r) => [r.point.steps, r.seed])).toEqual([[10, 0], [10, 1], [20, 0], [20, 1]]);
    // countdown: loss (1 + seed) · 0.9^steps; seeds 0 and 1 → mean 1.5 · 0.9^steps, sample std √0.5 · 0.9^steps.
    expect(done.results.points.map((p) => [p.steps, p.seeds])).toEqual([[10, 2], [20, 2]]);
    for (const p of done.results.points) {
      const scale = 0.9 ** (p.steps as number);
      expect(p.metrics.trainLoss!.mean).toBeCloseTo(1.5 * scale, 5);
      expect(p.metrics.trainLoss!.std).toBeCloseTo(Math.SQRT1_2 * scale, 5);
    }
  });

  it.each([
    [{ grid: [{ key: 'width', values: [1] }] }, 'grid.0.key', 'countdown has no knob "width"'],
    [{ grid: [{ key: 'steps', values: [10, 0] }] }, 'grid', 'Grid point {"steps":0}'],
    [{ grid: [{ key: 'steps', values: [] }] }, 'grid.0.values', 'at least one value'],
    [{ grid: [{ key: 'steps', values: Array.from({ length: 60 }, (_, i) => i + 1) }], seeds: 20 }, 'grid', 'at most 600 runs'],
  ])('rejects %j with an issue at %s and writes nothing', async (patch, path, message) => {
    const { ctx, project } = setup(false);
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'sweeps:start', { projectId: project.id, experiment: 'countdown', ...patch });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues?.map((i) => i.path)).toContain(path);
    expect(r.error.message).toContain(message);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('resumes after a restart: finished runs are kept, the rest trained again from scratch', async () => {
    const { ctx: first, project } = setup(false);
    const sweep = first.sweeps.start(
      SweepStartSchema.parse({ projectId: project.id, experiment: 'countdown', grid: [{ key: 'steps', values: [5, 6, 7] }] }),
    );
    const [kept] = first.sweeps.get(sweep.id).runs;
    // One run finished before the "crash"; the others never started.
    first.db.prepare("UPDATE runs SET status = 'done', steps_done = steps_total WHERE id = ?").run(kept!.id);
    new RunsRepo(first.db).insertMetrics(kept!.id, [{ step: 5, values: { trainLoss: 0.5 } }]);
    const dir = first.dir;
    first.close();

    const second = createAppContext({ dataDir: dir, mode: 'browser', spawnTrainer: inProcessTrainer(FAKE_EXPERIMENTS), experiments: FAKE_EXPERIMENTS });
    try {
      const resumed = second.sweeps.get(sweep.id);
      expect(resumed.progress.byStatus).toMatchObject({ done: 1 });
      expect((resumed.progress.byStatus.queued ?? 0) + (resumed.progress.byStatus.running ?? 0)).toBe(2);
      const settled = await second.sweeps.whenSettled(sweep.id);
      expect(settled.progress.byStatus).toEqual({ done: 3 });
      const keptNow = settled.runs.find((r) => r.id === kept!.id)!;
      expect(keptNow.stepsDone).toBe(5);
      expect(keptNow.final).toEqual({ trainLoss: 0.5 });
    } finally {
      second.close();
    }
  });

  it('cancels the queued and running runs of a sweep and is not resumed', async () => {
    const { ctx, project } = setup();
    const sweep = ctx.sweeps.start(
      SweepStartSchema.parse({ projectId: project.id, experiment: 'countdown', config: { stepDelayMs: 20, steps: 500 }, seeds: 4 }),
    );
    const cancelled = ctx.sweeps.cancel(sweep.id);
    expect(cancelled.status).toBe('cancelled');
    const settled = await ctx.sweeps.whenSettled(sweep.id);
    expect(settled.progress.byStatus.cancelled).toBe(4);
    expect(ctx.sweeps.resume()).toBe(0);
  });
});

describe('preset sweeps', () => {
  it('uses the preset grid when none is given (double-descent cheap: its 14 widths)', async () => {
    ctx = tempContext();
    const sweep = ctx.sweeps.start(SweepStartSchema.parse({ experiment: 'double-descent', preset: 'cheap', seeds: 3 }));
    expect(sweep.grid).toEqual([{ key: 'width', values: [2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64, 96] }]);
    expect(sweep.progress.runs).toBe(42);
  });
});
