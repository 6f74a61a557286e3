import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { grokkingDelays } from '../common/phenomenon-measures';
import type { MetricSeries } from '../contract/runs';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';
import { addLoggedRun } from '../test/external-runs';

let ctx: ReturnType<typeof tempContext> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

function setup() {
  ctx = tempContext({ recover: false });
  const project = ctx.projects.create({ title: 'P', phenomenon: 'grokking', question: '', tags: [] });
  return { ctx, project };
}

const delayOf = (series: MetricSeries[]) => grokkingDelays(Object.fromEntries(series.map((s) => [s.name, s])));

describe('metricRoles:get and metricRoles:set', () => {
  it('suggests roles from the names the project recorded, saves them, and reads them back', async () => {
    const { ctx, project } = setup();
    addLoggedRun(ctx, project.id, { config: { width: 8 }, names: { trainAcc: 'train_acc', testAcc: 'val_accuracy', trainLoss: 'loss', testLoss: 'val_loss' } });
    const got = await dispatch(ctx, 'metricRoles:get', { projectId: project.id });
    expect(got.ok && got.value).toEqual({
      projectId: project.id,
      saved: {},
      effective: { trainLoss: 'trainLoss', testLoss: 'testLoss', trainAcc: 'trainAcc', testAcc: 'testAcc' },
      suggested: { trainAcc: 'train_acc', testAcc: 'val_accuracy', trainLoss: 'loss', testLoss: 'val_loss' },
      names: ['loss', 'train_acc', 'val_accuracy', 'val_loss'],
    });
    const set = await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainAcc: 'train_acc', testAcc: 'val_accuracy' } });
    expect(set.ok && set.value).toMatchObject({ saved: { trainAcc: 'train_acc', testAcc: 'val_accuracy' }, effective: { trainAcc: 'train_acc', testAcc: 'val_accuracy', trainLoss: 'trainLoss' } });
    // Setting again replaces the whole mapping: a role left out goes back to its built-in name.
    await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { testAcc: 'val_accuracy' } });
    const again = await dispatch(ctx, 'metricRoles:get', { projectId: project.id });
    expect(again.ok && again.value).toMatchObject({ saved: { testAcc: 'val_accuracy' }, effective: { trainAcc: 'trainAcc' } });
  });

  it('refuses unknown roles, bad names and unknown projects with field paths, changing nothing', async () => {
    const { ctx, project } = setup();
    await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { testAcc: 'val_acc' } });
    const before = snapshotTables(ctx);
    const badRole = await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { testAcc: 'test_acc', lr: 'lr' } });
    expect(!badRole.ok && badRole.error.code).toBe('invalid_input');
    expect(!badRole.ok && badRole.error.issues?.map((i) => i.path)).toEqual(['roles']);
    expect(!badRole.ok && badRole.error.issues?.[0]?.message).toMatch(/keys are among trainLoss, testLoss, trainAcc, testAcc/);
    const long = await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainLoss: 'x'.repeat(101) } });
    expect(!long.ok && long.error.issues).toEqual([{ path: 'roles.trainLoss', message: 'metric name must be at most 100 characters' }]);
    const empty = await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainLoss: '  ' } });
    expect(!empty.ok && empty.error.issues?.[0]?.path).toBe('roles.trainLoss');
    const notText = await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainLoss: 3 } });
    expect(!notText.ok && notText.error.issues?.[0]?.path).toBe('roles.trainLoss');
    const missing = await dispatch(ctx, 'metricRoles:set', { projectId: randomUUID(), roles: {} });
    expect(!missing.ok && missing.error.code).toBe('not_found');
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('reading through the roles', () => {
  it('gives a run logged as train_acc/test_acc the grokking delay of the same run logged as trainAcc/testAcc', async () => {
    const { ctx, project } = setup();
    const imported = addLoggedRun(ctx, project.id, { config: { width: 8 } });
    const builtIn = addLoggedRun(ctx, project.id, { config: { width: 8 }, names: { trainAcc: 'trainAcc', testAcc: 'testAcc', trainLoss: 'trainLoss', testLoss: 'testLoss' } });
    const read = async (id: string) => {
      const r = await dispatch(ctx, 'runs:metrics', { id });
      if (!r.ok) throw new Error(r.error.message);
      return r.value as MetricSeries[];
    };
    expect(delayOf(await read(imported)).accuracy.delay).toBeNull();
    await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainAcc: 'train_acc', testAcc: 'test_acc', trainLoss: 'train_loss', testLoss: 'test_loss' } });
    const mapped = await read(imported);
    expect(delayOf(mapped)).toEqual(delayOf(await read(builtIn)));
    expect(delayOf(mapped).accuracy.delay).toBe(480);
    // The stored names are still there, and a role asked for by name reads its metric.
    expect(mapped.map((s) => s.name).sort()).toEqual(['testAcc', 'testLoss', 'test_acc', 'test_loss', 'trainAcc', 'trainLoss', 'train_acc', 'train_loss']);
    const one = await dispatch(ctx, 'runs:metrics', { id: imported, names: ['testAcc'] });
    expect(one.ok && (one.value as MetricSeries[]).map((s) => [s.name, s.values.at(-1)])).toEqual([['testAcc', 1]]);
  });
});

describe('metric roles in bundles', () => {
  it('travel with the project, and a project without roles exports none', async () => {
    const { ctx, project } = setup();
    addLoggedRun(ctx, project.id, { config: { width: 8 } });
    const plain = JSON.parse(gunzipSync(ctx.bundles.export(project.id)).toString('utf8')) as { content: Record<string, unknown> };
    expect(plain.content).not.toHaveProperty('metricRoles');
    await dispatch(ctx, 'metricRoles:set', { projectId: project.id, roles: { trainAcc: 'train_acc', testAcc: 'test_acc' } });
    const imported = ctx.bundles.import(ctx.bundles.export(project.id));
    const got = await dispatch(ctx, 'metricRoles:get', { projectId: imported.projectId });
    expect(got.ok && (got.value as { saved: object }).saved).toEqual({ trainAcc: 'train_acc', testAcc: 'test_acc' });
  });
});
