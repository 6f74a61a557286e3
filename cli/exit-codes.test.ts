import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './phenobook';

/** Issue 18, defects 3 and 7: unknown names and ids are invalid arguments (exit 2) everywhere, in plain words. */

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-cli-exit-'));
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
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function runCount(): Promise<number> {
  out = [];
  expect(await run('runs', 'list', '--json')).toBe(0);
  return (JSON.parse(out[0]!) as { runs: unknown[] }).runs.length;
}

describe('defect 3: prototype names on the command line', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('run --preset %s exits 2 like an unknown preset', async (preset) => {
    expect(await run('run', 'grokking-mlp', '--preset', preset)).toBe(2);
    expect(err.join('\n')).toContain(`Unknown preset "${preset}"`);
    expect(await runCount()).toBe(0);
  });

  it.each(['__proto__', 'constructor'])('sweep --preset %s exits 2', async (preset) => {
    expect(await run('sweep', 'double-descent', '--preset', preset, '--grid', 'width=8')).toBe(2);
    expect(err.join('\n')).toContain(`Unknown preset "${preset}"`);
    expect(await runCount()).toBe(0);
  });

  it.each(['__proto__', 'constructor', 'toString', 'foo'])('run --set %s=1 exits 2 (it was ignored for __proto__)', async (key) => {
    expect(await run('run', 'grokking-mlp', '--set', `${key}=1`, '--set', 'steps=5')).toBe(2);
    expect(err.join('\n')).toMatch(new RegExp(`config(\\.${key}: |: Unrecognized key: "${key}")`));
    expect(await runCount()).toBe(0);
  });

  it('sweep --grid __proto__=1 exits 2 naming the knobs', async () => {
    expect(await run('sweep', 'double-descent', '--grid', '__proto__=1,2')).toBe(2);
    expect(err.join('\n')).toContain('has no knob "__proto__"');
  });
});

describe('defect 7: exit codes and plain messages', () => {
  it('--data-dir pointing at a file exits 2 with a plain message (was 1 with a raw EEXIST)', async () => {
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    expect(await main(['projects', 'list', '--data-dir', file])).toBe(2);
    const message = err.join('\n');
    expect(message).toContain(`--data-dir ${file} is a file, not a folder`);
    expect(message).not.toMatch(/EEXIST|mkdir/);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('--data-dir under a file exits 2', async () => {
    const file = path.join(dir, 'plain-file');
    fs.writeFileSync(file, 'x');
    expect(await main(['projects', 'list', '--data-dir', path.join(file, 'sub')])).toBe(2);
    expect(err.join('\n')).toContain(`${file} is a file`);
    expect(err.join('\n')).not.toMatch(/ENOTDIR|mkdir/);
  });

  it('bundle export of an unknown project id exits 2, like run --project with one', async () => {
    const outFile = path.join(dir, 'b.json.gz');
    expect(await run('bundle', 'export', UNKNOWN_ID, '--out', outFile)).toBe(2);
    expect(err.join('\n')).toMatch(/No project|not found|Project/);
    expect(fs.existsSync(outFile)).toBe(false);
    expect(await run('run', 'grokking-mlp', '--project', UNKNOWN_ID)).toBe(2);
  });

  it('runs export of an unknown run id exits 2', async () => {
    expect(await run('runs', 'export', UNKNOWN_ID, '--csv')).toBe(2);
  });
});
