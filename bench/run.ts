/**
 * `npm run bench`: every performance figure in one run, ours and a reference side by side.
 *
 *   npm run bench [-- --quick]      (--quick: fewer steps and repeats)
 *
 * 1. grokking-mlp default preset: steps/s per backend vs the same model in PyTorch CPU (1 thread).
 * 2. A 3-seed run set through the real run queue (two trainer processes) vs PyTorch's 3 seeds.
 * 3. Host: metric ingest into SQLite, downsampling for charts, event-loop lag while training.
 * 4. Experiment presets: wall time of one run of each, ours (wasm) vs the same model in PyTorch CPU (1 thread).
 * 5. The telescoping probe: a run without it vs the commit before it existed; a run with it vs without.
 * 6. CLI start: commands that do not train, wall clock, vs the commit before they started lazily.
 * 7. Hostile and heavy input: host peak RSS on hostile bundles, event-loop lag during a 2.5M-point
 *    import and a 42-run confounder test, vs the commit before the hardening.
 * 8. The Layers-API example (a researcher's experiment file: the MNIST-1D CNN) vs the same model in PyTorch CPU (1 thread).
 * 9. `phenobook log`, piped: points/s from a script's stdout into SQLite vs the script printing to /dev/null.
 */
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { RunStartSchema } from '../contract/runs';
import { createAppContext } from '../services/app-context';
import { forkTrainer } from '../services/fork-trainer';
import { benchGrokking, formatGrokkingTable, runTorch } from './grokking.bench';
import { benchDownsample, benchEventLoopLag, benchIngest, type BenchRow } from './host.bench';
import { benchPresets } from './presets.bench';
import { benchProbe } from './probe.bench';
import { benchCliStart } from './cli-start.bench';
import { benchOffThread } from './offthread.bench';
import { benchCnn } from './cnn.bench';
import { benchLog } from './log.bench';
import { benchImport } from './import.bench';
import { ensureBuilt } from '../scripts/build-if-stale.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const log = (line: string) => console.error(`  … ${line}`);

/** Three seeds of the default preset through the run queue with two trainer processes, vs PyTorch run one after another. */
async function benchSeedSet(steps: number): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-bench-'));
  const ctx = createAppContext({
    dataDir: dir,
    mode: 'browser',
    spawnTrainer: forkTrainer(path.join(ROOT, 'out', 'main', 'trainer.js')),
    defaultParallel: 2,
    recover: false,
  });
  try {
    const t0 = performance.now();
    const runs = ctx.runs.start(RunStartSchema.parse({ experiment: 'grokking-mlp', seeds: 3, config: { steps } }));
    const done = await ctx.runs.whenSettled(runs.map((r) => r.id));
    const ours = (performance.now() - t0) / 1000;
    if (done.some((r) => r.status !== 'done')) throw new Error(`seed set failed: ${done.map((r) => r.error).join('; ')}`);
    log(`3 seeds × ${steps} steps, 2 trainer processes: ${ours.toFixed(1)} s`);
    let torchSeconds = 0;
    for (const seed of [0, 1, 2]) {
      const t = runTorch({ steps, seed });
      if (!t.result) return [{ name: '3-seed run set, 2 processes', ours, unit: 's', reference: null, referenceLabel: t.reason ?? 'PyTorch unavailable', higherIsBetter: false }];
      torchSeconds += t.result.wallSeconds;
    }
    log(`PyTorch 3 seeds one after another: ${torchSeconds.toFixed(1)} s`);
    return [
      {
        name: `3-seed run set (${steps} steps each), 2 trainer processes`,
        ours,
        unit: 's',
        reference: torchSeconds,
        referenceLabel: 'PyTorch, 3 seeds, 1 thread each, one after another (target: ≤ 2×)',
        higherIsBetter: false,
      },
    ];
  } finally {
    ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatRows(rows: BenchRow[]): string {
  const fmt = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en') : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const body = rows.map((r) => [
    r.name,
    `${fmt(r.ours)} ${r.unit}`,
    r.reference === null ? '—' : `${fmt(r.reference)} ${r.unit}`,
    r.reference === null ? '' : `${(r.higherIsBetter ? r.ours / r.reference : r.reference / r.ours).toFixed(2)}×`,
    r.referenceLabel,
  ]);
  const header = ['figure', 'ours', 'reference', 'speed ratio', 'reference is'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

ensureBuilt();
const started = performance.now();
console.log(`Phenobook benchmarks — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.versions.node}, load ${loadavg()[0]!.toFixed(1)}\n`);

console.error('Training throughput (grokking-mlp default preset)…');
const grokking = await benchGrokking({ steps: quick ? 200 : 500, cpuSteps: quick ? 5 : 20, repeats: quick ? 1 : 2, log });
console.log('Training throughput — grokking-mlp default preset (p 59, N 256, fraction 0.3, wd 1), seed 0');
console.log(formatGrokkingTable(grokking));
console.log('(steps/s: optimizer steps over their own time; ratio = ours / PyTorch one-hot, the same math)\n');

console.error('Run set, ingest, downsampling, event-loop lag…');
const rows: BenchRow[] = [
  ...(await benchSeedSet(quick ? 300 : 1000)),
  benchIngest(quick ? 100_000 : 400_000),
  benchDownsample(),
  await benchEventLoopLag(quick ? 200 : 600),
];
console.log('Run queue and host (speed ratio > 1 means ours is better than the reference)');
console.log(formatRows(rows));

console.error('Experiment presets, one run each…');
const presets = await benchPresets({ quick, log });
console.log('\nExperiment presets — wall time per run, ours vs the same model in PyTorch (1 CPU thread)');
console.log(formatRows(presets.rows));
console.log(
  '(wall: the whole run, data generation and every evaluation included; steps/s: optimizer steps over their own time; ' +
    '≈ rows are extrapolated from the steps or rounds named, both sides alike)',
);
for (const note of presets.notes) console.log(`(${note})`);

console.error('Telescoping probe…');
console.log('\nTelescoping probe — optimizer steps/s (speed ratio 1.00× = no cost)');
console.log(formatRows(benchProbe({ quick, log })));

console.error('CLI start…');
console.log('\nCLI start — commands that do not train, wall clock (speed ratio > 1 means faster than before; target < 0.3 s)');
console.log(formatRows(benchCliStart({ quick, log })));

console.error('Hostile and heavy input…');
console.log('\nHostile and heavy input — the host process, this checkout vs the commit before the hardening (ratio > 1: ours is lower)');
console.log(formatRows(benchOffThread({ log })));

console.error('Layers-API CNN example…');
console.log('\nA researcher\'s experiment file: the Layers-API CNN example (docs/examples/experiments/mnist1d-cnn.ts) vs PyTorch CPU');
console.log(formatRows(await benchCnn({ quick, log })));
console.error('phenobook log…');
console.log('\nphenobook log, piped form — a script\'s metric lines into SQLite (speed ratio ≥ 1: it keeps up with the script)');
console.log(formatRows(benchLog({ quick, log })));
console.error('phenobook import…');
console.log('\nphenobook import — a million CSV points into SQLite (ratio: end to end against the plain ingest)');
console.log(formatRows(benchImport({ quick, log })));
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
