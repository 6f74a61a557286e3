/**
 * The minibatch training run shared by the MNIST-1D MLP experiments: epochs of seeded shuffles
 * (torch DataLoader(shuffle=True) semantics; by default drop_last=False — every sample once per epoch,
 * the last batch smaller when the batch size does not divide the train set; ./batching.ts has the
 * other remainder policies), one optimizer update per
 * batch, full-train and full-test evaluation every `evalEvery` steps (and at step 0 and the last
 * step), cooperative cancel, and divergence detection.
 *
 * Per epoch the shuffled inputs, their transposes and the one-hot targets are gathered on the device
 * once and split into batches, so a step reads no host data and uploads nothing. Evaluation reads
 * per-row losses back and sums them on the host in double precision.
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { runTrainingLoop } from '../api';
import { magnitudeStats, type MagnitudeStats } from '../prime-count';
import { TelescopingProbe, type ProbeReading } from '../telescoping/probe';
import { createRng, permutation, type Rng } from '../rng';
import type { TrainContext, TrainOutcome, Tf } from '../types';
import { epochBatches, type BatchRemainder } from './batching';
import { disposeSplit, uploadSplit, type Mnist1dMlpData, type SplitTensors } from './data';
import { Mlp, type LossKind } from './mlp';
import type { TensorOptimizer } from './sgd';

/** Rows per evaluation forward pass (bounds memory for wide nets and large test sets). */
const EVAL_CHUNK = 4096;
/** RNG stream of the batch order: one `permutation` of the train set per epoch, drawn in turn. */
export const BATCH_STREAM = 'mnist1d-mlp/batches';

export interface EvalValues extends MagnitudeStats, Partial<ProbeReading> {
  trainLoss: number;
  testLoss: number;
  trainAcc: number;
  testAcc: number;
}

export interface MlpRunSpec {
  sizes: readonly number[];
  /** Initial parameters in Mlp's flat layout. */
  theta0: Float32Array;
  loss: LossKind;
  /** Builds the optimizer of the flat parameter vector θ (`count` values). */
  makeOptimizer: (tf: Tf, count: number) => TensorOptimizer;
  data: Mnist1dMlpData;
  batchSize: number;
  /** How the epoch's leftover rows are batched (./batching.ts); 'smaller-last' when absent. */
  batchRemainder?: BatchRemainder;
  steps: number;
  evalEvery: number;
  /** Seed of the batch order (stream BATCH_STREAM). */
  seed: number;
  /**
   * The telescoping probe (../telescoping/probe.ts) on the first `testPoints` test samples, for plain
   * SGD at `lr` (the caller checks applicability). Absent: no probe code runs at all.
   */
  probe?: { lr: number; testPoints: number; momentum?: number };
}

/** One epoch's shuffled train set; step k takes rows (columns of xTAug) [k·B, k·B + B). */
interface Epoch {
  /** The epoch's order of train rows (host copy: the probe needs each batch's row indices). */
  perm: Int32Array;
  /** [n, length]. */
  x: Tensor2D;
  /** [length + 1, n]: xᵀ with a row of ones (for the first layer's bias gradient). */
  xTAug: Tensor2D;
  /** [n, C]. */
  onehot: Tensor2D;
}

/** The state of one run on the device; `step()` and `evaluate()` are the unit-testable pieces. */
export class MlpRun {
  readonly mlp: Mlp;
  theta: Tensor1D;
  private readonly optimizer: TensorOptimizer;
  private readonly train: SplitTensors;
  private readonly test: SplitTensors;
  private readonly batchSizes: number[];
  private readonly batchStarts: number[];
  /** Per batch size: the loss-gradient scale 1/B (cross-entropy) or 2/(B·C) (squared error), and a [1, B] row of ones. */
  private readonly perSize = new Map<number, { scale: Scalar; onesRow: Tensor2D }>();
  private readonly order: Rng;
  private epoch: Epoch | null = null;
  private batchInEpoch = 0;
  private readonly probe: TelescopingProbe | null = null;
  /** Optimizer steps taken. */
  stepsDone = 0;

  constructor(
    private readonly tf: Tf,
    readonly spec: MlpRunSpec,
  ) {
    this.mlp = new Mlp(tf, spec.sizes);
    if (spec.theta0.length !== this.mlp.count) throw new Error(`θ₀ has ${spec.theta0.length} values, the MLP ${this.mlp.count}`);
    const { data } = spec;
    if (spec.sizes[0] !== data.length) throw new Error(`the MLP takes ${spec.sizes[0]} inputs, the data has ${data.length}`);
    this.theta = tf.tensor1d(spec.theta0);
    if (this.mlp.numClasses !== data.outputs) throw new Error(`the MLP has ${this.mlp.numClasses} outputs, the task needs ${data.outputs}`);
    this.train = uploadSplit(tf, data.train, data.length, data.outputs);
    this.test = uploadSplit(tf, data.test, data.length, data.outputs);
    const n = data.train.n;
    ({ sizes: this.batchSizes, starts: this.batchStarts } = epochBatches(n, spec.batchSize, spec.batchRemainder));
    const c = this.mlp.numClasses;
    for (const size of new Set(this.batchSizes)) {
      this.perSize.set(size, { scale: tf.scalar(spec.loss === 'cross-entropy' ? 1 / size : 2 / (size * c)), onesRow: tf.ones([1, size]) });
    }
    this.order = createRng(spec.seed, BATCH_STREAM);
    this.optimizer = spec.makeOptimizer(tf, this.mlp.count);
    if (spec.probe) {
      const m = Math.min(spec.probe.testPoints, data.test.n);
      this.probe = new TelescopingProbe(tf, this.mlp, {
        length: data.length,
        xTrain: data.train.x,
        yTrain: Float32Array.from(data.train.y),
        xProbe: data.test.x.subarray(0, m * data.length),
        theta0: spec.theta0,
        lr: spec.probe.lr,
        // ∂ℓ/∂f of the loss as trained: the mean of (f − y)² over the batch gives 2(f − y)/|B|.
        lossFactor: spec.loss === 'mse' ? 2 : 1,
        momentum: spec.probe.momentum ?? 0,
      });
    }
  }

  /** Milliseconds the probe has spent so far (0 without one): kept out of the training time. */
  get probeMs(): number {
    return this.probe?.totalMs ?? 0;
  }

  private startEpoch(): Epoch {
    const tf = this.tf;
    const perm = permutation(this.order, this.train.n);
    // gatherND, not gather: tfjs-backend-wasm's GatherV2 took ~30× longer for these whole-row gathers (profiled).
    return tf.tidy(() => {
      const idx = tf.tensor2d(perm, [perm.length, 1], 'int32');
      const x = tf.gatherND(this.train.x, idx) as Tensor2D;
      return {
        perm,
        x,
        xTAug: tf.concat([tf.transpose(x), tf.ones([1, perm.length])], 0) as Tensor2D,
        onehot: tf.gatherND(this.train.onehot, idx) as Tensor2D,
      };
    });
  }

  private disposeEpoch(): void {
    if (this.epoch) this.tf.dispose([this.epoch.x, this.epoch.xTAug, this.epoch.onehot]);
    this.epoch = null;
  }

  /** One optimizer update on the next batch. */
  step(): void {
    const tf = this.tf;
    if (!this.epoch) {
      this.epoch = this.startEpoch();
      this.batchInEpoch = 0;
    }
    const epoch = this.epoch;
    const start = this.batchStarts[this.batchInEpoch]!;
    const size = this.batchSizes[this.batchInEpoch]!;
    const { scale, onesRow } = this.perSize.get(size)!;
    if (this.probe) this.probe.update(this.theta, epoch.perm.subarray(start, start + size));
    const grad = tf.tidy(() => {
      const x = tf.slice(epoch.x, [start, 0], [size, -1]);
      const onehot = tf.slice(epoch.onehot, [start, 0], [size, -1]);
      const xTAug = tf.slice(epoch.xTAug, [0, start], [-1, size]);
      const v = this.mlp.views(this.theta);
      const f = this.mlp.forward(v, x);
      return this.mlp.backward(v, f, xTAug, onesRow, this.mlp.outputGradient(this.spec.loss, f.out, onehot, scale));
    });
    const [theta] = this.optimizer.step([this.theta], [grad]);
    tf.dispose([grad, this.theta]);
    this.theta = theta as Tensor1D;
    this.stepsDone += 1;
    this.batchInEpoch += 1;
    if (this.batchInEpoch === this.batchSizes.length) this.disposeEpoch();
  }

  /** Sum of per-row losses and number correct over a split, accumulated on the host in double precision. */
  private evaluateSplit(split: SplitTensors): { loss: number; correct: number } {
    const tf = this.tf;
    const packed = tf.tidy(() => {
      const v = this.mlp.views(this.theta);
      const parts: Tensor[] = [];
      for (let i = 0; i < split.n; i += EVAL_CHUNK) {
        const rows = Math.min(EVAL_CHUNK, split.n - i);
        const whole = rows === split.n;
        const x = whole ? split.x : tf.slice(split.x, [i, 0], [rows, -1]);
        const onehot = whole ? split.onehot : tf.slice(split.onehot, [i, 0], [rows, -1]);
        const labels = whole ? split.labels : tf.slice(split.labels, i, rows);
        const { out } = this.mlp.forward(v, x);
        const r = this.mlp.rowLossAndCorrect(this.spec.loss, out, onehot, labels);
        parts.push(r.loss, r.correct);
      }
      return tf.concat(parts);
    });
    const values = packed.dataSync();
    packed.dispose();
    let loss = 0;
    let correct = 0;
    let offset = 0;
    for (let i = 0; i < split.n; i += EVAL_CHUNK) {
      const rows = Math.min(EVAL_CHUNK, split.n - i);
      for (let j = 0; j < rows; j++) loss += values[offset + j]!;
      for (let j = 0; j < rows; j++) correct += values[offset + rows + j]!;
      offset += 2 * rows;
    }
    return { loss, correct };
  }

  evaluate(): EvalValues {
    const perRow = this.spec.loss === 'cross-entropy' ? 1 : this.mlp.numClasses;
    const train = this.evaluateSplit(this.train);
    const test = this.evaluateSplit(this.test);
    const params = this.theta.dataSync();
    return {
      trainLoss: train.loss / (this.train.n * perRow),
      testLoss: test.loss / (this.test.n * perRow),
      trainAcc: train.correct / this.train.n,
      testAcc: test.correct / this.test.n,
      ...magnitudeStats(params),
      ...(this.probe ? this.probe.read(this.theta) : {}),
    };
  }

  dispose(): void {
    const tf = this.tf;
    this.disposeEpoch();
    this.optimizer.dispose();
    this.probe?.dispose();
    tf.dispose(this.theta);
    for (const { scale, onesRow } of this.perSize.values()) tf.dispose([scale, onesRow]);
    this.perSize.clear();
    disposeSplit(tf, this.train);
    disposeSplit(tf, this.test);
  }
}

/** Runs `spec` to the end (or cancel / divergence) on the shared driver, reporting every evaluation through `ctx`. */
export async function trainMlpRun(spec: MlpRunSpec, ctx: TrainContext): Promise<TrainOutcome> {
  const started = performance.now();
  const run = new MlpRun(ctx.tf, spec);
  try {
    const result = await runTrainingLoop(ctx, {
      steps: spec.steps,
      evalEvery: spec.evalEvery,
      startedAt: started,
      evaluate: () => ({ ...run.evaluate() }),
      step: (_step, clock) => {
        const probeBefore = run.probeMs;
        run.step();
        clock.exclude(run.probeMs - probeBefore);
      },
    });
    return { ...result, dataHash: spec.data.hash };
  } finally {
    run.dispose();
  }
}
