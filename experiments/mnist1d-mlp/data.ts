/**
 * MNIST-1D as the MLP experiments consume it (docs/experiments.md §3, §4, §6).
 *
 * Exists so that double-descent and init-scale build their data the same way: generate the
 * published dataset (float64, numpy's stream), derive the experiment's variant on the host
 * (label noise continuing the generator's stream, or a train-set prefix), round it to float32
 * exactly once — the values the network sees — and hash those exact bytes. Uploading to tensors
 * happens in `uploadSplit`, so that everything before it stays plain, backend-independent JS.
 */
import { createHash } from 'node:crypto';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { addLabelNoise, generateMnist1d } from '../data/mnist1d';
import type { Tf } from '../types';

export const NUM_CLASSES = 10;

/** One split as float32 features (row-major n × length) and int32 labels. */
export interface SplitArrays {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

export interface Mnist1dMlpData {
  /** Sequence length (40): the input width of the MLP. */
  length: number;
  /** Network outputs the targets need: 10 (one-hot classes) or 1 (a binary task's 0/1 target). */
  outputs: number;
  train: SplitArrays;
  test: SplitArrays;
  /** Train labels that label noise changed (0 without noise). */
  labelsChanged: number;
  /** SHA-256 (hex) of a header describing the variant and the exact float32/int32 bytes of both splits. */
  hash: string;
}

export interface Mnist1dMlpDataOptions {
  numSamples: number;
  trainSplit: number;
  /** numpy seed of the generator (42 = the published dataset). */
  dataSeed: number;
  /** Fraction of train labels redrawn uniformly (the double-descent rule); 0 for none. */
  labelNoise?: number;
  /** Keep only the first `trainSize` train samples (init-scale); all when absent. */
  trainSize?: number;
  /**
   * A binary task: keep the samples of these two classes, relabelled 0 and 1, for a scalar output
   * trained on the squared loss (the telescoping preset, docs/experiments.md §8). Label noise then flips
   * each train label with probability `labelNoise` instead of redrawing it.
   */
  binary?: readonly [number, number];
}

function hashData(header: string, train: SplitArrays, test: SplitArrays): string {
  const h = createHash('sha256').update(`${header}\n`);
  for (const s of [train, test]) {
    h.update(`n=${s.n}\n`);
    h.update(new Uint8Array(s.x.buffer, s.x.byteOffset, s.x.byteLength));
    h.update(new Uint8Array(s.y.buffer, s.y.byteOffset, s.y.byteLength));
  }
  return h.digest('hex');
}

/**
 * The dataset of one run: MNIST-1D with the given size, split and seed; then, in this order,
 * label noise on the train labels (continuing the generator's RNG, as the notebook's global
 * numpy stream does) and truncation of the train set to its first `trainSize` samples.
 */
export function loadMnist1dMlpData(opts: Mnist1dMlpDataOptions): Mnist1dMlpData {
  const d = generateMnist1d({ numSamples: opts.numSamples, trainSplit: opts.trainSplit, seed: opts.dataSeed });
  const noise = opts.labelNoise ?? 0;
  if (opts.binary) return binaryTask(d, opts.binary, noise, opts);
  let yTrain = d.yTrain;
  let labelsChanged = 0;
  if (noise > 0) {
    const noisy = addLabelNoise(d.yTrain, noise, d.rng);
    yTrain = noisy.y;
    labelsChanged = noisy.changed;
  }
  const nTrain = Math.min(d.nTrain, opts.trainSize ?? d.nTrain);
  const train: SplitArrays = { x: Float32Array.from(d.xTrain.subarray(0, nTrain * d.length)), y: yTrain.slice(0, nTrain), n: nTrain };
  const test: SplitArrays = { x: Float32Array.from(d.xTest), y: Int32Array.from(d.yTest), n: d.nTest };
  const header =
    `mnist1d-mlp/v1 numSamples=${opts.numSamples} trainSplit=${opts.trainSplit} dataSeed=${opts.dataSeed} ` +
    `labelNoise=${noise} trainSize=${nTrain} length=${d.length}`;
  return { length: d.length, outputs: NUM_CLASSES, train, test, labelsChanged, hash: hashData(header, train, test) };
}

/** The samples of classes a and b (in their original order), relabelled 0 and 1. */
function keepClasses(x: Float64Array, y: Int32Array, length: number, [a, b]: readonly [number, number]): SplitArrays {
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === a || y[i] === b) rows.push(i);
  const out: SplitArrays = { x: new Float32Array(rows.length * length), y: new Int32Array(rows.length), n: rows.length };
  rows.forEach((r, j) => {
    out.x.set(x.subarray(r * length, (r + 1) * length), j * length);
    out.y[j] = y[r] === b ? 1 : 0;
  });
  return out;
}

function binaryTask(d: ReturnType<typeof generateMnist1d>, classes: readonly [number, number], noise: number, opts: Mnist1dMlpDataOptions): Mnist1dMlpData {
  const [a, b] = classes;
  if (a === b || ![a, b].every((c) => Number.isInteger(c) && c >= 0 && c < NUM_CLASSES)) throw new RangeError(`binary task needs two different classes in 0–9, got ${a} and ${b}`);
  const train = keepClasses(d.xTrain, d.yTrain, d.length, classes);
  const test = keepClasses(d.xTest, d.yTest, d.length, classes);
  let labelsChanged = 0;
  // Flips continue the generator's stream, as the ten-class noise does.
  for (let i = 0; i < train.n && noise > 0; i++) {
    if (d.rng.randomSample() < noise) {
      train.y[i] = 1 - train.y[i]!;
      labelsChanged++;
    }
  }
  if (opts.trainSize !== undefined && opts.trainSize < train.n) {
    train.x = train.x.slice(0, opts.trainSize * d.length);
    train.y = train.y.slice(0, opts.trainSize);
    train.n = opts.trainSize;
  }
  const header =
    `mnist1d-mlp/v1 binary=${a}v${b} numSamples=${opts.numSamples} trainSplit=${opts.trainSplit} dataSeed=${opts.dataSeed} ` +
    `labelNoise=${noise} trainSize=${train.n} length=${d.length}`;
  return { length: d.length, outputs: 1, train, test, labelsChanged, hash: hashData(header, train, test) };
}

/** A split on the device: features, labels and one-hot targets. */
export interface SplitTensors {
  n: number;
  /** [n, length] float32. */
  x: Tensor2D;
  /** [n] int32. */
  labels: Tensor1D;
  /** [n, 10] float32 one-hot of `labels` ([n, 1] 0/1 targets for a binary task). */
  onehot: Tensor2D;
}

/**
 * One-hot rows as float32, built on the host. (tfjs-backend-wasm 4.22's oneHot with dtype
 * 'float32' writes the integer bit pattern, so the device op is avoided altogether.)
 */
export function oneHotArray(y: Int32Array, depth = NUM_CLASSES): Float32Array {
  const out = new Float32Array(y.length * depth);
  for (let i = 0; i < y.length; i++) out[i * depth + y[i]!] = 1;
  return out;
}

/** Uploads a split; with `outputs` 1 (a binary task) the target column is the 0/1 label itself. */
export function uploadSplit(tf: Tf, s: SplitArrays, length: number, outputs = NUM_CLASSES): SplitTensors {
  return {
    n: s.n,
    x: tf.tensor2d(s.x, [s.n, length]),
    labels: tf.tensor1d(s.y, 'int32'),
    onehot: outputs === 1 ? tf.tensor2d(Float32Array.from(s.y), [s.n, 1]) : tf.tensor2d(oneHotArray(s.y, outputs), [s.n, outputs]),
  };
}

export function disposeSplit(tf: Tf, s: SplitTensors): void {
  tf.dispose([s.x, s.labels, s.onehot]);
}
