import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the autodiff reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { createRng } from '../rng';
import type { Tf } from '../types';
import { Mlp, defaultInitBound, initParameters, mlpParameterCount, parameterLayout, toTorchLayout, type LossKind } from './mlp';

const SIZES = [5, 4, 3, 3];

describe('MLP layout and PyTorch-default init', () => {
  it('lays out Wᵀ then b per layer and counts parameters', () => {
    const { layers, count } = parameterLayout([40, 16, 16, 10]);
    expect(count).toBe(16 * 16 + 52 * 16 + 10);
    expect(mlpParameterCount([40, 200, 200, 10])).toBe(40 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10);
    expect(layers.map((l) => [l.fanIn, l.fanOut, l.wOffset, l.bOffset])).toEqual([
      [40, 16, 0, 640],
      [16, 16, 656, 912],
      [16, 10, 928, 1088],
    ]);
    expect(() => parameterLayout([40])).toThrow(/at least two positive integer layer sizes/);
    expect(() => parameterLayout([40, 0, 10])).toThrow(/positive integer/);
  });

  it('draws every weight and bias from U(−1/√fan_in, 1/√fan_in), and α scales them exactly', () => {
    const sizes = [40, 200, 200, 10];
    const theta = initParameters(sizes, createRng(0, 'mnist1d-mlp/init'));
    const { layers } = parameterLayout(sizes);
    for (const L of layers) {
      const bound = defaultInitBound(L.fanIn);
      expect(bound).toBeCloseTo(1 / Math.sqrt(L.fanIn), 15);
      const w = theta.subarray(L.wOffset, L.bOffset);
      const b = theta.subarray(L.bOffset, L.bOffset + L.fanOut);
      for (const part of [w, b]) {
        let max = 0;
        let sum = 0;
        let sq = 0;
        for (const x of part) {
          max = Math.max(max, Math.abs(x));
          sum += x;
          sq += x * x;
        }
        expect(max).toBeLessThanOrEqual(bound);
        if (part.length >= 1000) {
          // Uniform on ±bound: mean 0, variance bound²/3, and values reach close to the bound.
          expect(max).toBeGreaterThan(0.99 * bound);
          expect(Math.abs(sum / part.length)).toBeLessThan(0.05 * bound);
          expect(sq / part.length / (bound * bound)).toBeCloseTo(1 / 3, 1);
        }
      }
    }
    const scaled = initParameters(sizes, createRng(0, 'mnist1d-mlp/init'), 8);
    expect(Array.from(scaled.subarray(0, 50))).toEqual(Array.from(theta.subarray(0, 50), (x) => Math.fround(8 * x)));
    expect(initParameters(sizes, createRng(1, 'mnist1d-mlp/init'))[0]).not.toBe(theta[0]);
  });

  it('converts θ to PyTorch layout (W is fanOut × fanIn)', () => {
    const theta = Float32Array.from({ length: mlpParameterCount([2, 3]) }, (_, i) => i);
    // Wᵀ = [[0,1,2],[3,4,5]] (in × out), b = [6,7,8] → W = [[0,3],[1,4],[2,5]].
    expect(toTorchLayout([2, 3], theta).map(({ weight, bias }) => [Array.from(weight), Array.from(bias)])).toEqual([
      [
        [0, 3, 1, 4, 2, 5],
        [6, 7, 8],
      ],
    ]);
  });
});

/** Plain double-precision forward pass and loss of the MLP from θ (an independent reference). */
function lossF64(sizes: number[], theta: Float64Array, x: number[][], labels: number[], kind: LossKind): number {
  const { layers } = parameterLayout(sizes);
  let total = 0;
  for (let r = 0; r < x.length; r++) {
    let a = x[r]!;
    layers.forEach((L, l) => {
      const z = new Array<number>(L.fanOut).fill(0);
      for (let o = 0; o < L.fanOut; o++) {
        let s = theta[L.bOffset + o]!;
        for (let i = 0; i < L.fanIn; i++) s += a[i]! * theta[L.wOffset + i * L.fanOut + o]!;
        z[o] = l < layers.length - 1 ? Math.max(0, s) : s;
      }
      a = z;
    });
    if (kind === 'cross-entropy') {
      const m = Math.max(...a);
      const lse = m + Math.log(a.reduce((acc, v) => acc + Math.exp(v - m), 0));
      total += lse - a[labels[r]!]!;
    } else {
      for (let c = 0; c < a.length; c++) total += (a[c]! - (c === labels[r] ? 1 : 0)) ** 2 / a.length;
    }
  }
  return total / x.length;
}

describe.each(['wasm', 'cpu'] as const)('hand-written MLP on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  /** Hand-written gradient, autodiff gradient and loss for a batch; all host arrays. */
  function gradients(kind: LossKind, theta: Float32Array, x: number[][], labels: number[]) {
    const mlp = new Mlp(tf, SIZES);
    const B = x.length;
    const C = SIZES.at(-1)!;
    return tf.tidy(() => {
      const th = tf.tensor1d(theta);
      const xs = tf.tensor2d(x);
      const onehot = tf.tensor2d(labels.map((y) => Array.from({ length: C }, (_, c) => (c === y ? 1 : 0))));
      const xTAug = tf.concat([tf.transpose(xs), tf.ones([1, B])], 0) as Tensor2D;
      const scale = tf.scalar(kind === 'cross-entropy' ? 1 / B : 2 / (B * C));
      const v = mlp.views(th);
      const f = mlp.forward(v, xs);
      const ours = mlp.backward(v, f, xTAug, tf.ones([1, B]), mlp.outputGradient(kind, f.out, onehot, scale));
      // Reference: autodiff of the textbook formulation (separate matMul, add, relu; explicit losses).
      const loss = (t: Tensor) => {
        const w = mlp.views(t as Tensor1D);
        let a: Tensor2D = xs;
        for (let l = 0; l < w.wt.length; l++) {
          const z = tf.add(tf.matMul(a, w.wt[l]!), w.b[l]!) as Tensor2D;
          a = l < w.wt.length - 1 ? tf.relu(z) : z;
        }
        return kind === 'cross-entropy' ? tf.mean(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(a)), 1))) : tf.mean(tf.square(tf.sub(a, onehot)));
      };
      const reference = tf.grad(loss)(th);
      const rows = mlp.rowLossAndCorrect(kind, f.out, onehot, tf.tensor1d(labels, 'int32'));
      return {
        ours: Array.from(ours.dataSync()),
        reference: Array.from(reference.dataSync()),
        loss: loss(th).dataSync()[0]!,
        rowLossMean: Array.from(rows.loss.dataSync()).reduce((a, b) => a + b, 0) / (B * (kind === 'mse' ? C : 1)),
      };
    });
  }

  it.each(['cross-entropy', 'mse'] as const)('backward equals autodiff and finite differences (%s)', (kind) => {
    const rng = createRng(7, 'test');
    const theta = initParameters(SIZES, rng, 2);
    const x = Array.from({ length: 6 }, () => Array.from({ length: SIZES[0]! }, () => rng.normal()));
    const labels = [0, 1, 2, 2, 1, 0];
    const g = gradients(kind, theta, x, labels);
    const scale = Math.max(...g.reference.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    const maxDiff = Math.max(...g.ours.map((v, i) => Math.abs(v - g.reference[i]!)));
    expect(maxDiff / scale).toBeLessThan(1e-5);
    // Central differences of the float64 reference loss (exact up to O(h²) away from ReLU kinks).
    const t64 = Float64Array.from(theta);
    const f0 = lossF64(SIZES, t64, x, labels, kind);
    expect(g.loss).toBeCloseTo(f0, 5);
    expect(g.rowLossMean).toBeCloseTo(f0, 5);
    const h = 1e-6;
    let worst = 0;
    for (let i = 0; i < t64.length; i++) {
      const save = t64[i]!;
      t64[i] = save + h;
      const up = lossF64(SIZES, t64, x, labels, kind);
      t64[i] = save - h;
      const down = lossF64(SIZES, t64, x, labels, kind);
      t64[i] = save;
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - g.ours[i]!));
    }
    expect(worst / scale).toBeLessThan(1e-4);
  });
});
