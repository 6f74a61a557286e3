import type { Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../trainer/backend';
import { AdamW } from './adamw';
import type { Tf } from './types';

/** PyTorch's AdamW (single-tensor path) written out in double precision. */
function referenceAdamW(
  theta: number[],
  grads: number[][],
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): number[] {
  const th = [...theta];
  const m = th.map(() => 0);
  const v = th.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < th.length; i++) {
      th[i]! *= 1 - o.lr * o.weightDecay;
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g[i]!;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      th[i]! -= (o.lr / (1 - o.beta1 ** t)) * (m[i]! / denom);
    }
  });
  return th;
}

describe.each(['wasm', 'cpu'] as const)('AdamW on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  it('matches one and three steps done by hand (decoupled decay first, bias-corrected moments)', () => {
    const options = { lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 1.0 };
    const theta0 = [1, -2, 0.5, 0];
    const grads = [
      [0.1, 0.2, -0.3, 0],
      [-0.05, 0.4, 0.3, 1e-3],
      [0.2, -0.1, 0, 2],
    ];
    // One step from m = v = 0 moves every coordinate with a non-zero gradient by lr (sign of g).
    const one = referenceAdamW(theta0, grads.slice(0, 1), options);
    expect(one[0]).toBeCloseTo(1 * 0.99 - 0.01, 7);
    const opt = new AdamW(tf, [[2, 2]], options);
    let params: Tensor[] = [tf.tensor2d(theta0, [2, 2])];
    const before = tf.memory().numTensors;
    for (let k = 0; k < grads.length; k++) {
      const g = tf.tensor2d(grads[k]!, [2, 2]);
      const next = opt.step(params, [g]);
      tf.dispose([...params, g]);
      params = next;
      const got = Array.from(params[0]!.dataSync());
      const want = referenceAdamW(theta0, grads.slice(0, k + 1), options);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(opt.t).toBe(3);
    opt.dispose();
    tf.dispose(params);
  });

  it('without weight decay equals Adam, and updates several tensors independently', () => {
    const options = { lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-3, weightDecay: 0 };
    const opt = new AdamW(tf, [[3], [1]], options);
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([-1]);
    const ga = tf.tensor1d([0.5, -0.5, 0.01]);
    const gb = tf.tensor1d([2]);
    const [a1, b1] = opt.step([a, b], [ga, gb]);
    const wantA = referenceAdamW([1, 2, 3], [[0.5, -0.5, 0.01]], options);
    const wantB = referenceAdamW([-1], [[2]], options);
    Array.from(a1!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(wantA[i]!, 6));
    expect(b1!.dataSync()[0]).toBeCloseTo(wantB[0]!, 6);
    expect(() => opt.step([a], [ga])).toThrow(/built for 2 tensors/);
    opt.dispose();
    tf.dispose([a, b, ga, gb, a1!, b1!]);
  });
});
