import type Database from 'better-sqlite3';
import type { MetricRead, RunValue } from '../contract/plots';

/**
 * One number per run off a metric's history, for the plot builder. SQLite's bare columns with a
 * single max()/min() aggregate come from the row that holds the extreme, so each read is one query.
 */
export class PlotsRepo {
  private readonly stmts;

  constructor(db: Database.Database) {
    const runsOf = 'SELECT id FROM runs WHERE project_id = @projectId';
    const nameId = 'SELECT id FROM metric_names WHERE name = @name';
    this.stmts = {
      // The last evaluation (final) or the last one at or before a step.
      last: db.prepare<{ projectId: string; name: string; step: number }, RunValue>(
        `SELECT run_id AS runId, max(step) AS step, value FROM metrics
         WHERE run_id IN (${runsOf}) AND name_id = (${nameId}) AND step <= @step GROUP BY run_id`,
      ),
      // Non-finite values are stored as NULL and ignored by max()/min().
      max: db.prepare<{ projectId: string; name: string }, RunValue>(
        `SELECT run_id AS runId, step, max(value) AS value FROM metrics
         WHERE run_id IN (${runsOf}) AND name_id = (${nameId}) AND value IS NOT NULL GROUP BY run_id`,
      ),
      min: db.prepare<{ projectId: string; name: string }, RunValue>(
        `SELECT run_id AS runId, step, min(value) AS value FROM metrics
         WHERE run_id IN (${runsOf}) AND name_id = (${nameId}) AND value IS NOT NULL GROUP BY run_id`,
      ),
    };
  }

  values(projectId: string, read: MetricRead): RunValue[] {
    const { name } = read;
    if (read.reduce === 'max') return this.stmts.max.all({ projectId, name });
    if (read.reduce === 'min') return this.stmts.min.all({ projectId, name });
    const step = read.reduce === 'at' ? read.step! : Number.MAX_SAFE_INTEGER;
    return this.stmts.last.all({ projectId, name, step });
  }
}
