/**
 * What the telescoping probe costs (docs/experiments.md §8), side by side:
 *
 * 1. A run that does not ask for the probe (double-descent `cheap`, h 16): optimizer steps/s of this
 *    checkout against the commit before the probe existed (PHENOBOOK_PROBE_BASELINE, default below),
 *    checked out into a temporary git worktree. The same script times both, alternately, and the
 *    median of the repeats is kept: the probe must add nothing measurable here.
 * 2. The `telescoping` preset (h 16 and h 128) with the probe on, against the same run with it off:
 *    what asking for it costs, in ms per step.
 *
 *   npx tsx bench/probe.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './host.bench';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The last commit without the probe ("Renderer: one download() for every saved file…"). */
const BASELINE = process.env.PHENOBOOK_PROBE_BASELINE ?? 'e9ad190';

/**
 * Times `trainDoubleDescent` (the public entry both commits share) on the wasm backend and prints
 * `{ stepsPerSecond, probeMsPerStep }`. Written into each tree, so both sides run the same code.
 */
const TIMING_SCRIPT = `
import { selectBackend } from './trainer/backend';
import { doubleDescentConfigSchema, trainDoubleDescent } from './experiments/mnist1d-mlp/double-descent.experiment';
const config = doubleDescentConfigSchema.parse(JSON.parse(process.argv[2]));
const { tf } = await selectBackend({ only: 'wasm' });
let probe = null;
const out = await trainDoubleDescent(config, {
  tf, shouldStop: () => false, onProgress: () => {}, yieldNow: async () => {},
  onEval: (p) => { if (typeof p.values.probeMsPerStep === 'number' && p.step > 0) probe = p.values.probeMsPerStep; },
});
console.log(JSON.stringify({ stepsPerSecond: out.stepsCompleted / out.trainSeconds, probeMsPerStep: probe }));
`;

interface Timing {
  stepsPerSecond: number;
  probeMsPerStep: number | null;
}

function time(tree: string, config: Record<string, unknown>): Timing {
  const file = path.join(tree, '.probe-timing.bench.ts');
  fs.writeFileSync(file, TIMING_SCRIPT);
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file, JSON.stringify(config)], { cwd: tree, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`timing in ${tree} failed: ${r.stderr.slice(-500)}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Timing;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A worktree of the baseline commit with this checkout's node_modules; null (and why) when git cannot make one. */
function baselineTree(): { dir: string; remove: () => void } | { reason: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phenobook-probe-baseline-'));
  const add = spawnSync('git', ['worktree', 'add', '--detach', dir, BASELINE], { cwd: ROOT, encoding: 'utf8' });
  if (add.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { reason: `no baseline: git worktree add ${BASELINE} failed (${add.stderr.trim().split('\n').at(-1)})` };
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return {
    dir,
    remove: () => {
      spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function benchProbe(options: { quick: boolean; log: (line: string) => void }): BenchRow[] {
  const steps = options.quick ? 500 : 2000;
  const repeats = options.quick ? 1 : 3;
  const rows: BenchRow[] = [];

  const cheap = { numSamples: 5000, trainSplit: 0.2, width: 16, steps, evalEvery: steps };
  const base = baselineTree();
  if ('reason' in base) {
    rows.push({ name: `double-descent cheap h 16, no probe (${steps} steps)`, ours: median(Array.from({ length: repeats }, () => time(ROOT, cheap).stepsPerSecond)), unit: 'steps/s', reference: null, referenceLabel: base.reason, higherIsBetter: true });
  } else {
    try {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < repeats; i++) {
        ours.push(time(ROOT, cheap).stepsPerSecond);
        theirs.push(time(base.dir, cheap).stepsPerSecond);
        options.log(`no probe: ${ours.at(-1)!.toFixed(0)} steps/s here, ${theirs.at(-1)!.toFixed(0)} at ${BASELINE}`);
      }
      rows.push({
        name: `double-descent cheap h 16, no probe (${steps} steps)`,
        ours: median(ours),
        unit: 'steps/s',
        reference: median(theirs),
        referenceLabel: `the same run at ${BASELINE}, before the probe existed (target: 1.00×)`,
        higherIsBetter: true,
      });
    } finally {
      base.remove();
    }
  }

  for (const width of [16, 128]) {
    const preset = { task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0, lr: 0.01, batchSize: 100, width, steps, evalEvery: Math.min(100, steps) };
    const off = median(Array.from({ length: repeats }, () => time(ROOT, { ...preset, probe: false }).stepsPerSecond));
    const on = Array.from({ length: repeats }, () => time(ROOT, { ...preset, probe: true }));
    const probeMs = median(on.map((t) => t.probeMsPerStep ?? Number.NaN));
    options.log(`telescoping h ${width}: ${off.toFixed(0)} steps/s without the probe; the probe adds ${probeMs.toFixed(2)} ms/step`);
    rows.push({
      name: `telescoping preset h ${width}: steps/s with the probe (training + probe)`,
      ours: 1000 / (1000 / off + probeMs),
      unit: 'steps/s',
      reference: off,
      referenceLabel: `the same run without it (the probe adds ${probeMs.toFixed(2)} ms per step)`,
      higherIsBetter: true,
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const quick = process.argv.includes('--quick');
  for (const r of benchProbe({ quick, log: (line) => console.error(`  … ${line}`) })) {
    const ratio = r.reference === null ? '' : ` (${(r.ours / r.reference).toFixed(2)}×)`;
    console.log(`${r.name}: ${r.ours.toFixed(1)} ${r.unit} vs ${r.reference?.toFixed(1) ?? '—'}${ratio} — ${r.referenceLabel}`);
  }
}
