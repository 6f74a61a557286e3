import type Database from 'better-sqlite3';

/**
 * Copying a finished run, row and metrics, from another database into this one: bundle import and
 * SLURM collect do the same, with fresh ids and the owner columns cleared.
 */
export const COPY_RUN_SQL = `INSERT INTO runs (id, project_id, group_id, experiment, preset, config, seed, status, error, backend, gpu, backend_detail,
   app_version, data_hash, steps_total, steps_done, train_seconds, wall_seconds, rerun_of, owner_pid, created_at, started_at,
   finished_at, sweep_id, sweep_point, source, origin, content_hash, name)
 VALUES (@id, @project_id, @group_id, @experiment, @preset, @config, @seed, @status, @error, @backend, @gpu, @backend_detail,
   @app_version, @data_hash, @steps_total, @steps_done, @train_seconds, @wall_seconds, NULL, NULL, @created_at, @started_at,
   @finished_at, @sweep_id, @sweep_point, @source, @origin, @content_hash, @name)`;

/** Statements that store metric points by name (names interned in metric_names). */
export function metricCopyStatements(db: Database.Database) {
  return {
    insertName: db.prepare('INSERT OR IGNORE INTO metric_names (name) VALUES (?)'),
    nameId: db.prepare<[string], number>('SELECT id FROM metric_names WHERE name = ?').pluck(),
    insertMetric: db.prepare('INSERT INTO metrics (run_id, name_id, step, value) VALUES (?, ?, ?, ?)'),
  };
}
