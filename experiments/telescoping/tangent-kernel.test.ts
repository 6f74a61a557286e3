import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the autodiff reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../trainer/backend';
import { Mlp, initParameters } from '../mnist1d-mlp/mlp';
import { createRng } from '../rng';
import type { Tf } from '../types';
import { jacobianVectorProduct, perExampleGradients, scalarSignals, tangentKernel } from './tangent-kernel';

const SIZES = [6, 5, 4, 1];

describe.each(['cpu', 'wasm'] as const)('tangent kernel of a scalar MLP on %s', (backend) => {
  let tf: Tf;
  beforeAll(async () => {
    tf = (await selectBackend({ only: backend })).tf;
  });

  /** f(x) by the textbook formulation (separate matMul, add, relu), for autodiff. */
  const f = (mlp: Mlp, theta: Tensor, x: Tensor2D) => {
    const w = mlp.views(theta as Tensor1D);
    let a: Tensor2D = x;
    for (let l = 0; l < w.wt.length; l++) {
      const z = tf.add(tf.matMul(a, w.wt[l]!), w.b[l]!) as Tensor2D;
      a = l < w.wt.length - 1 ? tf.relu(z) : z;
    }
    return tf.sum(a);
  };

  it('equals the dot products of explicit per-example parameter gradients (autodiff) to 1e-5', () => {
    const rng = createRng(3, 'test');
    const mlp = new Mlp(tf, SIZES);
    const theta0 = initParameters(SIZES, rng, 1.5);
    const rows = Array.from({ length: 7 }, () => Array.from({ length: SIZES[0]! }, () => rng.normal()));
    const { kernel, reference } = tf.tidy(() => {
      const theta = tf.tensor1d(theta0);
      const x = tf.tensor2d(rows);
      const sig = scalarSignals(tf, mlp, mlp.views(theta), x);
      const kernel = tangentKernel(tf, sig, sig).arraySync();
      // One gradient per example: G [7, |θ|], then G Gᵀ.
      const grads = rows.map((r) => tf.grad((t: Tensor) => f(mlp, t, tf.tensor2d([r])))(theta));
      const g = tf.stack(grads) as Tensor2D;
      return { kernel, reference: (tf.matMul(g, g, false, true) as Tensor2D).arraySync() };
    });
    const scale = Math.max(...reference.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(1);
    let worst = 0;
    reference.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - kernel[i]![j]!)))));
    expect(worst / scale).toBeLessThan(1e-5);
    // Symmetric and positive on the diagonal, as a Gram matrix is.
    expect(kernel[2]![5]).toBeCloseTo(kernel[5]![2]!, 4);
    expect(Math.min(...kernel.map((r, i) => r[i]!))).toBeGreaterThan(0);
  });

  it('pushes tangents forward: the JVP equals the gradient dotted with Δθ', () => {
    const rng = createRng(4, 'test');
    const mlp = new Mlp(tf, SIZES);
    const theta0 = initParameters(SIZES, rng);
    const delta = Float32Array.from(theta0, () => 0.1 * rng.normal());
    const rows = Array.from({ length: 5 }, () => Array.from({ length: SIZES[0]! }, () => rng.normal()));
    const { jvp, reference } = tf.tidy(() => {
      const theta = tf.tensor1d(theta0);
      const d = tf.tensor1d(delta);
      const jvp = Array.from(jacobianVectorProduct(tf, mlp, mlp.views(theta), mlp.views(d), tf.tensor2d(rows)).dataSync());
      const reference = rows.map((r) => tf.sum(tf.mul(tf.grad((t: Tensor) => f(mlp, t, tf.tensor2d([r])))(theta), d)).dataSync()[0]!);
      return { jvp, reference };
    });
    const scale = Math.max(...reference.map(Math.abs));
    expect(scale).toBeGreaterThan(0.01);
    for (let i = 0; i < rows.length; i++) expect(Math.abs(jvp[i]! - reference[i]!) / scale).toBeLessThan(1e-5);
  });

  it('builds per-example parameter gradients in the flat layout that equal autodiff rows, and whose Gram matrix is the kernel', () => {
    const rng = createRng(5, 'test');
    const mlp = new Mlp(tf, SIZES);
    const theta0 = initParameters(SIZES, rng, 1.5);
    const rows = Array.from({ length: 4 }, () => Array.from({ length: SIZES[0]! }, () => rng.normal()));
    const { g, reference, gram, kernel } = tf.tidy(() => {
      const theta = tf.tensor1d(theta0);
      const sig = scalarSignals(tf, mlp, mlp.views(theta), tf.tensor2d(rows));
      const gt = perExampleGradients(tf, sig);
      return {
        g: gt.arraySync(),
        reference: rows.map((r) => Array.from(tf.grad((t: Tensor) => f(mlp, t, tf.tensor2d([r])))(theta).dataSync())),
        gram: (tf.matMul(gt, gt, false, true) as Tensor2D).arraySync(),
        kernel: tangentKernel(tf, sig, sig).arraySync(),
      };
    });
    expect(g[0]!.length).toBe(mlp.count);
    const scale = Math.max(...reference.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    let worst = 0;
    reference.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - g[i]![j]!)))));
    expect(worst / scale).toBeLessThan(1e-5);
    const kScale = Math.max(...kernel.flat().map(Math.abs));
    gram.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - kernel[i]![j]!) / kScale).toBeLessThan(1e-5)));
  });

  it('refuses a network with more than one output', () => {
    const mlp = new Mlp(tf, [3, 2, 2]);
    expect(() => tf.tidy(() => scalarSignals(tf, mlp, mlp.views(tf.zeros([mlp.count])), tf.zeros([1, 3])).out)).toThrow(/scalar output; this MLP has 2 outputs/);
  });
});
