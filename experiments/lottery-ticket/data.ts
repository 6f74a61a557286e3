/**
 * MNIST-1D for the lottery-ticket experiment: the published dataset (docs/experiments.md §3; seed 42,
 * 4,000 train / 1,000 test, 40 values per sample) as float32 arrays, its SHA-256, and the
 * sequential mini-batches of the mnist1d notebooks' `train_model` (batch i·b mod n … + b).
 */
import { createHash } from 'node:crypto';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { generateMnist1d } from '../data/mnist1d';
import type { Tf } from '../types';

export const NUM_CLASSES = 10;

export interface Mnist1dSplit {
  /** Values per sample (40). */
  inputSize: number;
  nTrain: number;
  nTest: number;
  /** [nTrain × inputSize] row-major. */
  xTrain: Float32Array;
  yTrain: Int32Array;
  /** [nTest × inputSize] row-major. */
  xTest: Float32Array;
  yTest: Int32Array;
  /** SHA-256 (hex) of the generator seed and the exact float32 values and labels. */
  hash: string;
}

const cache = new Map<number, Mnist1dSplit>();

/** The MNIST-1D split for a generator seed (default arguments otherwise); cached per seed (~0.2 s to generate). */
export function loadMnist1d(dataSeed: number): Mnist1dSplit {
  const hit = cache.get(dataSeed);
  if (hit) return hit;
  const d = generateMnist1d({ seed: dataSeed });
  const xTrain = Float32Array.from(d.xTrain);
  const xTest = Float32Array.from(d.xTest);
  const hash = createHash('sha256')
    .update(`lottery-ticket/mnist1d/v1 seed=${dataSeed} nTrain=${d.nTrain} nTest=${d.nTest} length=${d.length}\n`)
    .update(new Uint8Array(xTrain.buffer))
    .update(new Uint8Array(d.yTrain.buffer, d.yTrain.byteOffset, d.yTrain.byteLength))
    .update(new Uint8Array(xTest.buffer))
    .update(new Uint8Array(d.yTest.buffer, d.yTest.byteOffset, d.yTest.byteLength))
    .digest('hex');
  const split: Mnist1dSplit = {
    inputSize: d.length,
    nTrain: d.nTrain,
    nTest: d.nTest,
    xTrain,
    yTrain: d.yTrain,
    xTest,
    yTest: d.yTest,
    hash,
  };
  cache.set(dataSeed, split);
  return split;
}

/** One training mini-batch on the device, with everything its backward pass needs precomputed. */
export interface Batch {
  n: number;
  /** [n × in]. */
  x: Tensor2D;
  /** xᵀ, [in × n] (the left factor of dW1; transposeA is ~10× slower on wasm). */
  xT: Tensor2D;
  /** onehot(y) / n, [n × classes]: d(mean cross-entropy)/d(logits) = softmax/n − this. */
  yScaled: Tensor2D;
  /** 1/n. */
  invN: Scalar;
}

/** A whole evaluation set on the device. */
export interface EvalSet {
  n: number;
  x: Tensor2D;
  labels: Tensor1D;
  /** onehot(labels) as float32, [n × classes]. */
  oneHot: Tensor2D;
}

function oneHotArray(y: Int32Array, from: number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n * NUM_CLASSES);
  for (let i = 0; i < n; i++) out[i * NUM_CLASSES + y[from + i]!] = scale;
  return out;
}

function transposeRows(x: Float32Array, from: number, n: number, cols: number): Float32Array {
  const out = new Float32Array(n * cols);
  for (let r = 0; r < n; r++) for (let c = 0; c < cols; c++) out[c * n + r] = x[(from + r) * cols + c]!;
  return out;
}

export function makeEvalSet(tf: Tf, x: Float32Array, y: Int32Array, inputSize: number): EvalSet {
  const n = y.length;
  return {
    n,
    x: tf.tensor2d(x, [n, inputSize]),
    labels: tf.tensor1d(y, 'int32'),
    oneHot: tf.tensor2d(oneHotArray(y, 0, n, 1), [n, NUM_CLASSES]),
  };
}

export function disposeEvalSet(tf: Tf, s: EvalSet): void {
  tf.dispose([s.x, s.labels, s.oneHot]);
}

/** Rows kept on the device as ready-made batches at most (beyond that, batches are built per step). */
const MAX_CACHED_ROWS_FACTOR = 4;

/**
 * The sequential batches of `train_model`: step s uses rows [s·b mod n, … + b), cut short at the
 * end of the set as Python slicing does. Batches are uploaded once and reused while the distinct
 * start positions (n / gcd(n, b)) cover at most 4n rows; otherwise each is built when used.
 */
export class SequentialBatches {
  private readonly cached = new Map<number, Batch>();
  private readonly cacheAll: boolean;

  constructor(
    private readonly tf: Tf,
    private readonly data: Mnist1dSplit,
    readonly batchSize: number,
  ) {
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    const starts = data.nTrain / gcd(data.nTrain, batchSize);
    this.cacheAll = starts * batchSize <= MAX_CACHED_ROWS_FACTOR * data.nTrain;
  }

  /** First row of the batch of (round-local) step `step`. */
  start(step: number): number {
    return (step * this.batchSize) % this.data.nTrain;
  }

  /** The batch of round-local step `step`; dispose it with `release` (a no-op for cached batches). */
  get(step: number): Batch {
    const start = this.start(step);
    const hit = this.cached.get(start);
    if (hit) return hit;
    const batch = this.build(start);
    if (this.cacheAll) this.cached.set(start, batch);
    return batch;
  }

  release(batch: Batch): void {
    if (!this.cacheAll) this.tf.dispose([batch.x, batch.xT, batch.yScaled, batch.invN]);
  }

  private build(start: number): Batch {
    const { tf, data } = this;
    const n = Math.min(this.batchSize, data.nTrain - start);
    const d = data.inputSize;
    return {
      n,
      x: tf.tensor2d(data.xTrain.subarray(start * d, (start + n) * d), [n, d]),
      xT: tf.tensor2d(transposeRows(data.xTrain, start, n, d), [d, n]),
      yScaled: tf.tensor2d(oneHotArray(data.yTrain, start, n, 1 / n), [n, NUM_CLASSES]),
      invN: tf.scalar(1 / n),
    };
  }

  dispose(): void {
    for (const b of this.cached.values()) this.tf.dispose([b.x, b.xT, b.yScaled, b.invN]);
    this.cached.clear();
  }
}
