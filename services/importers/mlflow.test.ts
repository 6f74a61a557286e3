import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExternalRun, ImportError } from '../../common/external-run';
import { isMlflowDatabase, readMlflowFileStore, readMlflowSqlite } from './mlflow';
import { buildMlflowDb, MLFLOW_RUN_IDS } from './mlflow-db.fixture';

const MLRUNS = join(import.meta.dirname, 'fixtures', 'mlflow', 'mlruns');
const [RUN1, RUN2] = MLFLOW_RUN_IDS;

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});
const tempDir = async (): Promise<string> => (temp = await mkdtemp(join(tmpdir(), 'mlflow-import-')));

/** The two fixture runs as both stores must give them. */
function expectFixtureRuns(runs: ExternalRun[]): void {
  expect(runs.map((r) => r.name)).toEqual(['wd0.1-seed1', 'wd0-seed2']);
  const [a, b] = runs as [ExternalRun, ExternalRun];
  for (const r of runs) {
    expect(r.experiment).toBe('grokking-wd-sweep');
    expect(r.source).toBe('mlflow');
  }
  expect(a.config).toEqual({ eps: 1e-8, lr: 0.001, optimizer: 'adamw', seed: 1, weight_decay: 0.1 });
  expect(a.seed).toBe(1);
  expect(a.metrics).toEqual({
    accuracy: { steps: [0, 200], values: [0.01, 1] },
    'loss/test': { steps: [0, 100, 200], values: [2.35, 1.9, 0.07] },
    'loss/train': { steps: [0, 100, 200], values: [2.31, 0.52, 0.013] },
  });
  expect(b.config).toEqual({ lr: 0.001, optimizer: 'adamw', seed: 2, weight_decay: 0 });
  expect(b.seed).toBe(2);
  // Step 100 logged twice: the later value; NaN: a missing value.
  expect(b.metrics['loss/train']).toEqual({ steps: [0, 100, 200], values: [2.29, 0.6, null] });
  expect(b.metrics['loss/test']).toEqual({ steps: [0, 100, 200], values: [2.33, 2.1, 2] });
  expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
  expect(a.contentHash).not.toBe(b.contentHash);
}

describe('readMlflowFileStore', () => {
  it('reads the mlruns root: every live run, named, grouped by experiment, params as config', async () => {
    const plan = await readMlflowFileStore(MLRUNS);
    expect(plan.source).toBe('mlflow');
    expectFixtureRuns(plan.runs);
    expect(plan.runs[0]!.origin).toBe(join(MLRUNS, '1', RUN1));
    // .trash is never read; the failed run is imported and noted.
    expect(plan.notes).toEqual(['wd0-seed2: MLflow status FAILED']);
  });

  it('reads one experiment folder, or one run folder, alike', async () => {
    expectFixtureRuns((await readMlflowFileStore(join(MLRUNS, '1'))).runs);
    const one = await readMlflowFileStore(join(MLRUNS, '1', RUN2));
    expect(one.runs).toHaveLength(1);
    expect(one.runs[0]!.name).toBe('wd0-seed2');
    expect(one.runs[0]!.experiment).toBe('grokking-wd-sweep');
  });

  it('hashes content alike wherever the store lies', async () => {
    const dir = join(await tempDir(), 'elsewhere');
    await cp(MLRUNS, dir, { recursive: true });
    const [here, there] = [await readMlflowFileStore(MLRUNS), await readMlflowFileStore(dir)];
    expect(there.runs.map((r) => r.contentHash)).toEqual(here.runs.map((r) => r.contentHash));
  });

  it('reads a long metric history (200,000 lines) in full', async () => {
    const dir = join(await tempDir(), 'mlruns');
    await cp(MLRUNS, dir, { recursive: true });
    const lines = Array.from({ length: 200_000 }, (_, i) => `${1765000401000 + i} ${i / 4} ${i}`);
    await writeFile(join(dir, '1', RUN1, 'metrics', 'accuracy'), lines.join('\n') + '\n');
    const run = (await readMlflowFileStore(join(dir, '1', RUN1))).runs[0]!;
    expect(run.metrics.accuracy!.steps.length).toBe(200_000);
    expect(run.metrics.accuracy!.values[199_999]).toBe(199_999 / 4);
  });

  it('refuses a malformed metric line with file:line and returns nothing', async () => {
    const dir = join(await tempDir(), 'mlruns');
    await cp(MLRUNS, dir, { recursive: true });
    const file = join(dir, '1', RUN1, 'metrics', 'loss', 'train');
    await writeFile(file, '1765000401000 2.31 0\n1765000402000 0.52\tabc\n');
    const err = (await readMlflowFileStore(dir).catch((e: unknown) => e)) as ImportError;
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toBe(`${file}:2: expected "timestamp value step", found "1765000402000 0.52\tabc"`);
    expect(err.at).toEqual({ line: 2 });
    await writeFile(file, '1765000401000 2.31 0 7\n');
    await expect(readMlflowFileStore(dir)).rejects.toThrow(`${file}:1: expected "timestamp value step"`);
  });

  it('refuses a folder that is no MLflow store', async () => {
    const dir = await tempDir();
    await expect(readMlflowFileStore(dir)).rejects.toThrow(`${dir}: not an MLflow file store`);
  });
});

describe('readMlflowSqlite', () => {
  it('reads the runs of an MLflow tracking database as the file store gives them, hashes included', async () => {
    const path = join(await tempDir(), 'mlflow.db');
    buildMlflowDb(path);
    const plan = await readMlflowSqlite(path);
    expect(plan.source).toBe('mlflow');
    expectFixtureRuns(plan.runs);
    expect(plan.runs[0]!.origin).toBe(`${path} (run ${RUN1})`);
    expect(plan.notes).toEqual(['wd0-seed2: MLflow status FAILED', 'discarded: deleted in MLflow; not imported']);
    // Same content as the file-store fixture, so the same hashes: re-importing via the other store is a no-op.
    const fromFiles = await readMlflowFileStore(MLRUNS);
    expect(plan.runs.map((r) => r.contentHash)).toEqual(fromFiles.runs.map((r) => r.contentHash));
  });

  it('leaves the database file byte for byte as it was, with no journal beside it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'mlflow.db');
    buildMlflowDb(path);
    const before = await readFile(path);
    await readMlflowSqlite(path);
    expect(await isMlflowDatabase(path)).toBe(true);
    expect((await readFile(path)).equals(before)).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['mlflow.db']);
  });

  it('leaves a database in WAL mode unchanged too (SQLite may add its -wal/-shm files beside it)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'mlflow.db');
    buildMlflowDb(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.close();
    const before = await readFile(path);
    expectFixtureRuns((await readMlflowSqlite(path)).runs);
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('refuses an SQLite file without the MLflow tables, and a file that is not SQLite', async () => {
    const dir = await tempDir();
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE runs (id TEXT)');
    db.close();
    expect(await isMlflowDatabase(other)).toBe(false);
    await expect(readMlflowSqlite(other)).rejects.toThrow(`${other}: not an MLflow tracking database (no table experiments, params, metrics, tags)`);
    const text = join(dir, 'notes.db');
    await writeFile(text, 'just some text that is long enough to pass the size check '.repeat(3));
    expect(await isMlflowDatabase(text)).toBe(false);
    await expect(readMlflowSqlite(text)).rejects.toThrow(ImportError);
  });
});
