import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ImportError, type ImportPlan } from '../../common/external-run';
import { readCsv } from './csv';
import { fileStoreLevel, readMlflowFileStore } from './mlflow-file-store';
import { isMlflowDatabase, readMlflowSqlite } from './mlflow-sqlite';
import { asImportError } from './input-path';
import { type ImportProgress } from './progress';
import { containsEventFiles, readTensorBoard } from './tensorboard';

export { ImportError } from '../../common/external-run';
export type { ImportProgress } from './progress';
export { readCsv, MAX_CSV_BYTES } from './csv';
export { readMlflowFileStore, readMlflowSqlite, isMlflowDatabase } from './mlflow';
export { readTensorBoard } from './tensorboard';
export { runContentHash } from './series';

/** What readImport can read, by the reader it picks. */
export const IMPORT_KINDS = ['tensorboard', 'mlflow-file-store', 'mlflow-sqlite', 'csv'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const SQLITE_EXTENSIONS = new Set(['.db', '.sqlite', '.sqlite3']);

async function statOrNull(path: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  return stat(path).catch(() => null);
}

/**
 * Which reader a path needs, and the path to give it: a CSV file; an SQLite file with MLflow's
 * tables; an MLflow file store (`mlruns`, an experiment or run folder with meta.yaml, or a folder
 * holding `mlruns`); a folder with TensorBoard event files in it or below. Undefined otherwise.
 */
export async function detectImport(path: string): Promise<{ kind: ImportKind; path: string } | undefined> {
  const info = await statOrNull(path);
  if (!info) throw new ImportError(`${path}: no such file or folder`, path);
  if (info.isFile()) {
    const ext = extname(path).toLowerCase();
    if (ext === '.csv') return { kind: 'csv', path };
    if (SQLITE_EXTENSIONS.has(ext) && (await isMlflowDatabase(path))) return { kind: 'mlflow-sqlite', path };
    return undefined;
  }
  if (!info.isDirectory()) return undefined;
  // meta.yaml is MLflow's own mark; checked before event files, which an MLflow run could hold as artifacts.
  if (basename(path) === 'mlruns' || (await statOrNull(join(path, 'meta.yaml')))) {
    if (await fileStoreLevel(path)) return { kind: 'mlflow-file-store', path };
  }
  if (await containsEventFiles(path)) return { kind: 'tensorboard', path };
  if (await fileStoreLevel(path)) return { kind: 'mlflow-file-store', path };
  const mlruns = join(path, 'mlruns');
  if ((await statOrNull(mlruns))?.isDirectory() && (await fileStoreLevel(mlruns))) return { kind: 'mlflow-file-store', path: mlruns };
  return undefined;
}

/**
 * Reads whatever the path is into an ImportPlan, writing nothing anywhere. Throws ImportError when
 * the path is none of the kinds in IMPORT_KINDS, or when its content is malformed.
 */
export async function readImport(path: string, opts?: { onProgress?: ImportProgress }): Promise<ImportPlan> {
  try {
    return await readDetected(path, opts?.onProgress);
  } catch (err) {
    throw asImportError(err, path);
  }
}

async function readDetected(path: string, onProgress: ImportProgress | undefined): Promise<ImportPlan> {
  const found = await detectImport(path);
  switch (found?.kind) {
    case 'tensorboard':
      return readTensorBoard(found.path, onProgress);
    case 'mlflow-file-store':
      return readMlflowFileStore(found.path, onProgress);
    case 'mlflow-sqlite':
      return readMlflowSqlite(found.path, onProgress);
    case 'csv':
      return readCsv(found.path, onProgress);
    case undefined:
      throw new ImportError(`${path}: not a TensorBoard log, MLflow store, or CSV file`, path);
  }
}
