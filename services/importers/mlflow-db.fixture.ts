import Database from 'better-sqlite3';

// Test support: builds an MLflow tracking database in a temp folder (tests must not need MLflow or
// Python), holding the same runs as the hand-written file store in fixtures/mlflow/mlruns.

const RUN1 = '3f2a9c1e5b7d4e08a1c6b2d9e0f47a13';
const RUN2 = '8c41d07e2f9b4a6d95e3c1b0a7d2f584';
export const MLFLOW_RUN_IDS = [RUN1, RUN2] as const;

/** MLflow's SQLAlchemy schema for these tables (as `mlflow db upgrade` leaves them). */
const MLFLOW_SCHEMA = `
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE experiments (
  experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, artifact_location VARCHAR(256),
  lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT,
  CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), UNIQUE (name),
  CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')));
CREATE TABLE runs (
  run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500),
  entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT,
  deleted_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),
  experiment_id INTEGER,
  CONSTRAINT run_pk PRIMARY KEY (run_uuid), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id),
  CONSTRAINT status CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),
  CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')));
CREATE TABLE metrics (
  key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL,
  step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
  CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan),
  FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)));
CREATE TABLE params (
  key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
  CONSTRAINT param_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
CREATE TABLE tags (
  key VARCHAR(250) NOT NULL, value VARCHAR(5000), run_uuid VARCHAR(32) NOT NULL,
  CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
`;

/** An mlflow.db holding the same two runs as the file-store fixture, plus a deleted one. */
export function buildMlflowDb(path: string): void {
  const db = new Database(path);
  db.exec(MLFLOW_SCHEMA);
  db.prepare("INSERT INTO alembic_version VALUES ('0584bdc529eb')").run();
  const exp = db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (?, ?, 'active')");
  exp.run(0, 'Default');
  exp.run(1, 'grokking-wd-sweep');
  const run = db.prepare('INSERT INTO runs (run_uuid, name, status, start_time, lifecycle_stage, experiment_id) VALUES (?, ?, ?, ?, ?, ?)');
  run.run(RUN1, 'wd0.1-seed1', 'FINISHED', 1765000400000, 'active', 1);
  run.run(RUN2, 'wd0-seed2', 'FAILED', 1765000500000, 'active', 1);
  run.run('5d0e6a9b1c2f4e7a8b3d9c0e1f2a3b4c', 'discarded', 'FINISHED', 1765000600000, 'deleted', 1);
  const param = db.prepare('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)');
  for (const [k, v] of [['lr', '0.001'], ['weight_decay', '0.1'], ['seed', '1'], ['optimizer', 'adamw'], ['eps', '1e-8']]) param.run(k, v, RUN1);
  for (const [k, v] of [['lr', '0.001'], ['weight_decay', '0'], ['seed', '2'], ['optimizer', 'adamw']]) param.run(k, v, RUN2);
  const tag = db.prepare('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)');
  tag.run('mlflow.runName', 'wd0.1-seed1', RUN1);
  tag.run('mlflow.runName', 'wd0-seed2', RUN2);
  const metric = db.prepare('INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)');
  const rows: [string, number, number, number, number, string][] = [
    ['loss/train', 2.31, 1765000401000, 0, 0, RUN1],
    ['loss/train', 0.52, 1765000402000, 100, 0, RUN1],
    ['loss/train', 0.013, 1765000403000, 200, 0, RUN1],
    ['loss/test', 2.35, 1765000401000, 0, 0, RUN1],
    ['loss/test', 1.9, 1765000402000, 100, 0, RUN1],
    ['loss/test', 0.07, 1765000403000, 200, 0, RUN1],
    ['accuracy', 0.01, 1765000401000, 0, 0, RUN1],
    ['accuracy', 1.0, 1765000403000, 200, 0, RUN1],
    // Rows out of time order: the later timestamp wins at step 100, whatever the row order.
    ['loss/train', 0.6, 1765000502500, 100, 0, RUN2],
    ['loss/train', 2.29, 1765000501000, 0, 0, RUN2],
    ['loss/train', 0.61, 1765000502000, 100, 0, RUN2],
    ['loss/train', 0, 1765000503000, 200, 1, RUN2],
    ['loss/test', 2.33, 1765000501000, 0, 0, RUN2],
    ['loss/test', 2.1, 1765000502000, 100, 0, RUN2],
    ['loss/test', 2.0, 1765000503000, 200, 0, RUN2],
    ['loss', 9.9, 1765000601000, 0, 0, '5d0e6a9b1c2f4e7a8b3d9c0e1f2a3b4c'],
  ];
  for (const r of rows) metric.run(...r);
  db.close();
}
