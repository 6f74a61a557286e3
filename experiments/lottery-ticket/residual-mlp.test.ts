import type { Tensor } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the autodiff reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { createRng } from '../rng';
import type { Tf } from '../types';
import { loadMnist1d, makeEvalSet, SequentialBatches } from './data';
import { denseMask, magnitudePrune } from './pruning';
import { gradient, initParameters, MaskedTrainer, parameterLayout, toTorchLayout, unpack, type ParamName } from './residual-mlp';

const NAMES: ParamName[] = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];

describe('PyTorch-default initialisation', () => {
  it('draws weights and biases from U(−1/√fan_in, 1/√fan_in), seeded', () => {
    const layout = parameterLayout({ input: 40, width: 100, classes: 10 });
    const theta = initParameters(layout, createRng(0, 'lottery-ticket/init'));
    const fanIn: Record<ParamName, number> = { a1: 40, b1: 40, a2: 100, b2: 100, a3: 100, b3: 100 };
    for (const span of layout.spans) {
      const bound = 1 / Math.sqrt(fanIn[span.name]);
      const v = theta.subarray(span.offset, span.offset + span.size);
      expect(Math.max(...v.map(Math.abs)), span.name).toBeLessThanOrEqual(bound);
      if (span.size >= 1000) {
        let sq = 0;
        for (const x of v) sq += x * x;
        expect(Math.sqrt(sq / v.length) / (bound / Math.sqrt(3)), span.name).toBeCloseTo(1, 1); // U(−b, b) has σ = b/√3
      }
    }
    expect(initParameters(layout, createRng(0, 'lottery-ticket/init'))).toEqual(theta);
    expect(initParameters(layout, createRng(0, 'lottery-ticket/fresh-init'))).not.toEqual(theta);
    // PyTorch layout round trip: W1 is [100 × 40] with W1[o][i] = A1[i][o].
    const w1 = toTorchLayout(layout, theta, 'a1');
    expect(w1[3 * 40 + 7]).toBe(theta[7 * 100 + 3]);
  });
});

describe.each(['wasm', 'cpu'] as const)('residual MLP on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  it('hand-written gradient equals autodiff of the plain PyTorch-layout formulation', () => {
    const data = loadMnist1d(42);
    const layout = parameterLayout({ input: 40, width: 7, classes: 10 });
    const theta = initParameters(layout, createRng(5, 'test'));
    // Scale up so that many ReLUs are active and the residual branch matters.
    for (let k = 0; k < theta.length; k++) theta[k] = 3 * theta[k]!;
    const batches = new SequentialBatches(tf, data, 13);
    const batch = batches.get(2);
    const ours = tf.tidy(() => gradient(tf, unpack(tf, layout, tf.tensor1d(theta)), batch));
    const reference = tf.tidy(() => {
      const x = batch.x;
      const y = tf.mul(batch.yScaled, batch.n); // one-hot
      const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor, b3: Tensor) => {
        const h1 = tf.relu(tf.add(tf.matMul(x, w1, false, true), b1));
        const h = tf.add(h1, tf.relu(tf.add(tf.matMul(h1, w2, false, true), b2)));
        const logits = tf.add(tf.matMul(h, w3, false, true), b3);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
      };
      const params = NAMES.map((n) => {
        const span = layout.spans.find((s) => s.name === n)!;
        const shape = span.prunable ? [span.shape[1]!, span.shape[0]] : span.shape;
        return tf.tensor(toTorchLayout(layout, theta, n), shape);
      });
      const grads = tf.grads(loss as (...args: Tensor[]) => Tensor)(params);
      // Back to θ's layout: weights transposed.
      return tf.concat(grads.map((g, i) => tf.reshape(layout.spans[i]!.prunable ? tf.transpose(g) : g, [-1])));
    });
    const a = ours.dataSync();
    const b = reference.dataSync();
    const scale = Math.max(...b.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff / scale).toBeLessThan(1e-5);
    // Every tensor's gradient is non-trivial (the check is not passing on zeros).
    for (const span of layout.spans) {
      const part = b.subarray(span.offset, span.offset + span.size);
      expect(Math.max(...part.map(Math.abs)), span.name).toBeGreaterThan(1e-4);
    }
    tf.dispose([ours, reference]);
    batches.dispose();
  });

  it('starts from θ₀ on the survivors, keeps pruned weights exactly 0 through Adam steps, and leaks no tensors', () => {
    const data = loadMnist1d(42);
    const layout = parameterLayout({ input: 40, width: 16, classes: 10 });
    const theta0 = initParameters(layout, createRng(1, 'test'));
    let mask = denseMask(layout);
    for (let r = 0; r < 3; r++) mask = magnitudePrune(layout, theta0, mask, 0.3);
    const startTensors = tf.memory().numTensors;
    const batches = new SequentialBatches(tf, data, 50);
    const trainer = new MaskedTrainer(tf, layout, theta0, mask, 1e-2);
    // Reset: survivors equal θ₀ exactly, the rest are 0.
    const start = trainer.values();
    for (let k = 0; k < layout.total; k++) expect(start[k]).toBe(mask[k] === 1 ? theta0[k] : 0);
    const evalSet = makeEvalSet(tf, data.xTrain, data.yTrain, 40);
    const before = trainer.score([evalSet])[0]!.lossSum;
    // 80 distinct batches of 50 are uploaded once each, then reused.
    for (let s = 0; s < 80; s++) trainer.step(batches.get(s));
    const warm = tf.memory().numTensors;
    for (let s = 80; s < 120; s++) trainer.step(batches.get(s));
    expect(tf.memory().numTensors).toBe(warm);
    const after = trainer.values();
    let moved = 0;
    for (let k = 0; k < layout.total; k++) {
      if (mask[k] === 0) expect(after[k], `pruned θ[${k}]`).toBe(0);
      else if (after[k] !== theta0[k]) moved++;
    }
    expect(moved).toBeGreaterThan(0.9 * mask.reduce((a, m) => a + m, 0));
    expect(trainer.score([evalSet])[0]!.lossSum).toBeLessThan(before);
    trainer.dispose();
    batches.dispose();
    tf.dispose([evalSet.x, evalSet.labels, evalSet.oneHot]);
    expect(tf.memory().numTensors).toBe(startTensors);
  });
});
