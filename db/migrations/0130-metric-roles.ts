// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- Which of a project's metric names plays each role the phenomenon measures read. A role without a
-- row reads the built-in metric of its own name (trainLoss, testLoss, trainAcc, testAcc).
CREATE TABLE metric_roles (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('trainLoss', 'testLoss', 'trainAcc', 'testAcc')),
  metric     TEXT NOT NULL CHECK (length(metric) BETWEEN 1 AND 100),
  PRIMARY KEY (project_id, role)
) STRICT;

-- A sweep that adopted runs which already existed (trained elsewhere or one by one): deleting it
-- unlinks its runs instead of deleting them, and there is nothing to cancel, resume or collect.
-- A column of its own rather than a new executor value: executor's CHECK cannot be widened in
-- place, and rebuilding sweeps inside the migration's transaction, where foreign keys stay on,
-- would cascade the DROP to every sweep's runs and SLURM tasks.
ALTER TABLE sweeps ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0 CHECK (adopted IN (0, 1));
`;
