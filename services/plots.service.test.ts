import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunValue } from '../contract/plots';
import { RunsRepo } from '../db/runs.repo';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

/** A project with two runs whose testAcc histories are known, and a run of another project. */
function setup() {
  ctx = tempContext({ recover: false });
  const repo = new RunsRepo(ctx.db);
  const project = ctx.projects.create({ title: 'P', phenomenon: 'grokking', question: '', tags: [] });
  const other = ctx.projects.create({ title: 'Q', phenomenon: 'grokking', question: '', tags: [] });
  const add = (projectId: string, points: [number, number][], weightDecay: number) => {
    const id = randomUUID();
    repo.insert({ id, projectId, groupId: randomUUID(), experiment: 'grokking-mlp', preset: null, config: { weightDecay }, seed: 0, appVersion: 't', stepsTotal: 100, rerunOf: null, ownerPid: 1, now: '2026-01-01T00:00:00.000Z' });
    repo.insertMetrics(id, points.map(([step, v]) => ({ step, values: { testAcc: v } })));
    return id;
  };
  const a = add(project.id, [[0, 0.1], [10, 0.9], [20, 0.5], [30, Number.NaN]], 1);
  const b = add(project.id, [[0, 0.2], [15, 0.3], [25, 0.4]], 0);
  add(other.id, [[0, 0.99]], 1);
  return { ctx, project, a, b };
}

const byRun = (rows: unknown) => Object.fromEntries((rows as RunValue[]).map((r) => [r.runId, [r.step, r.value]]));

describe('plots:values reads one number per run of the project', () => {
  it('final is the last evaluation (a non-finite last value reads null), of this project only', async () => {
    const { ctx, project, a, b } = setup();
    const r = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'final' } });
    expect(r.ok && byRun(r.value)).toEqual({ [a]: [30, null], [b]: [25, 0.4] });
  });

  it('max and min skip non-finite values and say at which step', async () => {
    const { ctx, project, a, b } = setup();
    const max = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'max' } });
    expect(max.ok && byRun(max.value)).toEqual({ [a]: [10, 0.9], [b]: [25, 0.4] });
    const min = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'min' } });
    expect(min.ok && byRun(min.value)).toEqual({ [a]: [0, 0.1], [b]: [0, 0.2] });
  });

  it('at a step is the last evaluation at or before it; a run with none there is left out', async () => {
    const { ctx, project, a, b } = setup();
    const at = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'at', step: 17 } });
    expect(at.ok && byRun(at.value)).toEqual({ [a]: [10, 0.9], [b]: [15, 0.3] });
    const none = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'nope', reduce: 'final' } });
    expect(none.ok && none.value).toEqual([]);
  });

  it('refuses bad input with field paths and an unknown project as not found, changing nothing', async () => {
    const { ctx, project } = setup();
    const before = snapshotTables(ctx);
    const noStep = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'at' } });
    expect(noStep.ok || noStep.error.issues?.map((i) => i.path)).toEqual(['read.step']);
    const badReduce = await dispatch(ctx, 'plots:values', { projectId: project.id, read: { name: 'testAcc', reduce: 'median' } });
    expect(badReduce.ok || badReduce.error.code).toBe('invalid_input');
    const missing = await dispatch(ctx, 'plots:values', { projectId: randomUUID(), read: { name: 'testAcc', reduce: 'final' } });
    expect(missing.ok || missing.error.code).toBe('not_found');
    expect(snapshotTables(ctx)).toEqual(before);
  });
});
