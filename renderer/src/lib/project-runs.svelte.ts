import { getContext, setContext } from 'svelte';
import type { Api } from '../../../contract/api';
import type { AppEvent } from '../../../contract/events';
import type { RunSummary } from '../../../contract/runs';
import { coalesce } from './coalesce';

/** How long a burst of host events (runs start, finish and are logged many at a time) is folded into one reload. */
export const RUNS_RELOAD_MS = 250;

/** The events after which a project's run list may differ. */
export function concernsRuns(event: AppEvent, projectId: string): boolean {
  switch (event.type) {
    case 'runs:changed':
      return event.projectId === projectId;
    // The last step of a run: its status and finals are about to move.
    case 'runs:progress':
      return event.projectId === projectId && event.step >= event.total;
    // Renamed, archived, its metric roles or bundle changed.
    case 'projects:changed':
      return event.ids.includes(projectId);
    default:
      return false;
  }
}

/**
 * The runs of one project, loaded once and kept current from host events, for every view of that
 * project to read instead of fetching and subscribing on its own.
 *
 * Ownership: ProjectPage.svelte creates one per page (App.svelte keys the page on the project id,
 * so a page shows one project for its whole life), hands it down through Svelte context and
 * disposes of it when the page goes. Owning it there rather than reference-counting it in the
 * panels keeps one instance across tab switches, so a tab opened later reads runs already loaded
 * and kept live, and nothing needs to count readers. It reads nothing until a view asks for it
 * (`projectRuns()`), so tabs that show no runs fetch none, as before.
 */
export class ProjectRuns {
  /** Null until the first load answers. */
  runs = $state.raw<RunSummary[] | null>(null);
  /** A load is in flight. */
  loading = $state(false);
  /** Why the last load failed; the runs from before stay. */
  error = $state<string | null>(null);
  private readonly later: ReturnType<typeof coalesce>;
  private unsubscribe: (() => void) | null = null;
  private first: Promise<void> | null = null;
  /** Only the newest load may write: an older answer arriving late is dropped. */
  private generation = 0;
  private disposed = false;

  constructor(
    private readonly api: Api,
    readonly projectId: string,
    reloadMs = RUNS_RELOAD_MS,
  ) {
    this.later = coalesce(() => void this.reload(), reloadMs);
  }

  /** Loads the runs and follows the host's events from now on; later calls only return the first load. */
  start(): Promise<void> {
    if (!this.first && !this.disposed) {
      this.unsubscribe = this.api.onEvent((event) => {
        if (concernsRuns(event, this.projectId)) this.later();
      });
      this.first = this.reload();
    }
    return this.first ?? Promise.resolve();
  }

  /** Settles when the first load has answered, whether or not it succeeded (starting the store if need be). */
  get ready(): Promise<void> {
    return this.start();
  }

  /** Reads the runs now. */
  async reload(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.loading = true;
    const result = await this.api.runs.list({ projectId: this.projectId });
    if (this.disposed || generation !== this.generation) return;
    this.loading = false;
    if (result.ok) {
      this.runs = result.value;
      this.error = null;
    } else this.error = result.error.message;
  }

  dispose(): void {
    this.disposed = true;
    this.later.cancel();
    this.unsubscribe?.();
  }
}

const KEY = Symbol('project-runs');

/** Called by ProjectPage.svelte while it initialises: the store of its project for its descendants. */
export function provideProjectRuns(store: ProjectRuns): ProjectRuns {
  return setContext(KEY, store);
}

/** The runs of the project whose page this component is part of, loading from the first reader on. */
export function projectRuns(): ProjectRuns {
  const store = getContext<ProjectRuns | undefined>(KEY);
  if (!store) throw new Error('projectRuns() outside a project page');
  void store.start();
  return store;
}
