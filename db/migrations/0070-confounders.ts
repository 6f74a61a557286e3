// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- A confounder test as it was run: its settings, the full report, and the verdict in words.
CREATE TABLE confounder_tests (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title      TEXT NOT NULL,
  settings   TEXT NOT NULL CHECK (json_valid(settings)),
  report     TEXT NOT NULL CHECK (json_valid(report)),
  verdict    TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX confounder_tests_by_project ON confounder_tests(project_id, created_at);

CREATE TABLE hypothesis_confounders (
  hypothesis_id TEXT NOT NULL REFERENCES hypotheses(id) ON DELETE CASCADE,
  test_id       TEXT NOT NULL REFERENCES confounder_tests(id) ON DELETE CASCADE,
  PRIMARY KEY (hypothesis_id, test_id)
) STRICT, WITHOUT ROWID;

-- Evidence may cite a confounder test. A CHECK cannot be altered, so the table is rebuilt; the
-- triggers that reference it are dropped first and made again after.
DROP TRIGGER evidence_drop_run;
DROP TRIGGER evidence_drop_note;
DROP TRIGGER evidence_drop_hypothesis;
DROP TRIGGER evidence_drop_figure;
CREATE TABLE evidence_next (
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question_key TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('run', 'note', 'hypothesis', 'figure', 'confounder')),
  target_id    TEXT NOT NULL,
  linked_at    TEXT NOT NULL,
  PRIMARY KEY (project_id, question_key, kind, target_id)
) STRICT, WITHOUT ROWID;
INSERT INTO evidence_next (project_id, question_key, kind, target_id, linked_at)
  SELECT project_id, question_key, kind, target_id, linked_at FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_next RENAME TO evidence;
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
CREATE TRIGGER evidence_drop_figure AFTER DELETE ON figures BEGIN
  DELETE FROM evidence WHERE kind = 'figure' AND target_id = OLD.id;
END;
CREATE TRIGGER evidence_drop_confounder AFTER DELETE ON confounder_tests BEGIN
  DELETE FROM evidence WHERE kind = 'confounder' AND target_id = OLD.id;
END;
`;
