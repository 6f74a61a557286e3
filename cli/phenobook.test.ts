import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../host/handlers';
import { createAppContext } from '../services/app-context';
import { main } from './phenobook';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-cli-'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main([...args, '--data-dir', dir]);

describe('phenobook runs list', () => {
  it('tells runs apart by the config fields that differ, and --json carries each run\'s config', async () => {
    // Two queued runs (nothing trains here), same seed, differing only in weight decay.
    const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
    for (const weightDecay of [0, 1]) {
      const r = await dispatch(ctx, 'runs:start', { experiment: 'grokking-mlp', config: { weightDecay, steps: 100 } });
      expect(r.ok).toBe(true);
    }
    ctx.close();

    expect(await run('runs', 'list')).toBe(0);
    expect(out).toHaveLength(2);
    expect(out.map((l) => l.match(/grokking-mlp {2}(weightDecay \d) {2}seed 0/)?.[1]).sort()).toEqual(['weightDecay 0', 'weightDecay 1']);

    out = [];
    expect(await run('runs', 'list', '--json')).toBe(0);
    const { runs } = JSON.parse(out[0]!) as { runs: { config: Record<string, unknown> }[] };
    expect(runs.map((r) => [r.config.weightDecay, r.config.steps, r.config.seed]).sort()).toEqual([
      [0, 100, 0],
      [1, 100, 0],
    ]);
  });
});

describe('phenobook projects', () => {
  it('creates a project and prints exactly one JSON document with its id', async () => {
    expect(await run('projects', 'create', '--title', 'Grokking', '--phenomenon', 'grokking', '--json')).toBe(0);
    expect(out).toHaveLength(1);
    const doc = JSON.parse(out[0]!);
    expect(doc.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(doc.project).toMatchObject({ title: 'Grokking', phenomenon: 'grokking' });
  });

  it('lists what was created, in the same database the app uses', async () => {
    await run('projects', 'create', '--title', 'One', '--tag', 'a', '--tag', 'b');
    out = [];
    expect(await run('projects', 'list', '--json')).toBe(0);
    const { projects } = JSON.parse(out[0]!);
    expect(projects.map((p: { title: string; tags: string[] }) => [p.title, p.tags])).toEqual([['One', ['a', 'b']]]);
    expect(fs.existsSync(path.join(dir, 'phenobook.sqlite'))).toBe(true);
  });

  it('exits 2 naming the field and the allowed values for a bad phenomenon, writing nothing', async () => {
    expect(await run('projects', 'create', '--title', 'X', '--phenomenon', 'magic')).toBe(2);
    expect(err.join('\n')).toMatch(/phenomenon: Phenomenon must be one of: grokking, double-descent, lottery-ticket, other/);
    out = [];
    await run('projects', 'list', '--json');
    expect(JSON.parse(out[0]!).projects).toEqual([]);
  });

  it('exits 2 for a missing title, an unknown flag or an unknown command', async () => {
    expect(await run('projects', 'create')).toBe(2);
    expect(err.join('\n')).toContain('title: Title is required');
    expect(await run('projects', 'create', '--title', 'x', '--colour', 'red')).toBe(2);
    expect(await run('frobnicate')).toBe(2);
  });

  it('exits 1 with a clear message when the database is from a newer app', async () => {
    await run('projects', 'create', '--title', 'x');
    const file = path.join(dir, 'phenobook.sqlite');
    const bytes = fs.readFileSync(file);
    bytes.writeUInt32BE(9999, 60); // user_version in the header
    fs.writeFileSync(file, bytes);
    expect(await run('projects', 'list')).toBe(1);
    expect(err.join('\n')).toMatch(/newer Phenobook/);
  });
});

describe('phenobook sweep and data arguments', () => {
  it('parses --grid axes with typed values', async () => {
    const { parseGrid } = await import('./phenobook');
    expect(parseGrid(['width=8,16', 'decay=true,false', 'act=relu,gelu'])).toEqual([
      { key: 'width', values: [8, 16] },
      { key: 'decay', values: [true, false] },
      { key: 'act', values: ['relu', 'gelu'] },
    ]);
  });

  it('exits 2 for a malformed grid or bad mnist1d arguments, writing nothing', async () => {
    expect(await run('sweep', 'grokking-mlp', '--grid', 'width')).toBe(2);
    expect(err.join('\n')).toContain('--grid expects key=v1,v2');
    const file = path.join(dir, 'm.json');
    expect(await run('data', 'mnist1d', '--set', 'numSamples=0', '--out', file)).toBe(2);
    expect(err.join('\n')).toContain('numSamples must be an integer from 1 to 1000000');
    expect(await run('data', 'mnist1d', '--set', 'colour=red', '--out', file)).toBe(2);
    expect(await run('data', 'cifar', '--out', file)).toBe(2);
    expect(fs.existsSync(file)).toBe(false);
  });
});
