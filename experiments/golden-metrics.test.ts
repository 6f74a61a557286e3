/**
 * The built-ins' results must not move when their training loops change: every built-in trains a
 * short config at a fixed seed on the wasm and cpu backends, and each metric at each evaluation,
 * the outcome and the data hash must equal the values recorded in golden-metrics.json (recorded
 * before the loops moved onto the shared driver). Bit for bit: same seed and backend, same numbers.
 *
 * Re-record (only when a change is *meant* to move results): PHENOBOOK_RECORD_GOLDEN=1 npx vitest run experiments/golden-metrics.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../trainer/backend';
import { runExperiment } from '../test/run-experiment';
import { EXPERIMENTS } from './registry';
import type { EvalPoint, ExperimentDefinition } from './types';

const GOLDEN_FILE = fileURLToPath(new URL('./golden-metrics.json', import.meta.url));
const RECORD = process.env.PHENOBOOK_RECORD_GOLDEN === '1';
/** Metrics that measure time, not training. */
const TIMING = new Set(['wallTime', 'probeMsPerStep']);
/**
 * Readings added after the recording (the probe's smoother error and mean absolute errors): new
 * metrics, not moved ones, so they are left out of the comparison; every recorded one must still
 * be equal. Any other new key fails the test.
 */
const ADDED_SINCE_RECORDING = new Set(['smootherError', 'telescopeMae', 'lazyMae', 'smootherMae']);

/** Short configs that still take every branch of each loop (evaluation cadence, rounds and controls, the probe, large updates; divergence is the driver's test). */
export const GOLDEN_CASES: { name: string; experiment: string; config: Record<string, unknown> }[] = [
  { name: 'grokking-mlp', experiment: 'grokking-mlp', config: { p: 11, width: 32, trainFraction: 0.5, steps: 40, evalEvery: 5, seed: 3 } },
  { name: 'grokking-mlp high lr', experiment: 'grokking-mlp', config: { p: 11, width: 32, trainFraction: 0.5, steps: 60, evalEvery: 3, seed: 1, lr: 10, weightDecay: 0, initScale: 1000 } },
  { name: 'grokking-transformer', experiment: 'grokking-transformer', config: { modulus: 7, dModel: 8, heads: 2, layers: 1, steps: 23, batchSize: 16, evalEvery: 5, seed: 1 } },
  { name: 'double-descent', experiment: 'double-descent', config: { width: 8, steps: 35, numSamples: 200, batchSize: 16, evalEvery: 10, seed: 1 } },
  { name: 'double-descent high lr', experiment: 'double-descent', config: { width: 8, steps: 60, numSamples: 200, batchSize: 16, evalEvery: 4, lr: 10, seed: 1 } },
  {
    name: 'double-descent telescoping',
    experiment: 'double-descent',
    config: { task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0, probe: true, probeTest: 20, width: 4, steps: 25, batchSize: 20, evalEvery: 10, numSamples: 300, seed: 2 },
  },
  { name: 'init-scale', experiment: 'init-scale', config: { width: 16, steps: 30, trainSize: 100, batchSize: 32, evalEvery: 10, alpha: 2, seed: 4 } },
  { name: 'lottery-ticket', experiment: 'lottery-ticket', config: { rounds: 2, stepsPerRound: 20, width: 16, evalEvery: 10, batchSize: 50, seed: 5 } },
  { name: 'lottery-ticket rewind', experiment: 'lottery-ticket', config: { rounds: 1, stepsPerRound: 15, width: 8, evalEvery: 5, batchSize: 50, rewindStep: 5, controls: false, seed: 6 } },
];

interface GoldenRun {
  status: string;
  stepsCompleted: number;
  dataHash: string;
  reason: string | null;
  evals: { step: number; values: Record<string, number | null> }[];
}

/** JSON has no NaN or ±Infinity: non-finite values are stored as their names. */
function encode(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function summarize(outcome: { status: string; stepsCompleted: number; dataHash: string; reason?: string }, evals: EvalPoint[]): GoldenRun {
  return {
    status: outcome.status,
    stepsCompleted: outcome.stepsCompleted,
    dataHash: outcome.dataHash,
    reason: outcome.reason ?? null,
    evals: evals.map((e) => ({
      step: e.step,
      values: Object.fromEntries(Object.entries(e.values).filter(([k]) => !TIMING.has(k)).map(([k, v]) => [k, encode(v) as number])),
    })),
  };
}

const golden: Record<string, GoldenRun> = RECORD ? {} : (JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, GoldenRun>);

afterAll(() => {
  if (RECORD) writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 1)}\n`);
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`built-in metrics on ${backend} match the recorded ones`, () => {
    for (const c of GOLDEN_CASES) {
      it(c.name, async () => {
        const { tf } = await selectBackend({ only: backend });
        const experiment = EXPERIMENTS.get(c.experiment) as ExperimentDefinition;
        const { outcome, evals } = await runExperiment(experiment, tf, c.config);
        const got = summarize(outcome, evals);
        const key = `${backend} ${c.name}`;
        if (RECORD) golden[key] = got;
        else {
          const recordedOnly = { ...got, evals: got.evals.map((e) => ({ ...e, values: Object.fromEntries(Object.entries(e.values).filter(([k]) => !ADDED_SINCE_RECORDING.has(k))) })) };
          expect(recordedOnly).toEqual(golden[key]);
        }
        expect(got.evals.length).toBeGreaterThan(2);
      }, 120_000);
    }
  });
}
