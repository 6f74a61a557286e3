/**
 * SGD with momentum in torch.optim.SGD's exact semantics, as a plain tensor function for
 * hand-written training loops (the counterpart of ../adamw.ts; double-descent trains with it):
 *
 *   d ← g + wd·θ                                   (coupled L2 weight decay, when wd > 0)
 *   buf ← d on the first step, else μ·buf + (1 − dampening)·d
 *   d ← d + μ·buf with Nesterov, else buf
 *   θ ← θ − lr·d
 *
 * With momentum 0 there is no buffer and θ ← θ − lr·d. `step` returns new parameter tensors and
 * replaces its buffers; the caller disposes the old parameters. Constants are uploaded once.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../types';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** What the training loop needs of an optimizer (../adamw.ts's AdamW has the same shape). */
export interface TensorOptimizer {
  step(params: readonly Tensor[], grads: readonly Tensor[]): Tensor[];
  dispose(): void;
}

export class Sgd implements TensorOptimizer {
  /** Steps taken so far. */
  t = 0;
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private buf: Tensor[] | null = null;
  private readonly consts: { lr: Scalar; momentum: Scalar; oneMinusDampening: Scalar; weightDecay: Scalar };

  constructor(
    private readonly tf: Tf,
    options: SgdOptions,
  ) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    this.consts = {
      lr: tf.scalar(this.lr),
      momentum: tf.scalar(this.momentum),
      oneMinusDampening: tf.scalar(1 - this.dampening),
      weightDecay: tf.scalar(this.weightDecay),
    };
  }

  step(params: readonly Tensor[], grads: readonly Tensor[]): Tensor[] {
    const { tf, consts } = this;
    if (params.length !== grads.length) throw new Error(`SGD got ${params.length} parameters and ${grads.length} gradients`);
    if (this.buf && this.buf.length !== params.length) throw new Error(`SGD was stepped with ${this.buf.length} tensors, got ${params.length}`);
    const first = this.buf === null;
    const out = tf.tidy(() => {
      const result: Tensor[] = [];
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        let d = this.weightDecay === 0 ? grads[i]! : tf.add(grads[i]!, tf.mul(p, consts.weightDecay));
        if (this.momentum !== 0) {
          const prev = this.buf?.[i];
          let buf: Tensor;
          if (!prev) buf = tf.clone(d);
          else if (this.dampening === 0) buf = tf.add(tf.mul(prev, consts.momentum), d);
          else buf = tf.add(tf.mul(prev, consts.momentum), tf.mul(d, consts.oneMinusDampening));
          d = this.nesterov ? tf.add(d, tf.mul(buf, consts.momentum)) : buf;
          result.push(buf);
        }
        result.push(tf.sub(p, tf.mul(d, consts.lr)));
      }
      return result;
    });
    this.t += 1;
    if (this.momentum === 0) return out;
    // out = [buf0, θ0, buf1, θ1, …]
    if (!first) for (const b of this.buf!) b.dispose();
    this.buf = out.filter((_, k) => k % 2 === 0);
    return out.filter((_, k) => k % 2 === 1);
  }

  dispose(): void {
    if (this.buf) for (const b of this.buf) b.dispose();
    this.buf = null;
    for (const c of Object.values(this.consts)) c.dispose();
  }
}
