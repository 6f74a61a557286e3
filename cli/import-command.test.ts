import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../host/handlers';
import { createAppContext } from '../services/app-context';
import { snapshotTables } from '../test/temp-context';
import { main } from './phenobook';

let dir: string;
let projectId: string;
let out: string[];
let err: string[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-import-'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
  const r = await dispatch(ctx, 'projects:create', { title: 'Imports', phenomenon: 'other' });
  if (!r.ok) throw new Error(r.error.message);
  projectId = (r.value as { id: string }).id;
  ctx.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tables = () => {
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
  try {
    return snapshotTables(ctx);
  } finally {
    ctx.close();
  }
};

describe('phenobook import FILE.jsonl', () => {
  it('imports once: the same content again is skipped and changes nothing', async () => {
    const file = path.join(dir, 'seed3.jsonl');
    fs.writeFileSync(file, '{"config": {"seed": 3}}\n{"step": 0, "loss": 1}\n{"step": 5, "loss": 0.5}\n');
    expect(await main(['import', file, '--project', projectId, '--json', '--data-dir', dir])).toBe(0);
    const first = JSON.parse(out[0]!) as { added: { id: string; name: string; points: number }[]; skipped: unknown[] };
    expect(first.added).toMatchObject([{ name: 'seed3', points: 2 }]);
    expect(first.skipped).toEqual([]);

    out = [];
    expect(await main(['runs', 'list', '--project', projectId, '--json', '--data-dir', dir])).toBe(0);
    expect(JSON.parse(out[0]!).runs).toMatchObject([{ id: first.added[0]!.id, source: 'jsonl', origin: file, name: 'seed3', seed: 3, status: 'done', stepsTotal: 5 }]);

    const before = tables();
    out = [];
    expect(await main(['import', file, '--project', projectId, '--data-dir', dir])).toBe(0);
    expect(out[0]).toBe(`Skipped seed3: this project already has that content (run ${first.added[0]!.id})`);
    expect(tables()).toEqual(before);
  });

  it('a malformed line: exit 2 naming file:line, nothing written', async () => {
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, '{"step": 0, "loss": 1}\n{"step": 1, "loss": \n');
    const before = tables();
    expect(await main(['import', file, '--project', projectId, '--data-dir', dir])).toBe(2);
    expect(err[0]).toContain(`phenobook: ${file}:2: not a metric line`);
    expect(tables()).toEqual(before);
  });

  it('imports what the importers read (a CSV file here) through the same store, once', async () => {
    const csv = path.join(import.meta.dirname, '..', 'services', 'importers', 'fixtures', 'csv', 'wide-run.csv');
    expect(await main(['import', csv, '--project', projectId, '--json', '--data-dir', dir])).toBe(0);
    const first = JSON.parse(out[0]!) as { source: string; added: { id: string; points: number }[] };
    expect(first.source).toBe('csv');
    expect(first.added).toHaveLength(1);
    out = [];
    expect(await main(['runs', 'list', '--project', projectId, '--json', '--data-dir', dir])).toBe(0);
    const [run] = JSON.parse(out[0]!).runs as { id: string; source: string; origin: string; stepsTotal: number; final: Record<string, number | null> }[];
    expect(run).toMatchObject({ id: first.added[0]!.id, source: 'csv', stepsTotal: 300, final: { train_loss: 0.005, test_acc: 0.99 } });
    expect(run!.origin).toContain('wide-run.csv');
    out = [];
    expect(await main(['import', csv, '--project', projectId, '--json', '--data-dir', dir])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ added: [], skipped: [{ existingId: first.added[0]!.id }] });
  });

  it('a path no importer reads: exit 2 saying so', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'hello\n');
    expect(await main(['import', file, '--project', projectId, '--data-dir', dir])).toBe(2);
    expect(err[0]).toContain('not a TensorBoard log, MLflow store, or CSV file');
  });

  it('an unknown project: exit 2, nothing written', async () => {
    const file = path.join(dir, 'ok.jsonl');
    fs.writeFileSync(file, '{"step": 0, "loss": 1}\n');
    const before = tables();
    expect(await main(['import', file, '--project', '00000000-0000-4000-8000-000000000000', '--data-dir', dir])).toBe(2);
    expect(err[0]).toMatch(/^phenobook: No project 00000000-0000-4000-8000-000000000000 in this data folder/);
    expect(tables()).toEqual(before);
  });
});
