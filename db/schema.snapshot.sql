-- user_version = 30
CREATE TABLE checklist_answers (
  project_id        TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question_key      TEXT NOT NULL,
  checklist_version INTEGER NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'answered', 'not-applicable')),
  markdown          TEXT NOT NULL DEFAULT '',
  na_reason         TEXT,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (project_id, question_key),
  CHECK (status <> 'not-applicable' OR length(coalesce(na_reason, '')) > 0)
) STRICT, WITHOUT ROWID;

CREATE TABLE checklist_revisions (
  id           INTEGER PRIMARY KEY,
  project_id   TEXT NOT NULL,
  question_key TEXT NOT NULL,
  status       TEXT NOT NULL,
  markdown     TEXT NOT NULL,
  na_reason    TEXT,
  saved_at     TEXT NOT NULL,
  FOREIGN KEY (project_id, question_key) REFERENCES checklist_answers(project_id, question_key) ON DELETE CASCADE
) STRICT;

CREATE TABLE metric_names (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE metrics (
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name_id INTEGER NOT NULL REFERENCES metric_names(id),
  step    INTEGER NOT NULL,
  value   REAL,
  PRIMARY KEY (run_id, name_id, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE project_tags (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
  PRIMARY KEY (project_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  phenomenon  TEXT NOT NULL CHECK (phenomenon IN ('grokking', 'double-descent', 'lottery-ticket', 'other')),
  question    TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  archived_at TEXT
) STRICT;

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

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;

CREATE INDEX checklist_revisions_by_answer ON checklist_revisions(project_id, question_key, id);

CREATE INDEX project_tags_by_tag ON project_tags(tag);

CREATE INDEX projects_by_updated ON projects(updated_at);

CREATE INDEX runs_by_group ON runs(group_id);

CREATE INDEX runs_by_project ON runs(project_id, created_at);

CREATE INDEX runs_by_status ON runs(status);
