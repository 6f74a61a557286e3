import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import type { ImportCommitResult, ImportPreview } from '../contract/imports';
import { ProjectCreateSchema } from '../contract/projects';
import type { Result } from '../contract/result';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';

/** Issue 16: the Import dialog's operations — look at a path (nothing written), then store exactly that. */

const TENSORBOARD = path.join(import.meta.dirname, 'importers/fixtures/tensorboard');

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
let events: AppEvent[];
let dir: string;
beforeEach(() => {
  ctx = tempContext({ recover: false, watchExperiments: false });
  projectId = ctx.projects.create(ProjectCreateSchema.parse({ title: 'Imports', phenomenon: 'grokking' })).id;
  events = [];
  ctx.events.subscribe((e) => events.push(e));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-imports-'));
});
afterEach(() => {
  ctx.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const value = <T>(r: Result<unknown>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
};
const preview = async (p: string) => value<ImportPreview>(await dispatch(ctx, 'imports:preview', { projectId, path: p }));
const commit = (p: string, expect: string[], include?: string[]) => dispatch(ctx, 'imports:commit', { projectId, path: p, expect, include });
const runCount = () => ctx.db.prepare('SELECT count(*) FROM runs').pluck().get();

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('imports:preview', () => {
  it('lists each TensorBoard run with its metrics, points, config and notes, and writes nothing', async () => {
    const before = snapshotTables(ctx);
    const p = await preview(TENSORBOARD);
    expect(snapshotTables(ctx)).toEqual(before);
    expect(p.source).toBe('tensorboard');
    expect(p.path).toBe(TENSORBOARD);
    const byName = Object.fromEntries(p.runs.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['tbwriter-run', 'tbx-hparams', 'tbx-run', 'torch-hparams', 'torch-run']);
    expect(byName['tbx-run']).toMatchObject({ experiment: 'tensorboard', metricCount: 3, points: 12, configCount: 0, alreadyImported: false });
    expect(byName['tbx-run']!.metrics.sort()).toEqual(['acc/test', 'loss/test', 'loss/train']);
    expect(byName['torch-hparams']!.config).toContainEqual({ key: 'optimizer', value: 'adam' });
    expect(byName['torch-hparams']!.config).toContainEqual({ key: 'lr', value: '0.01' });
    expect(byName['torch-hparams']!.points).toBe(5);
    for (const run of p.runs) expect(run.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // No points cross to the renderer.
    expect(JSON.stringify(p)).not.toMatch(/"steps"|"values"/);
    expect(events.some((e) => e.type === 'imports:progress' && e.phase === 'reading')).toBe(true);
  });

  it('trims long config values and counts the keys it leaves out', async () => {
    const file = path.join(dir, 'run.jsonl');
    const config = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'x'.repeat(200)]));
    fs.writeFileSync(file, `${JSON.stringify({ config })}\n{"step": 1, "loss": 0.5}\n`);
    const [run] = (await preview(file)).runs;
    expect(run!.configCount).toBe(30);
    expect(run!.config).toHaveLength(24);
    expect(run!.config[0]!.value.length).toBe(80);
    expect(run!.config[0]!.value.endsWith('…')).toBe(true);
    expect(run!.points).toBe(1);
  });

  it('expands ~/ on the host', async () => {
    const home = fs.mkdtempSync(path.join(os.homedir(), '.phenobook-import-test-'));
    try {
      fs.writeFileSync(path.join(home, 'r.csv'), 'step,loss\n0,1\n1,0.5\n');
      const p = await preview(`~/${path.basename(home)}/r.csv`);
      expect(p.path).toBe(path.join(home, 'r.csv'));
      expect(p.runs.map((r) => [r.name, r.points])).toEqual([['r', 2]]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('imports:commit', () => {
  it('stores what the preview showed; the preview then marks every run already imported and a second commit adds nothing', async () => {
    const first = await preview(TENSORBOARD);
    const hashes = first.runs.map((r) => r.contentHash);
    const result = value<ImportCommitResult>(await commit(TENSORBOARD, hashes));
    expect(result.source).toBe('tensorboard');
    expect(result.added.map((a) => a.name).sort()).toEqual(first.runs.map((r) => r.name).sort());
    expect(result.added.find((a) => a.name === 'tbx-run')?.points).toBe(12);
    expect(result.skipped).toEqual([]);
    expect(runCount()).toBe(5);
    expect(ctx.db.prepare("SELECT count(*) FROM runs WHERE source = 'tensorboard' AND project_id = ?").pluck().get(projectId)).toBe(5);
    expect(events.some((e) => e.type === 'runs:changed' && e.projectId === projectId && e.ids.length === 5)).toBe(true);
    expect(events.some((e) => e.type === 'imports:progress' && e.phase === 'writing' && e.done === e.total)).toBe(true);

    const again = await preview(TENSORBOARD);
    expect(again.runs.every((r) => r.alreadyImported)).toBe(true);
    const before = snapshotTables(ctx);
    const second = value<ImportCommitResult>(await commit(TENSORBOARD, hashes));
    expect(second.added).toEqual([]);
    expect(second.skipped).toHaveLength(5);
    expect(second.skipped.every((s) => s.existingId !== null)).toBe(true);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('stores only the runs included, counting the others as left out', async () => {
    const p = await preview(TENSORBOARD);
    const tbx = p.runs.find((r) => r.name === 'tbx-run')!;
    const result = value<ImportCommitResult>(
      await commit(
        TENSORBOARD,
        p.runs.map((r) => r.contentHash),
        [tbx.contentHash],
      ),
    );
    expect(result.added.map((a) => a.name)).toEqual(['tbx-run']);
    expect(result.leftOut).toBe(4);
    expect(runCount()).toBe(1);
  });

  it('refuses when the file changed after the preview, and writes nothing', async () => {
    const file = csv('curve.csv', 'step,loss\n0,1.0\n1,0.5\n');
    const p = await preview(file);
    fs.writeFileSync(file, 'step,loss\n0,1.0\n1,0.4\n');
    const before = snapshotTables(ctx);
    const r = await commit(
      file,
      p.runs.map((x) => x.contentHash),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!r.ok && r.error.message).toMatch(/changed since you looked.*nothing was imported/);
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('refuses an include that the preview did not show', async () => {
    const file = csv('curve.csv', 'step,loss\n0,1.0\n');
    const p = await preview(file);
    const r = await commit(file, [p.runs[0]!.contentHash], ['f'.repeat(64)]);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(runCount()).toBe(0);
  });

  it('answers not_found for a project that does not exist', async () => {
    const file = csv('curve.csv', 'step,loss\n0,1.0\n');
    const r = await dispatch(ctx, 'imports:preview', { projectId: '99999999-9999-4999-8999-999999999999', path: file });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('refusals', () => {
  it('malformed CSV: invalid_input naming the file and line, nothing written (preview and commit)', async () => {
    const file = csv('bad.csv', 'step,acc\n0,0.1\n1,high\n');
    const before = snapshotTables(ctx);
    for (const r of [await dispatch(ctx, 'imports:preview', { projectId, path: file }), await commit(file, [])]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(!r.ok && r.error.message).toContain(`${file}:3`);
      expect(!r.ok && r.error.message).toMatch(/"high" is not a number/);
    }
    expect(snapshotTables(ctx)).toEqual(before);
  });

  it('a missing path and an unknown kind are invalid_input', async () => {
    const missing = path.join(dir, 'nope');
    expect(await dispatch(ctx, 'imports:preview', { projectId, path: missing })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: `${missing}: no such file or folder` },
    });
    const other = csv('notes.txt', 'hello');
    expect(await dispatch(ctx, 'imports:preview', { projectId, path: other })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it.each([
    ['a relative path', 'runs/logs', /absolute/],
    ['a path with NUL', '/tmp/a\0b', /NUL/],
    ['an empty path', '', /Type the path/],
    ['a path over 4096 characters', `/${'a'.repeat(4096)}`, /longer than 4096/],
  ])('%s is invalid_input before anything is read', async (_, p, message) => {
    for (const r of [await dispatch(ctx, 'imports:preview', { projectId, path: p }), await commit(p, [])]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(!r.ok && r.error.message).toMatch(message);
    }
  });

  it('expect must be content hashes', async () => {
    const r = await dispatch(ctx, 'imports:commit', { projectId, path: '/tmp/x.csv', expect: ['nothex'] });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
