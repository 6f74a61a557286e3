// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- The current answer to each checklist question of a project (keys from contract/checklist.ts).
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

-- Every saved state of an answer (saves within a minute of the last one are folded into it).
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

CREATE INDEX checklist_revisions_by_answer ON checklist_revisions(project_id, question_key, id);
`;
