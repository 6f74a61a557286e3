import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ImportError, type ExternalRun, type ImportPlan } from '../../common/external-run';
import { MLFLOW_STATUS, mlflowRun, type MlflowMetricPoint } from './mlflow-run';
import { requireInput } from './input-path';
import { type ImportProgress } from './progress';
import { parseMetricValue } from './series';

// MLflow's file store:
//   mlruns/<experiment_id>/meta.yaml                  name, lifecycle_stage
//   mlruns/<experiment_id>/<run_id>/meta.yaml         run_id, run_name, status, lifecycle_stage…
//   mlruns/<experiment_id>/<run_id>/params/<key>      the value as text
//   mlruns/<experiment_id>/<run_id>/metrics/<key>     lines "timestamp value step"
//   mlruns/<experiment_id>/<run_id>/tags/<key>        the value as text (mlflow.runName…)
// A key with "/" in it is a subfolder. Deleted experiments and runs go to .trash, which is skipped.

type Meta = Record<string, unknown>;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readMeta(file: string): Promise<Meta> {
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ImportError(`${file}: not valid YAML (${(err as Error).message})`, file);
  }
  if (!parsed || typeof parsed !== 'object') throw new ImportError(`${file}: expected a YAML mapping`, file);
  return parsed as Meta;
}

const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** key → file text for every file under dir (params/ or tags/), keys with "/" from subfolders. */
async function readKeyFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!(await exists(dir))) return out;
  for (const file of await listFiles(dir)) out[relative(dir, file).split(sep).join('/')] = await readFile(file, 'utf8');
  return out;
}

async function listFiles(dir: string, files: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) await listFiles(path, files);
    else if (e.isFile()) files.push(path);
  }
  return files.sort();
}

/**
 * Appends a metric file's points: lines "timestamp value step" (MLflow before 1.0 wrote no step:
 * it is 0 there, as MLflow reads it). Appended one by one, not spread into push(), which overflows
 * the stack for a long history.
 */
async function readMetricFile(file: string, key: string, points: MlflowMetricPoint[]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parts = line.trim().split(/\s+/);
    const timestamp = Number(parts[0]);
    const value = parts[1] === undefined ? undefined : parseMetricValue(parts[1]);
    const step = parts.length === 3 ? Number(parts[2]) : 0;
    if ((parts.length !== 2 && parts.length !== 3) || !Number.isFinite(timestamp) || value === undefined || !Number.isSafeInteger(step)) {
      throw new ImportError(`${file}:${i + 1}: expected "timestamp value step", found "${line.trim()}"`, file, { line: i + 1 });
    }
    points.push({ key, step, timestamp, value });
  });
}

async function readRunFolder(dir: string, experiment: string, notes: string[]): Promise<ExternalRun | undefined> {
  const meta = await readMeta(join(dir, 'meta.yaml'));
  const runId = text(meta.run_id) ?? text(meta.run_uuid) ?? basename(dir);
  const tags = await readKeyFiles(join(dir, 'tags'));
  const label = text(meta.run_name) || tags['mlflow.runName'] || runId;
  if (meta.lifecycle_stage === 'deleted') {
    notes.push(`${label}: deleted in MLflow; not imported`);
    return undefined;
  }
  const status = MLFLOW_STATUS[String(meta.status)] ?? text(meta.status);
  if (status && status !== 'FINISHED') notes.push(`${label}: MLflow status ${status}`);
  const points: MlflowMetricPoint[] = [];
  const metricsDir = join(dir, 'metrics');
  if (await exists(metricsDir)) {
    for (const file of await listFiles(metricsDir)) {
      await readMetricFile(file, relative(metricsDir, file).split(sep).join('/'), points);
    }
  }
  return mlflowRun({
    runId,
    runName: text(meta.run_name),
    experiment,
    origin: dir,
    params: await readKeyFiles(join(dir, 'params')),
    tags,
    points,
  });
}

/** Run folders of one experiment folder: subfolders with a meta.yaml. */
async function runFolders(experimentDir: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const e of await readdir(experimentDir, { withFileTypes: true })) {
    if (e.isDirectory() && !e.name.startsWith('.') && (await exists(join(experimentDir, e.name, 'meta.yaml')))) {
      dirs.push(join(experimentDir, e.name));
    }
  }
  return dirs.sort();
}

/** What kind of file-store folder this is, from its meta.yaml (or its experiments' ones). */
export async function fileStoreLevel(path: string): Promise<'run' | 'experiment' | 'root' | undefined> {
  if (await exists(join(path, 'meta.yaml'))) {
    const meta = await readMeta(join(path, 'meta.yaml'));
    if (meta.run_id !== undefined || meta.run_uuid !== undefined) return 'run';
    if (meta.experiment_id !== undefined || meta.name !== undefined) return 'experiment';
    return undefined;
  }
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isDirectory() && !e.name.startsWith('.') && (await exists(join(path, e.name, 'meta.yaml')))) return 'root';
  }
  return undefined;
}

/**
 * Reads an MLflow file store: the `mlruns` folder, one experiment folder in it, or one run folder.
 * experiment = the MLflow experiment's name; name = the run name (else the run id); config = params.
 */
export async function readMlflowFileStore(given: string, onProgress?: ImportProgress): Promise<ImportPlan> {
  const path = resolve(given);
  await requireInput(path, 'folder');
  const level = await fileStoreLevel(path);
  if (!level) throw new ImportError(`${path}: not an MLflow file store (no meta.yaml here or in its subfolders)`, path);
  const notes: string[] = [];
  // (experiment name, run folder) pairs to read.
  const todo: { experiment: string; dir: string }[] = [];
  const experimentName = async (dir: string): Promise<string> => {
    const file = join(dir, 'meta.yaml');
    return (await exists(file)) ? (text((await readMeta(file)).name) ?? basename(dir)) : basename(dir);
  };
  if (level === 'run') {
    todo.push({ experiment: await experimentName(dirname(path)), dir: path });
  } else {
    const experimentDirs =
      level === 'experiment'
        ? [path]
        : (await readdir(path, { withFileTypes: true }))
            .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
            .map((e) => join(path, e.name))
            .sort();
    for (const dir of experimentDirs) {
      if (!(await exists(join(dir, 'meta.yaml')))) continue; // e.g. mlruns/models (the model registry)
      const meta = await readMeta(join(dir, 'meta.yaml'));
      const name = text(meta.name) ?? basename(dir);
      if (meta.lifecycle_stage === 'deleted') {
        notes.push(`experiment ${name}: deleted in MLflow; not imported`);
        continue;
      }
      for (const run of await runFolders(dir)) todo.push({ experiment: name, dir: run });
    }
  }
  const runs: ExternalRun[] = [];
  for (const [i, { experiment, dir }] of todo.entries()) {
    onProgress?.({ done: i, total: todo.length, phase: 'Reading MLflow runs' });
    const run = await readRunFolder(dir, experiment, notes);
    if (run) runs.push(run);
  }
  onProgress?.({ done: todo.length, total: todo.length, phase: 'Reading MLflow runs' });
  return { source: 'mlflow', runs, notes };
}
