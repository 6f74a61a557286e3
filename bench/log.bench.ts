/**
 * `phenobook log`, piped form: metric points per second from a script's stdout into SQLite, against
 * the same script writing to /dev/null (what the script itself can print: phenobook log should
 * never be what slows it). Every point is checked to have been stored.
 *
 *   npx tsx bench/log.bench.ts [--quick]
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

/** A stand-in training script that prints `points` JSON lines as fast as it can. */
const generator = (points: number) => `
  const names = ${JSON.stringify(METRICS)};
  let out = [];
  for (let step = 0; step < ${points}; step++) {
    const line = { step };
    for (let j = 0; j < names.length; j++) line[names[j]] = Math.sin(step + j);
    out.push(JSON.stringify(line));
    if (out.length === 1000) { process.stdout.write(out.join('\\n') + '\\n'); out = []; }
  }
  if (out.length) process.stdout.write(out.join('\\n') + '\\n');
`;

function timeShell(command: string): number {
  const t0 = performance.now();
  const r = spawnSync('/bin/sh', ['-c', command], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command.slice(0, 120)}… exited ${r.status}: ${r.stderr.slice(-500)}`);
  return (performance.now() - t0) / 1000;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function benchLog(opts: { quick?: boolean; log?: (line: string) => void } = {}): BenchRow[] {
  const points = opts.quick ? 50_000 : 200_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-bench-log-'));
  const gen = path.join(dir, 'gen.js');
  fs.writeFileSync(gen, generator(points));
  try {
    const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
    const projectId = ctx.projects.create(ProjectCreateSchema.parse({ title: 'bench', phenomenon: 'other' })).id;
    ctx.close();
    const node = quote(process.execPath);
    const alone = timeShell(`${node} ${quote(gen)} > /dev/null`);
    opts.log?.(`${points} points to /dev/null: ${alone.toFixed(2)} s`);
    const cli = `${node} ${quote(path.join(ROOT, 'bin', 'phenobook.js'))} log --data-dir ${quote(dir)} --project ${projectId} --name bench --json`;
    const piped = timeShell(`${node} ${quote(gen)} | ${cli} > /dev/null`);
    opts.log?.(`${points} points through phenobook log: ${piped.toFixed(2)} s`);
    // Nothing lost on the way.
    const check = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
    const rows = check.db.prepare('SELECT count(*) FROM metrics').pluck().get() as number;
    check.close();
    if (rows !== points * METRICS.length) throw new Error(`stored ${rows} metric rows of ${points * METRICS.length}`);
    // The database side alone, measured now (a busy machine moves both alike).
    const raw = benchIngest(rows);
    opts.log?.(`RunsRepo.insertMetrics alone: ${Math.round(raw.ours).toLocaleString('en')} rows/s`);
    return [
      {
        name: `phenobook log, piped (${points.toLocaleString('en')} points × ${METRICS.length} metrics, CLI start included)`,
        ours: points / piped,
        unit: 'points/s',
        reference: points / alone,
        referenceLabel: 'the same script printing to /dev/null',
        higherIsBetter: true,
      },
      {
        name: 'phenobook log, piped: metric rows stored per second',
        ours: rows / piped,
        unit: 'rows/s',
        reference: raw.ours,
        referenceLabel: 'RunsRepo.insertMetrics alone, 10k-row transactions, measured just after',
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
  for (const r of benchLog({ quick: process.argv.includes('--quick'), log: (l) => console.error(`  … ${l}`) })) {
    console.log(`${r.name}: ${Math.round(r.ours).toLocaleString('en')} ${r.unit}; reference ${Math.round(r.reference ?? 0).toLocaleString('en')} ${r.unit} (${r.referenceLabel})`);
  }
}
