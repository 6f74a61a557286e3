// Shipped migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- Runs trained outside Phenobook (a script under \`phenobook log\`, TensorBoard, MLflow, CSV or
-- JSON-lines imports) sit beside its own: no backend, steps_total = the last step seen.
ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT 'phenobook'
  CHECK (source IN ('phenobook', 'script', 'tensorboard', 'mlflow', 'csv', 'jsonl'));
-- The command line or path it came from, as the researcher would recognise it.
ALTER TABLE runs ADD COLUMN origin TEXT;
-- SHA-256 of what was imported: the same content imported into the same project again adds nothing.
ALTER TABLE runs ADD COLUMN content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64);
-- What the researcher called it ("lr0.01-seed3", a TensorBoard run folder); NULL for Phenobook's own.
ALTER TABLE runs ADD COLUMN name TEXT;

CREATE UNIQUE INDEX runs_by_content ON runs(project_id, content_hash) WHERE content_hash IS NOT NULL;
`;
