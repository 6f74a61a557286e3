// tfjs-core alone registers no gradients; the independent per-step sum below uses autodiff.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import type { Mnist1dMlpData } from '../mnist1d-mlp/data';
import { doubleDescentConfigSchema, doubleDescentData, doubleDescentInit, layerSizes } from '../mnist1d-mlp/double-descent.experiment';
import { initParameters } from '../mnist1d-mlp/mlp';
import { Sgd } from '../mnist1d-mlp/sgd';
import { MlpRun, type EvalValues } from '../mnist1d-mlp/train-loop';
import { createRng } from '../rng';
import type { Tf } from '../types';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { Mlp } from '../mnist1d-mlp/mlp';
import { TelescopingProbe } from './probe';
import { jacobianVectorProduct } from './tangent-kernel';

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend({ only: 'wasm' })).tf;
});

/** Trains `steps` full-batch (or mini-batch) SGD steps with the probe on and returns the last reading. */
function train(data: Mnist1dMlpData, sizes: number[], theta0: Float32Array, lr: number, steps: number, batchSize = data.train.n, momentum = 0): EvalValues {
  const run = new MlpRun(tf, {
    sizes,
    theta0,
    loss: 'mse',
    makeOptimizer: (t) => new Sgd(t, { lr, momentum }),
    data,
    batchSize,
    steps,
    evalEvery: steps,
    seed: 0,
    probe: { lr, testPoints: 100, momentum },
  });
  try {
    for (let t = 0; t < steps; t++) run.step();
    return run.evaluate();
  } finally {
    run.dispose();
  }
}

describe('telescoping probe', () => {
  /** A linear model's data: d = 5 features (4 inputs and the bias), n = 60 train points, 100 test points. */
  function linearData(): { data: Mnist1dMlpData; sizes: number[]; theta0: Float32Array } {
    const rng = createRng(11, 'test');
    const n = 60;
    const length = 4;
    const split = (rows: number) => ({
      x: Float32Array.from({ length: rows * length }, () => rng.normal()),
      y: Int32Array.from({ length: rows }, () => (rng.next() < 0.5 ? 1 : 0)),
      n: rows,
    });
    const data: Mnist1dMlpData = { length, outputs: 1, train: split(n), test: split(100), labelsChanged: 0, hash: 'synthetic' };
    const sizes = [length, 1];
    return { data, sizes, theta0: initParameters(sizes, rng) };
  }

  it('gives p_train = d for a linear model trained to convergence by full-batch gradient descent on least squares', () => {
    // A linear model's smoother converges to the hat matrix X(XᵀX)⁻¹Xᵀ, a projection of rank d, so Σ‖s(x_j)‖² = its trace = d.
    const { data, sizes, theta0 } = linearData();
    const reading = train(data, sizes, theta0, 0.1, 400);
    expect(Math.abs(reading.pTrain! - 5) / 5).toBeLessThan(0.01);
    expect(reading.smootherError!).toBeLessThan(1e-4);
    expect(reading.smootherMae!).toBeLessThan(1e-4);
    // Fresh points from the same distribution: ‖s(x)‖² ≈ xᵀ(XᵀX)⁻¹x ≈ d/n, so p_test is near d too.
    expect(reading.pTest!).toBeGreaterThan(3.5);
    expect(reading.pTest!).toBeLessThan(7);
    // A linear model is its own linearisation: both approximations are exact up to float32 rounding.
    expect(reading.telescopeError!).toBeLessThan(1e-4);
    expect(reading.lazyError!).toBeLessThan(1e-4);
  });

  it('gives p_train = d for the linear model trained by gradient descent with momentum 0.9 (the momentum recursion)', () => {
    const { data, sizes, theta0 } = linearData();
    const reading = train(data, sizes, theta0, 0.02, 400, data.train.n, 0.9);
    expect(Math.abs(reading.pTrain! - 5) / 5).toBeLessThan(0.01);
    expect(reading.pTest!).toBeGreaterThan(3.5);
    expect(reading.pTest!).toBeLessThan(7);
    expect(reading.telescopeError!).toBeLessThan(1e-4);
    expect(reading.smootherError!).toBeLessThan(1e-4);
    // Not there after 10 steps (momentum overshoots past d first): the value is earned by converging.
    const early = train(data, sizes, theta0, 0.02, 10, data.train.n, 0.9);
    expect(Math.abs(early.pTrain! - 5)).toBeGreaterThan(0.3);
  });

  it('with momentum, equals an independent per-step sum f_θ₀ + Σ_t ∇f_θ_{t−1}ᵀ(θ_t − θ_{t−1}) along the path SGD took', () => {
    const config = doubleDescentConfigSchema.parse({ task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0.9, lr: 0.01, width: 6, probe: true });
    const data = doubleDescentData(config);
    const sizes = layerSizes(config);
    const theta0 = doubleDescentInit(config);
    const mlp = new Mlp(tf, sizes);
    const m = 20;
    const lr = 0.01;
    const probe = new TelescopingProbe(tf, mlp, {
      length: data.length,
      xTrain: data.train.x,
      yTrain: Float32Array.from(data.train.y),
      xProbe: data.test.x.subarray(0, m * data.length),
      theta0,
      lr,
      lossFactor: 2,
      momentum: 0.9,
    });
    const n = data.train.n;
    const x = tf.tensor2d(Float32Array.from([...data.train.x, ...data.test.x.subarray(0, m * data.length)]), [n + m, data.length]);
    const y = tf.tensor2d(Float32Array.from(data.train.y), [n, 1]);
    const sgd = new Sgd(tf, { lr, momentum: 0.9 });
    let theta = tf.tensor1d(theta0) as Tensor1D;
    let sum = tf.tidy(() => mlp.forward(mlp.views(theta), x).out);
    const rng = createRng(7, 'test');
    for (let t = 0; t < 60; t++) {
      const batch = Int32Array.from({ length: 50 }, () => Math.floor(rng.next() * n));
      probe.update(theta, batch);
      // The gradient of the batch's mean squared error, by autodiff (independent of the probe's signals).
      const grad = tf.tidy(() =>
        tf.grad((th: Tensor) => {
          const f = mlp.forward(mlp.views(th as Tensor1D), tf.gather(x, tf.tensor1d(batch, 'int32')) as Tensor2D).out;
          return tf.mean(tf.square(tf.sub(f, tf.gather(y, tf.tensor1d(batch, 'int32')))));
        })(theta),
      );
      const [next] = sgd.step([theta], [grad]);
      const nextSum = tf.tidy(() => tf.add(sum, jacobianVectorProduct(tf, mlp, mlp.views(theta), mlp.views(tf.sub(next!, theta) as Tensor1D), x)));
      tf.dispose([grad, theta, sum]);
      theta = next as Tensor1D;
      sum = nextSum as Tensor2D;
    }
    const reference = sum.dataSync();
    const network = tf.tidy(() => mlp.forward(mlp.views(theta), x).out).dataSync();
    const { telescoped, smoother } = probe.predictions();
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < n + m; i++) {
      worst = Math.max(worst, Math.abs(telescoped[i]! - reference[i]!));
      moved = Math.max(moved, Math.abs(network[i]! - probe['f0'].dataSync()[i]!));
    }
    expect(moved).toBeGreaterThan(0.05); // training went somewhere
    expect(worst).toBeLessThan(1e-4);
    // The smoother is close to the telescoping model, and both to the network, at this step size.
    let smootherGap = 0;
    for (let i = 0; i < n + m; i++) smootherGap = Math.max(smootherGap, Math.abs(smoother[i]! - telescoped[i]!));
    expect(smootherGap).toBeLessThan(0.05);
    tf.dispose([theta, sum, x, y]);
    sgd.dispose();
    probe.dispose();
  }, 60_000);

  it('tracks a small MLP (lr 0.01) at least 10× more closely than the lazy linearisation at the end of training', () => {
    const config = doubleDescentConfigSchema.parse({ task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0, lr: 0.01, width: 16, probe: true });
    const data = doubleDescentData(config);
    const reading = train(data, layerSizes(config), doubleDescentInit(config), 0.01, 600);
    expect(reading.trainAcc).toBeGreaterThan(0.8); // it learned something: the network moved well away from θ₀
    expect(reading.lazyError!).toBeGreaterThan(0.02);
    expect(reading.lazyError! / reading.telescopeError!).toBeGreaterThanOrEqual(10);
    // Effective parameters: a fraction of the 673 parameters, fewer on unseen points than on the train set.
    expect(reading.pTrain!).toBeGreaterThan(5);
    expect(reading.pTrain!).toBeLessThan(673);
    expect(reading.pTest!).toBeLessThan(reading.pTrain! * 1.5);
    expect(reading.probeMsPerStep!).toBeGreaterThan(0);
  }, 60_000);

  it('runs no probe code when the run did not ask for one', () => {
    const config = doubleDescentConfigSchema.parse({ task: 'binary-0v1', hiddenLayers: 1, loss: 'mse', momentum: 0, width: 4 });
    const run = new MlpRun(tf, {
      sizes: layerSizes(config),
      theta0: doubleDescentInit(config),
      loss: 'mse',
      makeOptimizer: (t) => new Sgd(t, { lr: 0.01 }),
      data: doubleDescentData(config),
      batchSize: 100,
      steps: 5,
      evalEvery: 5,
      seed: 0,
    });
    for (let t = 0; t < 5; t++) run.step();
    const values = run.evaluate();
    run.dispose();
    expect(run.probeMs).toBe(0);
    expect(Object.keys(values)).not.toContain('pTrain');
  });
});
