// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
CREATE TABLE runs (
  id             TEXT PRIMARY KEY,
  project_id     TEXT REFERENCES projects(id) ON DELETE CASCADE,
  group_id       TEXT NOT NULL,
  experiment     TEXT NOT NULL,
  preset         TEXT,
  config         TEXT NOT NULL CHECK (json_valid(config)),
  seed           INTEGER NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'diverged', 'interrupted')),
  error          TEXT,
  backend        TEXT,
  gpu            INTEGER CHECK (gpu IN (0, 1)),
  backend_detail TEXT CHECK (backend_detail IS NULL OR json_valid(backend_detail)),
  app_version    TEXT NOT NULL,
  data_hash      TEXT,
  steps_total    INTEGER NOT NULL,
  steps_done     INTEGER NOT NULL DEFAULT 0,
  train_seconds  REAL,
  wall_seconds   REAL,
  rerun_of       TEXT REFERENCES runs(id) ON DELETE SET NULL,
  owner_pid      INTEGER,
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT
) STRICT;

CREATE INDEX runs_by_project ON runs(project_id, created_at);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_group ON runs(group_id);

CREATE TABLE metric_names (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

-- One row per (run, metric, evaluated step); NULL stands for a non-finite value.
CREATE TABLE metrics (
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name_id INTEGER NOT NULL REFERENCES metric_names(id),
  step    INTEGER NOT NULL,
  value   REAL,
  PRIMARY KEY (run_id, name_id, step)
) STRICT, WITHOUT ROWID;

-- Small app-wide preferences (e.g. how many trainer processes run at once), one JSON value per key.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
`;
