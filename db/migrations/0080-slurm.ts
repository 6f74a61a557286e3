// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- Where a sweep's runs train: here ('local'), or as a SLURM job array whose tasks write their
-- own databases under a work directory (slurm holds the work directory and options as JSON).
ALTER TABLE sweeps ADD COLUMN executor TEXT NOT NULL DEFAULT 'local' CHECK (executor IN ('local', 'slurm'));
ALTER TABLE sweeps ADD COLUMN slurm TEXT CHECK (slurm IS NULL OR json_valid(slurm));

-- One row per array task (grid point × seed). run_id is set, in the same transaction that
-- imports the task's run, the one time it is collected: that is what makes collect exactly-once.
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
`;
