import { z } from 'zod';
import type { ExternalSource } from '../common/external-run';
import { ProjectIdSchema } from './projects';

/**
 * Importing runs from files on the host (a TensorBoard log folder, an MLflow store or database, a
 * CSV or JSON-lines file): look first (`imports:preview`, nothing written), then store exactly what
 * was looked at (`imports:commit`). The path is the host's: in browser mode the browser may sit on
 * another machine.
 */

export const IMPORT_PATH_MAX = 4096;
/** Runs one import may hold (the preview lists each, the commit names each by its hash). */
export const IMPORT_RUNS_MAX = 10_000;

/** Absolute on the host (POSIX `/…`, Windows `C:\…` or `\\server\…`), or `~/…` (expanded by the host). */
const ABSOLUTE = /^(\/|~\/|[A-Za-z]:[\\/]|\\\\)/;

export const ImportPathSchema = z
  .string({ error: 'path must be text' })
  .min(1, { error: 'Type the path of a file or folder on the host' })
  .max(IMPORT_PATH_MAX, { error: `The path is longer than ${IMPORT_PATH_MAX} characters` })
  .refine((p) => !p.includes('\0'), { error: 'The path contains a NUL character' })
  .refine((p) => ABSOLUTE.test(p), { error: 'The path must be absolute (start with / or ~/)' });

const ContentHashSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hex digest' });

export const ImportPreviewSchema = z.strictObject({ projectId: ProjectIdSchema, path: ImportPathSchema });

export const ImportCommitSchema = z.strictObject({
  projectId: ProjectIdSchema,
  path: ImportPathSchema,
  /** Every run's content hash as the preview showed them: the files must still hold exactly these. */
  expect: z.array(ContentHashSchema).max(IMPORT_RUNS_MAX),
  /** The runs to store, by hash (a subset of expect); all of them when left out. */
  include: z.array(ContentHashSchema).max(IMPORT_RUNS_MAX).optional(),
});

/** Config values shown per run, at most this many, each cut to CONFIG_VALUE_CHARS. */
export const PREVIEW_CONFIG_KEYS = 24;
export const PREVIEW_CONFIG_VALUE_CHARS = 80;
/** Metric names listed per run, and notes listed per import. */
export const PREVIEW_METRICS = 40;
export const PREVIEW_NOTES = 200;

/** One run as the preview shows it: never its points. */
export interface ImportPreviewRun {
  name: string;
  experiment: string;
  /** Metric names, at most PREVIEW_METRICS of them; metricCount says how many there are. */
  metrics: string[];
  metricCount: number;
  /** Metric points (missing values included). */
  points: number;
  /** Config entries as text, at most PREVIEW_CONFIG_KEYS; configCount says how many there are. */
  config: { key: string; value: string }[];
  configCount: number;
  contentHash: string;
  /** The project has this content already (or an earlier run of this import does): it would be skipped. */
  alreadyImported: boolean;
}

export interface ImportPreview {
  /** The path as read (`~/` expanded). */
  path: string;
  source: ExternalSource;
  runs: ImportPreviewRun[];
  notes: string[];
  /** Notes not listed (past PREVIEW_NOTES). */
  notesOmitted: number;
}

export interface ImportCommitResult {
  source: ExternalSource;
  added: { id: string; name: string; points: number; contentHash: string }[];
  /** Runs whose content the project already had: nothing was written for them. */
  skipped: { name: string; contentHash: string; existingId: string | null }[];
  /** Runs left out because they were not in `include`. */
  leftOut: number;
  notes: string[];
}

/** How far an import has got, pushed as an `imports:progress` event. */
export interface ImportProgressEvent {
  phase: 'reading' | 'writing';
  done: number;
  total: number;
}
