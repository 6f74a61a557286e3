// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
CREATE TABLE notes (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL CHECK (length(title) > 0),
  body       TEXT NOT NULL DEFAULT '',
  tags       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_project ON notes(project_id, updated_at);

CREATE TABLE note_runs (
  note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, run_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX note_runs_by_run ON note_runs(run_id);

-- The original content; once locked it never changes (the trigger below enforces it) and later
-- edits are rows of hypothesis_amendments.
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
CREATE INDEX hypotheses_by_project ON hypotheses(project_id, created_at);

CREATE TRIGGER hypotheses_locked_content_is_frozen
BEFORE UPDATE OF statement, theory, relation, predictions, locked_at, lock_hash ON hypotheses
WHEN OLD.locked_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a locked hypothesis cannot change; add an amendment');
END;

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

CREATE TABLE hypothesis_runs (
  hypothesis_id TEXT NOT NULL REFERENCES hypotheses(id) ON DELETE CASCADE,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  linked_at     TEXT NOT NULL,
  PRIMARY KEY (hypothesis_id, run_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX hypothesis_runs_by_run ON hypothesis_runs(run_id);

-- What a checklist answer cites. Targets live in several tables, so triggers (not foreign keys)
-- remove a link when its target goes. 'figure' is reserved for saved figures.
CREATE TABLE evidence (
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question_key TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('run', 'note', 'hypothesis', 'figure')),
  target_id    TEXT NOT NULL,
  linked_at    TEXT NOT NULL,
  PRIMARY KEY (project_id, question_key, kind, target_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_by_target ON evidence(kind, target_id);

CREATE TRIGGER evidence_drop_run AFTER DELETE ON runs BEGIN
  DELETE FROM evidence WHERE kind = 'run' AND target_id = OLD.id;
END;
CREATE TRIGGER evidence_drop_note AFTER DELETE ON notes BEGIN
  DELETE FROM evidence WHERE kind = 'note' AND target_id = OLD.id;
END;
CREATE TRIGGER evidence_drop_hypothesis AFTER DELETE ON hypotheses BEGIN
  DELETE FROM evidence WHERE kind = 'hypothesis' AND target_id = OLD.id;
END;

-- Full-text search over a project's notes, answers and hypotheses. The index keeps its own copy
-- of the text (not external content keyed by rowid: VACUUM may renumber rowids of these tables).
CREATE VIRTUAL TABLE notebook_fts USING fts5(
  project_id UNINDEXED, kind UNINDEXED, ref UNINDEXED, title, body,
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER notebook_fts_note_insert AFTER INSERT ON notes BEGIN
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'note', NEW.id, NEW.title, NEW.body || ' ' || (SELECT group_concat(value, ' ') FROM json_each(NEW.tags)));
END;
CREATE TRIGGER notebook_fts_note_update AFTER UPDATE OF title, body, tags ON notes BEGIN
  DELETE FROM notebook_fts WHERE kind = 'note' AND ref = OLD.id;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  VALUES (NEW.project_id, 'note', NEW.id, NEW.title, NEW.body || ' ' || (SELECT group_concat(value, ' ') FROM json_each(NEW.tags)));
END;
CREATE TRIGGER notebook_fts_note_delete AFTER DELETE ON notes BEGIN
  DELETE FROM notebook_fts WHERE kind = 'note' AND ref = OLD.id;
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
CREATE TRIGGER notebook_fts_answer_delete AFTER DELETE ON checklist_answers BEGIN
  DELETE FROM notebook_fts WHERE kind = 'answer' AND project_id = OLD.project_id AND ref = OLD.question_key;
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
CREATE TRIGGER notebook_fts_amendment_insert AFTER INSERT ON hypothesis_amendments BEGIN
  DELETE FROM notebook_fts WHERE kind = 'hypothesis' AND ref = NEW.hypothesis_id;
  INSERT INTO notebook_fts (project_id, kind, ref, title, body)
  SELECT h.project_id, 'hypothesis', h.id, NEW.statement, h.statement || ' ' || h.theory || ' ' || NEW.theory || ' ' || NEW.reason
  FROM hypotheses h WHERE h.id = NEW.hypothesis_id;
END;
CREATE TRIGGER notebook_fts_hypothesis_delete AFTER DELETE ON hypotheses BEGIN
  DELETE FROM notebook_fts WHERE kind = 'hypothesis' AND ref = OLD.id;
END;

-- Answers written before this migration.
INSERT INTO notebook_fts (project_id, kind, ref, title, body)
SELECT project_id, 'answer', question_key, '', markdown || ' ' || coalesce(na_reason, '') FROM checklist_answers;
`;
