/**
 * `phenobook import` of a million points: a wide CSV (250,000 steps × 4 metrics) through the built
 * CLI, start to stored, against storing the same rows with RunsRepo.insertMetrics alone (what the
 * database side can take here). Every point is checked to have been stored; a second import of the
 * same file must add nothing.
 *
 *   npx tsx bench/import.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProjectCreateSchema } from '../contract/projects';
import { createAppContext } from '../services/app-context';
import { benchIngest, type BenchRow } from './host.bench';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const METRICS = ['train_loss', 'test_loss', 'train_acc', 'test_acc'];

function writeCsv(file: string, steps: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `step,${METRICS.join(',')}\n`);
    let chunk: string[] = [];
    for (let step = 0; step < steps; step++) {
      chunk.push(`${step},${METRICS.map((_, j) => Math.sin(step * 0.001 + j).toPrecision(9)).join(',')}`);
      if (chunk.length === 10_000) {
        fs.writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

function importOnce(dir: string, projectId: string, file: string): { seconds: number; added: number; skipped: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'phenobook.js'), 'import', file, '--project', projectId, '--data-dir', dir, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`phenobook import exited ${r.status}: ${r.stderr.slice(-500)}`);
  const out = JSON.parse(r.stdout) as { added: unknown[]; skipped: unknown[] };
  return { seconds, added: out.added.length, skipped: out.skipped.length };
}

export function benchImport(opts: { quick?: boolean; log?: (line: string) => void } = {}): BenchRow[] {
  const steps = opts.quick ? 50_000 : 250_000;
  const points = steps * METRICS.length;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-bench-import-'));
  try {
    const file = path.join(dir, 'history.csv');
    writeCsv(file, steps);
    const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
    const projectId = ctx.projects.create(ProjectCreateSchema.parse({ title: 'bench', phenomenon: 'other' })).id;
    ctx.close();
    const first = importOnce(dir, projectId, file);
    opts.log?.(`${points} points (${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB of CSV) imported in ${first.seconds.toFixed(2)} s`);
    const again = importOnce(dir, projectId, file);
    opts.log?.(`the same file again: ${again.added} added, ${again.skipped} skipped, ${again.seconds.toFixed(2)} s`);
    const check = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
    const rows = check.db.prepare('SELECT count(*) FROM metrics').pluck().get() as number;
    check.close();
    if (first.added !== 1 || again.added !== 0 || rows !== points) throw new Error(`stored ${rows} of ${points} rows; added ${first.added} then ${again.added}`);
    const raw = benchIngest(points);
    return [
      {
        name: `phenobook import, a wide CSV of ${points.toLocaleString('en')} points (CLI start, parse, hash, store)`,
        ours: points / first.seconds,
        unit: 'points/s',
        reference: raw.ours,
        referenceLabel: `RunsRepo.insertMetrics alone, 10k-row transactions (${first.seconds.toFixed(1)} s in all; again: nothing added in ${again.seconds.toFixed(1)} s)`,
        higherIsBetter: true,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { ensureBuilt } = await import('../scripts/build-if-stale.mjs');
  ensureBuilt();
  for (const r of benchImport({ quick: process.argv.includes('--quick'), log: (l) => console.error(`  … ${l}`) })) {
    console.log(`${r.name}: ${Math.round(r.ours).toLocaleString('en')} ${r.unit} vs ${Math.round(r.reference ?? 0).toLocaleString('en')} — ${r.referenceLabel}`);
  }
}
