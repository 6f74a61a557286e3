/**
 * telescoping-grokking — grokking through the telescoping lens (Jeffares, Curth & van der Schaar 2024,
 * Fig. 4 left, on the task of Kumar et al. 2024; docs/experiments.md §8).
 *
 * Data: x ∈ R^D with x ~ N(0, I/D), the target y = ½(βᵀx)² with β ~ N(0, I) rescaled to ‖β‖ = √D (so
 * βᵀx ~ N(0, 1)); P train and a separate test set, all from `dataSeed`. Model (./quadratic-net.ts):
 * f(x) = (1/N) Σ_j φ(θ_jᵀx), φ(h) = h + (ε/2)h², θ_j ~ N(0, I) from `seed`, a fixed readout, no biases.
 * Full-batch gradient descent on the paper's squared loss ½·mean (f − y)²: θ ← θ − lr ∇.
 *
 * The telescoping probe rides along (always in scope here: GD, squared loss, scalar output): the
 * smoother f̃_t = s_t·y + c_t on all P train points and the first `probeTest` test points, advanced at
 * every step by the closed-form tangent kernel (γ′ = lr / P), with p_train, p_test, the telescoping,
 * lazy and smoother errors (RMS over the probe points, MAE over its test points) at each evaluation.
 * What to look for: the train loss fits early, the test loss improves long after, and p_test separates
 * from p_train as it does.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MAX_SEED, intField, realField } from '../config-fields';
import { magnitudeStats } from '../prime-count';
import { createRng } from '../rng';
import { API_VERSION, defineExperiment, runTrainingLoop } from '../api';
import type { TrainContext, TrainOutcome, Tf } from '../types';
import { readPackedReading } from '../telescoping/probe';
import { quadraticForward, quadraticJvp, quadraticKernel, quadraticLossGradient, quadraticSlopes } from './quadratic-net';

/** Largest (train + probe) × train smoother accepted, and the largest width × dimension. */
const MAX_PROBE_TRAIN = 2000;
const MAX_PARAMETERS = 2 ** 22;

export const telescopingGrokkingConfigSchema = z
  .strictObject({
    dim: intField('dim', 1, 4096).default(60).describe('Input dimension D (x ~ N(0, I/D))'),
    trainSize: intField('trainSize', 1, MAX_PROBE_TRAIN).default(330).describe('Train points P (the smoother tracks all of them)'),
    testSize: intField('testSize', 1, 100_000).default(500).describe('Test points (the test loss is over all of them)'),
    width: intField('width', 1, 100_000).default(300).describe('Neurons N; the readout is the fixed mean 1/N'),
    eps: realField('eps', 0, 100, false).default(0.2).describe('ε of φ(h) = h + (ε/2)h²'),
    lr: realField('lr', 0, 1e6, true).default(300).describe('Gradient-descent step size on ½·mean (f − y)²'),
    steps: intField('steps', 1, 10_000_000).default(6000).describe('Full-batch gradient-descent steps'),
    evalEvery: intField('evalEvery', 1, 1_000_000).default(100).describe('Evaluate (losses, probe readings) every this many steps'),
    probe: z.boolean({ error: 'probe must be true or false' }).default(true).describe('Telescoping probe: p_train, p_test and the approximation errors at each evaluation'),
    probeTest: intField('probeTest', 1, 2000).default(200).describe('Test points in the probe set (p_test needs no labels)'),
    dataSeed: intField('dataSeed', 0, MAX_SEED).default(0).describe('Seed of β and the inputs'),
    seed: intField('seed', 0, MAX_SEED).default(0).describe('Seed of the initial weights'),
  })
  .superRefine((c, ctx) => {
    if (c.width * c.dim > MAX_PARAMETERS) ctx.addIssue({ code: 'custom', path: ['width'], message: `width × dim = ${c.width * c.dim} parameters exceeds ${MAX_PARAMETERS}` });
    if (c.probeTest > c.testSize) ctx.addIssue({ code: 'custom', path: ['probeTest'], message: `probeTest must be at most the ${c.testSize} test points (got ${c.probeTest})` });
  });

export type TelescopingGrokkingConfig = z.output<typeof telescopingGrokkingConfigSchema>;

export interface QuadraticTask {
  dim: number;
  xTrain: Float32Array;
  yTrain: Float32Array;
  xTest: Float32Array;
  yTest: Float32Array;
}

/** The task of a config: a pure function of dim, trainSize, testSize and dataSeed. */
export function quadraticTask(c: Pick<TelescopingGrokkingConfig, 'dim' | 'trainSize' | 'testSize' | 'dataSeed'>): QuadraticTask {
  const rng = createRng(c.dataSeed, 'telescoping-grokking/data');
  const beta = Float64Array.from({ length: c.dim }, () => rng.normal());
  const norm = Math.hypot(...beta);
  for (let i = 0; i < c.dim; i++) beta[i] = (beta[i]! * Math.sqrt(c.dim)) / norm;
  const draw = (rows: number) => {
    const x = new Float32Array(rows * c.dim);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let i = 0; i < c.dim; i++) {
        const v = rng.normal() / Math.sqrt(c.dim);
        x[r * c.dim + i] = v;
        dot += beta[i]! * v;
      }
      y[r] = 0.5 * dot * dot;
    }
    return { x, y };
  };
  const train = draw(c.trainSize);
  const test = draw(c.testSize);
  return { dim: c.dim, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}

/** θ₀ [N × D] row-major: standard normal from the seed's "telescoping-grokking/init" stream. */
export function quadraticInit(c: Pick<TelescopingGrokkingConfig, 'width' | 'dim' | 'seed'>): Float32Array {
  const rng = createRng(c.seed, 'telescoping-grokking/init');
  return Float32Array.from({ length: c.width * c.dim }, () => rng.normal());
}

/** One run's state on the device: θᵀ [D, N], the data, and the smoother over the probe rows. */
export class QuadraticRun {
  thetaT: Tensor2D;
  private readonly theta0T: Tensor2D;
  private readonly xTrain: Tensor2D;
  private readonly xTrainT: Tensor2D;
  private readonly yTrain: Tensor2D;
  private readonly xTest: Tensor2D;
  private readonly yTest: Tensor2D;
  /** Probe rows: all train points, then the first probeTest test points. */
  private readonly xProbe: Tensor2D | null = null;
  private readonly eye: Tensor2D | null = null;
  private readonly f0: Tensor2D | null = null;
  private s: Tensor2D | null = null;
  private c: Tensor2D | null = null;
  private telescoped: Tensor2D | null = null;
  private probeMs = 0;
  private probeSteps = 0;
  probeTotalMs = 0;
  readonly nTrain: number;
  readonly nProbe: number;

  constructor(
    private readonly tf: Tf,
    readonly config: TelescopingGrokkingConfig,
    task: QuadraticTask,
    theta0: Float32Array,
  ) {
    const { dim, width } = config;
    this.nTrain = task.yTrain.length;
    this.nProbe = config.probe ? Math.min(config.probeTest, task.yTest.length) : 0;
    this.theta0T = tf.tidy(() => tf.transpose(tf.tensor2d(theta0, [width, dim])) as Tensor2D);
    this.thetaT = tf.clone(this.theta0T);
    this.xTrain = tf.tensor2d(task.xTrain, [this.nTrain, dim]);
    this.xTrainT = tf.transpose(this.xTrain);
    this.yTrain = tf.tensor2d(task.yTrain, [this.nTrain, 1]);
    this.xTest = tf.tensor2d(task.xTest, [task.yTest.length, dim]);
    this.yTest = tf.tensor2d(task.yTest, [task.yTest.length, 1]);
    if (config.probe) {
      const n = this.nTrain;
      this.xProbe = tf.tidy(() => tf.concat([this.xTrain, tf.slice(this.xTest, [0, 0], [this.nProbe, dim])], 0) as Tensor2D);
      this.eye = tf.eye(n) as Tensor2D;
      this.f0 = tf.tidy(() => quadraticForward(tf, this.theta0T, this.xProbe!, config.eps));
      this.s = tf.zeros([n + this.nProbe, n]);
      this.c = tf.clone(this.f0);
      this.telescoped = tf.clone(this.f0);
    }
  }

  /** One full-batch gradient-descent step, the probe advanced first from θ_{t−1}. */
  step(): void {
    const { tf, config } = this;
    if (this.xProbe) this.advanceProbe();
    const next = tf.tidy(() => {
      const slopes = quadraticSlopes(tf, this.thetaT, this.xTrain, config.eps);
      const residuals = tf.sub(quadraticForward(tf, this.thetaT, this.xTrain, config.eps), this.yTrain) as Tensor2D;
      const grad = quadraticLossGradient(tf, slopes, this.xTrain, residuals);
      return tf.sub(this.thetaT, tf.mul(tf.transpose(grad), config.lr)) as Tensor2D;
    });
    this.thetaT.dispose();
    this.thetaT = next;
  }

  private advanceProbe(): void {
    const t0 = performance.now();
    const { tf, config } = this;
    const n = this.nTrain;
    const [s, c, telescoped] = tf.tidy(() => {
      const slopes = quadraticSlopes(tf, this.thetaT, this.xProbe!, config.eps);
      const trainSlopesT = tf.transpose(tf.slice(slopes, [0, 0], [n, -1])) as Tensor2D;
      const k = tf.mul(quadraticKernel(tf, slopes, this.xProbe!, trainSlopesT, this.xTrainT), config.lr / n) as Tensor2D;
      const sTrain = tf.slice(this.s!, [0, 0], [n, n]);
      const cTrain = tf.slice(this.c!, [0, 0], [n, 1]);
      const residuals = tf.sub(quadraticForward(tf, this.thetaT, this.xTrain, config.eps), this.yTrain);
      return [
        tf.add(this.s!, tf.matMul(k, tf.sub(this.eye!, sTrain))) as Tensor2D,
        tf.sub(this.c!, tf.matMul(k, cTrain)) as Tensor2D,
        tf.sub(this.telescoped!, tf.matMul(k, residuals)) as Tensor2D,
      ];
    });
    tf.dispose([this.s!, this.c!, this.telescoped!]);
    this.s = s;
    this.c = c;
    this.telescoped = telescoped;
    c.dataSync();
    const spent = performance.now() - t0;
    this.probeMs += spent;
    this.probeTotalMs += spent;
    this.probeSteps += 1;
  }

  evaluate(): Record<string, number> {
    const { tf, config } = this;
    const n = this.nTrain;
    const losses = tf.tidy(() => {
      const loss = (x: Tensor2D, y: Tensor2D) => tf.mul(tf.mean(tf.square(tf.sub(quadraticForward(tf, this.thetaT, x, config.eps), y))), 0.5);
      return tf.stack([loss(this.xTrain, this.yTrain), loss(this.xTest, this.yTest)]);
    });
    const [trainLoss, testLoss] = losses.dataSync();
    losses.dispose();
    const values: Record<string, number> = { trainLoss: trainLoss!, testLoss: testLoss!, ...magnitudeStats(this.thetaT.dataSync()) };
    if (!this.xProbe) return values;
    const packed = tf.tidy(() => {
      const f = quadraticForward(tf, this.thetaT, this.xProbe!, config.eps);
      const slopes0 = quadraticSlopes(tf, this.theta0T, this.xProbe!, config.eps);
      const lazy = tf.add(this.f0!, quadraticJvp(tf, slopes0, this.xProbe!, tf.sub(this.thetaT, this.theta0T) as Tensor2D)) as Tensor2D;
      const smoother = tf.add(tf.matMul(this.s!, this.yTrain), this.c!) as Tensor2D;
      const rms = (a: Tensor2D) => tf.sqrt(tf.mean(tf.square(tf.sub(a, f))));
      const mae = (a: Tensor2D) => tf.mean(tf.abs(tf.slice(tf.sub(a, f), [n, 0], [this.nProbe, 1])));
      const rowNorms = tf.sum(tf.square(this.s!), 1);
      return tf.stack([
        tf.sum(tf.slice(rowNorms, 0, n)),
        tf.sum(tf.slice(rowNorms, n, this.nProbe)),
        rms(this.telescoped!),
        rms(lazy),
        rms(smoother),
        mae(this.telescoped!),
        mae(lazy),
        mae(smoother),
      ]);
    });
    Object.assign(values, readPackedReading(packed, n, this.nProbe, this.probeSteps > 0 ? this.probeMs / this.probeSteps : 0));
    this.probeMs = 0;
    this.probeSteps = 0;
    return values;
  }

  dispose(): void {
    const live = [this.thetaT, this.theta0T, this.xTrain, this.xTrainT, this.yTrain, this.xTest, this.yTest, this.xProbe, this.eye, this.f0, this.s, this.c, this.telescoped];
    this.tf.dispose(live.filter((t): t is Tensor2D => t !== null));
  }
}

export async function trainTelescopingGrokking(config: TelescopingGrokkingConfig, ctx: TrainContext): Promise<TrainOutcome> {
  const started = performance.now();
  const task = quadraticTask(config);
  const run = new QuadraticRun(ctx.tf, config, task, quadraticInit(config));
  const dataHash = `telescoping-grokking/v1 dim=${config.dim} train=${config.trainSize} test=${config.testSize} dataSeed=${config.dataSeed}`;
  try {
    const result = await runTrainingLoop(ctx, {
      steps: config.steps,
      evalEvery: config.evalEvery,
      startedAt: started,
      evaluate: () => run.evaluate(),
      step: (_s, clock) => {
        // The probe's own time is kept out of the training time.
        const probeBefore = run.probeTotalMs;
        run.step();
        clock.exclude(run.probeTotalMs - probeBefore);
      },
    });
    return { ...result, dataHash };
  } finally {
    run.dispose();
  }
}

export const telescopingGrokkingExperiment = defineExperiment({
  apiVersion: API_VERSION,
  key: 'telescoping-grokking',
  title: 'Grokking through the telescoping lens (Kumar et al. 2024 task)',
  description:
    'y = ½(βᵀx)² on Gaussian inputs, fitted by f(x) = (1/N) Σ φ(θⱼᵀx), φ(h) = h + (ε/2)h², with full-batch gradient descent ' +
    'on the squared loss. The train loss fits early; the test loss improves much later, and the telescoping probe shows ' +
    'the effective parameters on test points (p_test) separating from those on the train set (p_train) as it does.',
  configSchema: telescopingGrokkingConfigSchema,
  presets: {
    /** The CPU preset: D 60, P 330 train, 500 test, N 300, ε 0.2, lr 300, 6,000 steps (≈ 4–6 min on wasm here). */
    default: {},
    /**
     * The paper's scale (its Fig. 4 left): D 100, P 550, N 500, 1e5 steps. A GPU or cluster job: the
     * smoother step is ~(P + m)·P·(N + D + P) ≈ 0.7 GFLOP, 1e5 of them (run it with --backend tensorflow-gpu or on SLURM).
     */
    paper: { dim: 100, trainSize: 550, testSize: 500, width: 500, steps: 100_000, evalEvery: 1000 },
  },
  totalSteps: (config) => config.steps,
  parameterCount: (config) => config.width * config.dim,
  train: trainTelescopingGrokking,
  metrics: {
    trainLoss: 'trainLoss',
    testLoss: 'testLoss',
    pTrain: 'free',
    pTest: 'free',
    telescopeError: 'free',
    lazyError: 'free',
    smootherError: 'free',
    telescopeMae: 'free',
    lazyMae: 'free',
    smootherMae: 'free',
    probeMsPerStep: 'free',
  },
  // The gradient and the tangent kernel are in closed form: no autodiff needed.
  autodiff: false,
});

export default telescopingGrokkingExperiment;
