import type Database from 'better-sqlite3';
import type { RunStatus } from '../contract/runs';

export interface RunState {
  id: string;
  project_id: string | null;
  status: RunStatus;
  steps_done: number;
}

/**
 * What another process (the CLI, a second host) wrote to the database, read cheaply: the
 * connection's data_version moves only when another connection commits, then these say what.
 */
export class ChangesRepo {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      maxRunRowid: db.prepare<[], number>('SELECT coalesce(max(rowid), 0) FROM runs').pluck(),
      runsAfter: db.prepare<[number], RunState & { rowid: number }>('SELECT rowid, id, project_id, status, steps_done FROM runs WHERE rowid > ? ORDER BY rowid'),
      active: db.prepare<[], RunState>("SELECT id, project_id, status, steps_done FROM runs WHERE status IN ('queued', 'running')"),
      runState: db.prepare<[string], RunState>('SELECT id, project_id, status, steps_done FROM runs WHERE id = ?'),
      pointsAfter: db.prepare<[string, number], { step: number; name: string; value: number | null }>(
        `SELECT m.step, n.name, m.value FROM metrics m JOIN metric_names n ON n.id = m.name_id
         WHERE m.run_id = ? AND m.step > ? ORDER BY m.step, n.name`,
      ),
      projectsStamp: db.prepare<[], { n: number; updated: string | null }>('SELECT count(*) AS n, max(updated_at) AS updated FROM projects'),
      projectsUpdatedAfter: db.prepare<[string], string>('SELECT id FROM projects WHERE updated_at > ?').pluck(),
    };
  }

  /** Changes whenever another connection (any process) commits to this database. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  maxRunRowid(): number {
    return this.stmts.maxRunRowid.get() ?? 0;
  }

  runsAfter(rowid: number): (RunState & { rowid: number })[] {
    return this.stmts.runsAfter.all(rowid);
  }

  activeRuns(): RunState[] {
    return this.stmts.active.all();
  }

  runState(id: string): RunState | undefined {
    return this.stmts.runState.get(id);
  }

  /** A run's metric rows after a step, in step order (a live run's newest points). */
  pointsAfter(runId: string, step: number): { step: number; name: string; value: number | null }[] {
    return this.stmts.pointsAfter.all(runId, step);
  }

  projectsStamp(): { n: number; updated: string | null } {
    return this.stmts.projectsStamp.get() ?? { n: 0, updated: null };
  }

  projectsUpdatedAfter(stamp: string): string[] {
    return this.stmts.projectsUpdatedAfter.all(stamp);
  }
}
