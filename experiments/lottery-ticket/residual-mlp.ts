/**
 * The residual MLP of docs/experiments.md §5 (mnist1d `notebooks/lottery-tickets.ipynb`, SparseMLP):
 *
 *   h1 = relu(L1 x);  h = h1 + relu(L2 h1);  logits = L3 h        (Lk y = Wk y + bk)
 *
 * trained on the mean cross-entropy, with a binary mask on the weights (biases are never masked).
 *
 * All parameters live in ONE flat float32 vector θ (so the optimizer is a dozen kernels, not six
 * times that) in this order, weights stored transposed (Aₖ = Wₖᵀ, [fan_in × fan_out], row-major)
 * so that every matmul is a plain y·A with the small matrix on the right (see docs/architecture.md, "Performance, measured": tfjs-wasm
 * re-packs the right-hand side per call, and transposeA/transposeB are ~10× slower):
 *
 *   A1 [in × w] | b1 [w] | A2 [w × w] | b2 [w] | A3 [w × C] | b3 [C]
 *
 * Forward and backward are written by hand (about 45 kernels a step with Adam; tf.grad of the same
 * forward pass measured 2–3.4× slower per step on wasm at width 100, batch 100):
 *   h1 = relu(x·A1 + b1)    r2 = relu(h1·A2 + b2)    h = h1 + r2    z = h·A3 + b3   (fused matmuls)
 *   g = softmax(z)/n − onehot/n
 *   dA3 = hᵀ·g   db3 = Σ g   dh = g·A3ᵀ
 *   dz2 = dh ⊙ [r2 > 0]   dA2 = h1ᵀ·dz2   db2 = Σ dz2   dh1 = dh + dz2·A2ᵀ
 *   dz1 = dh1 ⊙ [h1 > 0]  dA1 = xᵀ·dz1    db1 = Σ dz1
 * The gradient is multiplied by the mask, so with a fresh Adam state pruned weights get m = v = 0
 * and an update of exactly 0: they stay exactly 0 (the notebook instead re-zeroes them before each
 * forward pass; the surviving weights follow the same trajectory either way).
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { AdamW } from '../adamw';
import type { Rng } from '../rng';
import type { Tf } from '../types';
import type { Batch, EvalSet } from './data';

export interface MlpShape {
  input: number;
  width: number;
  classes: number;
}

export type ParamName = 'a1' | 'b1' | 'a2' | 'b2' | 'a3' | 'b3';

/** Where one parameter tensor lives in θ. */
export interface Span {
  name: ParamName;
  offset: number;
  size: number;
  /** [fan_in, fan_out] for weights (transposed PyTorch layout), [fan_out] for biases. */
  shape: [number] | [number, number];
  /** Weights are pruned; biases never are. */
  prunable: boolean;
}

export interface Layout {
  shape: MlpShape;
  spans: Span[];
  /** The three weight spans (the layers that are pruned, each on its own), in order. */
  weights: Span[];
  total: number;
}

export function parameterLayout(shape: MlpShape): Layout {
  const { input, width, classes } = shape;
  const defs: [ParamName, [number] | [number, number]][] = [
    ['a1', [input, width]],
    ['b1', [width]],
    ['a2', [width, width]],
    ['b2', [width]],
    ['a3', [width, classes]],
    ['b3', [classes]],
  ];
  let offset = 0;
  const spans: Span[] = defs.map(([name, s]) => {
    const size = s.reduce((a, b) => a * b, 1);
    const span: Span = { name, offset, size, shape: s, prunable: s.length === 2 };
    offset += size;
    return span;
  });
  return { shape, spans, weights: spans.filter((s) => s.prunable), total: offset };
}

/**
 * PyTorch's default nn.Linear init, drawn layer by layer in PyTorch's order (W1, b1, W2, b2, W3,
 * b3; each W row-major [fan_out × fan_in]): kaiming_uniform(a = √5) gives W ~ U(−1/√fan_in,
 * 1/√fan_in), and b ~ U(−1/√fan_in, 1/√fan_in). Returned as θ (weights transposed).
 */
export function initParameters(layout: Layout, rng: Rng): Float32Array {
  const theta = new Float32Array(layout.total);
  for (const span of layout.spans) {
    const fanIn = span.prunable ? span.shape[0] : layout.spans[layout.spans.indexOf(span) - 1]!.shape[0];
    const bound = 1 / Math.sqrt(fanIn);
    if (span.prunable) {
      const [fin, fout] = span.shape as [number, number];
      // PyTorch draws W[o][i] in row-major order; we store A[i][o] = W[o][i].
      for (let o = 0; o < fout; o++) for (let i = 0; i < fin; i++) theta[span.offset + i * fout + o] = (2 * rng.next() - 1) * bound;
    } else {
      for (let k = 0; k < span.size; k++) theta[span.offset + k] = (2 * rng.next() - 1) * bound;
    }
  }
  return theta;
}

/** A weight of one layer in PyTorch layout W[o][i] (for comparisons with a PyTorch reference). */
export function toTorchLayout(layout: Layout, theta: ArrayLike<number>, name: ParamName): Float32Array {
  const span = layout.spans.find((s) => s.name === name)!;
  const out = new Float32Array(span.size);
  if (!span.prunable) {
    for (let k = 0; k < span.size; k++) out[k] = theta[span.offset + k]!;
    return out;
  }
  const [fin, fout] = span.shape as [number, number];
  for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) out[o * fin + i] = theta[span.offset + i * fout + o]!;
  return out;
}

/** The parameter tensors as views of θ (slices; disposed with the surrounding tidy). */
export interface Params {
  a1: Tensor2D;
  b1: Tensor1D;
  a2: Tensor2D;
  b2: Tensor1D;
  a3: Tensor2D;
  b3: Tensor1D;
}

export function unpack(tf: Tf, layout: Layout, theta: Tensor1D): Params {
  const get = (k: number) => {
    const span = layout.spans[k]!;
    return tf.reshape(tf.slice(theta, [span.offset], [span.size]), span.shape);
  };
  return {
    a1: get(0) as Tensor2D,
    b1: get(1) as Tensor1D,
    a2: get(2) as Tensor2D,
    b2: get(3) as Tensor1D,
    a3: get(4) as Tensor2D,
    b3: get(5) as Tensor1D,
  };
}

export interface Activations {
  h1: Tensor2D;
  r2: Tensor2D;
  h: Tensor2D;
  logits: Tensor2D;
}

/** The forward pass (call inside a tidy). */
export function forward(tf: Tf, p: Params, x: Tensor2D): Activations {
  const h1 = tf.fused.matMul({ a: x, b: p.a1, bias: p.b1, activation: 'relu' }) as Tensor2D;
  const r2 = tf.fused.matMul({ a: h1, b: p.a2, bias: p.b2, activation: 'relu' }) as Tensor2D;
  const h = tf.add(h1, r2) as Tensor2D;
  const logits = tf.fused.matMul({ a: h, b: p.a3, bias: p.b3 }) as Tensor2D;
  return { h1, r2, h, logits };
}

/** ∂(mean cross-entropy of the batch)/∂θ as one flat vector in θ's layout (call inside a tidy). */
export function gradient(tf: Tf, p: Params, batch: Batch): Tensor1D {
  const { h1, r2, h, logits } = forward(tf, p, batch.x);
  const g = tf.sub(tf.mul(tf.softmax(logits), batch.invN), batch.yScaled) as Tensor2D;
  const dA3 = tf.matMul(tf.transpose(h), g);
  const db3 = tf.sum(g, 0);
  const dh = tf.matMul(g, tf.transpose(p.a3));
  const dz2 = tf.mul(dh, tf.step(r2));
  const dA2 = tf.matMul(tf.transpose(h1), dz2);
  const db2 = tf.sum(dz2, 0);
  const dh1 = tf.add(dh, tf.matMul(dz2, tf.transpose(p.a2)));
  const dz1 = tf.mul(dh1, tf.step(h1));
  const dA1 = tf.matMul(batch.xT, dz1);
  const db1 = tf.sum(dz1, 0);
  return tf.concat([dA1, db1, dA2, db2, dA3, db3].map((t) => tf.reshape(t, [-1]))) as Tensor1D;
}

/** Sum of per-row cross-entropies and the number of correct argmax predictions of a set. */
export interface SetScore {
  lossSum: number;
  correct: number;
  n: number;
}

/** Rows per evaluation forward pass (bounds memory for wide nets). */
const EVAL_CHUNK = 5000;

/**
 * Scores θ on several sets with a single device read: per-row cross-entropies summed on the host
 * in double precision (a float32 tf.sum over thousands of rows is off in the 4th digit), correct
 * counts exact.
 */
export function score(tf: Tf, layout: Layout, theta: Tensor1D, sets: readonly EvalSet[]): SetScore[] {
  const packed = tf.tidy(() => {
    const p = unpack(tf, layout, theta);
    const parts: Tensor[] = [];
    for (const set of sets) {
      for (let from = 0; from < set.n; from += EVAL_CHUNK) {
        const n = Math.min(EVAL_CHUNK, set.n - from);
        const chunk = (t: Tensor2D) => (from === 0 && n === set.n ? t : tf.slice(t, [from, 0], [n, -1]));
        const labels = from === 0 && n === set.n ? set.labels : tf.slice(set.labels, [from], [n]);
        const { logits } = forward(tf, p, chunk(set.x));
        parts.push(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), chunk(set.oneHot)), 1)));
        parts.push(tf.reshape(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')), [1]));
      }
    }
    return tf.concat(parts);
  });
  const values = packed.dataSync();
  packed.dispose();
  let offset = 0;
  return sets.map((set) => {
    let lossSum = 0;
    let correct = 0;
    for (let from = 0; from < set.n; from += EVAL_CHUNK) {
      const n = Math.min(EVAL_CHUNK, set.n - from);
      for (let i = 0; i < n; i++) lossSum += values[offset + i]!;
      correct += values[offset + n]!;
      offset += n + 1;
    }
    return { lossSum, correct, n: set.n };
  });
}

/** Adam with PyTorch's torch.optim.Adam defaults (β 0.9/0.999, ε 1e-8, no weight decay). */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

/**
 * One masked network being trained: θ, its mask and a fresh Adam state (torch.optim.Adam with
 * weight_decay 0 is AdamW with weight decay 0: experiments/adamw.ts). Owns its tensors.
 */
export class MaskedTrainer {
  theta: Tensor1D;
  readonly mask: Tensor1D;
  private readonly optimizer: AdamW;

  constructor(
    private readonly tf: Tf,
    readonly layout: Layout,
    theta0: Float32Array,
    mask: Float32Array,
    lr: number,
  ) {
    if (theta0.length !== layout.total || mask.length !== layout.total) {
      throw new Error(`θ and mask need ${layout.total} values, got ${theta0.length} and ${mask.length}`);
    }
    this.mask = tf.tensor1d(mask);
    // Masked on the host so that pruned entries are +0 (θ·0 would give −0 for negative θ).
    const start = new Float32Array(layout.total);
    for (let k = 0; k < start.length; k++) if (mask[k] !== 0) start[k] = theta0[k]!;
    this.theta = tf.tensor1d(start);
    this.optimizer = new AdamW(tf, [[layout.total]], { lr, beta1: ADAM_BETA1, beta2: ADAM_BETA2, eps: ADAM_EPS, weightDecay: 0 });
  }

  /** The masked gradient of a batch at the current θ. */
  gradient(batch: Batch): Tensor1D {
    const { tf } = this;
    return tf.tidy(() => tf.mul(gradient(tf, unpack(tf, this.layout, this.theta), batch), this.mask) as Tensor1D);
  }

  /** One Adam step on a batch. */
  step(batch: Batch): void {
    const grad = this.gradient(batch);
    const [next] = this.optimizer.step([this.theta], [grad]);
    this.tf.dispose([grad, this.theta]);
    this.theta = next as Tensor1D;
  }

  score(sets: readonly EvalSet[]): SetScore[] {
    return score(this.tf, this.layout, this.theta, sets);
  }

  /** θ on the host. */
  values(): Float32Array {
    return this.theta.dataSync() as Float32Array;
  }

  dispose(): void {
    this.tf.dispose([this.theta, this.mask]);
    this.optimizer.dispose();
  }
}
