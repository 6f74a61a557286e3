/**
 * Host-side figures: metric ingest into SQLite, drawing-side downsampling of a long series, and
 * the host's worst event-loop lag while a real run trains in a trainer process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { downsampleMinMax } from '../common/downsample';
import { RunStartSchema, type MetricPoint } from '../contract/runs';
import { RunsRepo } from '../db/runs.repo';
import { createAppContext } from '../services/app-context';
import { forkTrainer } from '../services/fork-trainer';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchRow {
  name: string;
  ours: number;
  unit: string;
  reference: number | null;
  referenceLabel: string;
  /** true when bigger is better (ratio = ours / reference), false when smaller is. */
  higherIsBetter: boolean;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-bench-'));
}

/** Rows per second written through RunsRepo.insertMetrics in 10k-row transactions. */
export function benchIngest(totalRows = 400_000): BenchRow {
  const dir = tempDir();
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', recover: false });
  try {
    ctx.db
      .prepare(
        `INSERT INTO runs (id, group_id, experiment, config, seed, status, app_version, steps_total, created_at)
         VALUES ('00000000-0000-4000-8000-000000000001', 'g', 'bench', '{}', 0, 'running', '0', 1, 'now')`,
      )
      .run();
    const names = ['trainLoss', 'testLoss', 'trainAcc', 'testAcc', 'l2', 'primeCount', 'tailCount', 'wallTime'];
    const pointsPerBatch = Math.floor(10_000 / names.length);
    const repo = new RunsRepo(ctx.db);
    let step = 0;
    let rows = 0;
    const t0 = performance.now();
    while (rows < totalRows) {
      const batch: MetricPoint[] = [];
      for (let i = 0; i < pointsPerBatch; i++, step++) {
        batch.push({ step, values: Object.fromEntries(names.map((n, j) => [n, Math.sin(step + j)])) });
      }
      rows += repo.insertMetrics('00000000-0000-4000-8000-000000000001', batch);
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      name: 'metric ingest into SQLite (10k-row transactions)',
      ours: rows / seconds,
      unit: 'rows/s',
      reference: 280_000,
      referenceLabel: 'docs/architecture.md: ~280k rows/s with WAL',
      higherIsBetter: true,
    };
  } finally {
    ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds to reduce a 100k-point series to 2,000 drawn points (min/max buckets + last). */
export function benchDownsample(): BenchRow {
  const n = 100_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => Math.exp(-i / 20_000) + 0.01 * Math.sin(i));
  const reps = 20;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) downsampleMinMax(xs, ys, 2000);
  return {
    name: 'downsample 100k points to 2k for drawing',
    ours: (performance.now() - t0) / reps,
    unit: 'ms',
    reference: 200,
    referenceLabel: 'docs/architecture.md: Plotly draws 100k SVG points in ~200 ms',
    higherIsBetter: false,
  };
}

/** The host's event-loop delay while the default grokking preset trains in a child process. */
export async function benchEventLoopLag(steps = 600): Promise<BenchRow> {
  const trainer = path.join(ROOT, 'out', 'main', 'trainer.js');
  if (!fs.existsSync(trainer)) throw new Error('Build first (npm run build): out/main/trainer.js is missing');
  const dir = tempDir();
  const ctx = createAppContext({ dataDir: dir, mode: 'browser', spawnTrainer: forkTrainer(trainer), recover: false });
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  try {
    const [run] = ctx.runs.start(RunStartSchema.parse({ experiment: 'grokking-mlp', config: { steps } }));
    histogram.enable();
    const [done] = await ctx.runs.whenSettled([run!.id]);
    histogram.disable();
    if (done?.status !== 'done') throw new Error(`bench run ended ${done?.status}: ${done?.error}`);
    return {
      name: `host event-loop lag while training (max over ${steps} steps)`,
      ours: histogram.max / 1e6,
      unit: 'ms',
      reference: 50,
      referenceLabel: 'target: < 50 ms',
      higherIsBetter: false,
    };
  } finally {
    ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
