/**
 * init-scale — docs/experiments.md §6 (Omnigrok; Liu, Michaud & Tegmark 2023).
 *
 * The first `trainSize` (1,000) train samples of the default MNIST-1D (5,000 samples, split 0.8;
 * the 1,000-sample test set is kept whole); MLP 40 → 200 → 200 → 10 with ReLU; PyTorch-default
 * init, then every parameter (weights and biases) multiplied by α; mean squared error against
 * one-hot targets (PyTorch MSELoss, mean over B·10 entries); AdamW (PyTorch semantics, betas
 * (0.9, 0.999), ε 1e-8) lr 1e-3, weight decay 0.1; batches of 200 from a fresh shuffle per epoch.
 *
 * With α = 1 the net generalises as it fits (train accuracy 0.95 by step ~130, test ≈ 0.44). With
 * α = 8 the loss starts ~24,000× higher (outputs grow like α³) and the train set is fitted only after
 * ~5,000 steps, with test accuracy still near chance (≈ 0.13); it climbs slowly as weight decay shrinks
 * the norm (≈ 0.25 at 10k): the large-norm confound that makes "grokking" appear on ordinary data.
 * (A first description had α = 8 "fit train" by 2k; with these exact settings, in PyTorch too, train
 * accuracy at 2k is 0.24 — hence the 6,000-step default.)
 *
 * `seed` drives the initial weights and the batch order (the same base draw for every α, so
 * α = 8 starts from exactly 8 × α = 1's weights); `dataSeed` the data (42 = the published set).
 * See ./train-loop.ts for how a run executes and ./mlp.ts for the hand-written network.
 */
import { API_VERSION, defineExperiment, STANDARD_METRICS } from '../api';
import { z } from 'zod';
import { AdamW } from '../adamw';
import { createRng } from '../rng';
import type { TrainContext, TrainOutcome } from '../types';
import { MAX_SEED, intField, realField } from './config-fields';
import { loadMnist1dMlpData } from './data';
import { initParameters } from './mlp';
import { trainMlpRun } from './train-loop';

const INPUT = 40;
const CLASSES = 10;
/** The default MNIST-1D: 5,000 samples, 4,000 of them for training. */
const NUM_SAMPLES = 5000;
const TRAIN_SPLIT = 0.8;
const MAX_TRAIN = 4000;
const MAX_BATCH_TIMES_WIDTH = 2 ** 25;

export const initScaleConfigSchema = z
  .strictObject({
    alpha: realField('alpha', 0, 1000, true).default(1).describe('Every initial parameter is multiplied by α'),
    width: intField('width', 1, 4096).default(200).describe('Hidden width of 40 → width → width → 10'),
    steps: intField('steps', 1, 10_000_000).default(6000).describe('AdamW steps (one batch each)'),
    lr: realField('lr', 0, 10, true).default(1e-3).describe('AdamW learning rate'),
    weightDecay: realField('weightDecay', 0, 1000, false).default(0.1).describe('Decoupled (AdamW) weight decay'),
    batchSize: intField('batchSize', 1, MAX_TRAIN).default(200).describe('Samples per step (reshuffled every epoch)'),
    trainSize: intField('trainSize', 1, MAX_TRAIN).default(1000).describe('Train on the first this many MNIST-1D train samples'),
    dataSeed: intField('dataSeed', 0, MAX_SEED).default(42).describe('Seed of the MNIST-1D data (42 = the published dataset)'),
    seed: intField('seed', 0, MAX_SEED).default(0).describe('Seed of the initial weights and the batch order'),
    evalEvery: intField('evalEvery', 1, 1_000_000).default(10).describe('Evaluate on the full train and test sets every this many steps'),
  })
  .superRefine((c, ctx) => {
    if (c.lr * c.weightDecay > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['weightDecay'],
        message: `lr × weightDecay must be at most 1 (got ${c.lr} × ${c.weightDecay}); the decay factor 1 − lr·wd would be negative`,
      });
    }
    if (c.batchSize > c.trainSize) {
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: `batchSize must be at most trainSize (${c.trainSize}), got ${c.batchSize}` });
    }
    if (c.batchSize * c.width > MAX_BATCH_TIMES_WIDTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `batchSize × width = ${c.batchSize * c.width} values per activation tensor exceeds ${MAX_BATCH_TIMES_WIDTH}`,
      });
    }
  });

export type InitScaleConfig = z.output<typeof initScaleConfigSchema>;
export type InitScaleConfigInput = z.input<typeof initScaleConfigSchema>;

export function initScaleData(c: Pick<InitScaleConfig, 'trainSize' | 'dataSeed'>) {
  return loadMnist1dMlpData({ numSamples: NUM_SAMPLES, trainSplit: TRAIN_SPLIT, dataSeed: c.dataSeed, trainSize: c.trainSize });
}

/** θ₀ of a config: PyTorch-default init from the seed's "mnist1d-mlp/init" stream, times α. */
export function initScaleInit(c: Pick<InitScaleConfig, 'width' | 'seed' | 'alpha'>): Float32Array {
  return initParameters([INPUT, c.width, c.width, CLASSES], createRng(c.seed, 'mnist1d-mlp/init'), c.alpha);
}

export async function trainInitScale(config: InitScaleConfig, ctx: TrainContext): Promise<TrainOutcome> {
  return trainMlpRun(
    {
      sizes: [INPUT, config.width, config.width, CLASSES],
      theta0: initScaleInit(config),
      loss: 'mse',
      makeOptimizer: (tf, count) => new AdamW(tf, [[count]], { lr: config.lr, weightDecay: config.weightDecay }),
      data: initScaleData(config),
      batchSize: config.batchSize,
      steps: config.steps,
      evalEvery: config.evalEvery,
      seed: config.seed,
    },
    ctx,
  );
}

export const initScaleExperiment = defineExperiment({
  apiVersion: API_VERSION,
  key: 'init-scale',
  title: 'Initialisation scale: large-norm init delays generalisation (MNIST-1D)',
  description:
    'A 40-200-200-10 ReLU MLP on 1,000 MNIST-1D train samples, MSE against one-hot targets, AdamW (lr 1e-3, wd 0.1), with ' +
    'every initial parameter multiplied by α. At α = 1 test accuracy rises with train accuracy; at α = 8 the net fits the ' +
    'train set yet test accuracy stays near chance and recovers only slowly as weight decay shrinks the norm (Omnigrok).',
  configSchema: initScaleConfigSchema,
  presets: {
    /**
     * α = 1, 6,000 steps. Seeds 0/1/2 (wasm): train accuracy ≥ 0.95 at step 130/130/140, test 0.43/0.44/0.44
     * at 1,000 and flat after. 6,000 steps so that the same budget lets α = 8 fit its train set.
     */
    default: {},
    /**
     * α = 8: seeds 0/1/2 first reach train accuracy 0.95 at step 5,080/5,030/4,820 with test 0.13/0.15/0.13
     * (α = 1 at that step: 0.44/0.46/0.45); test ≈ 0.11 at 2,000; L2 norm 94 → 50 by 6,000.
     */
    'alpha-8': { alpha: 8 },
    /** α = 8 for 10,000 steps, to watch test accuracy climb as the norm decays (seed 0: 0.25 at 10,000 in PyTorch). */
    long: { alpha: 8, steps: 10_000, evalEvery: 50 },
  },
  totalSteps: (config) => config.steps,
  train: trainInitScale,
  metrics: { ...STANDARD_METRICS },
  // Hand-written backward passes: no autodiff needed.
  autodiff: false,
});

export default initScaleExperiment;
