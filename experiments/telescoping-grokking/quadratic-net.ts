/**
 * The model of Kumar et al. 2024 that the telescoping paper reads grokking through (its Fig. 4, left;
 * docs/experiments.md §8): f(x) = (1/N) Σ_j φ(θ_jᵀx), φ(h) = h + (ε/2)h², a fixed readout 1/N and no biases.
 * θ is N × D (row j is neuron j), stored as one [N, D] tensor.
 *
 * Its tangent kernel in closed form — ∇_{θ_j} f(x) = (1/N) φ′(θ_jᵀx) x with φ′(h) = 1 + εh, so
 *
 *   K(x, x′) = (1/N²) Σ_j φ′(h_j(x)) φ′(h_j(x′)) · xᵀx′ = (1/N²) [Φ′(X) Φ′(X′)ᵀ] ⊙ (X X′ᵀ),
 *
 * two matmuls and no per-example gradients — and the Jacobian-vector product for the lazy model,
 * ∇f_{θ₀}(x)ᵀΔθ = (1/N) Σ_j φ′(h⁰_j(x)) (Δθ_jᵀx). Every function allocates inside the caller's tidy.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../types';

/** Pre-activations H = X θᵀ [rows, N] (θ passed transposed, θᵀ [D, N], so the matmul is plain). */
function preActivations(tf: Tf, thetaT: Tensor2D, x: Tensor2D): Tensor2D {
  return tf.matMul(x, thetaT);
}

/** f(X) [rows, 1]. */
export function quadraticForward(tf: Tf, thetaT: Tensor2D, x: Tensor2D, eps: number): Tensor2D {
  const h = preActivations(tf, thetaT, x);
  return tf.mean(tf.add(h, tf.mul(tf.square(h), eps / 2)), 1, true) as Tensor2D;
}

/** φ′(H) = 1 + εH [rows, N]. */
export function quadraticSlopes(tf: Tf, thetaT: Tensor2D, x: Tensor2D, eps: number): Tensor2D {
  return tf.add(tf.mul(preActivations(tf, thetaT, x), eps), 1) as Tensor2D;
}

/** K [rows_a, rows_b] from the slopes and inputs of two sets (xbT and slopesBT transposed: [D, rows_b], [N, rows_b]). */
export function quadraticKernel(tf: Tf, slopesA: Tensor2D, xa: Tensor2D, slopesBT: Tensor2D, xbT: Tensor2D): Tensor2D {
  const n = slopesA.shape[1];
  return tf.mul(tf.matMul(slopesA, slopesBT), tf.div(tf.matMul(xa, xbT), n * n)) as Tensor2D;
}

/** ∂(½ mean (f − y)²)/∂θ [N, D] over rows x with residuals r = f − y [rows, 1]. */
export function quadraticLossGradient(tf: Tf, slopes: Tensor2D, x: Tensor2D, residuals: Tensor2D): Tensor2D {
  const [rows, n] = slopes.shape;
  // Row j: (1/(N·rows)) Σ_i r_i φ′(h_ij) x_i, as (φ′ ⊙ r)ᵀ X with the transpose made explicit.
  return tf.div(tf.matMul(tf.transpose(tf.mul(slopes, residuals)), x), n * rows) as Tensor2D;
}

/** ∇f_θ(x)ᵀΔθ [rows, 1] for every row of x (slopes at θ, Δθ transposed [D, N]). */
export function quadraticJvp(tf: Tf, slopes: Tensor2D, x: Tensor2D, deltaT: Tensor2D): Tensor2D {
  return tf.mean(tf.mul(slopes, tf.matMul(x, deltaT)), 1, true) as Tensor2D;
}
