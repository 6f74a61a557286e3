/**
 * The telescoping probe (Jeffares, Curth & van der Schaar 2024; docs/experiments.md §8): alongside a
 * scalar-output MLP trained by plain SGD on the squared loss, it follows the smoother
 *
 *   f̃_t(x) = s_t(x)·y + c_t(x),   s_0 = 0, c_0 = f_{θ₀}
 *   s_t(x) = s_{t−1}(x) + γ′ k_t(x)(I − S_{t−1}),   c_t(x) = c_{t−1}(x) − γ′ k_t(x) c_{t−1}
 *   k_t(x)_i = 1{i ∈ B_t} ∇f_{θ_{t−1}}(x)ᵀ ∇f_{θ_{t−1}}(x_i)
 *
 * with γ′ = lr · lossFactor / |B_t| (lossFactor 2 for the mean squared error, whose gradient is
 * 2(f − y)), on every train point (the recursion reads rows of S for whichever train points the next
 * batch holds, so all n are needed) and on a probe set of test points. From it:
 *   p_train = Σ_{j ∈ train} ‖s_T(x_j)‖²,  p_test = (n / m) Σ_{probe} ‖s_T(x)‖²  (effective parameters)
 * and how far two linear models are from the real network on the probe points (train and test
 * together, root mean square): the telescoping model f̃_T = f_{θ₀} + Σ_t ∇f_{θ_{t−1}}ᵀ Δθ_t, re-linearised
 * at every step (Δθ_t the update SGD actually took: −γ′ Σ_{i∈B_t} ∇f(x_i)(f_{θ_{t−1}}(x_i) − y_i)),
 * and the lazy linearisation f^lin = f_{θ₀} + ∇f_{θ₀}ᵀ(θ_T − θ₀). Both come from the same kernel block.
 * Next to them the smoother's own error, S_T·y + c_T − f_T, and the paper's metric: the mean
 * absolute error of each over the test probe points.
 *
 * All rows update from the old S and c. The state lives on the device: S is (n + m) × n floats.
 *
 * SGD with momentum μ (torch semantics, no dampening: u_t = μ u_{t−1} + g_t, θ_t = θ_{t−1} − lr·u_t;
 * the paper's appendix): the buffer is a linear function of the labels, u_t = U_t y + v_t, so the
 * probe keeps it in parameter space, scaled by lr, as M_t = [lr·U_t | lr·v_t | lr·u^net_t] (|θ| × (n + 2)):
 *
 *   M_t = μ M_{t−1} + γ′ G_Bᵀ [S_{t−1,B} − I_B | c_{t−1,B} | f_{θ_{t−1}}(x_B) − y_B]
 *   [S_t | c_t | f̃_t] = [S_{t−1} | c_{t−1} | f̃_{t−1}] − G M_t
 *
 * with G the per-example gradients at θ_{t−1} of every probe row and G_B the batch's. With μ = 0 it is
 * the recursion above (G G_Bᵀ is the kernel block); it costs |θ|·(n + 2)·(n + m + |B|) per step instead
 * of (n + m)·|B|·(n + width), so it is used only when μ > 0. The last column is the optimizer's own
 * buffer: f̃ stays the sum of first-order steps along the path SGD actually took.
 */
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Mlp } from '../mnist1d-mlp/mlp';
import type { Tf } from '../types';
import { assertScalarOutput, gatherSignals, jacobianVectorProduct, perExampleGradients, scalarSignals, tangentKernel } from './tangent-kernel';

export interface ProbeInputs {
  /** Input width of the network. */
  length: number;
  /** All train inputs, row-major n × length, and their targets (what the squared loss fits). */
  xTrain: Float32Array;
  yTrain: Float32Array;
  /** The test probe points, row-major m × length (no labels needed). */
  xProbe: Float32Array;
  /** θ₀ in the MLP's flat layout. */
  theta0: Float32Array;
  lr: number;
  /** ∂ℓ/∂f = lossFactor · (f − y): 1 for ½(y − f)², 2 for (y − f)². */
  lossFactor: number;
  /** SGD momentum μ (torch semantics, no dampening, not Nesterov); 0 or absent for plain SGD. */
  momentum?: number;
}

/**
 * A reading from the eight sums a probe packs into one tensor (one download per evaluation): Σ‖s(x)‖²
 * over the n train rows and over the m test probe rows, then RMS telescoping / lazy / smoother error
 * and MAE telescoping / lazy / smoother error. Disposes the tensor.
 */
export function readPackedReading(packed: { dataSync(): ArrayLike<number>; dispose(): void }, n: number, nProbe: number, probeMsPerStep: number): ProbeReading {
  const [train, probe, telescopeError, lazyError, smootherError, telescopeMae, lazyMae, smootherMae] = Array.from(packed.dataSync());
  packed.dispose();
  return {
    pTrain: train!,
    pTest: (n / nProbe) * probe!,
    telescopeError: telescopeError!,
    lazyError: lazyError!,
    smootherError: smootherError!,
    telescopeMae: telescopeMae!,
    lazyMae: lazyMae!,
    smootherMae: smootherMae!,
    probeMsPerStep,
  };
}

export interface ProbeReading {
  pTrain: number;
  pTest: number;
  /** RMS of f̃_t − f_t over the probe points (train and test). */
  telescopeError: number;
  /** RMS of f^lin_t − f_t over the same points. */
  lazyError: number;
  /**
   * RMS of the smoother's own prediction S_t·y + c_t − f_t over the same points. It equals the
   * telescoping model only while the smoother's train predictions match the network's (its
   * recursion feeds back its own residuals, the telescoping model the network's).
   */
  smootherError: number;
  /** The paper's metric (its Fig. 2): mean |model − f_t| over the test probe points only. */
  telescopeMae: number;
  lazyMae: number;
  smootherMae: number;
  /** Mean wall time the probe added per optimizer step since the previous reading (ms). */
  probeMsPerStep: number;
}

export class TelescopingProbe {
  readonly nTrain: number;
  readonly nProbe: number;
  private readonly xAll: Tensor2D;
  private readonly y: Tensor2D;
  private readonly eye: Tensor2D;
  private readonly theta0: Tensor1D;
  private readonly f0: Tensor2D;
  private s: Tensor2D;
  private c: Tensor2D;
  /** f̃_t on every probe point [n + m, 1]. */
  private telescoped: Tensor2D;
  /** The momentum buffer in parameter space, [|θ|, n + 2] (null for plain SGD). */
  private buffer: Tensor2D | null = null;
  private ms = 0;
  private steps = 0;
  /** Wall time of every update so far (ms). */
  totalMs = 0;

  constructor(
    private readonly tf: Tf,
    private readonly mlp: Mlp,
    private readonly inputs: ProbeInputs,
  ) {
    assertScalarOutput(mlp);
    const { length } = inputs;
    this.nTrain = inputs.yTrain.length;
    this.nProbe = inputs.xProbe.length / length;
    if (inputs.xTrain.length !== this.nTrain * length) throw new Error(`probe: ${inputs.xTrain.length} train values for ${this.nTrain} targets of width ${length}`);
    if (!Number.isInteger(this.nProbe) || this.nProbe < 1) throw new Error('probe: the test probe set is empty or ragged');
    const n = this.nTrain;
    const all = new Float32Array((n + this.nProbe) * length);
    all.set(inputs.xTrain);
    all.set(inputs.xProbe, n * length);
    this.xAll = tf.tensor2d(all, [n + this.nProbe, length]);
    this.y = tf.tensor2d(inputs.yTrain, [n, 1]);
    this.eye = tf.eye(n) as Tensor2D;
    this.theta0 = tf.tensor1d(inputs.theta0);
    this.f0 = tf.tidy(() => mlp.forward(mlp.views(this.theta0), this.xAll).out);
    this.s = tf.zeros([n + this.nProbe, n]);
    this.c = tf.clone(this.f0);
    this.telescoped = tf.clone(this.f0);
    const momentum = inputs.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`probe: momentum must be in [0, 1), got ${momentum}`);
    if (momentum > 0) this.buffer = tf.zeros([mlp.count, n + 2]);
  }

  /** Advances the smoother over one SGD step taken from θ_{t−1} = `theta` on the train rows `batch`. Call before the update. */
  update(theta: Tensor1D, batch: Int32Array): void {
    const t0 = performance.now();
    if (this.buffer) this.updateWithMomentum(theta, batch);
    else this.updatePlain(theta, batch);
    // Reading one value waits for the device, so the time charged is the probe's own (a no-op on CPU/wasm).
    this.c.dataSync();
    const spent = performance.now() - t0;
    this.ms += spent;
    this.totalMs += spent;
    this.steps += 1;
  }

  private updatePlain(theta: Tensor1D, batch: Int32Array): void {
    const { tf, mlp } = this;
    const [s, c, telescoped] = tf.tidy(() => {
      const index = tf.tensor2d(batch, [batch.length, 1], 'int32');
      const all = scalarSignals(tf, mlp, mlp.views(theta), this.xAll);
      // Train rows come first in xAll, so batch indices into the train set index `all` too.
      const inBatch = gatherSignals(tf, all, index);
      const k = tf.mul(tangentKernel(tf, all, inBatch), (this.inputs.lr * this.inputs.lossFactor) / batch.length) as Tensor2D;
      const residualWeights = tf.sub(tf.gatherND(this.eye, index), tf.gatherND(this.s, index)) as Tensor2D;
      const realResiduals = tf.sub(inBatch.out, tf.gatherND(this.y, index));
      return [
        tf.add(this.s, tf.matMul(k, residualWeights)) as Tensor2D,
        tf.sub(this.c, tf.matMul(k, tf.gatherND(this.c, index) as Tensor2D)) as Tensor2D,
        tf.sub(this.telescoped, tf.matMul(k, realResiduals)) as Tensor2D,
      ];
    });
    tf.dispose([this.s, this.c, this.telescoped]);
    this.s = s;
    this.c = c;
    this.telescoped = telescoped;
  }

  private updateWithMomentum(theta: Tensor1D, batch: Int32Array): void {
    const { tf, mlp } = this;
    const n = this.nTrain;
    const rows = n + this.nProbe;
    const [buffer, s, c, telescoped] = tf.tidy(() => {
      const index = tf.tensor2d(batch, [batch.length, 1], 'int32');
      const all = scalarSignals(tf, mlp, mlp.views(theta), this.xAll);
      const g = perExampleGradients(tf, all);
      const gBatch = tf.gatherND(g, index) as Tensor2D;
      const coefficients = tf.concat(
        [
          tf.sub(tf.gatherND(this.s, index), tf.gatherND(this.eye, index)),
          tf.gatherND(this.c, index),
          tf.sub(tf.gatherND(all.out, index), tf.gatherND(this.y, index)),
        ],
        1,
      ) as Tensor2D;
      const gamma = (this.inputs.lr * this.inputs.lossFactor) / batch.length;
      const buffer = tf.add(tf.mul(this.buffer!, this.inputs.momentum!), tf.mul(tf.matMul(tf.transpose(gBatch), coefficients), gamma)) as Tensor2D;
      const delta = tf.matMul(g, buffer);
      return [
        buffer,
        tf.sub(this.s, tf.slice(delta, [0, 0], [rows, n])) as Tensor2D,
        tf.sub(this.c, tf.slice(delta, [0, n], [rows, 1])) as Tensor2D,
        tf.sub(this.telescoped, tf.slice(delta, [0, n + 1], [rows, 1])) as Tensor2D,
      ];
    });
    tf.dispose([this.buffer!, this.s, this.c, this.telescoped]);
    this.buffer = buffer;
    this.s = s;
    this.c = c;
    this.telescoped = telescoped;
  }

  /** f̃_t (the telescoping model) and S_t·y + c_t (the smoother) on every probe row, train rows first. */
  predictions(): { telescoped: Float32Array; smoother: Float32Array } {
    const tf = this.tf;
    const smoother = tf.tidy(() => tf.add(tf.matMul(this.s, this.y), this.c));
    const out = { telescoped: this.telescoped.dataSync() as Float32Array, smoother: smoother.dataSync() as Float32Array };
    smoother.dispose();
    return out;
  }

  /** Effective parameters and approximation errors at θ_t = `theta`. */
  read(theta: Tensor1D): ProbeReading {
    const { tf, mlp } = this;
    const n = this.nTrain;
    const packed = tf.tidy(() => {
      const f = mlp.forward(mlp.views(theta), this.xAll).out;
      const lazy = tf.add(this.f0, jacobianVectorProduct(tf, mlp, mlp.views(this.theta0), mlp.views(tf.sub(theta, this.theta0) as Tensor1D), this.xAll));
      const smoother = tf.add(tf.matMul(this.s, this.y), this.c) as Tensor2D;
      const rms = (a: Tensor2D) => tf.sqrt(tf.mean(tf.square(tf.sub(a, f))));
      const testMae = (a: Tensor2D) => tf.mean(tf.abs(tf.slice(tf.sub(a, f), [n, 0], [this.nProbe, 1])));
      const rowNorms = tf.sum(tf.square(this.s), 1);
      return tf.stack([
        tf.sum(tf.slice(rowNorms, 0, n)),
        tf.sum(tf.slice(rowNorms, n, this.nProbe)),
        rms(this.telescoped),
        rms(lazy as Tensor2D),
        rms(smoother),
        testMae(this.telescoped),
        testMae(lazy as Tensor2D),
        testMae(smoother),
      ]);
    });
    const reading = readPackedReading(packed, n, this.nProbe, this.steps > 0 ? this.ms / this.steps : 0);
    this.ms = 0;
    this.steps = 0;
    return reading;
  }

  dispose(): void {
    this.tf.dispose([this.xAll, this.y, this.eye, this.theta0, this.f0, this.s, this.c, this.telescoped]);
    if (this.buffer) this.tf.dispose(this.buffer);
  }
}
