/**
 * The tangent kernel of a scalar-output ReLU MLP without per-example gradients (docs/experiments.md §8):
 *
 *   K(x, x′) = ∇_θ f(x)ᵀ ∇_θ f(x′) = Σ_l (δ_l(x)·δ_l(x′)) (a_{l−1}(x)·a_{l−1}(x′) + 1)
 *
 * where a_{l−1} is layer l's input and δ_l = ∂f/∂z_l its backprop signal (the +1 is the bias).
 * One forward and one backward pass over a set gives every signal; a kernel block between two sets
 * is then two matmuls per layer, instead of materialising |set| × |θ| gradients.
 *
 * Also the Jacobian-vector product ∇_θ f_{θ₀}(x)ᵀ Δθ by forward-mode propagation of tangents: the
 * lazy linearisation f^lin(x) = f_{θ₀}(x) + ∇f_{θ₀}(x)ᵀ(θ − θ₀) the telescoping model is compared to.
 * Uses Mlp's flat layout (./../mnist1d-mlp/mlp.ts); every function allocates inside the caller's tidy.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { LayerViews, Mlp } from '../mnist1d-mlp/mlp';
import type { Tf } from '../types';

/** Per layer l (0-based): its input a_l [N, fanIn] and its backprop signal δ_l [N, fanOut]. */
export interface ScalarSignals {
  inputs: Tensor2D[];
  deltas: Tensor2D[];
  /** f(x) [N, 1]. */
  out: Tensor2D;
}

export function assertScalarOutput(mlp: Mlp): void {
  if (mlp.numClasses !== 1) throw new Error(`the tangent-kernel formula here is for a scalar output; this MLP has ${mlp.numClasses} outputs`);
}

/** Forward pass, then δ_L = 1 and δ_l = (δ_{l+1} W_{l+1}) ⊙ 1{z_l > 0} back to the first layer. */
export function scalarSignals(tf: Tf, mlp: Mlp, v: LayerViews, x: Tensor2D): ScalarSignals {
  assertScalarOutput(mlp);
  const f = mlp.forward(v, x);
  const inputs = [x, ...f.hidden];
  const L = mlp.layers.length;
  const deltas = new Array<Tensor2D>(L);
  deltas[L - 1] = tf.onesLike(f.out);
  for (let l = L - 2; l >= 0; l--) {
    // v.wt[l + 1] is W_{l+1}ᵀ [fanIn, fanOut]; δ_{l+1} W_{l+1} = δ_{l+1} (W_{l+1}ᵀ)ᵀ. ReLU′ from the output (a > 0 ⇔ z > 0).
    deltas[l] = tf.mul(tf.matMul(deltas[l + 1]!, v.wt[l + 1]!, false, true), tf.step(f.hidden[l]!)) as Tensor2D;
  }
  return { inputs, deltas, out: f.out };
}

/** Rows `index` ([k, 1] int32) of every signal: the signals of a subset (e.g. a batch of the train set). */
export function gatherSignals(tf: Tf, s: ScalarSignals, index: Tensor2D): ScalarSignals {
  const pick = (t: Tensor2D) => tf.gatherND(t, index) as Tensor2D;
  return { inputs: s.inputs.map(pick), deltas: s.deltas.map(pick), out: pick(s.out) };
}

/**
 * K [N_a, N_b] between two sets of signals of the same network. b's signals are transposed first and
 * multiplied plainly: tfjs-backend-wasm's matMul with transposeB took ~4.5× longer (measured at
 * [303, 256] × [102, 256]ᵀ), and the transposes of a batch's signals are cheap.
 */
export function tangentKernel(tf: Tf, a: ScalarSignals, b: ScalarSignals): Tensor2D {
  let k: Tensor2D | null = null;
  for (let l = 0; l < a.deltas.length; l++) {
    const dd = tf.matMul(a.deltas[l]!, tf.transpose(b.deltas[l]!));
    const aa = tf.add(tf.matMul(a.inputs[l]!, tf.transpose(b.inputs[l]!)), 1);
    const term = tf.mul(dd, aa) as Tensor2D;
    k = k ? (tf.add(k, term) as Tensor2D) : term;
  }
  return k!;
}

/**
 * ∇_θ f_θ(x)ᵀ Δθ for every row of x, by pushing tangents forward: ż_l = ȧ_{l−1}Wᵀ + a_{l−1}ΔWᵀ + Δb,
 * ȧ_l = 1{z_l > 0} ⊙ ż_l. `v` are the views of θ, `dv` those of Δθ (same layout). Returns [N, 1].
 */
export function jacobianVectorProduct(tf: Tf, mlp: Mlp, v: LayerViews, dv: LayerViews, x: Tensor2D): Tensor2D {
  assertScalarOutput(mlp);
  let a: Tensor2D = x;
  let da: Tensor2D | null = null;
  const last = mlp.layers.length - 1;
  for (let l = 0; l <= last; l++) {
    const z = tf.add(tf.matMul(a, v.wt[l]!), v.b[l]!) as Tensor2D;
    let dz = tf.add(tf.matMul(a, dv.wt[l]!), dv.b[l]!) as Tensor2D;
    if (da) dz = tf.add(dz, tf.matMul(da, v.wt[l]!)) as Tensor2D;
    if (l === last) return dz;
    const gate = tf.step(z);
    a = tf.mul(z, gate) as Tensor2D;
    da = tf.mul(dz, gate) as Tensor2D;
  }
  throw new Error('unreachable: an MLP has at least one layer');
}

/**
 * Every row's parameter gradient ∇_θ f(x) [N, |θ|] in Mlp's flat layout, from the same signals: layer
 * l's block [Wᵀ; b] is (fanIn + 1) × fanOut row-major, and its gradient is the outer product
 * [a_{l−1}, 1] ⊗ δ_l. The momentum recursion needs them (its buffer lives in parameter space);
 * G Gᵀ is the tangent kernel above.
 */
export function perExampleGradients(tf: Tf, s: ScalarSignals): Tensor2D {
  const blocks: Tensor2D[] = [];
  for (let l = 0; l < s.deltas.length; l++) {
    const a = s.inputs[l]!;
    const d = s.deltas[l]!;
    const [rows, fanIn] = a.shape;
    const fanOut = d.shape[1];
    const aAug = tf.concat([a, tf.ones([rows, 1])], 1);
    blocks.push(tf.reshape(tf.mul(tf.expandDims(aAug, 2), tf.expandDims(d, 1)), [rows, (fanIn + 1) * fanOut]) as Tensor2D);
  }
  return blocks.length === 1 ? blocks[0]! : (tf.concat(blocks, 1) as Tensor2D);
}

