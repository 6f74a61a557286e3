-- user_version = 10
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

CREATE INDEX project_tags_by_tag ON project_tags(tag);

CREATE INDEX projects_by_updated ON projects(updated_at);
