import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients (the umbrella @tensorflow/tfjs package does); the autodiff
// reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { runExperiment } from '../test/run-experiment';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../trainer/backend';
import {
  GrokkingMlpModel,
  grokkingMlpConfigSchema,
  grokkingMlpExperiment,
  initStd,
  initWeights,
  makeSplit,
  trainSize,
  type GrokkingMlpConfig,
  type GrokkingMlpConfigInput,
} from './grokking-mlp.experiment';
import { CORE_METRICS, type EvalPoint, type Tf } from './types';

const TINY: GrokkingMlpConfigInput = { p: 11, width: 32, trainFraction: 0.5, steps: 200, evalEvery: 5, seed: 0 };

function parse(input: GrokkingMlpConfigInput): GrokkingMlpConfig {
  return grokkingMlpConfigSchema.parse(input);
}

/** Trains the experiment to the end, collecting its evaluations and progress. */
const run = (tf: Tf, input: GrokkingMlpConfigInput, shouldStop?: (step: number) => boolean) => runExperiment(grokkingMlpExperiment, tf, input, shouldStop);

/** Every metric series except wall time (which differs run to run). */
function series(evals: EvalPoint[]): Record<string, number[]> {
  const out: Record<string, number[]> = { step: evals.map((e) => e.step) };
  for (const name of Object.keys(evals[0]!.values)) if (name !== 'wallTime') out[name] = evals.map((e) => e.values[name]!);
  return out;
}

describe('grokking-mlp config', () => {
  it('fills defaults from the default preset and exposes the presets', () => {
    const c = parse({});
    expect(c).toMatchObject({ p: 59, width: 256, trainFraction: 0.3, weightDecay: 1, lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-8 });
    expect(c.evalEvery).toBe(5);
    expect(c.steps).toBeGreaterThanOrEqual(1500);
    expect(grokkingMlpExperiment.totalSteps(c)).toBe(c.steps);
    for (const [name, preset] of Object.entries(grokkingMlpExperiment.presets)) {
      expect(() => parse(preset), name).not.toThrow();
    }
    expect(parse(grokkingMlpExperiment.presets.canonical!)).toMatchObject({ p: 97, width: 500, weightDecay: 0 });
  });

  it('rejects bad values with messages naming the field and its range', () => {
    const message = (input: unknown) => {
      const r = grokkingMlpConfigSchema.safeParse(input);
      expect(r.success).toBe(false);
      return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(message({ p: 1 })).toContain('p must be an integer from 2 to 400');
    expect(message({ p: 5.5 })).toContain('p must be an integer from 2 to 400');
    expect(message({ lr: -0.1 })).toContain('lr must be a number greater than 0 and at most 10');
    expect(message({ width: '64' })).toContain('width must be an integer from 1 to 4096');
    expect(message({ trainFraction: 1 })).toContain('trainFraction must be a number strictly between 0 and 1');
    expect(message({ weightDecay: -1 })).toContain('weightDecay must be a number from 0 to 1000');
    expect(message({ seed: -3 })).toContain('seed must be an integer from 0 to');
    expect(message({ lr: 1, weightDecay: 2 })).toContain('lr × weightDecay must be at most 1');
    expect(message({ p: 400, width: 4096, trainFraction: 0.9 })).toContain('too large together');
    expect(message({ wd: 1 })).toMatch(/wd/); // unknown keys are errors, not silently ignored
  });
});

describe('grokking-mlp data and init', () => {
  it('splits all p² pairs by seed and hashes the split', () => {
    const a = makeSplit(59, 0.3, 0);
    expect(a.train.length).toBe(1044); // docs/experiments.md: 1,044 pairs
    expect(trainSize(100, 0.29)).toBe(2900); // 0.29·10⁴ is 2899.9999999999995 in binary
    expect(trainSize(2, 0.01)).toBe(1);
    expect(trainSize(2, 0.99)).toBe(3);
    expect(a.train.length + a.test.length).toBe(59 * 59);
    expect(new Set([...a.train, ...a.test]).size).toBe(59 * 59);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(makeSplit(59, 0.3, 0).hash).toBe(a.hash);
    expect(makeSplit(59, 0.3, 1).hash).not.toBe(a.hash);
    expect(makeSplit(61, 0.3, 0).hash).not.toBe(a.hash);
  });

  it('draws every weight from N(0, σ²) with σ = 0.5/(2N)^{1/3} × initScale', () => {
    expect(initStd(256)).toBeCloseTo(0.5 / 8, 12); // (2·256)^{1/3} = 8
    const { w1, w2 } = initWeights(59, 256, 0, 2);
    expect(w1.length).toBe(256 * 118);
    expect(w2.length).toBe(59 * 256);
    let sq = 0;
    for (const x of [...w1, ...w2]) sq += x * x;
    expect(Math.sqrt(sq / (w1.length + w2.length))).toBeCloseTo(2 * 0.0625, 2);
  });
});

describe.each(['wasm', 'cpu'] as const)('grokking-mlp model on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  it('hand-written gradients equal autodiff of the one-hot formulation', () => {
    const config = parse({ p: 7, width: 12, trainFraction: 0.5, seed: 3, initScale: 4 });
    const model = new GrokkingMlpModel(tf, config);
    const { p } = config;
    const pairs = model.data.train;
    const a = Array.from(pairs, (k) => Math.floor(k / p));
    const b = Array.from(pairs, (k) => k % p);
    const fwd = model.forwardTrain();
    const [dE, dW2] = model.gradients(fwd);
    const reference = tf.tidy(() => {
      // x = onehot(a) ⊕ onehot(b); f(x) = W2 (W1 x)²; loss = mean over n·p of (f − onehot(c))².
      const x = tf.cast(tf.concat([tf.oneHot(tf.tensor1d(a, 'int32'), p), tf.oneHot(tf.tensor1d(b, 'int32'), p)], 1), 'float32');
      const y = tf.cast(tf.oneHot(tf.tensor1d(a.map((ai, i) => (ai + b[i]!) % p), 'int32'), p), 'float32');
      const loss = (w1: Tensor, w2: Tensor) => tf.mean(tf.square(tf.sub(tf.matMul(tf.square(tf.matMul(x, w1, false, true)), w2, false, true), y)));
      const w1 = tf.transpose(model.e); // [N, 2p]
      const [g1, g2] = tf.grads(loss as (...args: Tensor[]) => Tensor)([w1, model.w2]);
      return { dW1: g1! as Tensor2D, dW2: g2! as Tensor2D, loss: loss(w1, model.w2) };
    });
    const ours = { dW1: Array.from(tf.tidy(() => tf.transpose(dE)).dataSync()), dW2: Array.from(dW2.dataSync()) };
    const scale = Math.max(...reference.dW1.dataSync().map(Math.abs), ...reference.dW2.dataSync().map(Math.abs));
    expect(scale).toBeGreaterThan(1e-4); // a meaningful check, not all zeros
    const maxDiff = (x: number[], y: ArrayLike<number>) => Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
    expect(maxDiff(ours.dW1, reference.dW1.dataSync()) / scale).toBeLessThan(1e-5);
    expect(maxDiff(ours.dW2, reference.dW2.dataSync()) / scale).toBeLessThan(1e-5);
    // The forward pass's loss agrees with the reference loss too.
    const ourLoss = tf.tidy(() => tf.mean(tf.square(fwd.residual)).dataSync()[0]!);
    expect(ourLoss).toBeCloseTo(reference.loss.dataSync()[0]!, 7);
    tf.dispose([dE, dW2, reference.dW1, reference.dW2, reference.loss]);
    model.disposeForward(fwd);
    model.dispose();
  });

  it('keeps the tensor count flat over many steps and frees everything at the end', async () => {
    const start = tf.memory().numTensors;
    const model = new GrokkingMlpModel(tf, parse(TINY));
    const step = (evaluate: boolean) => {
      const f = model.forwardTrain();
      if (evaluate) model.evaluate(f);
      model.backwardAndUpdate(f);
      model.disposeForward(f);
    };
    for (let i = 0; i < 5; i++) step(i % 2 === 0);
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step(i % 5 === 0);
    expect(tf.memory().numTensors).toBe(warm);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
    await run(tf, { ...TINY, steps: 30 });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('learns a tiny config, records every metric from step 0, and is deterministic per seed', async () => {
    const first = await run(tf, TINY);
    expect(first.outcome).toMatchObject({ status: 'done', stepsCompleted: 200 });
    expect(first.outcome.dataHash).toBe(makeSplit(11, 0.5, 0).hash);
    expect(first.outcome.trainSeconds).toBeGreaterThan(0);
    expect(first.evals.map((e) => e.step)).toEqual(Array.from({ length: 41 }, (_, i) => 5 * i));
    for (const name of [...CORE_METRICS, 'tailCount']) expect(first.evals[0]!.values[name], name).toBeTypeOf('number');
    const last = first.evals.at(-1)!.values;
    expect(last.trainAcc).toBe(1);
    expect(last.trainLoss).toBeLessThan(first.evals[0]!.values.trainLoss!);
    expect(first.evals.at(-1)!.values.wallTime).toBeGreaterThan(first.evals[0]!.values.wallTime!);
    expect(first.progress.at(-1)).toBe(200);

    const again = await run(tf, TINY);
    expect(series(again.evals)).toEqual(series(first.evals));
    const other = await run(tf, { ...TINY, seed: 1 });
    expect(series(other.evals).trainLoss).not.toEqual(series(first.evals).trainLoss);
    expect(other.outcome.dataHash).not.toBe(first.outcome.dataHash);
  });

  it('stops within a step when cancelled', async () => {
    const { outcome, evals } = await run(tf, { ...TINY, steps: 10_000 }, (step) => step >= 30);
    expect(outcome.status).toBe('cancelled');
    expect(outcome.stepsCompleted).toBe(30);
    expect(evals.at(-1)!.step).toBeLessThanOrEqual(30);
  });

  it('reports divergence when the loss stops being finite', async () => {
    // β2 = 0 makes Adam's step m/|g| unbounded; with lr 10 it overflows within ~100 steps.
    const { outcome, evals } = await run(tf, { ...TINY, lr: 10, beta2: 0, weightDecay: 0, initScale: 100, steps: 300 });
    expect(outcome.status).toBe('diverged');
    expect(outcome.reason).toMatch(/became (NaN|-?Infinity) at step \d+ \(checked every 5 steps\)/);
    expect(outcome.stepsCompleted).toBe(evals.at(-1)!.step);
    expect(outcome.stepsCompleted).toBeLessThan(300);
  });
});
