/**
 * A fully connected ReLU network (sizes[0] → … → sizes[L]) with hand-written forward and backward
 * passes over one flat parameter vector, shared by the double-descent and init-scale experiments.
 *
 * Why by hand: at these sizes (batch 100–200, widths 2–300) a step is a few dozen small kernels and
 * the wasm backend's per-kernel overhead dominates. Measured on wasm (2-core machine, batch 100,
 * SGD step included): tf.grad of the same forward pass took 1.2 ms/step at h 16 and 4.6–5.0 ms at
 * h 96; this version 0.41 ms and 1.3–1.4 ms. The formulation:
 *   - θ is one Tensor1D, so an optimizer update is a handful of kernels instead of a handful per
 *     tensor; layer views are `slice` + `reshape` of θ, taken once per step;
 *   - each weight is stored transposed, Wᵀ ∈ R^{in×out}, so the forward pass is a plain
 *     `fused.matMul(a, Wᵀ, bias, relu)` (one kernel per layer);
 *   - Wᵀ is followed by b in θ, so [Wᵀ; b] is an (in+1)×out matrix and its gradient [aᵀ; 1]·δ one
 *     matmul (no bias reduction; tf.sum over axis 0 transposes internally);
 *   - δ·W uses an explicit transpose of Wᵀ (matMul's transposeB was 1.7× slower at h 96);
 *   - the ReLU derivative comes from the layer's output (a > 0 ⇔ z > 0), so pre-activations are not
 *     kept, and PyTorch's convention (derivative 0 at z = 0) holds.
 *
 * Layout of θ, layer by layer: Wᵀ (in × out, row-major) then b (out). Initialisation is PyTorch's
 * nn.Linear default — kaiming_uniform(a = √5) for weights, i.e. U(−1/√fan_in, 1/√fan_in), and the
 * same bound for biases — drawn from a seeded stream, then every parameter is multiplied by `scale`.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import type { Tf } from '../types';

export type LossKind = 'cross-entropy' | 'mse';

export interface LayerSlot {
  fanIn: number;
  fanOut: number;
  /** Offset of Wᵀ (fanIn × fanOut) in θ. */
  wOffset: number;
  /** Offset of b (fanOut) in θ. */
  bOffset: number;
}

/** Where each layer's parameters live in θ, and the total count. */
export function parameterLayout(sizes: readonly number[]): { layers: LayerSlot[]; count: number } {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new RangeError(`an MLP needs at least two positive integer layer sizes, got [${sizes.join(', ')}]`);
  }
  const layers: LayerSlot[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    layers.push({ fanIn, fanOut, wOffset: offset, bOffset: offset + fanIn * fanOut });
    offset += fanIn * fanOut + fanOut;
  }
  return { layers, count: offset };
}

/** Number of weights and biases of an MLP with these layer sizes. */
export function mlpParameterCount(sizes: readonly number[]): number {
  return parameterLayout(sizes).count;
}

/** PyTorch's default nn.Linear bound 1/√fan_in (kaiming_uniform with a = √5; the bias uses the same bound). */
export function defaultInitBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/**
 * θ₀ in our layout: for each layer, the weight in PyTorch order (row o, column i) then the bias,
 * each value bound·(2u − 1) with u from `rng`, times `scale`.
 */
export function initParameters(sizes: readonly number[], rng: Rng, scale = 1): Float32Array {
  const { layers, count } = parameterLayout(sizes);
  const theta = new Float32Array(count);
  for (const L of layers) {
    const bound = defaultInitBound(L.fanIn);
    for (let o = 0; o < L.fanOut; o++) {
      for (let i = 0; i < L.fanIn; i++) theta[L.wOffset + i * L.fanOut + o] = scale * bound * (2 * rng.next() - 1);
    }
    for (let o = 0; o < L.fanOut; o++) theta[L.bOffset + o] = scale * bound * (2 * rng.next() - 1);
  }
  return theta;
}

/** θ as PyTorch state: per layer, W (fanOut × fanIn, row-major) and b — for references and exports. */
export function toTorchLayout(sizes: readonly number[], theta: ArrayLike<number>): { weight: Float32Array; bias: Float32Array }[] {
  return parameterLayout(sizes).layers.map((L) => {
    const weight = new Float32Array(L.fanIn * L.fanOut);
    for (let o = 0; o < L.fanOut; o++) for (let i = 0; i < L.fanIn; i++) weight[o * L.fanIn + i] = theta[L.wOffset + i * L.fanOut + o]!;
    const bias = new Float32Array(L.fanOut);
    for (let o = 0; o < L.fanOut; o++) bias[o] = theta[L.bOffset + o]!;
    return { weight, bias };
  });
}

/** Per-layer tensor views of θ (valid while θ is). */
export interface LayerViews {
  /** Wᵀ per layer, [fanIn, fanOut]. */
  wt: Tensor2D[];
  /** b per layer, [fanOut]. */
  b: Tensor1D[];
}

/** Activations of a training forward pass: the hidden layers' ReLU outputs and the output logits. */
export interface ForwardPass {
  hidden: Tensor2D[];
  out: Tensor2D;
}

export class Mlp {
  readonly sizes: readonly number[];
  readonly layers: LayerSlot[];
  readonly count: number;

  constructor(
    private readonly tf: Tf,
    sizes: readonly number[],
  ) {
    this.sizes = [...sizes];
    const { layers, count } = parameterLayout(sizes);
    this.layers = layers;
    this.count = count;
  }

  get numClasses(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  views(theta: Tensor1D): LayerViews {
    const tf = this.tf;
    return {
      wt: this.layers.map((L) => tf.reshape(tf.slice(theta, L.wOffset, L.fanIn * L.fanOut), [L.fanIn, L.fanOut]) as Tensor2D),
      b: this.layers.map((L) => tf.slice(theta, L.bOffset, L.fanOut)),
    };
  }

  /** Logits and hidden activations of a batch x [B, sizes[0]]. */
  forward(v: LayerViews, x: Tensor2D): ForwardPass {
    const tf = this.tf;
    const hidden: Tensor2D[] = [];
    let a = x;
    const last = this.layers.length - 1;
    for (let l = 0; l < last; l++) {
      a = tf.fused.matMul({ a, b: v.wt[l]!, bias: v.b[l]!, activation: 'relu' }) as Tensor2D;
      hidden.push(a);
    }
    const out = tf.fused.matMul({ a, b: v.wt[last]!, bias: v.b[last]! }) as Tensor2D;
    return { hidden, out };
  }

  /**
   * d(loss)/d(logits) for the mean loss over a batch of B rows (`scale` is a scalar holding
   * 1/B for cross-entropy, 2/(B·C) for the squared error — PyTorch's reduction='mean' for each).
   */
  outputGradient(kind: LossKind, out: Tensor2D, onehot: Tensor2D, scale: Tensor): Tensor2D {
    const tf = this.tf;
    const residual = kind === 'cross-entropy' ? tf.sub(tf.softmax(out), onehot) : tf.sub(out, onehot);
    return tf.mul(residual, scale);
  }

  /**
   * Gradient of the loss w.r.t. θ (same flat layout) by backpropagation from d(loss)/d(logits) `g`.
   * `xTAug` is the batch's input transposed with a row of ones appended, [sizes[0] + 1, B], and
   * `onesRow` is [1, B]: for each layer [dWᵀ; db] = [aᵀ; 1]·δ is one matmul whose row-major result
   * is exactly that layer's slot in θ (no separate bias reduction).
   */
  backward(v: LayerViews, f: ForwardPass, xTAug: Tensor2D, onesRow: Tensor2D, g: Tensor2D): Tensor1D {
    const tf = this.tf;
    const parts: Tensor[] = new Array<Tensor>(this.layers.length);
    let delta = g;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const inputTAug = l === 0 ? xTAug : tf.concat([tf.transpose(f.hidden[l - 1]!), onesRow], 0);
      parts[l] = tf.reshape(tf.matMul(inputTAug, delta), [-1]);
      if (l > 0) delta = tf.mul(tf.matMul(delta, tf.transpose(v.wt[l]!)), tf.step(f.hidden[l - 1]!));
    }
    return tf.concat(parts) as Tensor1D;
  }

  /**
   * Per-row loss (cross-entropy: −log softmax at the label; squared error: Σ over classes, not yet
   * divided by C) and per-row correctness (argmax = label, or f > ½ for one output; as 0/1), for evaluation.
   */
  rowLossAndCorrect(kind: LossKind, out: Tensor2D, onehot: Tensor2D, labels: Tensor1D): { loss: Tensor1D; correct: Tensor1D } {
    const tf = this.tf;
    const loss =
      kind === 'cross-entropy'
        ? (tf.neg(tf.sum(tf.mul(tf.logSoftmax(out), onehot), 1)) as Tensor1D)
        : (tf.sum(tf.square(tf.sub(out, onehot)), 1) as Tensor1D);
    // One output (a binary task on 0/1 targets): class 1 when f > ½. Otherwise the argmax.
    const predicted = this.numClasses === 1 ? tf.cast(tf.greater(tf.reshape(out, [-1]), 0.5), 'int32') : tf.argMax(out, 1);
    const correct = tf.cast(tf.equal(predicted, labels), 'float32') as Tensor1D;
    return { loss, correct };
  }
}
