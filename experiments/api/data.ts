/**
 * The data helpers of the public API: MNIST-1D as the built-ins generate it, and modular-arithmetic
 * tables for grokking-style tasks. Plain TypeScript, seeded: identical on every backend.
 */
import { createHash } from 'node:crypto';
import { loadMnist1dMlpData, type Mnist1dMlpData } from '../mnist1d-mlp/data';
import { createRng, permutation } from '../rng';

export interface Mnist1dOptions {
  /** Samples generated in total, train + test (default 5000, the published dataset). */
  numSamples?: number;
  /** Fraction of them used for training (default 0.8, the published split). */
  trainSplit?: number;
  /** numpy seed of the generator (default 42 = the published dataset). */
  dataSeed?: number;
  /** Fraction of train labels redrawn uniformly at random (≈ 9/10 of them change); default 0. */
  labelNoise?: number;
  /** Keep only the first this many train samples. */
  trainSize?: number;
  /** A two-class task: keep these classes, relabelled 0 and 1 (label noise then flips labels). */
  binary?: readonly [number, number];
}

/**
 * MNIST-1D (Greydanus & Kobak 2024), generated exactly as the published dataset: 40-long float32
 * rows (x is row-major n × length), int32 labels 0–9 (or 0/1 for a binary task), and a SHA-256 of
 * the exact bytes — return it as the run's `dataHash`.
 */
export function mnist1d(options: Mnist1dOptions = {}): Mnist1dMlpData {
  return loadMnist1dMlpData({
    numSamples: options.numSamples ?? 5000,
    trainSplit: options.trainSplit ?? 0.8,
    dataSeed: options.dataSeed ?? 42,
    labelNoise: options.labelNoise ?? 0,
    ...(options.trainSize === undefined ? {} : { trainSize: options.trainSize }),
    ...(options.binary ? { binary: options.binary } : {}),
  });
}

export type ModularOperation = 'add' | 'sub' | 'mul' | 'div' | ((a: number, b: number, p: number) => number);

export interface ModularTable {
  p: number;
  /** Number of equations (rows). */
  n: number;
  a: Int32Array;
  b: Int32Array;
  /** c = a ∘ b mod p. */
  c: Int32Array;
}

function modInverse(b: number, p: number): number {
  for (let x = 1; x < p; x++) if ((b * x) % p === 1) return x;
  throw new RangeError(`${b} has no inverse mod ${p} (is p prime?)`);
}

/**
 * Every equation a ∘ b = c (mod p) for a, b in [0, p) — for `div`, b in [1, p) with p prime. Row k
 * is (a, b) = (⌊k / p⌋, k mod p) for the full tables; a custom operation gets all p² pairs.
 */
export function modularTable(p: number, operation: ModularOperation): ModularTable {
  if (!Number.isInteger(p) || p < 2 || p > 2000) throw new RangeError(`p must be an integer from 2 to 2000, got ${p}`);
  const bFrom = operation === 'div' ? 1 : 0;
  const n = p * (p - bFrom);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const c = new Int32Array(n);
  const inverses = operation === 'div' ? Array.from({ length: p }, (_, y) => (y === 0 ? 0 : modInverse(y, p))) : [];
  let k = 0;
  for (let x = 0; x < p; x++) {
    for (let y = bFrom; y < p; y++, k++) {
      a[k] = x;
      b[k] = y;
      const v =
        operation === 'add' ? x + y : operation === 'sub' ? x - y : operation === 'mul' ? x * y : operation === 'div' ? x * inverses[y]! : operation(x, y, p);
      if (!Number.isFinite(v)) throw new RangeError(`the operation gave ${v} for ${x}, ${y}`);
      c[k] = ((Math.round(v) % p) + p) % p;
    }
  }
  return { p, n, a, b, c };
}

export interface TableSplit {
  /** Row indices of the training equations, in shuffled order. */
  train: Int32Array;
  test: Int32Array;
  /** SHA-256 of the table and both index lists. */
  hash: string;
}

/** A seeded random split of a table's rows: ⌊fraction · n⌋ (at least 1, leaving at least 1) for training. */
export function splitTable(table: ModularTable, trainFraction: number, seed: number): TableSplit {
  if (!(trainFraction > 0 && trainFraction < 1)) throw new RangeError(`trainFraction must be strictly between 0 and 1, got ${trainFraction}`);
  const order = permutation(createRng(seed, 'api/modular-split'), table.n);
  const nTrain = Math.min(table.n - 1, Math.max(1, Math.floor(trainFraction * table.n + 1e-9)));
  const train = order.slice(0, nTrain);
  const test = order.slice(nTrain);
  const hash = createHash('sha256')
    .update(`modular-table/v1 p=${table.p} n=${table.n}\n`)
    .update(new Uint8Array(table.a.buffer, table.a.byteOffset, table.a.byteLength))
    .update(new Uint8Array(table.b.buffer, table.b.byteOffset, table.b.byteLength))
    .update(new Uint8Array(table.c.buffer, table.c.byteOffset, table.c.byteLength))
    .update(`train=${train.join(',')}\ntest=${test.join(',')}\n`)
    .digest('hex');
  return { train, test, hash };
}

/** SHA-256 (hex) of a description and typed arrays: the `dataHash` of data an experiment made itself. */
export function hashData(description: string, ...arrays: ArrayBufferView[]): string {
  const h = createHash('sha256').update(`${description}\n`);
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}
