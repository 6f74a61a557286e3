import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the autodiff references below need them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { issues, runExperiment } from '../../test/run-experiment';
import { EXPERIMENTS } from '../registry';
import { createRng } from '../rng';
import type { Tf } from '../types';
import { quadraticForward, quadraticJvp, quadraticKernel, quadraticLossGradient, quadraticSlopes } from './quadratic-net';
import { QuadraticRun, quadraticInit, quadraticTask, telescopingGrokkingConfigSchema, telescopingGrokkingExperiment } from './telescoping-grokking.experiment';

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend({ only: 'wasm' })).tf;
});

const D = 5;
const N = 7;
const EPS = 0.2;

function setup(seed: number) {
  const rng = createRng(seed, 'test');
  const theta = Array.from({ length: N }, () => Array.from({ length: D }, () => rng.normal()));
  const rows = Array.from({ length: 6 }, () => Array.from({ length: D }, () => rng.normal() / Math.sqrt(D)));
  return { theta, rows, rng };
}

/** f(x) for one row by the textbook formula, for autodiff (θ [N, D]). */
const scalarF = (theta: Tensor, x: number[]) => {
  const h = tf.matMul(theta as Tensor2D, tf.tensor2d([x]), false, true);
  return tf.mean(tf.add(h, tf.mul(tf.square(h), EPS / 2)));
};

describe('the quadratic-activation net of Kumar et al. (closed forms against autodiff)', () => {
  it('has the tangent kernel (1/N²)[Φ′Φ′ᵀ] ⊙ XXᵀ of explicit per-example gradients', () => {
    const { theta, rows } = setup(1);
    const { kernel, reference, f } = tf.tidy(() => {
      const th = tf.tensor2d(theta);
      const thT = tf.transpose(th) as Tensor2D;
      const x = tf.tensor2d(rows);
      const slopes = quadraticSlopes(tf, thT, x, EPS);
      const kernel = quadraticKernel(tf, slopes, x, tf.transpose(slopes) as Tensor2D, tf.transpose(x) as Tensor2D).arraySync();
      const g = tf.stack(rows.map((r) => tf.reshape(tf.grad((t: Tensor) => scalarF(t, r))(th), [-1]))) as Tensor2D;
      return { kernel, reference: (tf.matMul(g, g, false, true) as Tensor2D).arraySync(), f: quadraticForward(tf, thT, x, EPS).arraySync() };
    });
    const scale = Math.max(...reference.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    reference.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - kernel[i]![j]!) / scale).toBeLessThan(1e-5)));
    const f0 = tf.tidy(() => scalarF(tf.tensor2d(theta), rows[0]!).dataSync()[0]!);
    expect(f[0]![0]).toBeCloseTo(f0, 5);
  });

  it('has the loss gradient and the JVP of autodiff', () => {
    const { theta, rows, rng } = setup(2);
    const y = rows.map(() => rng.next());
    const delta = Array.from({ length: N }, () => Array.from({ length: D }, () => 0.1 * rng.normal()));
    const { grad, reference, jvp, jvpRef } = tf.tidy(() => {
      const th = tf.tensor2d(theta);
      const thT = tf.transpose(th) as Tensor2D;
      const x = tf.tensor2d(rows);
      const yt = tf.tensor2d(y, [y.length, 1]);
      const slopes = quadraticSlopes(tf, thT, x, EPS);
      const residuals = tf.sub(quadraticForward(tf, thT, x, EPS), yt) as Tensor2D;
      const grad = quadraticLossGradient(tf, slopes, x, residuals).arraySync();
      const loss = (t: Tensor) => tf.mul(tf.mean(tf.square(tf.sub(quadraticForward(tf, tf.transpose(t) as Tensor2D, x, EPS), yt))), 0.5);
      const reference = (tf.grad(loss)(th) as Tensor2D).arraySync();
      const d = tf.tensor2d(delta);
      const jvp = quadraticJvp(tf, slopes, x, tf.transpose(d) as Tensor2D).arraySync().map((r) => r[0]!);
      const jvpRef = rows.map((r) => tf.sum(tf.mul(tf.grad((t: Tensor) => scalarF(t, r))(th), d)).dataSync()[0]!);
      return { grad, reference, jvp, jvpRef };
    });
    const scale = Math.max(...reference.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(1e-4);
    reference.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - grad[i]![j]!) / scale).toBeLessThan(1e-5)));
    const jScale = Math.max(...jvpRef.map(Math.abs));
    jvpRef.forEach((v, i) => expect(Math.abs(v - jvp[i]!) / jScale).toBeLessThan(1e-5));
  });
});

describe('telescoping-grokking experiment', () => {
  it('parses its presets, rejects bad input with the field named, and is registered', () => {
    const c = telescopingGrokkingConfigSchema.parse({});
    expect(c).toMatchObject({ dim: 60, trainSize: 330, testSize: 500, width: 300, eps: 0.2, lr: 300, steps: 6000, probe: true });
    expect(telescopingGrokkingConfigSchema.parse(telescopingGrokkingExperiment.presets.paper!)).toMatchObject({ dim: 100, trainSize: 550, width: 500, steps: 100_000 });
    expect(issues(telescopingGrokkingConfigSchema, { probeTest: 600 })).toContain('probeTest must be at most the 500 test points');
    expect(issues(telescopingGrokkingConfigSchema, { trainSize: 5000 })).toContain('trainSize must be an integer from 1 to 2000');
    expect(issues(telescopingGrokkingConfigSchema, { lr: 0 })).toContain('lr must be a number greater than 0');
    expect(EXPERIMENTS.get('telescoping-grokking')).toBe(telescopingGrokkingExperiment);
  });

  it('draws y = ½(βᵀx)² with βᵀx ~ N(0, 1), deterministically per data seed', () => {
    const task = quadraticTask({ dim: 60, trainSize: 400, testSize: 10, dataSeed: 0 });
    const mean = task.yTrain.reduce((a, v) => a + v, 0) / task.yTrain.length;
    expect(mean).toBeGreaterThan(0.4); // E[½ z²] = ½
    expect(mean).toBeLessThan(0.6);
    expect(Math.min(...task.yTrain)).toBeGreaterThanOrEqual(0);
    expect(quadraticTask({ dim: 60, trainSize: 400, testSize: 10, dataSeed: 0 }).xTrain).toEqual(task.xTrain);
    expect(quadraticTask({ dim: 60, trainSize: 400, testSize: 10, dataSeed: 1 }).xTrain).not.toEqual(task.xTrain);
  });

  it('fits the train set by gradient descent while the smoother tracks the network (telescoping ≪ lazy)', async () => {
    const start = tf.memory().numTensors;
    const { outcome, evals } = await runExperiment(telescopingGrokkingExperiment, tf, { dim: 20, trainSize: 60, testSize: 100, width: 50, probeTest: 40, steps: 300, evalEvery: 100 });
    expect(outcome).toMatchObject({ status: 'done', stepsCompleted: 300 });
    const first = evals[0]!.values;
    const last = evals.at(-1)!.values;
    expect(evals.map((e) => e.step)).toEqual([0, 100, 200, 300]);
    expect(last.trainLoss!).toBeLessThan(0.5 * first.trainLoss!);
    expect(last.pTrain!).toBeGreaterThan(1);
    expect(last.pTrain!).toBeLessThanOrEqual(60 * 1.05);
    expect(last.lazyError!).toBeGreaterThan(10 * last.telescopeError!);
    expect(last.smootherError!).toBeLessThan(last.lazyError!);
    expect(last.telescopeMae!).toBeLessThan(last.lazyMae!);
    expect(tf.memory().numTensors).toBe(start);
  }, 60_000);

  it('runs no probe when asked not to, and the trajectory does not depend on it', () => {
    const config = telescopingGrokkingConfigSchema.parse({ dim: 10, trainSize: 30, testSize: 20, width: 20, probeTest: 10, steps: 5 });
    const task = quadraticTask(config);
    const losses = (probe: boolean) => {
      const run = new QuadraticRun(tf, { ...config, probe }, task, quadraticInit(config));
      for (let t = 0; t < 5; t++) run.step();
      const v = run.evaluate();
      run.dispose();
      return v;
    };
    const off = losses(false);
    const on = losses(true);
    expect(Object.keys(off)).not.toContain('pTrain');
    expect(on.trainLoss).toBe(off.trainLoss);
  });
});
