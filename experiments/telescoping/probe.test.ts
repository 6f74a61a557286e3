import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import type { Mnist1dMlpData } from '../mnist1d-mlp/data';
import { doubleDescentConfigSchema, doubleDescentData, doubleDescentInit, layerSizes } from '../mnist1d-mlp/double-descent.experiment';
import { initParameters } from '../mnist1d-mlp/mlp';
import { Sgd } from '../mnist1d-mlp/sgd';
import { MlpRun, type EvalValues } from '../mnist1d-mlp/train-loop';
import { createRng } from '../rng';
import type { Tf } from '../types';

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend({ only: 'wasm' })).tf;
});

/** Trains `steps` full-batch (or mini-batch) SGD steps with the probe on and returns the last reading. */
function train(data: Mnist1dMlpData, sizes: number[], theta0: Float32Array, lr: number, steps: number, batchSize = data.train.n): EvalValues {
  const run = new MlpRun(tf, {
    sizes,
    theta0,
    loss: 'mse',
    makeOptimizer: (t) => new Sgd(t, { lr }),
    data,
    batchSize,
    steps,
    evalEvery: steps,
    seed: 0,
    probe: { lr, testPoints: 100 },
  });
  try {
    for (let t = 0; t < steps; t++) run.step();
    return run.evaluate();
  } finally {
    run.dispose();
  }
}

describe('telescoping probe', () => {
  it('gives p_train = d for a linear model trained to convergence by full-batch gradient descent on least squares', () => {
    // d = 5 features: 4 inputs and the bias. A linear model's smoother converges to the hat matrix
    // X(XᵀX)⁻¹Xᵀ, a projection of rank d, so Σ‖s(x_j)‖² = its trace = d.
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
    const reading = train(data, sizes, initParameters(sizes, rng), 0.1, 400);
    expect(Math.abs(reading.pTrain! - 5) / 5).toBeLessThan(0.01);
    // Fresh points from the same distribution: ‖s(x)‖² ≈ xᵀ(XᵀX)⁻¹x ≈ d/n, so p_test is near d too.
    expect(reading.pTest!).toBeGreaterThan(3.5);
    expect(reading.pTest!).toBeLessThan(7);
    // A linear model is its own linearisation: both approximations are exact up to float32 rounding.
    expect(reading.telescopeError!).toBeLessThan(1e-4);
    expect(reading.lazyError!).toBeLessThan(1e-4);
  });

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
