// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- Files made outside Phenobook (figures, PDFs, small data files), stored once per distinct content:
-- the bytes are keyed by their SHA-256, so the same file attached twice is one blob.
CREATE TABLE attachment_blobs (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  media_type TEXT NOT NULL,
  size       INTEGER NOT NULL CHECK (size >= 0),
  data       BLOB NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- Each time a file is attached: to a project, and to a note when it was dropped into one. The
-- name is the file's original one; the same blob may be attached under several names and notes.
CREATE TABLE attachments (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  note_id    TEXT REFERENCES notes(id) ON DELETE SET NULL,
  sha256     TEXT NOT NULL REFERENCES attachment_blobs(sha256),
  name       TEXT NOT NULL CHECK (length(name) > 0),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_by_project ON attachments(project_id, sha256);
CREATE INDEX attachments_by_note ON attachments(note_id);
CREATE INDEX attachments_by_blob ON attachments(sha256);

-- A blob no attachment refers to any more is gone with its last link.
CREATE TRIGGER attachment_blob_drop AFTER DELETE ON attachments
WHEN NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = OLD.sha256) BEGIN
  DELETE FROM attachment_blobs WHERE sha256 = OLD.sha256;
END;

-- Evidence may cite an attachment. A CHECK cannot be altered, so the table is rebuilt (as in
-- 0070); the triggers that reference it are dropped first and made again after.
DROP TRIGGER evidence_drop_run;
DROP TRIGGER evidence_drop_note;
DROP TRIGGER evidence_drop_hypothesis;
DROP TRIGGER evidence_drop_figure;
DROP TRIGGER evidence_drop_confounder;
CREATE TABLE evidence_next (
  project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question_key TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('run', 'note', 'hypothesis', 'figure', 'confounder', 'attachment')),
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
CREATE TRIGGER evidence_drop_attachment AFTER DELETE ON attachments BEGIN
  DELETE FROM evidence WHERE kind = 'attachment' AND target_id = OLD.id;
END;
`;
