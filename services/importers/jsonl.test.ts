import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportError } from '../../common/external-run';
import { readJsonLines } from './jsonl';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-jsonl-'));
  fs.mkdirSync(path.join(dir, 'grokking-sweep'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = path.join(dir, 'grokking-sweep', name);
  fs.writeFileSync(file, text);
  return file;
};

describe('readJsonLines', () => {
  it('reads one run: config lines merged, series sorted by step, NaN as null, a repeated step keeps its last value', async () => {
    const text = [
      '{"config": {"lr": 0.01}}',
      '{"step": 20, "train_loss": 0.5, "test_acc": 0.4}',
      '',
      '{"step": 0, "train_loss": 2.0}',
      '{"config": {"seed": 3}}',
      '{"step": 10, "train_loss": NaN}',
      '{"step": 20, "test_acc": 0.45}',
    ].join('\n');
    const file = write('lr0.01.jsonl', `${text}\n`);
    const plan = await readJsonLines(file);
    expect(plan).toEqual({
      source: 'jsonl',
      notes: [],
      runs: [
        {
          name: 'lr0.01',
          experiment: 'grokking-sweep',
          source: 'jsonl',
          origin: file,
          config: { lr: 0.01, seed: 3 },
          seed: 3,
          metrics: {
            train_loss: { steps: [0, 10, 20], values: [2, null, 0.5] },
            test_acc: { steps: [20], values: [0.45] },
          },
          contentHash: createHash('sha256').update(`${text}\n`).digest('hex'),
        },
      ],
    });
  });

  it('gives the same content hash to the same bytes wherever they lie, another to other bytes', async () => {
    const a = await readJsonLines(write('a.jsonl', '{"step": 1, "loss": 1}\n'));
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    const copy = path.join(dir, 'elsewhere', 'b.jsonl');
    fs.writeFileSync(copy, '{"step": 1, "loss": 1}\n');
    const b = await readJsonLines(copy);
    const c = await readJsonLines(write('c.jsonl', '{"step": 1, "loss": 2}\n'));
    expect(b.runs[0]!.contentHash).toBe(a.runs[0]!.contentHash);
    expect(c.runs[0]!.contentHash).not.toBe(a.runs[0]!.contentHash);
  });

  it('refuses a malformed line naming file:line', async () => {
    const file = write('bad.jsonl', '{"step": 1, "loss": 1}\n\nepoch 2 done\n{"step": 3, "loss": 0.5}\n');
    const err = await readJsonLines(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toBe(`${file}:3: not a metric line (a JSON object with a whole-number "step", or {"config": {…}}): epoch 2 done`);
    expect((err as ImportError).at).toEqual({ line: 3 });
    expect((err as ImportError).file).toBe(file);
  });

  it('notes a file without metric lines, and refuses a missing file', async () => {
    const empty = write('empty.jsonl', '\n');
    expect((await readJsonLines(empty)).notes).toEqual([`${empty}: no metric lines`]);
    await expect(readJsonLines(path.join(dir, 'nope.jsonl'))).rejects.toThrow(/Cannot read .*nope\.jsonl: ENOENT/);
  });
});
