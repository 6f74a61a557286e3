/**
 * double-descent — docs/experiments.md §4 (Greydanus & Kobak 2024, mnist1d
 * `notebooks/deep-double-descent.ipynb`).
 *
 * MNIST-1D generated with `numSamples` samples and `trainSplit`; 15% of the train labels redrawn
 * uniformly from the generator's own RNG stream right after generation (the notebook's global numpy
 * stream); test labels clean. Model 40 → h → h → 10 with ReLU and PyTorch-default init; SGD with
 * momentum (PyTorch semantics) on the mean cross-entropy, batches of 100 from a fresh shuffle per
 * epoch (DataLoader(shuffle=True)). Sweeping the width h traces test error against size: it peaks
 * where the net first interpolates the noisy train set (train error 0) and falls again beyond.
 *
 * `seed` drives the initial weights and the batch order; `dataSeed` (42 = the published dataset)
 * the data and the label noise, so seeds vary the training, not the task. The train metrics are on
 * the noisy labels the net is fitted to; the test metrics on clean labels.
 *
 * See ./train-loop.ts for how a run executes and ./mlp.ts for the hand-written network.
 */
import { API_VERSION, defineExperiment, STANDARD_METRICS } from '../api';
import { z } from 'zod';
import { createRng } from '../rng';
import type { TrainContext, TrainOutcome } from '../types';
import { MAX_SEED, intField, mnist1dSplitSizes, realField, realFieldBelow, realFieldOpen } from './config-fields';
import { BATCH_REMAINDERS } from './batching';
import { loadMnist1dMlpData } from './data';
import { initParameters, mlpParameterCount } from './mlp';
import { Sgd } from './sgd';
import { MAX_PROBE_TEST, MAX_PROBE_TRAIN, doubleDescentProbeReason } from '../../common/telescoping-scope';
import { trainMlpRun } from './train-loop';

/** MNIST-1D sequence length: the network's input width. */
const INPUT = 40;
const CLASSES = 10;
/** Largest batch × width product accepted (one float32 activation tensor of 128 MiB). */
const MAX_BATCH_TIMES_WIDTH = 2 ** 25;

/** Widths of the two sweeps of docs/experiments.md §4 (the full list is the notebook's unique geomspace(2, 300, 20)). */
export const DOUBLE_DESCENT_WIDTHS = {
  cheap: [2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64, 96],
  full: [2, 3, 4, 5, 7, 9, 12, 16, 21, 27, 36, 47, 61, 80, 104, 135, 177, 230, 300],
  /** The paper's width range (its Fig. 3 goes to 5,000) on ~1,000 binary train points: a GPU or SLURM sweep. */
  'telescoping-paper': [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 5000],
  /** One hidden layer on 203 binary train points: 42h + 1 parameters, so the threshold sits near h 5 (p_test peaks near h 8). */
  telescoping: [1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256],
} as const satisfies Record<string, readonly number[]>;

/** Step sizes of the approximation sweep (the paper's Fig. 2 varies γ the same way). */
export const TELESCOPING_APPROXIMATION_LRS = [0.001, 0.003, 0.01, 0.03] as const;

export const TASKS = ['ten-class', 'binary-0v1'] as const;
export const LOSSES = ['cross-entropy', 'mse'] as const;

/** Layer sizes: 40 → h (→ h) → 10, or → 1 for the binary task (a scalar output on 0/1 targets). */
export function layerSizes(c: { width: number; hiddenLayers?: number; task?: (typeof TASKS)[number] }): number[] {
  const hidden = Array.from({ length: c.hiddenLayers ?? 2 }, () => c.width);
  return [INPUT, ...hidden, c.task === 'binary-0v1' ? 1 : CLASSES];
}

/** Parameters of 40 → h → h → 10 with biases: h² + 52h + 10 (other shapes: see layerSizes). */
export function parameterCount(width: number, shape: { hiddenLayers?: number; task?: (typeof TASKS)[number] } = {}): number {
  return mlpParameterCount(layerSizes({ width, ...shape }));
}

export const doubleDescentConfigSchema = z
  .strictObject({
    width: intField('width', 1, 4096).default(16).describe('Hidden width h of 40 → h → h → 10'),
    steps: intField('steps', 1, 10_000_000).default(5000).describe('SGD steps (one batch each)'),
    labelNoise: realField('labelNoise', 0, 1, false).default(0.15).describe('Fraction of train labels redrawn uniformly (≈ 9/10 of them change)'),
    lr: realField('lr', 0, 10, true).default(0.01).describe('SGD learning rate'),
    momentum: realFieldBelow('momentum', 0, 1).default(0.9).describe('SGD momentum (PyTorch semantics, no dampening)'),
    batchSize: intField('batchSize', 1, 100_000).default(100).describe('Samples per SGD step (reshuffled every epoch)'),
    numSamples: intField('numSamples', 20, 200_000).default(5000).describe('MNIST-1D samples generated in total (train + test)'),
    trainSplit: realFieldOpen('trainSplit', 0, 1).default(0.2).describe('Fraction of the samples used for training'),
    dataSeed: intField('dataSeed', 0, MAX_SEED).default(42).describe('Seed of the data and the label noise (42 = the published dataset)'),
    seed: intField('seed', 0, MAX_SEED).default(0).describe('Seed of the initial weights and the batch order'),
    evalEvery: intField('evalEvery', 1, 1_000_000).default(50).describe('Evaluate on the full train and test sets every this many steps'),
    task: z
      .enum(TASKS, { error: `task must be one of ${TASKS.join(', ')}` })
      .default('ten-class')
      .describe("'ten-class', or 'binary-0v1': classes 0 vs 1 only, one output on 0/1 targets, label noise flips labels"),
    hiddenLayers: intField('hiddenLayers', 1, 2).default(2).describe('Hidden layers of width h (1 or 2)'),
    loss: z
      .enum(LOSSES, { error: `loss must be one of ${LOSSES.join(', ')}` })
      .default('cross-entropy')
      .describe("Training loss: 'cross-entropy', or 'mse' (mean squared error against the targets)"),
    probe: z
      .boolean({ error: 'probe must be true or false' })
      .default(false)
      .describe('Telescoping probe (docs/experiments.md §8): effective parameters pTrain/pTest and the approximation errors, logged at each evaluation. Plain SGD on a scalar squared loss only'),
    probeTest: intField('probeTest', 1, MAX_PROBE_TEST).default(200).describe('Test points in the probe set (the probe always tracks every train point)'),
    batchRemainder: z
      .enum(BATCH_REMAINDERS, { error: `batchRemainder must be one of ${BATCH_REMAINDERS.join(', ')}` })
      .default('smaller-last')
      .describe("When batchSize does not divide the train set: 'smaller-last' (a smaller last batch, torch drop_last=False), 'even' (near-equal batches that tile it: 203 → 102 + 101), 'drop' (the leftover rows skip the epoch)"),
  })
  .superRefine((c, ctx) => {
    if (c.task === 'binary-0v1' && c.loss !== 'mse') {
      ctx.addIssue({ code: 'custom', path: ['loss'], message: "task binary-0v1 trains one output on 0/1 targets with the squared loss: set loss=mse" });
    }
    if (c.probe) {
      const reason = doubleDescentProbeReason(c);
      if (reason) ctx.addIssue({ code: 'custom', path: ['probe'], message: reason });
    }
    const { nTrain, nTest } = mnist1dSplitSizes(c.numSamples, c.trainSplit);
    if (nTrain < 1 || nTest < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['trainSplit'],
        message: `trainSplit ${c.trainSplit} of ${c.numSamples} samples leaves ${nTrain} train and ${nTest} test samples; both must be at least 1`,
      });
    } else if (c.batchSize > nTrain) {
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: `batchSize must be at most the ${nTrain} train samples (got ${c.batchSize})` });
    }
    if (c.batchSize * c.width > MAX_BATCH_TIMES_WIDTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `batchSize × width = ${c.batchSize * c.width} values per activation tensor exceeds ${MAX_BATCH_TIMES_WIDTH}`,
      });
    }
  });

export type DoubleDescentConfig = z.output<typeof doubleDescentConfigSchema>;
export type DoubleDescentConfigInput = z.input<typeof doubleDescentConfigSchema>;

/** The dataset of a config (noisy train labels, clean test labels) — a pure function of the data knobs. */
export function doubleDescentData(c: Pick<DoubleDescentConfig, 'numSamples' | 'trainSplit' | 'dataSeed' | 'labelNoise'> & { task?: DoubleDescentConfig['task'] }) {
  return loadMnist1dMlpData({
    numSamples: c.numSamples,
    trainSplit: c.trainSplit,
    dataSeed: c.dataSeed,
    labelNoise: c.labelNoise,
    ...(c.task === 'binary-0v1' ? { binary: [0, 1] as const } : {}),
  });
}

/** θ₀ of a config: PyTorch-default init of its layer sizes from the seed's "mnist1d-mlp/init" stream. */
export function doubleDescentInit(c: Pick<DoubleDescentConfig, 'width' | 'seed'> & Partial<Pick<DoubleDescentConfig, 'hiddenLayers' | 'task'>>): Float32Array {
  return initParameters(layerSizes(c), createRng(c.seed, 'mnist1d-mlp/init'));
}

export async function trainDoubleDescent(config: DoubleDescentConfig, ctx: TrainContext): Promise<TrainOutcome> {
  const data = doubleDescentData(config);
  if (config.probe && data.train.n > MAX_PROBE_TRAIN) {
    throw new Error(`probe: the telescoping probe tracks every train point and allows at most ${MAX_PROBE_TRAIN}; this run has ${data.train.n}`);
  }
  return trainMlpRun(
    {
      sizes: layerSizes(config),
      theta0: doubleDescentInit(config),
      loss: config.loss,
      ...(config.probe ? { probe: { lr: config.lr, testPoints: config.probeTest, momentum: config.momentum } } : {}),
      makeOptimizer: (tf) => new Sgd(tf, { lr: config.lr, momentum: config.momentum }),
      data,
      batchSize: config.batchSize,
      batchRemainder: config.batchRemainder,
      steps: config.steps,
      evalEvery: config.evalEvery,
      seed: config.seed,
    },
    ctx,
  );
}

export const doubleDescentExperiment = defineExperiment({
  apiVersion: API_VERSION,
  key: 'double-descent',
  title: 'Double descent: MNIST-1D MLP width sweep with label noise',
  description:
    'MNIST-1D with 15% of the train labels redrawn; a 40 → h → h → 10 ReLU MLP trained with SGD (lr 0.01, momentum 0.9, ' +
    'batch 100) on cross-entropy. Swept over the width h, test error rises to a peak where the net first fits the noisy ' +
    'train set exactly, then falls again as the net grows (Greydanus & Kobak 2024). The parameter norm peaks there too.',
  configSchema: doubleDescentConfigSchema,
  presets: {
    /** One cheap run: 5,000 samples at split 0.2 (1,000 train / 4,000 test), h 16 (near the cheap peak), 5,000 steps. */
    default: {},
    /**
     * The cheap sweep's settings (sweep the width over DOUBLE_DESCENT_WIDTHS.cheap). Seeds 0–2 on wasm, mean test
     * error %: h 2: 71.2, 8: 65.3, 16: 69.0 (peak), 24: 67.2, 32: 67.3, 48: 64.9, 96: 64.0; train error 0 from h 32
     * (0.9 % at 24); the L2 norm peaks at h 24–32. `npx tsx bench/double-descent-acceptance.ts` (~5 min).
     */
    cheap: { numSamples: 5000, trainSplit: 0.2, steps: 5000, width: 16 },
    /** The notebook's settings: 16,000 samples at split 0.25 (4,000 / 12,000), 500 epochs; h 47 is near its peak (sweep DOUBLE_DESCENT_WIDTHS.full). */
    full: { numSamples: 16000, trainSplit: 0.25, steps: 20000, width: 47, evalEvery: 200 },
    /**
     * docs/experiments.md §8: binary MNIST-1D (classes 0 vs 1 of the 5,000 samples: 203 train, 15% of their
     * labels flipped), one hidden layer, squared loss, plain SGD (lr 0.01) in batches that tile the
     * train set (102 + 101: no 3-row leftover), 12,000 steps (the narrow nets need them to memorise the
     * flipped labels), with the telescoping probe on 100 test points. Sweep DOUBLE_DESCENT_WIDTHS.telescoping.
     */
    telescoping: {
      task: 'binary-0v1',
      hiddenLayers: 1,
      loss: 'mse',
      momentum: 0,
      lr: 0.01,
      batchSize: 100,
      batchRemainder: 'even',
      probe: true,
      probeTest: 100,
      width: 16,
      steps: 12000,
      evalEvery: 500,
    },
    /**
     * The approximation figure (the paper's Fig. 2 analogue, docs/experiments.md §8): clean binary MNIST-1D
     * (no label noise), two hidden layers of 64, squared loss, plain SGD in batches that tile the train
     * set, 2,000 steps. Sweep the step size over TELESCOPING_APPROXIMATION_LRS: the telescoping model
     * stays orders of magnitude closer to the network than the lazy linearisation, closer still as lr shrinks.
     */
    'telescoping-approximation': {
      task: 'binary-0v1',
      hiddenLayers: 2,
      width: 64,
      labelNoise: 0,
      loss: 'mse',
      momentum: 0,
      lr: 0.01,
      batchSize: 100,
      batchRemainder: 'even',
      probe: true,
      probeTest: 100,
      steps: 2000,
      evalEvery: 100,
    },
    /**
     * Paper scale — A GPU OR SLURM JOB, not for a laptop: the telescoping preset on ~1,000 binary train points
     * (25,000 samples at split 0.2), the probe on 200 test points, 20,000 steps, widths to 5,000 (sweep
     * DOUBLE_DESCENT_WIDTHS['telescoping-paper'] with --seeds 4). Measured here on wasm (2 shared cores): the
     * probe costs ≈ 42 ms + 0.33 ms × width per step (63 ms at h 64, 210 ms at h 512), so one seed of the grid
     * is ≈ 20,000 × 3.6 s ≈ 20 h on this machine.
     */
    'telescoping-paper': {
      task: 'binary-0v1',
      hiddenLayers: 1,
      loss: 'mse',
      momentum: 0,
      lr: 0.01,
      batchSize: 100,
      batchRemainder: 'even',
      probe: true,
      probeTest: 200,
      numSamples: 25000,
      trainSplit: 0.2,
      width: 64,
      steps: 20000,
      evalEvery: 1000,
    },
  },
  totalSteps: (config) => config.steps,
  parameterCount: (config) => parameterCount(config.width, config),
  sweepGrids: {
    cheap: [{ key: 'width', values: [...DOUBLE_DESCENT_WIDTHS.cheap] }],
    full: [{ key: 'width', values: [...DOUBLE_DESCENT_WIDTHS.full] }],
    telescoping: [{ key: 'width', values: [...DOUBLE_DESCENT_WIDTHS.telescoping] }],
    'telescoping-approximation': [{ key: 'lr', values: [...TELESCOPING_APPROXIMATION_LRS] }],
    'telescoping-paper': [{ key: 'width', values: [...DOUBLE_DESCENT_WIDTHS['telescoping-paper']] }],
  },
  train: trainDoubleDescent,
  metrics: { ...STANDARD_METRICS, pTrain: 'free', pTest: 'free', telescopeError: 'free', lazyError: 'free', smootherError: 'free', telescopeMae: 'free', lazyMae: 'free', smootherMae: 'free', probeMsPerStep: 'free' },
  // Hand-written backward passes: no autodiff needed.
  autodiff: false,
});

export default doubleDescentExperiment;
