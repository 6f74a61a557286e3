import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ImportError, type ExternalRun, type ImportPlan } from '../../common/external-run';
import { mlflowRun, type MlflowMetricPoint } from './mlflow-run';
import { requireInput } from './input-path';
import { type ImportProgress } from './progress';
import { finiteOrNull } from './series';

/** The MLflow tracking tables the importer reads. */
const TABLES = ['experiments', 'runs', 'params', 'metrics', 'tags'] as const;

type Db = InstanceType<typeof Database>;

function open(path: string): Db {
  try {
    // Read-only: the researcher's tracking database is never changed (nor is a journal created).
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ImportError(`${path}: cannot open as SQLite (${(err as Error).message})`, path);
  }
}

function missingTables(db: Db): string[] {
  const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  return TABLES.filter((t) => !have.has(t));
}

const hasColumn = (db: Db, table: string, column: string): boolean =>
  (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).some((c) => c.name === column);

/** Whether the file is an SQLite database with MLflow's tracking tables (false for any other file). */
export async function isMlflowDatabase(path: string): Promise<boolean> {
  const header = await stat(path).then((s) => s.isFile() && s.size >= 100, () => false);
  if (!header) return false;
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return missingTables(db).length === 0;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/**
 * Reads an MLflow SQLite tracking database (`mlflow.db`), opened read-only. experiment = the MLflow
 * experiment's name; name = the run's name (else its mlflow.runName tag, else its uuid);
 * config = params. Deleted experiments and runs are skipped with a note.
 */
export async function readMlflowSqlite(given: string, onProgress?: ImportProgress): Promise<ImportPlan> {
  const path = resolve(given);
  await requireInput(path, 'file');
  const db = open(path);
  try {
    let missing: string[];
    try {
      missing = missingTables(db);
    } catch (err) {
      throw new ImportError(`${path}: not an SQLite database (${(err as Error).message})`, path);
    }
    if (missing.length > 0) throw new ImportError(`${path}: not an MLflow tracking database (no table ${missing.join(', ')})`, path);

    const notes: string[] = [];
    const deletedCol = (table: string): string => (hasColumn(db, table, 'lifecycle_stage') ? 'lifecycle_stage' : "'active'");
    const experiments = new Map(
      (db.prepare(`SELECT experiment_id AS id, name, ${deletedCol('experiments')} AS stage FROM experiments`).all() as { id: number | string; name: string; stage: string | null }[]).map(
        (e) => [String(e.id), e],
      ),
    );
    const runRows = db
      .prepare(`SELECT run_uuid AS id, name, experiment_id AS experimentId, status, ${deletedCol('runs')} AS stage FROM runs ORDER BY start_time, run_uuid`)
      .all() as { id: string; name: string | null; experimentId: number | string; status: string | null; stage: string | null }[];
    const paramsOf = db.prepare('SELECT key, value FROM params WHERE run_uuid = ?');
    const tagsOf = db.prepare('SELECT key, value FROM tags WHERE run_uuid = ?');
    const metricsOf = db.prepare('SELECT key, value, timestamp, step, is_nan AS isNan FROM metrics WHERE run_uuid = ? ORDER BY timestamp');

    const runs: ExternalRun[] = [];
    for (const [i, row] of runRows.entries()) {
      onProgress?.({ done: i, total: runRows.length, phase: 'Reading MLflow runs' });
      const experiment = experiments.get(String(row.experimentId));
      const tags = Object.fromEntries((tagsOf.all(row.id) as { key: string; value: string | null }[]).map((t) => [t.key, t.value ?? '']));
      const label = row.name || tags['mlflow.runName'] || row.id;
      if (experiment?.stage === 'deleted' || row.stage === 'deleted') {
        notes.push(`${label}: deleted in MLflow; not imported`);
        continue;
      }
      if (row.status && row.status !== 'FINISHED') notes.push(`${label}: MLflow status ${row.status}`);
      const points: MlflowMetricPoint[] = (metricsOf.all(row.id) as { key: string; value: number; timestamp: number; step: number; isNan: number }[]).map((m) => ({
        key: m.key,
        step: Number(m.step),
        timestamp: Number(m.timestamp),
        value: m.isNan ? null : finiteOrNull(m.value),
      }));
      runs.push(
        mlflowRun({
          runId: row.id,
          runName: row.name ?? undefined,
          experiment: experiment?.name ?? String(row.experimentId),
          origin: `${path} (run ${row.id})`,
          params: Object.fromEntries((paramsOf.all(row.id) as { key: string; value: string }[]).map((p) => [p.key, p.value])),
          tags,
          points,
        }),
      );
    }
    onProgress?.({ done: runRows.length, total: runRows.length, phase: 'Reading MLflow runs' });
    return { source: 'mlflow', runs, notes };
  } finally {
    db.close();
  }
}
