import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../contract/events';
import type { ImportCommitResult, ImportPreview } from '../contract/imports';
import { ProjectCreateSchema } from '../contract/projects';
import { dispatch } from '../host/handlers';
import { snapshotTables, tempContext } from '../test/temp-context';

/** Issue 16: the Import dialog's reads and writes run on the worker thread, with progress, and the host keeps serving. */

let ctx: ReturnType<typeof tempContext>;
let projectId: string;
let events: AppEvent[];
let dir: string;
beforeEach(() => {
  ctx = tempContext({ offThread: true, recover: false, watchExperiments: false });
  projectId = ctx.projects.create(ProjectCreateSchema.parse({ title: 'Off thread', phenomenon: 'grokking' })).id;
  events = [];
  ctx.events.subscribe((e) => events.push(e));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-offthread-imports-'));
});
afterEach(() => {
  ctx.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A wide CSV of `rows` steps over four metrics. */
function wideCsv(rows: number): string {
  const file = path.join(dir, 'big.csv');
  const lines = ['step,train_loss,test_loss,train_acc,test_acc'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${Math.cos(i / 997)},${Math.sin(i / 997)},${i / rows},${(rows - i) / rows}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('run imports off the host thread', () => {
  it('previews and stores a 400,000-point CSV on the worker, with reading and writing progress, while the host keeps turning', async () => {
    const file = wideCsv(100_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    const looked = await dispatch(ctx, 'imports:preview', { projectId, path: file });
    expect(looked.ok).toBe(true);
    const preview = (looked as { value: ImportPreview }).value;
    expect(preview.runs.map((r) => [r.name, r.points, r.alreadyImported])).toEqual([['big', 400_000, false]]);
    const stored = await dispatch(ctx, 'imports:commit', { projectId, path: file, expect: preview.runs.map((r) => r.contentHash) });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(stored.ok).toBe(true);
    const result = (stored as { value: ImportCommitResult }).value;
    expect(result.added.map((a) => a.points)).toEqual([400_000]);
    expect(ctx.db.prepare('SELECT count(*) FROM metrics WHERE run_id = ?').pluck().get(result.added[0]!.id)).toBe(400_000);
    const value = ctx.db
      .prepare("SELECT value FROM metrics m JOIN metric_names n ON n.id = m.name_id WHERE n.name = 'test_loss' AND step = 12340")
      .pluck()
      .get();
    expect(value).toBe(Math.sin(12340 / 997));
    const phases = new Set(events.flatMap((e) => (e.type === 'imports:progress' ? [e.phase] : [])));
    expect(phases).toEqual(new Set(['reading', 'writing']));
    // The worker's store wrote over its own connection: the host announces the run.
    expect(events.some((e) => e.type === 'runs:changed' && e.projectId === projectId && e.ids.includes(result.added[0]!.id))).toBe(true);
    // On the host thread the interval could not have run while reading and storing.
    expect(ticks).toBeGreaterThan(ms / 5 / 4);

    const again = await dispatch(ctx, 'imports:preview', { projectId, path: file });
    expect((again as { value: ImportPreview }).value.runs[0]!.alreadyImported).toBe(true);
  }, 60_000);

  it('a malformed file refused on the worker is invalid_input with its file and line, nothing written', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'step,loss\n0,1\n1,x\n');
    const before = snapshotTables(ctx);
    const r = await dispatch(ctx, 'imports:commit', { projectId, path: file, expect: [] });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(!r.ok && r.error.message).toContain(`${file}:3`);
    expect(snapshotTables(ctx)).toEqual(before);
  }, 30_000);
});
