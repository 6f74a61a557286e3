// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
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
) STRICT;
CREATE INDEX sweeps_by_project ON sweeps(project_id, created_at);

-- A run of a sweep knows its sweep and its grid point; deleting the sweep deletes its runs.
ALTER TABLE runs ADD COLUMN sweep_id TEXT REFERENCES sweeps(id) ON DELETE CASCADE;
ALTER TABLE runs ADD COLUMN sweep_point TEXT CHECK (sweep_point IS NULL OR json_valid(sweep_point));
CREATE INDEX runs_by_sweep ON runs(sweep_id);
`;
