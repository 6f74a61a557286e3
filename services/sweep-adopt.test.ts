import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepDetail } from '../contract/sweeps';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';
import { addLoggedRun } from '../test/external-runs';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

/**
 * A width sweep logged elsewhere, two seeds per width, with accuracies only under its own names:
 * train error reaches 0 from width 16, test error peaks at width 16.
 */
function setup() {
  ctx = tempContext({ recover: false });
  const project = ctx.projects.create({ title: 'P', phenomenon: 'double-descent', question: '', tags: [] });
  const acc: Record<number, [number, number]> = { 4: [0.8, 0.5], 8: [0.95, 0.6], 16: [1, 0.4], 32: [1, 0.7] };
  const runs = Object.entries(acc).flatMap(([w, [tr, te]]) =>
    [0, 1].map((seed) => addLoggedRun(ctx!, project.id, { config: { width: Number(w), lr: 0.01, seed }, final: { trainAcc: tr, testAcc: te + seed * 0.02 }, names: { trainAcc: 'train_acc', testAcc: 'test_acc' } })),
  );
  return { ctx, project, runs };
}

const detail = async (id: string) => {
  const r = await dispatch(ctx!, 'sweeps:get', { id });
  if (!r.ok) throw new Error(r.error.message);
  return r.value as SweepDetail;
};

describe('sweeps:adopt', () => {
  it('makes existing runs a sweep over a field: grid, seeds, points, and measures read through the roles', async () => {
    const { ctx, project, runs } = setup();
    await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainAcc: 'train_acc', testAcc: 'test_acc' } });
    const metricsBefore = ctx.db.prepare('SELECT count(*) AS n FROM metrics').get();
    const adopted = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    if (!adopted.ok) throw new Error(adopted.error.message);
    const sweep = await detail((adopted.value as { id: string }).id);
    expect(sweep).toMatchObject({ executor: 'adopted', status: 'done', experiment: 'my-script', config: { lr: 0.01 }, grid: [{ key: 'width', values: [4, 8, 16, 32] }], seeds: 2 });
    expect(sweep.runs.map((r) => [r.id, r.point]).sort()).toEqual(runs.map((id, i) => [id, { width: [4, 4, 8, 8, 16, 16, 32, 32][i] }]).sort());
    expect(sweep.results.points.map((p) => [p.width, p.seeds, p.metrics.testError?.mean])).toEqual([
      [4, 2, expect.closeTo(0.49)],
      [8, 2, expect.closeTo(0.39)],
      [16, 2, expect.closeTo(0.59)],
      [32, 2, expect.closeTo(0.29)],
    ]);
    expect(sweep.runs.find((r) => r.id === runs[0])!.final).toMatchObject({ test_acc: 0.5, testAcc: 0.5, trainAcc: 0.8 });
    expect(sweep.measures.interpolationThreshold).toBe(16);
    expect(sweep.measures.peak).toMatchObject({ at: 16, testError: expect.closeTo(0.59) });
    // Nothing was trained, copied or rewritten.
    expect(ctx.db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 8 });
    expect(ctx.db.prepare('SELECT count(*) AS n FROM metrics').get()).toEqual(metricsBefore);
  });

  it('without roles the same runs have no error rates to measure', async () => {
    const { ctx, project, runs } = setup();
    const adopted = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    const sweep = await detail((adopted.ok && (adopted.value as { id: string }).id) || '');
    expect(sweep.results.points[0]!.metrics.testError).toBeUndefined();
    expect(sweep.measures).toEqual({});
  });

  it('refuses runs already in a sweep, and fields that do not differ, changing nothing', async () => {
    const { ctx, project, runs } = setup();
    const first = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs.slice(0, 4), field: 'width' });
    expect(first.ok).toBe(true);
    const before = snapshotTables(ctx);
    const again = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs.slice(2), field: 'width' });
    expect(!again.ok && again.error.code).toBe('conflict');
    expect(!again.ok && again.error.message).toMatch(/2 of these runs already belong to a sweep, and a run can belong to one sweep only/);
    expect(!again.ok && again.error.issues?.map((i) => i.path)).toEqual(['runIds.0', 'runIds.1']);
    const same = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs.slice(4), field: 'lr' });
    expect(!same.ok && same.error.issues).toEqual([{ path: 'field', message: 'Every run has lr = 0.01: choose a field whose values differ' }]);
    const absent = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs.slice(4), field: 'depth' });
    expect(!absent.ok && absent.error.issues?.[0]?.path).toBe('field');
    const seed = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs.slice(4), field: 'seed' });
    expect(!seed.ok && seed.error.issues?.[0]?.path).toBe('field');
    const foreign = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: [runs[4], randomUUID()], field: 'width' });
    expect(!foreign.ok && foreign.error.issues?.[0]?.path).toBe('runIds.1');
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('refuses runs still training, changing nothing', async () => {
    const { ctx, project, runs } = setup();
    ctx.db.prepare("UPDATE runs SET status = 'running' WHERE id = ?").run(runs[1]);
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    expect(!r.ok && r.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/still training/), issues: [{ path: 'runIds.1', message: 'is still training' }] });
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('validates its input with field paths', async () => {
    const { ctx, project, runs } = setup();
    const cases: [unknown, string][] = [
      [{ projectId: project.id, runIds: [runs[0]], field: 'width' }, 'runIds'],
      [{ projectId: project.id, runIds: [runs[0], runs[0]], field: 'width' }, 'runIds'],
      [{ projectId: project.id, runIds: [runs[0], 'nope'], field: 'width' }, 'runIds.1'],
      [{ projectId: project.id, runIds: runs, field: 'model.width' }, 'field'],
      [{ projectId: project.id, runIds: runs }, 'field'],
      [{ projectId: 'x', runIds: runs, field: 'width' }, 'projectId'],
    ];
    for (const [input, path] of cases) {
      const r = await dispatch(ctx, 'sweeps:adopt', input);
      expect(!r.ok && r.error.issues?.map((i) => i.path)).toContain(path);
    }
    const tooMany = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: Array.from({ length: 501 }, () => randomUUID()), field: 'width' });
    expect(!tooMany.ok && tooMany.error.issues?.map((i) => i.path)).toEqual(['runIds']);
  });

  it('deleting an adopted sweep keeps its runs (a sweep Phenobook ran takes its runs with it); it cannot be cancelled', async () => {
    const { ctx, project, runs } = setup();
    const adopted = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    const id = (adopted.ok && (adopted.value as { id: string }).id) || '';
    const cancel = await dispatch(ctx, 'sweeps:cancel', { id });
    expect(!cancel.ok && cancel.error.message).toMatch(/nothing to cancel/);
    const collect = await dispatch(ctx, 'sweeps:collect', { id });
    expect(collect.ok).toBe(false);
    expect((await dispatch(ctx, 'sweeps:delete', { id })).ok).toBe(true);
    expect(ctx.db.prepare('SELECT count(*) AS n FROM runs WHERE sweep_id IS NULL AND sweep_point IS NULL').get()).toEqual({ n: 8 });
    expect(ctx.db.prepare('SELECT count(*) AS n FROM sweeps').get()).toEqual({ n: 0 });
    // Free again: the same runs can be adopted over another field.
    expect((await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'seed' })).ok).toBe(false);
    expect((await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' })).ok).toBe(true);
  });

  it('stays adopted through a bundle: deleting it after import still keeps the runs', async () => {
    const { ctx, project, runs } = setup();
    await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    const imported = ctx.bundles.import(ctx.bundles.export(project.id));
    const [sweep] = ctx.sweeps.list(imported.projectId);
    expect(sweep).toMatchObject({ executor: 'adopted', grid: [{ key: 'width', values: [4, 8, 16, 32] }] });
    ctx.sweeps.delete(sweep!.id);
    expect(ctx.db.prepare('SELECT count(*) AS n FROM runs WHERE project_id = ?').get(imported.projectId)).toEqual({ n: 8 });
  });

  it('is not resumed after a restart', async () => {
    const { ctx, project, runs } = setup();
    const adopted = await dispatch(ctx, 'sweeps:adopt', { projectId: project.id, runIds: runs, field: 'width' });
    expect(adopted.ok).toBe(true);
    ctx.db.prepare("UPDATE runs SET status = 'interrupted'").run();
    expect(ctx.sweeps.resume()).toBe(0);
    expect(ctx.db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'interrupted'").get()).toEqual({ n: 8 });
  });
});
