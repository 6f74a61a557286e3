/**
 * Acceptance check of double-descent against docs/experiments.md §4, cheap sweep (too slow for a unit
 * test: ~5–10 min for the full grid of 14 widths × 3 seeds on wasm).
 *
 *   npx tsx bench/double-descent-acceptance.ts [--widths 2,4,…] [--seeds 0,1,2] [--steps 5000]
 *       [--backend wasm] [--results FILE.jsonl] [--torch]
 *
 * Runs the `cheap` preset at every width × seed and prints, per width, mean ± std (over seeds) of the
 * final test error, train error (on the noisy labels), parameter L2 norm and prime count, and the
 * wall time per run; then the checks: the highest mean test error among widths ≥ 8 lies at a width
 * in 12..32; the widest width is at least 4 points lower than that peak; train error is 0 for every
 * width ≥ 32 (when those widths were run).
 *
 * --results appends each finished run as a JSON line and skips runs already in the file (same
 * width, seed and steps), so the grid can run in pieces (or be resumed) and the table is always
 * printed from everything the file holds for the requested widths and seeds.
 * --torch also trains each run in PyTorch from the same initial weights and batches (reference_torch.py)
 * and prints its final test error next to ours. Exits 1 when a check fails.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import {
  DOUBLE_DESCENT_WIDTHS,
  doubleDescentData,
  doubleDescentExperiment,
  doubleDescentInit,
  parameterCount,
  type DoubleDescentConfig,
} from '../experiments/mnist1d-mlp/double-descent.experiment';
import { runTorchReference } from '../experiments/mnist1d-mlp/reference';
import type { EvalPoint } from '../experiments/types';
import { parseBackendName, selectBackend } from '../trainer/backend';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);

const widths = numbers(argValue('--widths') ?? DOUBLE_DESCENT_WIDTHS.cheap.join(','));
const seeds = numbers(argValue('--seeds') ?? '0,1,2');
const steps = Number(argValue('--steps') ?? doubleDescentExperiment.presets.cheap!.steps ?? 5000);
const resultsFile = argValue('--results');
const withTorch = process.argv.includes('--torch');

interface RunResult {
  width: number;
  seed: number;
  steps: number;
  status: string;
  testErr: number;
  trainErr: number;
  testLoss: number;
  l2: number;
  primeCount: number;
  tailCount: number;
  wallSeconds: number;
  trainSeconds: number;
  torchTestErr?: number;
}

const results = new Map<string, RunResult>();
const keyOf = (width: number, seed: number) => `${width}/${seed}/${steps}`;
if (resultsFile && existsSync(resultsFile)) {
  for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as RunResult;
    if (r.steps === steps) results.set(`${r.width}/${r.seed}/${r.steps}`, r);
  }
}

const todo = widths.flatMap((width) => seeds.map((seed) => ({ width, seed }))).filter(({ width, seed }) => !results.has(keyOf(width, seed)));
const started = performance.now();
if (todo.length > 0) {
  const { tf, info } = await selectBackend({ only: parseBackendName(argValue('--backend') ?? 'wasm') });
  console.log(`backend ${info.name}; double-descent cheap preset, ${steps} steps; ${todo.length} runs to do`);
  console.log('width  seed  test err  train err      l2  prime  steps/s  wall s');
  for (const { width, seed } of todo) {
    const config: DoubleDescentConfig = doubleDescentExperiment.configSchema.parse({ ...doubleDescentExperiment.presets.cheap, width, seed, steps });
    const evals: EvalPoint[] = [];
    const t0 = performance.now();
    const outcome = await doubleDescentExperiment.train(config, {
      tf,
      shouldStop: () => false,
      onEval: (p) => evals.push(p),
      onProgress: () => {},
      yieldNow: () => new Promise((resolve) => setImmediate(resolve)),
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const v = evals.at(-1)!.values;
    const r: RunResult = {
      width,
      seed,
      steps,
      status: outcome.status,
      testErr: 1 - v.testAcc!,
      trainErr: 1 - v.trainAcc!,
      testLoss: v.testLoss!,
      l2: v.l2!,
      primeCount: v.primeCount!,
      tailCount: v.tailCount!,
      wallSeconds,
      trainSeconds: outcome.trainSeconds,
    };
    if (withTorch) {
      const ref = runTorchReference(
        {
          sizes: [40, width, width, 10],
          theta0: doubleDescentInit(config),
          loss: 'cross-entropy',
          data: doubleDescentData(config),
          batchSize: config.batchSize,
          steps,
          evalEvery: config.evalEvery,
          seed,
        },
        { optimizer: { name: 'sgd', lr: config.lr, momentum: config.momentum } },
      );
      r.torchTestErr = 1 - ref.evals.at(-1)!.values.testAcc!;
    }
    results.set(keyOf(width, seed), r);
    if (resultsFile) appendFileSync(resultsFile, `${JSON.stringify(r)}\n`);
    console.log(
      [
        String(width).padStart(5),
        String(seed).padStart(4),
        (100 * r.testErr).toFixed(2).padStart(8),
        (100 * r.trainErr).toFixed(2).padStart(9),
        r.l2.toFixed(2).padStart(7),
        String(r.primeCount).padStart(5),
        (steps / r.trainSeconds).toFixed(0).padStart(7),
        r.wallSeconds.toFixed(1).padStart(6),
        r.torchTestErr === undefined ? '' : `  torch test err ${(100 * r.torchTestErr).toFixed(2)}`,
        r.status === 'done' ? '' : `  ${r.status}`,
      ].join('  '),
    );
  }
  console.log(`wall time of these ${todo.length} runs: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

// ---------------------------------------------------------------------------------------------
// Table over seeds and the checks

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pm = (xs: number[], scale: number, digits: number, width: number) =>
  `${(scale * mean(xs)).toFixed(digits)} ± ${(scale * std(xs)).toFixed(digits)}`.padStart(width);

interface Row {
  width: number;
  runs: RunResult[];
  testErr: number;
  trainErrs: number[];
}
const rows: Row[] = [];
for (const width of widths) {
  const runs = seeds.map((seed) => results.get(keyOf(width, seed))).filter((r): r is RunResult => r !== undefined);
  if (runs.length === 0) continue;
  rows.push({ width, runs, testErr: mean(runs.map((r) => r.testErr)), trainErrs: runs.map((r) => r.trainErr) });
}

console.log(`\ndouble-descent, cheap preset (5,000 samples, split 0.2, label noise 0.15), ${steps} steps; mean ± std over seeds`);
console.log(' width  params  seeds     test err %     train err %          L2 norm    prime count  wall s/run');
for (const row of rows) {
  const r = row.runs;
  console.log(
    [
      String(row.width).padStart(6),
      String(parameterCount(row.width)).padStart(6),
      String(r.length).padStart(5),
      pm(r.map((x) => x.testErr), 100, 2, 14),
      pm(r.map((x) => x.trainErr), 100, 2, 14),
      pm(r.map((x) => x.l2), 1, 2, 15),
      pm(r.map((x) => x.primeCount), 1, 1, 13),
      mean(r.map((x) => x.wallSeconds)).toFixed(1).padStart(10),
    ].join('  '),
  );
}
const allRuns = rows.flatMap((r) => r.runs);
console.log(`total wall time of the runs in the table: ${allRuns.reduce((a, r) => a + r.wallSeconds, 0).toFixed(0)} s (${allRuns.length} runs)`);
if (withTorch) {
  const withRef = allRuns.filter((r) => r.torchTestErr !== undefined);
  if (withRef.length) console.log(`largest |test err − torch test err|: ${(100 * Math.max(...withRef.map((r) => Math.abs(r.testErr - r.torchTestErr!)))).toFixed(2)} points`);
}

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  if (!ok) failures.push(what);
};
const candidates = rows.filter((r) => r.width >= 8);
if (candidates.length === 0) {
  console.log('no width ≥ 8 in the table: the peak checks need them');
} else {
  const peak = candidates.reduce((a, b) => (b.testErr > a.testErr ? b : a));
  check(peak.width >= 12 && peak.width <= 32, `highest mean test error among widths ≥ 8 is at width ${peak.width} (${(100 * peak.testErr).toFixed(2)} %), in 12..32`);
  const widest = rows.reduce((a, b) => (b.width > a.width ? b : a));
  check(
    peak.testErr - widest.testErr >= 0.04,
    `widest width ${widest.width}: ${(100 * widest.testErr).toFixed(2)} % is ${(100 * (peak.testErr - widest.testErr)).toFixed(2)} points below the peak (≥ 4)`,
  );
}
const wide = rows.filter((r) => r.width >= 32);
if (wide.length) {
  const worst = Math.max(...wide.flatMap((r) => r.trainErrs));
  check(worst === 0, `train error is 0 for every run with width ≥ 32 (largest ${(100 * worst).toFixed(2)} %)`);
}
if (failures.length) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
