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
      // Index hops along (run_id, name_id, step): the run's next metric, then its rows after a step.
      // A plain `run_id = ? AND step > ?` would read every row of the run on each look.
      nextName: db.prepare<[string, number], number>('SELECT name_id FROM metrics WHERE run_id = ? AND name_id > ? ORDER BY name_id LIMIT 1').pluck(),
      rowsAfter: db.prepare<[string, number, number], [number, number | null]>(
        'SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? AND step > ? ORDER BY step',
      ),
      nameOf: db.prepare<[number], string>('SELECT name FROM metric_names WHERE id = ?').pluck(),
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

  /** A run's metric rows after a step, in step order then name (a live run's newest points). */
  pointsAfter(runId: string, step: number): { step: number; name: string; value: number | null }[] {
    const rows: { step: number; name: string; value: number | null }[] = [];
    for (let id = this.stmts.nextName.get(runId, -1); id !== undefined; id = this.stmts.nextName.get(runId, id)) {
      const fresh = this.stmts.rowsAfter.raw().all(runId, id, step);
      if (fresh.length === 0) continue;
      const name = this.stmts.nameOf.get(id)!;
      for (const [s, value] of fresh) rows.push({ step: s, name, value });
    }
    return rows.sort((a, b) => a.step - b.step || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  projectsStamp(): { n: number; updated: string | null } {
    return this.stmts.projectsStamp.get() ?? { n: 0, updated: null };
  }

  projectsUpdatedAfter(stamp: string): string[] {
    return this.stmts.projectsUpdatedAfter.all(stamp);
  }
}
