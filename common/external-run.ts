// What a run trained outside Phenobook looks like once read: the one shape that every way in
// (`phenobook log`, the TensorBoard, MLflow, CSV and JSON-lines importers) produces and the run
// store consumes. Pure data, no I/O, so importers are testable without a database.

/** Where an external run came from; a run Phenobook trained itself has source 'phenobook'. */
export const EXTERNAL_SOURCES = ['script', 'tensorboard', 'mlflow', 'csv', 'jsonl'] as const;
export type ExternalSource = (typeof EXTERNAL_SOURCES)[number];
export const RUN_SOURCES = ['phenobook', ...EXTERNAL_SOURCES] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

/** One metric's history: steps ascending, one value per step (null where it was not finite). */
export interface ExternalSeries {
  steps: number[];
  values: (number | null)[];
}

/** One run read from elsewhere, ready to be stored. */
export interface ExternalRun {
  /** Shown in lists ("lr0.01-seed3", the TensorBoard run folder, the MLflow run name). */
  name: string;
  /**
   * Groups comparable runs as an experiment name does for built-ins (the script's file name, the
   * MLflow experiment, the folder the runs sit in). Conditions and group-by read its runs' configs.
   */
  experiment: string;
  source: ExternalSource;
  /** The path or command it was read from, as the researcher would recognise it. */
  origin: string;
  /** Hyperparameters / params / the `{"config": …}` line: flat keys, JSON values. */
  config: Record<string, unknown>;
  /** Seed when the config names one (`seed`), else 0. */
  seed: number;
  /** Metric name (as the researcher wrote it) → its history. */
  metrics: Record<string, ExternalSeries>;
  /**
   * SHA-256 (hex) of what was read for this run, in a form independent of where it lies: importing
   * the same content again into the same project changes nothing.
   */
  contentHash: string;
}

/** What an importer found, shown to the researcher before anything is written. */
export interface ImportPlan {
  source: ExternalSource;
  runs: ExternalRun[];
  /** Things skipped on purpose (a non-scalar summary, an empty file), one line each. */
  notes: string[];
}

/** An input an importer refuses: the message names the file and, where it helps, the line or byte offset. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly at?: { line?: number; byteOffset?: number },
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Where a run was recorded, in words (reports and exports name it next to each run). */
export const RUN_SOURCE_WORDS: Record<RunSource, string> = {
  phenobook: 'Phenobook',
  script: 'script',
  tensorboard: 'TensorBoard',
  mlflow: 'MLflow',
  csv: 'CSV',
  jsonl: 'JSON lines',
};

/** "Phenobook", or for a run trained elsewhere its source and origin: "script · python3 train.py --lr 0.01". */
export function describeRunSource(run: { source: RunSource; origin: string | null }): string {
  const words = RUN_SOURCE_WORDS[run.source] ?? run.source;
  return run.source === 'phenobook' || !run.origin ? words : `${words} · ${run.origin}`;
}
