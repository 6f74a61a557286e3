import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../contract/api';
import type { AppEvent } from '../../../contract/events';
import type { RunSummary } from '../../../contract/runs';
import { concernsRuns, ProjectRuns } from './project-runs.svelte';

const run = (id: string, status: RunSummary['status'] = 'running') => ({ id, status }) as RunSummary;

/** An Api with only what the store uses: runs.list answering from `answers`, and events pushed by `emit`. */
function fakeApi(answers: (() => RunSummary[] | string)[]) {
  const listeners = new Set<(e: AppEvent) => void>();
  const list = vi.fn(async (_: { projectId: string }) => {
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    const value = next();
    return typeof value === 'string' ? { ok: false as const, error: { code: 'internal', message: value } } : { ok: true as const, value };
  });
  const api = {
    runs: { list },
    onEvent: (fn: (e: AppEvent) => void) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  } as unknown as Api;
  return { api, list, listeners, emit: (e: AppEvent) => listeners.forEach((fn) => fn(e)) };
}

const changed = (projectId: string | null): AppEvent => ({ type: 'runs:changed', ids: ['r'], projectId });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ProjectRuns', () => {
  it('loads once for all its readers and exposes runs, loading and error', async () => {
    const { api, list } = fakeApi([() => [run('a')]]);
    const store = new ProjectRuns(api, 'p1');
    // Nothing is read before a view asks.
    expect(list).not.toHaveBeenCalled();
    expect(store.loading).toBe(false);
    void store.start();
    expect(store.loading).toBe(true);
    expect(store.runs).toBeNull();
    // Several panels read the same instance: nothing more is fetched.
    await Promise.all([store.start(), store.ready, store.ready]);
    expect(list).toHaveBeenCalledTimes(1);
    expect(list).toHaveBeenCalledWith({ projectId: 'p1' });
    expect(store.runs?.map((r) => r.id)).toEqual(['a']);
    expect(store.loading).toBe(false);
    expect(store.error).toBeNull();
    store.dispose();
  });

  it('refreshes on its project’s events, not on another project’s, once per burst', async () => {
    const { api, list, emit } = fakeApi([() => [run('a')], () => [run('a', 'done'), run('b')]]);
    const store = new ProjectRuns(api, 'p1', 100);
    await store.ready;

    emit(changed('p2'));
    emit(changed(null));
    emit({ type: 'runs:progress', runId: 'a', projectId: 'p1', step: 5, total: 10, stepsPerSecond: null, etaSeconds: null });
    emit({ type: 'notebook:changed', projectId: 'p1', what: 'notes' });
    await vi.advanceTimersByTimeAsync(500);
    expect(list).toHaveBeenCalledTimes(1);

    emit(changed('p1'));
    emit(changed('p1'));
    emit({ type: 'runs:progress', runId: 'a', projectId: 'p1', step: 10, total: 10, stepsPerSecond: null, etaSeconds: null });
    await vi.advanceTimersByTimeAsync(99);
    expect(list).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(list).toHaveBeenCalledTimes(2);
    expect(store.runs?.map((r) => `${r.id}:${r.status}`)).toEqual(['a:done', 'b:running']);
    store.dispose();
  });

  it('keeps the runs it had when a reload fails, and clears the error on the next success', async () => {
    const { api } = fakeApi([() => [run('a')], () => 'database is locked', () => [run('a'), run('b')]]);
    const store = new ProjectRuns(api, 'p1');
    await store.ready;
    await store.reload();
    expect(store.error).toBe('database is locked');
    expect(store.runs?.map((r) => r.id)).toEqual(['a']);
    await store.reload();
    expect(store.error).toBeNull();
    expect(store.runs?.map((r) => r.id)).toEqual(['a', 'b']);
    store.dispose();
  });

  it('lets only the newest of overlapping loads write', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const { api, list } = fakeApi([() => [run('new')]]);
    list.mockImplementationOnce(async () => {
      await slow;
      return { ok: true, value: [run('old')] };
    });
    const store = new ProjectRuns(api, 'p1');
    void store.start();
    await store.reload();
    release();
    await store.ready;
    expect(store.runs?.map((r) => r.id)).toEqual(['new']);
    store.dispose();
  });

  it('stops listening once disposed', async () => {
    const { api, list, listeners, emit } = fakeApi([() => []]);
    const store = new ProjectRuns(api, 'p1', 100);
    await store.ready;
    store.dispose();
    expect(listeners.size).toBe(0);
    emit(changed('p1'));
    await vi.advanceTimersByTimeAsync(500);
    expect(list).toHaveBeenCalledTimes(1);
  });
});

describe('concernsRuns', () => {
  it('follows runs, the end of progress and the project itself', () => {
    expect(concernsRuns(changed('p1'), 'p1')).toBe(true);
    expect(concernsRuns({ type: 'projects:changed', ids: ['p0', 'p1'] }, 'p1')).toBe(true);
    expect(concernsRuns({ type: 'projects:changed', ids: ['p2'] }, 'p1')).toBe(false);
    expect(concernsRuns({ type: 'runs:metrics', runId: 'a', projectId: 'p1', points: [] }, 'p1')).toBe(false);
  });
});
