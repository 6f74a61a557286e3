import type { MetricPoint } from '../contract/runs';
import type { ChangesRepo, RunState } from '../db/changes.repo';
import type { EventBus } from './event-bus';

/**
 * Makes what other processes write (a script under `phenobook log`, `phenobook import`, a
 * `phenobook run` in a terminal) show up in an open app without a restart: polls the host
 * connection's PRAGMA data_version, which moves only when another connection commits, and then
 * emits the events the renderer already listens to (runs:changed, runs:metrics, projects:changed).
 */

interface Tracked {
  projectId: string | null;
  status: RunState['status'];
  stepsDone: number;
  /** The last metric step already sent as runs:metrics. */
  sentStep: number;
  /** When runs:changed last went out for progress alone (lists reload on it: not every poll). */
  listedAt: number;
}

const ACTIVE = new Set(['queued', 'running']);

export interface OutsideWritesOptions {
  /** How often data_version is read (default 500 ms). */
  intervalMs?: number;
  /** Progress alone re-announces a run to lists at most this often (default 1500 ms). */
  listEveryMs?: number;
  now?: () => number;
}

export class OutsideWritesWatcher {
  private version: number;
  private lastRowid: number;
  private projects: { n: number; updated: string | null };
  private readonly tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(
    private readonly repo: ChangesRepo,
    private readonly events: EventBus,
    private readonly options: OutsideWritesOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.version = repo.dataVersion();
    this.lastRowid = repo.maxRunRowid();
    this.projects = repo.projectsStamp();
    for (const r of repo.activeRuns()) this.track(r);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (err) {
        // A busy or closing database: the next poll looks again.
        console.error('[outside-writes]', (err as Error).message);
      }
    }, this.options.intervalMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private track(r: RunState): void {
    this.tracked.set(r.id, { projectId: r.project_id, status: r.status, stepsDone: r.steps_done, sentStep: r.steps_done, listedAt: this.now() });
  }

  /** One look: returns whether another connection had committed since the last. */
  check(): boolean {
    const version = this.repo.dataVersion();
    if (version === this.version) return false;
    this.version = version;
    const changed = new Map<string | null, Set<string>>();
    const mark = (projectId: string | null, id: string) => {
      if (!changed.has(projectId)) changed.set(projectId, new Set());
      changed.get(projectId)!.add(id);
    };

    for (const r of this.repo.runsAfter(this.lastRowid)) {
      this.lastRowid = r.rowid;
      mark(r.project_id, r.id);
      if (ACTIVE.has(r.status)) {
        this.track(r);
        // Send from the start: a first point at step 0 leaves steps_done at 0, so it would never
        // count as progress. A run page drops the points it already loaded (SeriesStore.append).
        this.tracked.get(r.id)!.sentStep = -1;
      }
    }
    for (const [id, t] of this.tracked) {
      const now = this.repo.runState(id);
      if (!now) {
        this.tracked.delete(id);
        mark(t.projectId, id);
        continue;
      }
      const progressed = now.steps_done !== t.stepsDone;
      const ended = now.status !== t.status;
      if (progressed || ended) this.sendPoints(id, t);
      t.stepsDone = now.steps_done;
      if (ended) {
        t.status = now.status;
        mark(now.project_id, id);
      } else if (progressed && this.now() - t.listedAt >= (this.options.listEveryMs ?? 1500)) {
        mark(now.project_id, id);
      }
      if (changed.get(now.project_id)?.has(id)) t.listedAt = this.now();
      if (!ACTIVE.has(now.status)) this.tracked.delete(id);
    }
    for (const [projectId, ids] of changed) this.events.emit({ type: 'runs:changed', ids: [...ids], projectId });

    const projects = this.repo.projectsStamp();
    if (projects.n !== this.projects.n || projects.updated !== this.projects.updated) {
      const ids = this.projects.updated === null ? [] : this.repo.projectsUpdatedAfter(this.projects.updated);
      this.projects = projects;
      this.events.emit({ type: 'projects:changed', ids });
    }
    return true;
  }

  /** The run's points newer than what was sent, as runs:metrics (the run page appends them to its charts). */
  private sendPoints(id: string, t: Tracked): void {
    const rows = this.repo.pointsAfter(id, t.sentStep);
    if (rows.length === 0) return;
    const points: MetricPoint[] = [];
    for (const row of rows) {
      let last = points.at(-1);
      if (!last || last.step !== row.step) points.push((last = { step: row.step, values: {} }));
      last.values[row.name] = row.value ?? Number.NaN;
    }
    t.sentStep = points.at(-1)!.step;
    this.events.emit({ type: 'runs:metrics', runId: id, projectId: t.projectId, points });
  }
}
