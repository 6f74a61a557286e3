/**
 * The commented starter file `phenobook experiments new NAME` writes: a complete, working
 * experiment — an MLP on MNIST-1D with the Layers API, trained step by step on the shared driver.
 */
import { EXPERIMENT_KEY_PATTERN } from '../api/define';

export function starterFileName(name: string): string {
  return `${name}.ts`;
}

/** Checks NAME (it becomes the experiment's key). */
export function starterNameError(name: string): string | null {
  if (!EXPERIMENT_KEY_PATTERN.test(name) || name.length > 64) return `NAME must be lower-case words joined by hyphens (e.g. my-mlp), at most 64 characters; got "${name}"`;
  return null;
}

export function starterSource(name: string): string {
  const title = name.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return `/**
 * ${title} — a Phenobook experiment. Edit freely: Phenobook reloads this file when it changes.
 *
 * It trains an MLP on MNIST-1D (the built-ins' data) with the TensorFlow.js Layers API. Every knob
 * of configSchema appears in the app's start form, can be swept, and can be named in a hypothesis's
 * condition; every metric declared in \`metrics\` can be plotted and predicted.
 *
 * This file is code you run with your own rights, like any script. Reference and tutorial:
 * docs/experiment-api.md in the Phenobook repository.
 */
import { defineExperiment, magnitudeStats, mnist1d, permutation, STANDARD_METRICS, z } from 'phenobook/experiment';

export default defineExperiment({
  // The API version this file is written against; Phenobook refuses a file for another version.
  apiVersion: 1,
  // Runs, sweeps and the CLI name the experiment by this key: \`phenobook run ${name}\`.
  key: '${name}',
  title: '${title}',
  description: 'A two-layer MLP on MNIST-1D, trained with Adam on minibatches.',

  // The knobs: each with a default and a description (the form's help text). Bounds become the form's limits.
  configSchema: z.object({
    width: z.number().int().min(1).max(2048).default(100).describe('Hidden units per layer'),
    lr: z.number().gt(0).max(1).default(0.01).describe('Adam learning rate'),
    batchSize: z.number().int().min(1).max(4000).default(100).describe('Samples per step'),
    steps: z.number().int().min(1).max(1_000_000).default(600).describe('Optimizer steps'),
    evalEvery: z.number().int().min(1).default(50).describe('Evaluate every this many steps'),
    seed: z.number().int().min(0).default(0).describe('Seed of the initial weights and the batch order'),
  }),

  // Named settings; \`default\` is required (it may be {}).
  presets: { default: {}, wide: { width: 400 } },

  // Every metric train() records beyond l2/primeCount/tailCount/shiftedPrimeCount/wallTime, with its role.
  metrics: { ...STANDARD_METRICS },

  totalSteps: (c) => c.steps,

  // Runs in Phenobook's trainer process. ctx.tf is TensorFlow.js on the selected backend, with autodiff and tf.layers.
  train: async (c, ctx) => {
    const { tf } = ctx;
    const data = mnist1d(); // 4,000 train and 1,000 test samples of length 40, labels 0–9
    const xTrain = tf.tensor2d(data.train.x, [data.train.n, data.length]);
    const yTrain = tf.oneHot(tf.tensor1d(data.train.y, 'int32'), 10).cast('float32');
    const xTest = tf.tensor2d(data.test.x, [data.test.n, data.length]);
    const yTest = tf.oneHot(tf.tensor1d(data.test.y, 'int32'), 10).cast('float32');

    // Seeded initialisers make a run repeatable: same seed and backend, same metrics.
    const init = (k: number) => tf.initializers.glorotUniform({ seed: c.seed * 16 + k });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [data.length], units: c.width, activation: 'relu', kernelInitializer: init(1) }),
        tf.layers.dense({ units: c.width, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
      ],
    });
    const optimizer = tf.train.adam(c.lr);
    const order = ctx.rng('batches'); // a seeded stream of this run's seed
    let perm = permutation(order, data.train.n);
    let cursor = 0;

    const score = (x: typeof xTrain, y: typeof yTrain) =>
      tf.tidy(() => {
        const logits = model.predict(x) as typeof xTrain;
        const loss = tf.losses.softmaxCrossEntropy(y, logits).dataSync()[0]!;
        const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')).dataSync()[0]!;
        return { loss, acc };
      });

    try {
      // The shared driver: evaluation cadence, NaN → diverged, Cancel, progress, yielding.
      const result = await ctx.runLoop({
        steps: c.steps,
        evalEvery: c.evalEvery,
        evaluate: () => {
          const train = score(xTrain, yTrain);
          const test = score(xTest, yTest);
          const weights = model.getWeights().map((w) => w.dataSync());
          const all = new Float32Array(weights.reduce((n, w) => n + w.length, 0));
          weights.reduce((at, w) => (all.set(w, at), at + w.length), 0);
          // l2, primeCount, tailCount, shiftedPrimeCount: what the confounder lab reads.
          return { trainLoss: train.loss, testLoss: test.loss, trainAcc: train.acc, testAcc: test.acc, ...magnitudeStats(all) };
        },
        step: () => {
          if (cursor + c.batchSize > data.train.n) {
            perm = permutation(order, data.train.n);
            cursor = 0;
          }
          const idx = tf.tensor1d(perm.subarray(cursor, cursor + c.batchSize), 'int32');
          cursor += c.batchSize;
          tf.tidy(() => {
            const x = tf.gather(xTrain, idx);
            const y = tf.gather(yTrain, idx);
            optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as typeof xTrain) as never);
          });
          idx.dispose();
        },
      });
      return { ...result, dataHash: data.hash };
    } finally {
      model.dispose();
      optimizer.dispose();
      tf.dispose([xTrain, yTrain, xTest, yTest]);
    }
  },
});
`;
}
