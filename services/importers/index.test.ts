import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportError } from '../../common/external-run';
import { detectImport, readCsv, readImport, readMlflowFileStore, readMlflowSqlite, readTensorBoard } from './index';
import { asImportError } from './input-path';
import { buildMlflowDb, MLFLOW_RUN_IDS } from './mlflow-db.fixture';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const MLRUNS = join(FIXTURES, 'mlflow', 'mlruns');

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});
const tempDir = async (): Promise<string> => (temp = await mkdtemp(join(tmpdir(), 'import-detect-')));

describe('detectImport / readImport', () => {
  it('a TensorBoard tree and a single TensorBoard run folder', async () => {
    const tree = join(FIXTURES, 'tensorboard');
    expect(await detectImport(tree)).toEqual({ kind: 'tensorboard', path: tree });
    const plan = await readImport(tree);
    expect(plan.source).toBe('tensorboard');
    expect(plan.runs.map((r) => r.name).sort()).toEqual(['tbwriter-run', 'tbx-hparams', 'tbx-run', 'torch-hparams', 'torch-run']);
    const one = await readImport(join(tree, 'torch-run'));
    expect(one.runs.map((r) => r.name)).toEqual(['torch-run']);
    expect(one.runs[0]!.metrics.train_loss!.values[2]).toBe(Math.fround(0.1));
  });

  it('an MLflow file store at each level, and a folder holding mlruns', async () => {
    for (const path of [MLRUNS, join(MLRUNS, '1'), join(MLRUNS, '1', MLFLOW_RUN_IDS[0])]) {
      expect(await detectImport(path)).toEqual({ kind: 'mlflow-file-store', path });
    }
    expect(await detectImport(join(FIXTURES, 'mlflow'))).toEqual({ kind: 'mlflow-file-store', path: MLRUNS });
    const plan = await readImport(join(FIXTURES, 'mlflow'));
    expect(plan.source).toBe('mlflow');
    expect(plan.runs.map((r) => [r.name, r.config.weight_decay])).toEqual([
      ['wd0.1-seed1', 0.1],
      ['wd0-seed2', 0],
    ]);
  });

  it('an MLflow SQLite database by its tables, whatever its extension among .db/.sqlite', async () => {
    const dir = await tempDir();
    for (const name of ['mlflow.db', 'tracking.sqlite']) {
      const path = join(dir, name);
      buildMlflowDb(path);
      expect(await detectImport(path)).toEqual({ kind: 'mlflow-sqlite', path });
      const plan = await readImport(path);
      expect(plan.runs.map((r) => r.name)).toEqual(['wd0.1-seed1', 'wd0-seed2']);
    }
  });

  it('a CSV file, with progress in bytes', async () => {
    const file = join(FIXTURES, 'csv', 'wandb-history.csv');
    expect(await detectImport(file)).toEqual({ kind: 'csv', path: file });
    const progress: { done: number; total: number; phase: string }[] = [];
    const plan = await readImport(file, { onProgress: (p) => progress.push(p) });
    expect(plan.source).toBe('csv');
    expect(plan.runs[0]!.metrics['val/acc']).toEqual({ steps: [2, 4], values: [0.21, 0.34] });
    const size = (await stat(file)).size;
    expect(progress.at(-1)).toEqual({ done: size, total: size, phase: 'Reading CSV' });
  });

  it('refuses anything else with one message', async () => {
    const dir = await tempDir();
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'step,loss\n');
    const otherDb = join(dir, 'app.db');
    const db = new Database(otherDb);
    db.exec('CREATE TABLE projects (id TEXT); INSERT INTO projects VALUES (1)');
    db.close();
    const empty = join(dir, 'empty');
    await mkdir(empty);
    for (const path of [text, otherDb, empty]) {
      const err = await readImport(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).message).toBe(`${path}: not a TensorBoard log, MLflow store, or CSV file`);
    }
    await expect(readImport(join(dir, 'missing.csv'))).rejects.toThrow(`${join(dir, 'missing.csv')}: no such file or folder`);
  });

  it('each reader refuses a missing path or one of the wrong kind with an ImportError', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing');
    const file = join(dir, 'x.csv');
    await writeFile(file, 'step,loss\n');
    for (const read of [readTensorBoard, readMlflowFileStore]) {
      await expect(read(missing)).rejects.toThrow(new ImportError(`${missing}: no such file or folder`, missing));
      await expect(read(file)).rejects.toThrow(`${file}: not a folder`);
    }
    for (const read of [readCsv, readMlflowSqlite]) {
      await expect(read(missing)).rejects.toThrow(`${missing}: no such file or folder`);
      await expect(read(dir)).rejects.toThrow(`${dir}: not a file`);
    }
  });

  it('turns a file-system error mid-read into an ImportError naming the file it happened on', async () => {
    const dir = await tempDir();
    const gone = join(dir, 'removed-meanwhile', 'meta.yaml');
    const fsError = await readFile(gone).catch((e: unknown) => e);
    const err = asImportError(fsError, dir);
    expect(err).toBeInstanceOf(ImportError);
    expect(err.file).toBe(gone);
    expect(err.message).toBe(`${gone}: ENOENT: no such file or directory, open '${gone}'`);
    const own = new ImportError('x: bad', 'x');
    expect(asImportError(own, dir)).toBe(own);
  });
});
