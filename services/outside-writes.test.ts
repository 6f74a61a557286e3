import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import { ProjectCreateSchema } from '../contract/projects';
import { ChangesRepo } from '../db/changes.repo';
import { createAppContext, type AppContext } from './app-context';
import { OutsideWritesWatcher } from './outside-writes';
import { tempContext } from '../test/temp-context';

// Two connections on one data folder, as an open app and `phenobook log` in a terminal have.
let host: ReturnType<typeof tempContext>;
let cli: AppContext;
let watcher: OutsideWritesWatcher;
let events: AppEvent[];
let projectId: string;
let clock = 0;

beforeEach(() => {
  host = tempContext({ recover: false, watchExperiments: false });
  projectId = host.projects.create(ProjectCreateSchema.parse({ title: 'Live', phenomenon: 'grokking' })).id;
  cli = createAppContext({ dataDir: host.dir, mode: 'browser', recover: false, offThread: false });
  events = [];
  host.events.subscribe((e) => events.push(e));
  clock = 0;
  watcher = new OutsideWritesWatcher(new ChangesRepo(host.db), host.events, { listEveryMs: 1000, now: () => clock });
});
afterEach(() => {
  cli.close();
  host.cleanup();
});

const take = () => events.splice(0);

describe('OutsideWritesWatcher', () => {
  it('sees nothing while only its own connection writes', () => {
    host.projects.create(ProjectCreateSchema.parse({ title: 'Mine', phenomenon: 'other' }));
    take();
    expect(watcher.check()).toBe(false);
    expect(take()).toEqual([]);
  });

  it('announces a live run of another process: created, its new points, progress to lists at most every listEveryMs, and its end', () => {
    const live = cli.externalRuns.startLive({ projectId, name: 'live', experiment: 'train.py', origin: 'python train.py', config: {} });
    expect(watcher.check()).toBe(true);
    expect(take()).toEqual([{ type: 'runs:changed', ids: [live.id], projectId }]);

    live.append({ step: 10, values: { train_loss: 1, test_acc: 0.25 } });
    live.append({ step: 20, values: { train_loss: 0.5 } });
    live.flush();
    clock = 400;
    expect(watcher.check()).toBe(true);
    // New points go to the run page; 400 ms after the last announcement, lists are not told yet.
    expect(take()).toEqual([
      {
        type: 'runs:metrics',
        runId: live.id,
        projectId,
        points: [
          { step: 10, values: { test_acc: 0.25, train_loss: 1 } },
          { step: 20, values: { train_loss: 0.5 } },
        ],
      },
    ]);

    live.append({ step: 30, values: { train_loss: Number.NaN } });
    live.flush();
    clock = 1200;
    watcher.check();
    expect(take()).toEqual([
      { type: 'runs:metrics', runId: live.id, projectId, points: [{ step: 30, values: { train_loss: Number.NaN } }] },
      { type: 'runs:changed', ids: [live.id], projectId },
    ]);

    live.finish({ status: 'failed', error: 'Exit code 1' });
    watcher.check();
    expect(take()).toEqual([{ type: 'runs:changed', ids: [live.id], projectId }]);
    // A finished run is no longer followed; nothing else changed.
    expect(watcher.check()).toBe(false);
    expect(take()).toEqual([]);
  });

  it('sends a new run\'s point at step 0 too, though it leaves steps_done at 0', () => {
    const live = cli.externalRuns.startLive({ projectId, name: 'zero', experiment: 'x', origin: 'x', config: {} });
    watcher.check();
    live.append({ step: 0, values: { loss: 2 } });
    live.flush();
    watcher.check();
    live.append({ step: 5, values: { loss: 1 } });
    live.flush();
    watcher.check();
    const points = take().flatMap((e) => (e.type === 'runs:metrics' ? e.points : []));
    expect(points).toEqual([
      { step: 0, values: { loss: 2 } },
      { step: 5, values: { loss: 1 } },
    ]);
    live.finish({ status: 'done' });
  });

  it('announces imported runs and new projects of another process', () => {
    const stored = cli.externalRuns.store(projectId, {
      source: 'jsonl',
      notes: [],
      runs: [{ name: 'a', experiment: 'x', source: 'jsonl', origin: '/a.jsonl', config: {}, seed: 0, contentHash: 'd'.repeat(64), metrics: { loss: { steps: [1], values: [1] } } }],
    });
    watcher.check();
    expect(take()).toEqual([{ type: 'runs:changed', ids: [stored.added[0]!.id], projectId }]);

    const other = cli.projects.create(ProjectCreateSchema.parse({ title: 'From the CLI', phenomenon: 'other' }));
    watcher.check();
    expect(take()).toEqual([{ type: 'projects:changed', ids: [other.id] }]);
  });

  it('polls on its own once started, and stops', async () => {
    const polling = new OutsideWritesWatcher(new ChangesRepo(host.db), host.events, { intervalMs: 20 });
    polling.start();
    const live = cli.externalRuns.startLive({ projectId, name: 'p', experiment: 'x', origin: 'x', config: {} });
    await expect.poll(() => events.some((e) => e.type === 'runs:changed' && e.ids.includes(live.id)), { timeout: 5000 }).toBe(true);
    polling.stop();
    take();
    live.finish({ status: 'done' });
    await new Promise((r) => setTimeout(r, 100));
    expect(take()).toEqual([]);
  });
});
