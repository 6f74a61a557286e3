import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExternalRun, ImportPlan } from '../common/external-run';
import type { AppEvent } from '../contract/events';
import { ProjectCreateSchema } from '../contract/projects';
import { snapshotTables, tempContext } from '../test/temp-context';
import { ServiceError } from './errors';

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
beforeEach(() => {
  ctx = tempContext({ recover: false, watchExperiments: false });
  projectId = ctx.projects.create(ProjectCreateSchema.parse({ title: 'External', phenomenon: 'grokking' })).id;
});
afterEach(() => {
  vi.useRealTimers();
  ctx.cleanup();
});

const external = (name: string, hashChar: string, over: Partial<ExternalRun> = {}): ExternalRun => ({
  name,
  experiment: 'train.py',
  source: 'jsonl',
  origin: `/runs/${name}.jsonl`,
  config: { lr: 0.01, seed: 3 },
  seed: 3,
  metrics: {
    train_loss: { steps: [0, 10, 20], values: [2.3, 1.1, 0.4] },
    test_acc: { steps: [0, 20], values: [0.1, null] },
  },
  contentHash: hashChar.repeat(64),
  ...over,
});
const stored = (id: string) => ctx.db.prepare('SELECT step, value FROM metrics WHERE run_id = ? ORDER BY step').all(id);
const ownerPid = (id: string) => ctx.db.prepare('SELECT owner_pid FROM runs WHERE id = ?').pluck().get(id);
const plan = (...runs: ExternalRun[]): ImportPlan => ({ source: 'jsonl', runs, notes: ['one note'] });

describe('ExternalRunsService.store', () => {
  it('stores each run as a done external run with its metrics, last step as its length, no backend', () => {
    const result = ctx.externalRuns.store(projectId, plan(external('a', 'a'), external('b', 'b')));
    expect(result.added.map((a) => [a.name, a.points])).toEqual([
      ['a', 5],
      ['b', 5],
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.notes).toEqual(['one note']);
    const run = ctx.runs.get(result.added[0]!.id);
    expect(run).toMatchObject({
      status: 'done',
      source: 'jsonl',
      origin: '/runs/a.jsonl',
      name: 'a',
      label: 'a',
      experiment: 'train.py',
      backend: null,
      stepsTotal: 20,
      stepsDone: 20,
      seed: 3,
      config: { lr: 0.01, seed: 3 },
      final: { train_loss: 0.4, test_acc: null },
    });
    const series = ctx.runs.metrics({ id: run.id, maxPoints: 4000 });
    expect(series.find((s) => s.name === 'train_loss')).toMatchObject({ steps: [0, 10, 20], values: [2.3, 1.1, 0.4] });
  });

  it('skips content the project already has (the second import changes nothing), but another project takes it', () => {
    const first = ctx.externalRuns.store(projectId, plan(external('a', 'a')));
    const before = snapshotTables(ctx);
    const again = ctx.externalRuns.store(projectId, plan(external('a renamed', 'a')));
    expect(again.added).toEqual([]);
    expect(again.skipped).toEqual([{ name: 'a renamed', contentHash: 'a'.repeat(64), existingId: first.added[0]!.id }]);
    expect(snapshotTables(ctx)).toEqual(before);
    const other = ctx.projects.create(ProjectCreateSchema.parse({ title: 'Other', phenomenon: 'other' })).id;
    expect(ctx.externalRuns.store(other, plan(external('a', 'a'))).added).toHaveLength(1);
  });

  it('skips a duplicate within one plan and emits one runs:changed for what was added', () => {
    const events: AppEvent[] = [];
    ctx.events.subscribe((e) => events.push(e));
    const result = ctx.externalRuns.store(projectId, plan(external('a', 'a'), external('a again', 'a')));
    expect(result.added.map((a) => a.name)).toEqual(['a']);
    expect(result.skipped.map((s) => s.name)).toEqual(['a again']);
    expect(events).toEqual([{ type: 'runs:changed', ids: [result.added[0]!.id], projectId }]);
  });

  it('refuses an unknown project and a malformed plan, writing nothing', () => {
    const before = snapshotTables(ctx);
    expect(() => ctx.externalRuns.store('00000000-0000-4000-8000-000000000000', plan(external('a', 'a')))).toThrow(/does not exist/);
    const bad = external('a', 'a', { metrics: { loss: { steps: [0, 1], values: [1] } } });
    expect(() => ctx.externalRuns.store(projectId, plan(bad))).toThrow(ServiceError);
    expect(() => ctx.externalRuns.store(projectId, plan(external('a', 'A')))).toThrow(/SHA-256/);
    expect(snapshotTables(ctx)).toEqual(before);
  });
});

describe('LiveRun', () => {
  const start = (over: Record<string, unknown> = {}) =>
    ctx.externalRuns.startLive({ projectId, name: 'live', experiment: 'train.py', origin: 'python train.py', config: { lr: 0.1 }, ...over });

  it('is running from the start, owned by this process, with no backend', () => {
    const live = start();
    expect(ctx.runs.get(live.id)).toMatchObject({ status: 'running', source: 'script', origin: 'python train.py', backend: null, stepsDone: 0 });
    expect(ownerPid(live.id)).toBe(process.pid);
    live.finish({ status: 'done' });
  });

  it('batches points: nothing written until the interval or the batch size, then one transaction per batch', () => {
    vi.useFakeTimers();
    const live = start({ batchPoints: 3, flushMs: 250 });
    live.append({ step: 1, values: { train_loss: 1 } });
    live.append({ step: 2, values: { train_loss: 0.5 } });
    expect(stored(live.id)).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(stored(live.id)).toHaveLength(2);
    expect(live.flushes).toBe(1);
    expect(ctx.runs.get(live.id).stepsDone).toBe(2);
    for (let s = 3; s <= 5; s++) live.append({ step: s, values: { train_loss: 1 / s } });
    // The third point of the batch flushes at once, without waiting for the timer.
    expect(stored(live.id)).toHaveLength(5);
    expect(live.flushes).toBe(2);
    expect(ctx.runs.get(live.id)).toMatchObject({ stepsDone: 5, stepsTotal: 5, status: 'running' });
    live.finish({ status: 'done' });
  });

  it('finishes done, failed with its reason, or interrupted, keeping the buffered points each time', () => {
    for (const end of [{ status: 'done' }, { status: 'failed', error: 'Exit code 3: boom' }, { status: 'interrupted', error: 'Interrupted (SIGINT)' }] as const) {
      const live = start();
      live.append({ step: 7, values: { test_acc: 0.9 } });
      live.finish(end);
      const run = ctx.runs.get(live.id);
      expect(run).toMatchObject({ status: end.status, error: end.status === 'done' ? null : end.error, stepsTotal: 7, final: { test_acc: 0.9 } });
      expect(run.finishedAt).not.toBeNull();
      expect(ownerPid(live.id)).toBeNull();
      // Finishing twice changes nothing.
      live.finish({ status: 'failed', error: 'later' });
      expect(ctx.runs.get(live.id).status).toBe(end.status);
    }
  });

  it('merges a config line into the config and takes its seed', () => {
    const live = start();
    live.mergeConfig({ seed: 4, width: 128 });
    expect(ctx.runs.get(live.id)).toMatchObject({ config: { lr: 0.1, seed: 4, width: 128 }, seed: 4 });
    live.finish({ status: 'done' });
  });

  it('is left alone at a host start while its process lives, and marked interrupted once it is gone', () => {
    const live = start();
    live.append({ step: 3, values: { loss: 1 } });
    live.flush();
    // As another process's run (this process's pid would count as the host's own).
    ctx.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(process.pid + 1, live.id);
    expect(ctx.runs.recoverInterrupted(() => true)).toBe(0);
    expect(ctx.runs.get(live.id).status).toBe('running');
    expect(ctx.runs.recoverInterrupted(() => false)).toBe(1);
    expect(ctx.runs.get(live.id)).toMatchObject({ status: 'interrupted', error: 'Interrupted: the process recording it stopped without ending it', stepsDone: 3 });
  });

  it('cannot be re-run or cancelled from the app', () => {
    const live = start();
    expect(() => ctx.runs.cancel(live.id)).toThrow(/another process/);
    live.finish({ status: 'done' });
    expect(() => ctx.runs.rerun(live.id)).toThrow(/cannot be re-run/);
  });
});
