/**
 * Training and evaluation state of one grokking-transformer run on the device: θ, the optimizer,
 * the constants and the evaluation sets.
 *
 * Optimizer: torch.optim.Adam/AdamW as `train.py` uses it, through ../adamw (decoupled weight decay;
 * with weight decay 0 it is exactly Adam), plus the repo's `LambdaLR(lambda u: 1 if u > 10 else
 * u / 10)` warm-up: update t (0-based) runs at lr·min(t / warmupSteps, 1), so the very first update
 * has lr 0 (the parameters stay put, Adam's moments and step count still advance). AdamW's update is
 * linear in lr, so a scaled step is θ + f·(θ′ − θ) with θ′ the full-lr step.
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw';
import type { Tf } from '../types';
import { SEQ_LEN } from './data';
import {
  backward,
  crossEntropyGrad,
  disposeConsts,
  disposeSeqBatch,
  forward,
  makeConsts,
  oneHotFloat,
  seqBatch,
  toTensors,
  unpack,
  type Consts,
  type Layout,
  type SeqBatch,
} from './model';

export interface OptimizerOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Linear warm-up length in updates (0: none). */
  warmupSteps: number;
}

/** lr multiplier of update `t` (0-based): min(t / warmupSteps, 1). */
export function warmupFactor(t: number, warmupSteps: number): number {
  return warmupSteps <= 0 || t >= warmupSteps ? 1 : t / warmupSteps;
}

/** Sum of per-row cross-entropies and the number of correct argmax predictions of a set. */
export interface SetScore {
  lossSum: number;
  correct: number;
  n: number;
}

interface EvalChunk {
  n: number;
  input: SeqBatch;
  labels: Tensor1D;
}

/** An evaluation set resident on the device, in chunks (token ids and labels only: one-hot rows are made per chunk when scoring). */
export class EvalSet {
  readonly n: number;
  readonly chunks: EvalChunk[] = [];

  constructor(tf: Tf, tokens: Int32Array, labels: Int32Array, vocab: number, chunkRows: number) {
    this.n = labels.length;
    for (let from = 0; from < this.n; from += chunkRows) {
      const n = Math.min(chunkRows, this.n - from);
      this.chunks.push({
        n,
        input: seqBatch(tf, vocab, tokens.subarray(from * SEQ_LEN, (from + n) * SEQ_LEN)),
        labels: tf.tensor1d(labels.subarray(from, from + n), 'int32'),
      });
    }
  }

  dispose(): void {
    for (const c of this.chunks) {
      disposeSeqBatch(c.input);
      c.labels.dispose();
    }
  }
}

export class TransformerTrainer {
  /** The parameters, one tensor per span of the layout (model.ts). */
  params: Tensor[];
  private readonly optimizer: AdamW;
  private readonly consts: Consts;

  constructor(
    private readonly tf: Tf,
    readonly layout: Layout,
    theta0: Float32Array,
    private readonly opt: OptimizerOptions,
  ) {
    if (theta0.length !== layout.total) throw new Error(`θ₀ has ${theta0.length} values, the layout ${layout.total}`);
    this.params = toTensors(tf, layout, theta0);
    this.consts = makeConsts(tf, layout.shape);
    this.optimizer = new AdamW(tf, layout.spans.map((s) => [...s.shape]), {
      lr: opt.lr,
      beta1: opt.beta1,
      beta2: opt.beta2,
      eps: opt.eps,
      weightDecay: opt.weightDecay,
    });
  }

  /** Updates taken so far. */
  get updates(): number {
    return this.optimizer.t;
  }

  /** Mean cross-entropy of a batch and its gradient (one tensor per span); the caller disposes them. */
  lossAndGradient(input: SeqBatch, oneHot: Tensor2D): { loss: Scalar; grads: Tensor[] } {
    const { tf, layout, consts } = this;
    return tf.tidy(() => {
      const p = unpack(tf, layout, this.params);
      const fwd = forward(tf, consts, layout.shape, p, input);
      const { loss, g } = crossEntropyGrad(tf, fwd.logits, oneHot);
      return { loss, grads: backward(tf, consts, layout, p, fwd, g) };
    });
  }

  /**
   * One optimizer update on a batch of token rows ([B·4] ids) and labels. Returns the batch's mean
   * loss as a tensor (not read back; the caller disposes it).
   */
  step(tokens: Int32Array, labels: Int32Array): Scalar {
    const { tf } = this;
    const input = seqBatch(tf, this.layout.shape.vocab, tokens);
    const oneHot = tf.tidy(() => oneHotFloat(tf, tf.tensor1d(labels, 'int32'), this.layout.shape.vocab));
    const { loss, grads } = this.lossAndGradient(input, oneHot);
    disposeSeqBatch(input);
    oneHot.dispose();
    const factor = warmupFactor(this.optimizer.t, this.opt.warmupSteps);
    let next = this.optimizer.step(this.params, grads);
    tf.dispose(grads);
    if (factor !== 1) {
      const full = next;
      next = tf.tidy(() => {
        const f = tf.scalar(factor);
        return full.map((t, i) => tf.add(this.params[i]!, tf.mul(tf.sub(t, this.params[i]!), f)));
      });
      tf.dispose(full);
    }
    tf.dispose(this.params);
    this.params = next;
    return loss;
  }

  /** Scores θ on the sets with one device read (losses summed on the host in double precision). */
  score(sets: readonly EvalSet[]): SetScore[] {
    const { tf, layout, consts } = this;
    const parts: Tensor[] = [];
    try {
      for (const set of sets) {
        for (const chunk of set.chunks) {
          parts.push(
            tf.tidy(() => {
              const p = unpack(tf, layout, this.params);
              const { logits } = forward(tf, consts, layout.shape, p, chunk.input);
              const oneHot = oneHotFloat(tf, chunk.labels, layout.shape.vocab);
              const rowLoss = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1));
              const correct = tf.reshape(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), chunk.labels), 'float32')), [1]);
              return tf.concat([rowLoss, correct]);
            }),
          );
        }
      }
      const packed = tf.concat(parts);
      const values = packed.dataSync();
      packed.dispose();
      let offset = 0;
      return sets.map((set) => {
        let lossSum = 0;
        let correct = 0;
        for (const chunk of set.chunks) {
          for (let i = 0; i < chunk.n; i++) lossSum += values[offset + i]!;
          correct += values[offset + chunk.n]!;
          offset += chunk.n + 1;
        }
        return { lossSum, correct, n: set.n };
      });
    } finally {
      tf.dispose(parts);
    }
  }

  /** θ on the host (the spans concatenated in layout order). */
  values(): Float32Array {
    const { tf } = this;
    const flat = tf.tidy(() => tf.concat(this.params.map((t) => tf.reshape(t, [-1]))));
    const values = flat.dataSync() as Float32Array;
    flat.dispose();
    return values;
  }

  dispose(): void {
    this.tf.dispose(this.params);
    this.optimizer.dispose();
    disposeConsts(this.consts);
  }
}
