// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- The exact source a run of a researcher's experiment file trained, once per distinct content
-- (keyed by its SHA-256): re-runs train it again, and the run page compares it with the file now.
CREATE TABLE experiment_sources (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  path       TEXT NOT NULL,
  source     TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

ALTER TABLE runs ADD COLUMN source_sha256 TEXT REFERENCES experiment_sources(sha256);
`;
