-- user_version = 130
CREATE TRIGGER attachment_blob_drop AFTER DELETE ON attachments
WHEN NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = OLD.sha256) BEGIN
  DELETE FROM attachment_blobs WHERE sha256 = OLD.sha256;
END;

CREATE TRIGGER evidence_drop_attachment AFTER DELETE ON attachments BEGIN
  DELETE FROM evidence WHERE kind = 'attachment' AND target_id = OLD.id;
END;

CREATE TRIGGER evidence_drop_confounder AFTER DELETE ON confounder_tests BEGIN
  DELETE FROM evidence WHERE kind = 'confounder' AND target_id = OLD.id;
END;

CREATE TRIGGER evidence_drop_figure AFTER DELETE ON figures BEGIN
  DELETE FROM evidence WHERE kind = 'figure' AND target_id = OLD.id;
END;

CREATE TRIGGER evidence_drop_hypothesis AFTER DELETE ON hypotheses BEGIN
  DELETE FROM evidence WHERE kind = 'hypothesis' AND target_id = OLD.id;
END;

CREATE TRIGGER evidence_drop_note AFTER DELETE ON notes BEGIN
  DELETE FROM evidence WHERE kind = 'note' AND target_id = OLD.id;
END;

CREATE TRIGGER evidence_drop_run AFTER DELETE ON runs BEGIN
  DELETE FROM evidence WHERE kind = 'run' AND target_id = OLD.id;
END;

CREATE TRIGGER hypotheses_locked_content_is_frozen
BEFORE UPDATE OF statement, theory, relation, predictions, locked_at, lock_hash ON hypotheses
WHEN OLD.locked_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a locked hypothesis cannot change; add an amendment');
END;

CREATE TRIGGER notebook_fts_amendment_insert AFTER INSERT ON hypothesis_amendments BEGIN
  DELETE FROM notebook_fts WHERE kind = 'hypothesis' AND ref = NEW.hypothesis_id;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  SELECT h.project_id, 'hypothesis', h.id, NEW.statement, h.statement || ' ' || h.theory || ' ' || NEW.theory || ' ' || NEW.reason
  FROM hypotheses h WHERE h.id = NEW.hypothesis_id;
END;

CREATE TRIGGER notebook_fts_answer_delete AFTER DELETE ON checklist_answers BEGIN
  DELETE FROM notebook_fts WHERE kind = 'answer' AND project_id = OLD.project_id AND ref = OLD.question_key;
END;

CREATE TRIGGER notebook_fts_answer_insert AFTER INSERT ON checklist_answers BEGIN
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'answer', NEW.question_key, '', NEW.markdown || ' ' || coalesce(NEW.na_reason, ''));
END;

CREATE TRIGGER notebook_fts_answer_update AFTER UPDATE OF markdown, na_reason ON checklist_answers BEGIN
  DELETE FROM notebook_fts WHERE kind = 'answer' AND project_id = OLD.project_id AND ref = OLD.question_key;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'answer', NEW.question_key, '', NEW.markdown || ' ' || coalesce(NEW.na_reason, ''));
END;

CREATE TRIGGER notebook_fts_hypothesis_delete AFTER DELETE ON hypotheses BEGIN
  DELETE FROM notebook_fts WHERE kind = 'hypothesis' AND ref = OLD.id;
END;

CREATE TRIGGER notebook_fts_hypothesis_insert AFTER INSERT ON hypotheses BEGIN
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'hypothesis', NEW.id, NEW.statement, NEW.theory);
END;

CREATE TRIGGER notebook_fts_hypothesis_update AFTER UPDATE OF statement, theory ON hypotheses BEGIN
  DELETE FROM notebook_fts WHERE kind = 'hypothesis' AND ref = OLD.id;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'hypothesis', NEW.id, NEW.statement, NEW.theory);
END;

CREATE TRIGGER notebook_fts_note_delete AFTER DELETE ON notes BEGIN
  DELETE FROM notebook_fts WHERE kind = 'note' AND ref = OLD.id;
END;

CREATE TRIGGER notebook_fts_note_insert AFTER INSERT ON notes BEGIN
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'note', NEW.id, NEW.title, NEW.body || ' ' || (SELECT group_concat(value, ' ') FROM json_each(NEW.tags)));
END;

CREATE TRIGGER notebook_fts_note_update AFTER UPDATE OF title, body, tags ON notes BEGIN
  DELETE FROM notebook_fts WHERE kind = 'note' AND ref = OLD.id;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'note', NEW.id, NEW.title, NEW.body || ' ' || (SELECT group_concat(value, ' ') FROM json_each(NEW.tags)));
END;

CREATE TABLE attachment_blobs (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  media_type TEXT NOT NULL,
  size       INTEGER NOT NULL CHECK (size >= 0),
  data       BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE attachments (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  note_id    TEXT REFERENCES notes(id) ON DELETE SET NULL,
  sha256     TEXT NOT NULL REFERENCES attachment_blobs(sha256),
  name       TEXT NOT NULL CHECK (length(name) > 0),
  created_at TEXT NOT NULL
) STRICT;

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

CREATE TABLE confounder_tests (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL,
  settings   TEXT NOT NULL CHECK (json_valid(settings)),
  report     TEXT NOT NULL CHECK (json_valid(report)),
  verdict    TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE "evidence" (
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question_key TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('run', 'note', 'hypothesis', 'figure', 'confounder', 'attachment')),
  target_id    TEXT NOT NULL,
  linked_at    TEXT NOT NULL,
  PRIMARY KEY (project_id, question_key, kind, target_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE experiment_sources (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  path       TEXT NOT NULL,
  source     TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE figures (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL CHECK (length(title) > 0),
  caption    TEXT NOT NULL,
  provenance TEXT NOT NULL CHECK (json_valid(provenance)),
  svg        TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE hypotheses (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  statement   TEXT NOT NULL CHECK (length(statement) > 0),
  theory      TEXT NOT NULL,
  relation    TEXT NOT NULL CHECK (relation IN ('challenges', 'refines')),
  predictions TEXT NOT NULL CHECK (json_valid(predictions)),
  locked_at   TEXT,
  lock_hash   TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  CHECK ((locked_at IS NULL) = (lock_hash IS NULL))
) STRICT;

CREATE TABLE hypothesis_amendments (
  hypothesis_id TEXT NOT NULL REFERENCES hypotheses(id) ON DELETE CASCADE,
  number        INTEGER NOT NULL CHECK (number >= 1),
  statement     TEXT NOT NULL,
  theory        TEXT NOT NULL,
  relation      TEXT NOT NULL CHECK (relation IN ('challenges', 'refines')),
  predictions   TEXT NOT NULL CHECK (json_valid(predictions)),
  reason        TEXT NOT NULL,
  hash          TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (hypothesis_id, number)
) STRICT, WITHOUT ROWID;

CREATE TABLE hypothesis_confounders (
  hypothesis_id TEXT NOT NULL REFERENCES hypotheses(id) ON DELETE CASCADE,
  test_id       TEXT NOT NULL REFERENCES confounder_tests(id) ON DELETE CASCADE,
  PRIMARY KEY (hypothesis_id, test_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE hypothesis_runs (
  hypothesis_id TEXT NOT NULL REFERENCES hypotheses(id) ON DELETE CASCADE,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  linked_at     TEXT NOT NULL,
  PRIMARY KEY (hypothesis_id, run_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE metric_names (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE metric_roles (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('trainLoss', 'testLoss', 'trainAcc', 'testAcc')),
  metric     TEXT NOT NULL CHECK (length(metric) BETWEEN 1 AND 100),
  PRIMARY KEY (project_id, role)
) STRICT;

CREATE TABLE metrics (
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name_id INTEGER NOT NULL REFERENCES metric_names(id),
  step    INTEGER NOT NULL,
  value   REAL,
  PRIMARY KEY (run_id, name_id, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE note_figures (
  note_id   TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  figure_id TEXT NOT NULL REFERENCES figures(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, figure_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE note_runs (
  note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, run_id)
) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE notebook_fts USING fts5(
  project_id UNINDEXED, kind UNINDEXED, ref UNINDEXED, title, body,
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE 'notebook_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'notebook_fts_content'(id INTEGER PRIMARY KEY, c0, c1, c2, c3, c4);

CREATE TABLE 'notebook_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'notebook_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'notebook_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

CREATE TABLE notes (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL CHECK (length(title) > 0),
  body       TEXT NOT NULL DEFAULT '',
  tags       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

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
, sweep_id TEXT REFERENCES sweeps(id) ON DELETE CASCADE, sweep_point TEXT CHECK (sweep_point IS NULL OR json_valid(sweep_point)), source_sha256 TEXT REFERENCES experiment_sources(sha256), source TEXT NOT NULL DEFAULT 'phenobook'
  CHECK (source IN ('phenobook', 'script', 'tensorboard', 'mlflow', 'csv', 'jsonl')), origin TEXT, content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64), name TEXT) STRICT;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;

CREATE TABLE slurm_tasks (
  sweep_id      TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  task_index    INTEGER NOT NULL CHECK (task_index >= 0),
  point         TEXT NOT NULL CHECK (json_valid(point)),
  seed          INTEGER NOT NULL,
  job_id        TEXT,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'finished', 'collected', 'failed')),
  detail        TEXT,
  attempts      INTEGER NOT NULL DEFAULT 1,
  run_id        TEXT REFERENCES runs(id) ON DELETE SET NULL,
  source_run_id TEXT,
  collected_at  TEXT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (sweep_id, task_index)
) STRICT;

CREATE TABLE sweeps (
  id           TEXT PRIMARY KEY,
  project_id   TEXT REFERENCES projects(id) ON DELETE CASCADE,
  experiment   TEXT NOT NULL,
  preset       TEXT,
  config       TEXT NOT NULL CHECK (json_valid(config)),
  grid         TEXT NOT NULL CHECK (json_valid(grid)),
  seeds        INTEGER NOT NULL CHECK (seeds >= 1),
  created_at   TEXT NOT NULL,
  cancelled_at TEXT
, executor TEXT NOT NULL DEFAULT 'local' CHECK (executor IN ('local', 'slurm')), slurm TEXT CHECK (slurm IS NULL OR json_valid(slurm)), adopted INTEGER NOT NULL DEFAULT 0 CHECK (adopted IN (0, 1))) STRICT;

CREATE INDEX attachments_by_blob ON attachments(sha256);

CREATE INDEX attachments_by_note ON attachments(note_id);

CREATE INDEX attachments_by_project ON attachments(project_id, sha256);

CREATE INDEX checklist_revisions_by_answer ON checklist_revisions(project_id, question_key, id);

CREATE INDEX confounder_tests_by_project ON confounder_tests(project_id, created_at);

CREATE INDEX evidence_by_target ON evidence(kind, target_id);

CREATE INDEX figures_by_project ON figures(project_id, created_at);

CREATE INDEX hypotheses_by_project ON hypotheses(project_id, created_at);

CREATE INDEX hypothesis_runs_by_run ON hypothesis_runs(run_id);

CREATE INDEX note_figures_by_figure ON note_figures(figure_id);

CREATE INDEX note_runs_by_run ON note_runs(run_id);

CREATE INDEX notes_by_project ON notes(project_id, updated_at);

CREATE INDEX project_tags_by_tag ON project_tags(tag);

CREATE INDEX projects_by_updated ON projects(updated_at);

CREATE UNIQUE INDEX runs_by_content ON runs(project_id, content_hash) WHERE content_hash IS NOT NULL;

CREATE INDEX runs_by_group ON runs(group_id);

CREATE INDEX runs_by_project ON runs(project_id, created_at);

CREATE INDEX runs_by_status ON runs(status);

CREATE INDEX runs_by_sweep ON runs(sweep_id);

CREATE INDEX sweeps_by_project ON sweeps(project_id, created_at);
