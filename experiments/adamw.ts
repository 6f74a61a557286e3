/**
 * AdamW with PyTorch's exact update order (torch.optim.AdamW, single-tensor path), as a plain
 * tensor function for hand-written training loops (no tf.Variable, no optimizer.minimize):
 *
 *   θ ← θ·(1 − lr·wd)                          (decoupled weight decay, first)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * Memory: `step` returns new parameter tensors and replaces its moment tensors; the caller disposes
 * the old parameters. Everything temporary is tidied. Constants are uploaded once.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './types';

export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  /** Number of steps taken so far (PyTorch's `state['step']`). */
  t = 0;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private m: Tensor[];
  private v: Tensor[];
  private readonly consts: { beta1: Scalar; oneMinusBeta1: Scalar; beta2: Scalar; oneMinusBeta2: Scalar; decay: Scalar; eps: Scalar };

  constructor(
    private readonly tf: Tf,
    shapes: number[][],
    options: AdamWOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.m = shapes.map((s) => tf.zeros(s));
    this.v = shapes.map((s) => tf.zeros(s));
    this.consts = {
      beta1: tf.scalar(this.beta1),
      oneMinusBeta1: tf.scalar(1 - this.beta1),
      beta2: tf.scalar(this.beta2),
      oneMinusBeta2: tf.scalar(1 - this.beta2),
      decay: tf.scalar(1 - this.lr * this.weightDecay),
      eps: tf.scalar(this.eps),
    };
  }

  /** One update of every parameter; returns the new parameters in the same order. */
  step(params: readonly Tensor[], grads: readonly Tensor[]): Tensor[] {
    const { tf, consts } = this;
    if (params.length !== this.m.length || grads.length !== this.m.length) {
      throw new Error(`AdamW was built for ${this.m.length} tensors, got ${params.length} parameters and ${grads.length} gradients`);
    }
    this.t += 1;
    const bias1 = 1 - this.beta1 ** this.t;
    const bias2 = 1 - this.beta2 ** this.t;
    const out = tf.tidy(() => {
      const stepSize = tf.scalar(this.lr / bias1);
      const bias2Sqrt = tf.scalar(Math.sqrt(bias2));
      const result: Tensor[] = [];
      for (let i = 0; i < params.length; i++) {
        const g = grads[i]!;
        const decayed = this.weightDecay === 0 ? params[i]! : tf.mul(params[i]!, consts.decay);
        const m = tf.add(tf.mul(this.m[i]!, consts.beta1), tf.mul(g, consts.oneMinusBeta1));
        const v = tf.add(tf.mul(this.v[i]!, consts.beta2), tf.mul(tf.square(g), consts.oneMinusBeta2));
        const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), consts.eps);
        const theta = tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize));
        // Returned in one flat list so that tidy keeps them: [θ…, m…, v…].
        result.push(theta, m, v);
      }
      return result;
    });
    const newParams: Tensor[] = [];
    for (let i = 0; i < params.length; i++) {
      this.m[i]!.dispose();
      this.v[i]!.dispose();
      newParams.push(out[3 * i]!);
      this.m[i] = out[3 * i + 1]!;
      this.v[i] = out[3 * i + 2]!;
    }
    return newParams;
  }

  /** Frees the moments and constants. */
  dispose(): void {
    for (const t of [...this.m, ...this.v, ...Object.values(this.consts)]) t.dispose();
    this.m = [];
    this.v = [];
  }
}
