import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExternalRun, ImportError } from '../../common/external-run';
import { readTensorBoard } from './tensorboard';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tensorboard');
const EDGE = join(import.meta.dirname, 'fixtures', 'tensorboard-edge');

interface Expected {
  scalars: Record<string, [number, number][]>;
  hparams: Record<string, unknown> | null;
  /** Tags written in float64 (kept as written, not rounded to float32). */
  double?: string[];
}
const expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;

const byName = (runs: ExternalRun[]): Map<string, ExternalRun> => new Map(runs.map((r) => [r.name, r]));

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

/** A copy of one fixture run in a temp folder, and its event file's path there. */
async function copyRun(run: string): Promise<{ dir: string; eventFile: string }> {
  temp = await mkdtemp(join(tmpdir(), 'tb-import-'));
  const dir = join(temp, run);
  await cp(join(FIXTURES, run), dir, { recursive: true });
  const name = (await readdir(dir)).find((n) => n.startsWith('events.out.tfevents.'))!;
  return { dir, eventFile: join(dir, name) };
}

describe('readTensorBoard on files written by tensorboardX, torch and tensorboard', () => {
  it('reads every run of the tree with the exact steps and float32 values written', async () => {
    const plan = await readTensorBoard(FIXTURES);
    expect(plan.source).toBe('tensorboard');
    const runs = byName(plan.runs);
    // Five folders of runs; the two add_hparams subfolders are folded into their parents.
    expect([...runs.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) {
      const run = runs.get(name)!;
      expect(run.experiment).toBe('tensorboard');
      expect(run.source).toBe('tensorboard');
      expect(run.origin).toBe(join(FIXTURES, name));
      expect(Object.keys(run.metrics).sort()).toEqual(Object.keys(want.scalars).sort());
      for (const [tag, points] of Object.entries(want.scalars)) {
        const exact = want.double?.includes(tag);
        expect(run.metrics[tag], `${name} ${tag}`).toEqual({
          steps: points.map((p) => p[0]),
          values: points.map((p) => (exact ? p[1] : Math.fround(p[1]))),
        });
      }
    }
  });

  it('keeps 0.1 as the float32 it was written as, not as the double 0.1', async () => {
    const run = byName((await readTensorBoard(FIXTURES)).runs).get('tbx-run')!;
    const v = run.metrics['loss/train']!.values[1]!;
    expect(v).toBe(Math.fround(0.1));
    expect(v).not.toBe(0.1);
    expect(run.metrics['loss/train']!.steps[1]).toBe(10);
  });

  it('makes add_hparams config of the parent run, typed as written, with seed', async () => {
    const runs = byName((await readTensorBoard(FIXTURES)).runs);
    const torch = runs.get('torch-hparams')!;
    // torch stores a Python bool as number_value (bool is an int there): the file holds 1.
    expect(expected['torch-hparams']!.hparams!.warmup).toBe(true);
    expect(torch.config).toEqual({ ...expected['torch-hparams']!.hparams, warmup: 1 });
    expect(torch.config).toEqual({ lr: 0.01, batch_size: 64, optimizer: 'adam', weight_decay: 0.1, seed: 3, warmup: 1 });
    expect(torch.seed).toBe(3);
    expect(runs.get('tbx-hparams')!.config).toEqual(expected['tbx-hparams']!.hparams);
    expect(runs.get('tbx-hparams')!.seed).toBe(0);
    expect(runs.get('tbx-run')!.config).toEqual({});
    // No run for the timestamped subfolders.
    expect([...runs.keys()].filter((n) => n.includes('/'))).toEqual([]);
  });

  it('reads one run folder on its own, named after it and grouped under the folder above', async () => {
    const plan = await readTensorBoard(join(FIXTURES, 'torch-hparams'));
    expect(plan.runs).toHaveLength(1);
    const run = plan.runs[0]!;
    expect(run.name).toBe('torch-hparams');
    expect(run.experiment).toBe('tensorboard');
    expect(run.config.optimizer).toBe('adam');
    expect(run.metrics['hparam/accuracy']).toEqual({ steps: [0], values: [Math.fround(0.875)] });
  });

  it('notes each kind of non-scalar summary it skips, once per kind', async () => {
    const plan = await readTensorBoard(join(FIXTURES, 'tbx-run'));
    expect(plan.notes.sort()).toEqual([
      'tbx-run: skipped 1 histogram summary (weights)',
      'tbx-run: skipped 1 image summary (samples)',
      'tbx-run: skipped 1 text summary (notes/text_summary)',
    ]);
  });

  it('hashes content, not place: the same run copied elsewhere hashes alike, another run does not', async () => {
    const runs = byName((await readTensorBoard(FIXTURES)).runs);
    const { dir } = await copyRun('tbx-run');
    const copy = (await readTensorBoard(dir)).runs[0]!;
    expect(copy.contentHash).toBe(runs.get('tbx-run')!.contentHash);
    expect(copy.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([...runs.values()].map((r) => r.contentHash)).size).toBe(runs.size);
  });

  it('refuses a file whose data was changed, naming the file and the byte offset', async () => {
    const { dir, eventFile } = await copyRun('tbx-run');
    const bytes = await readFile(eventFile);
    // The first record (file_version) is 12 + n + 4 bytes; flip a data byte of the second record.
    const firstLength = Number(bytes.readBigUInt64LE(0));
    const second = 12 + firstLength + 4;
    bytes[second + 12 + 3]! ^= 0xff;
    await writeFile(eventFile, bytes);
    const err = await readTensorBoard(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toBe(`${eventFile}: record data CRC mismatch at byte ${second}`);
    expect((err as ImportError).file).toBe(eventFile);
    expect((err as ImportError).at).toEqual({ byteOffset: second });
  });

  it('refuses a changed length field (its own CRC)', async () => {
    const { dir, eventFile } = await copyRun('tbx-run');
    const bytes = await readFile(eventFile);
    bytes[0]! ^= 0x01;
    await writeFile(eventFile, bytes);
    await expect(readTensorBoard(dir)).rejects.toThrow(`${eventFile}: record length CRC mismatch at byte 0`);
  });

  it('refuses a truncated file with the offset of the record cut short', async () => {
    const { dir, eventFile } = await copyRun('tbx-run');
    const bytes = await readFile(eventFile);
    // Walk the records to find where the last one starts, then cut it in the middle.
    let offset = 0;
    let last = 0;
    while (offset < bytes.length) {
      last = offset;
      offset += 12 + Number(bytes.readBigUInt64LE(offset)) + 4;
    }
    await truncate(eventFile, last + 20);
    const err = (await readTensorBoard(dir).catch((e: unknown) => e)) as ImportError;
    expect(err).toBeInstanceOf(ImportError);
    expect(err.message).toMatch(new RegExp(`^${eventFile.replace(/[.]/g, '\\.')}: truncated record at byte ${last}: \\d+ data bytes announced, \\d+ present$`));
    expect(err.at).toEqual({ byteOffset: last });

    await truncate(eventFile, last + 5);
    await expect(readTensorBoard(dir)).rejects.toThrow(`${eventFile}: truncated record header at byte ${last} (5 bytes left, 12 needed)`);
  });

  it('reads a file much larger than one read chunk, records across chunk boundaries, and finds damage far in', async () => {
    const { dir, eventFile } = await copyRun('tbx-run');
    const one = await readFile(eventFile);
    const copies = Math.ceil((3 << 20) / one.length); // > 3 MiB: several 1 MiB chunks
    await writeFile(eventFile, Buffer.concat(Array.from({ length: copies }, () => one)));
    const big = (await readTensorBoard(dir)).runs[0]!;
    const small = byName((await readTensorBoard(FIXTURES)).runs).get('tbx-run')!;
    // The same points written again: last value per step, so the same run.
    expect(big.metrics).toEqual(small.metrics);
    expect(big.contentHash).toBe(small.contentHash);

    const damaged = Buffer.concat(Array.from({ length: copies }, () => one));
    const at = (copies - 2) * one.length; // the first record of the second-to-last copy
    damaged[at + 12]! ^= 0x40;
    await writeFile(eventFile, damaged);
    await expect(readTensorBoard(dir)).rejects.toThrow(`${eventFile}: record data CRC mismatch at byte ${at}`);
  });

  it('reports progress per event file', async () => {
    const seen: [number, number][] = [];
    await readTensorBoard(FIXTURES, (p) => seen.push([p.done, p.total]));
    expect(seen[0]).toEqual([0, 7]);
    expect(seen.at(-1)).toEqual([7, 7]);
  });

  it("keeps the run's own value where the hparams folder's copy differs, and says so", async () => {
    const plan = await readTensorBoard(join(EDGE, 'conflict'));
    expect(plan.runs).toHaveLength(1);
    expect(plan.runs[0]!.config).toEqual({ lr: 0.1 });
    expect(plan.runs[0]!.metrics).toEqual({ 'hparam/accuracy': { steps: [0], values: [0.5] } });
    expect(plan.notes).toEqual([
      `conflict: "hparam/accuracy" in hparams folder ${(await readdir(join(EDGE, 'conflict'))).find((n) => /^\d/.test(n))} differs from the run's own at the same step; the run's values kept`,
    ]);
  });

  it('keeps two add_hparams trials of one writer as two runs, not one merged config', async () => {
    const plan = await readTensorBoard(join(EDGE, 'two-trials'));
    expect(plan.runs.map((r) => [r.name, r.config, r.metrics])).toEqual([
      ['trial-a', { lr: 0.1 }, { 'hparam/acc': { steps: [0], values: [0.25] } }],
      ['trial-b', { lr: 0.2 }, { 'hparam/acc': { steps: [0], values: [0.5] } }],
    ]);
    expect(plan.runs[0]!.experiment).toBe('two-trials');
    expect(plan.notes).toEqual(['two-trials: 2 hparams folders; each kept as its own run', 'two-trials: no scalars or hparams; not imported']);
  });

  it('names runs the same when the folder is given relative or with a trailing slash', async () => {
    const relativeRoot = relative(process.cwd(), FIXTURES) + '/';
    const plan = await readTensorBoard(relativeRoot);
    expect(plan.runs.map((r) => [r.name, r.experiment, r.origin])).toEqual(
      (await readTensorBoard(FIXTURES)).runs.map((r) => [r.name, r.experiment, r.origin]),
    );
    expect(plan.runs).toHaveLength(5);
  });

  it('says so when a folder has no event files', async () => {
    temp = await mkdtemp(join(tmpdir(), 'tb-import-'));
    await expect(readTensorBoard(temp)).rejects.toThrow(`${temp}: no events.out.tfevents.* files in this folder or below`);
  });
});
