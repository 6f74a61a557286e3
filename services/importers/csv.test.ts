import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportError } from '../../common/external-run';
import { MAX_CSV_BYTES, readCsv } from './csv';

const CSV = join(import.meta.dirname, 'fixtures', 'csv');

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});
async function tempFile(name: string, text: string): Promise<string> {
  temp ??= await mkdtemp(join(tmpdir(), 'csv-import-'));
  const path = join(temp, name);
  await writeFile(path, text);
  return path;
}

describe('readCsv shapes', () => {
  it('wide: one run named after the file, one series per column, empty cells missing', async () => {
    const file = join(CSV, 'wide-run.csv');
    const plan = await readCsv(file);
    expect(plan.source).toBe('csv');
    expect(plan.notes).toEqual([]);
    expect(plan.runs).toHaveLength(1);
    const run = plan.runs[0]!;
    expect(run).toMatchObject({ name: 'wide-run', experiment: 'csv', source: 'csv', origin: file, config: {}, seed: 0 });
    expect(run.metrics).toEqual({
      train_loss: { steps: [0, 100, 200, 300], values: [2.3, 0.5, 0.01, 0.005] },
      test_loss: { steps: [0, 100, 200, 300], values: [2.31, 1.9, 0.08, 0.02] },
      test_acc: { steps: [0, 100, 300], values: [0.1, 0.35, 0.99] },
    });
  });

  it('long with a run column: one run per run value, grouped under the file name', async () => {
    const plan = await readCsv(join(CSV, 'sweep-long.csv'));
    expect(plan.runs.map((r) => [r.name, r.experiment])).toEqual([
      ['wd0-seed1', 'sweep-long'],
      ['wd0.1-seed1', 'sweep-long'],
    ]);
    expect(plan.runs[1]!.metrics).toEqual({
      acc: { steps: [0, 100], values: [0.1, 0.5] },
      loss: { steps: [0, 100], values: [2.3, 0.4] },
    });
    expect(plan.runs[0]!.metrics).toEqual({
      acc: { steps: [100], values: [0.12] },
      loss: { steps: [0, 100], values: [2.31, 1.7] },
    });
  });

  it('wide with a run column: one run per run value', async () => {
    const file = await tempFile('grid.csv', 'run,step,loss\nlr0.1,0,2\nlr0.01,0,2.5\nlr0.1,10,1\n');
    const plan = await readCsv(file);
    expect(plan.runs.map((r) => [r.name, r.experiment, r.metrics])).toEqual([
      ['lr0.01', 'grid', { loss: { steps: [0], values: [2.5] } }],
      ['lr0.1', 'grid', { loss: { steps: [0, 10], values: [2, 1] } }],
    ]);
  });

  it('a byte-order mark and Windows line endings (as Excel saves) read like plain text', async () => {
    const file = await tempFile('excel.csv', '\uFEFFStep,Loss\r\n0,1.5\r\n10,0.25\r\n');
    const plan = await readCsv(file);
    expect(plan.runs[0]!.metrics).toEqual({ Loss: { steps: [0, 10], values: [1.5, 0.25] } });
    const err = await readCsv(await tempFile('excel-bad.csv', '\uFEFFstep,loss\r\n0,1\r\n1,x\r\n')).catch((e: unknown) => e);
    expect((err as ImportError).message).toMatch(/:3: column "loss": "x" is not a number$/);
  });

  it('long without a run column is one run named after the file', async () => {
    const file = await tempFile('probe.csv', 'step,metric,value\n5,eff_params,12.5\n1,eff_params,30\n');
    const plan = await readCsv(file);
    expect(plan.runs.map((r) => r.name)).toEqual(['probe']);
    expect(plan.runs[0]!.metrics).toEqual({ eff_params: { steps: [1, 5], values: [30, 12.5] } });
  });

  it("W&B history: _step as step, _-prefixed columns skipped, empty cells missing and NaN null", async () => {
    const plan = await readCsv(join(CSV, 'wandb-history.csv'));
    expect(plan.notes).toEqual(['wandb-history: skipped columns _runtime, _timestamp']);
    expect(plan.runs[0]!.name).toBe('wandb-history');
    expect(plan.runs[0]!.metrics).toEqual({
      lr: { steps: [0, 1, 2, 3, 4], values: [0.001, 0.001, 0.0009, 0.0009, 0.0008] },
      'train/loss': { steps: [0, 1, 2, 3, 4], values: [2.302, 2.1, 1.95, null, 1.7] },
      'val/acc': { steps: [2, 4], values: [0.21, 0.34] },
    });
  });

  it('hashes content only: the same series in another file name and row order hash alike', async () => {
    const a = (await readCsv(join(CSV, 'wide-run.csv'))).runs[0]!;
    const file = await tempFile(
      'renamed.csv',
      'test_acc,step,test_loss,train_loss\n0.99,300,0.02,0.005\n,200,0.08,0.01\n0.1,0,2.31,2.3\n0.35,100,1.9,0.5\n',
    );
    const b = (await readCsv(file)).runs[0]!;
    expect(b.name).toBe('renamed');
    expect(b.contentHash).toBe(a.contentHash);
  });
});

describe('readCsv refuses', () => {
  const refusal = async (text: string): Promise<ImportError> => {
    const file = await tempFile('bad.csv', text);
    const err = await readCsv(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    return err as ImportError;
  };

  it('a file without a step column', async () => {
    const err = await refusal('epoch,loss\n1,0.5\n');
    expect(err.message).toBe(`${err.file}:1: no step column (expected "step", or W&B's "_step"; header: epoch,loss)`);
  });

  it('a value that is not a number, with its line and column', async () => {
    const err = await refusal('step,loss,acc\n0,0.5,0.1\n1,0.4,high\n');
    expect(err.message).toBe(`${err.file}:3: column "acc": "high" is not a number`);
    expect(err.at).toEqual({ line: 3 });
  });

  it('a step that is not a whole number', async () => {
    const err = await refusal('step,loss\n0,0.5\n,0.4\n');
    expect(err.message).toBe(`${err.file}:3: column "step": "" is not a whole-number step`);
  });

  it('two different values for one metric at one step (the same value twice is fine)', async () => {
    const err = await refusal('step,name,value\n0,loss,0.5\n0,loss,0.5\n1,loss,0.4\n1,loss,0.3\n');
    expect(err.message).toBe(`${err.file}:5: "loss" has two values at step 1 (0.4 and 0.3)`);
  });

  it('a row with more cells than the header, with csv-parse’s own words and the line', async () => {
    const err = await refusal('step,loss\n0,0.5\n1,0.4,9\n');
    expect(err.message).toMatch(new RegExp(`^${err.file.replace(/[.]/g, '\\.')}:3: Invalid Record Length`));
  });

  it('a file over the size limit, before reading it', async () => {
    temp = await mkdtemp(join(tmpdir(), 'csv-import-'));
    const file = join(temp, 'huge.csv');
    await writeFile(file, 'step,loss\n');
    await truncate(file, 2 * 1024 ** 3); // sparse: no 2 GB written
    expect(MAX_CSV_BYTES).toBe(1024 ** 3);
    await expect(readCsv(file)).rejects.toThrow(`${file}: 2.0 GiB is over the 1 GiB limit for a CSV import; split the file`);
  });
});

describe('readCsv at scale', () => {
  it('streams a million-point wide CSV', async () => {
    temp = await mkdtemp(join(tmpdir(), 'csv-import-'));
    const file = join(temp, 'big.csv');
    const rows = 250_000;
    const out = createWriteStream(file);
    out.write('step,a,b,c,d\n');
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      chunk += `${i},${i * 0.5},${1 / (i + 1)},${i % 7},${-i}\n`;
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
    let lastProgress = { done: 0, total: 0 };
    const started = performance.now();
    const plan = await readCsv(file, (p) => (lastProgress = p));
    const seconds = (performance.now() - started) / 1000;
    const run = plan.runs[0]!;
    const points = Object.values(run.metrics).reduce((n, s) => n + s.steps.length, 0);
    expect(points).toBe(1_000_000);
    expect(run.metrics.c!.values[rows - 1]).toBe((rows - 1) % 7);
    expect(run.metrics.b!.steps[rows - 1]).toBe(rows - 1);
    expect(lastProgress.done).toBe(lastProgress.total);
    console.log(`1M CSV points read in ${seconds.toFixed(2)} s`);
  }, 60_000);
});
