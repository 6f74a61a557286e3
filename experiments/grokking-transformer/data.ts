/**
 * The algorithmic dataset of teddykoker/grokking `train.py` (`division_mod_p_data`, which despite
 * its name computes x·y mod p): every equation "x ∘ y = c" with x ∈ [0, p), y ∈ [1, p), in
 * `torch.cartesian_prod` order (x outer, y inner): p·(p − 1) equations, 9,312 for p = 97.
 *
 * Tokens: 0 … p−1 are the numbers, p is "=", p + 1 is "∘" (vocabulary p + 2). The model reads
 * [x, ∘, y, =] and predicts c at the last position.
 *
 * The split is a seeded permutation of the equation indices, the first `trainSize` of it training
 * (the repo: `torch.randperm(n).split(n // 2)`). Training batches go through the training set in
 * epochs: each epoch is a fresh seeded shuffle cut into consecutive batches of `batchSize`, the last
 * one shorter (the repo's `torch.split`: 4,656 = 9 × 512 + 48, so 10 steps per epoch).
 */
import { createHash } from 'node:crypto';
import { createRng, permutation, type Rng } from '../rng';

export type Operation = 'mul' | 'add' | 'div';

/** Tokens of the sequence [x, ∘, y, =]. */
export const SEQ_LEN = 4;
/** Rows of the position-embedding table in the repo (`seq_len=5`; row 4 is never used). */
export const POSITION_ROWS = 5;

export const eqToken = (p: number) => p;
export const opToken = (p: number) => p + 1;
export const vocabSize = (p: number) => p + 2;

/** Number of equations for modulus p (x ∈ [0, p), y ∈ [1, p)). */
export const equationCount = (p: number) => p * (p - 1);

/** Training equations for a fraction: ⌊fraction·n⌋ (n // 2 at 0.5), at least 1, leaving ≥ 1 to test. */
export function trainSize(p: number, trainFraction: number): number {
  const n = equationCount(p);
  return Math.min(n - 1, Math.max(1, Math.floor(trainFraction * n + 1e-9)));
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** b^e mod m for small m (exact in doubles while m² < 2^53). */
function powMod(b: number, e: number, m: number): number {
  let r = 1;
  b %= m;
  while (e > 0) {
    if (e & 1) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1;
  }
  return r;
}

/** c = x ∘ y mod p. 'div' is x · y^(p−2) (Fermat), so p must be prime. */
export function applyOperation(op: Operation, x: number, y: number, p: number): number {
  if (op === 'mul') return (x * y) % p;
  if (op === 'add') return (x + y) % p;
  return (x * powMod(y, p - 2, p)) % p;
}

export interface Equations {
  p: number;
  operation: Operation;
  /** x of equation k (k = x·(p − 1) + y − 1). */
  x: Int32Array;
  y: Int32Array;
  c: Int32Array;
}

export function makeEquations(p: number, operation: Operation): Equations {
  const n = equationCount(p);
  const x = new Int32Array(n);
  const y = new Int32Array(n);
  const c = new Int32Array(n);
  let k = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 1; b < p; b++) {
      x[k] = a;
      y[k] = b;
      c[k] = applyOperation(operation, a, b, p);
      k++;
    }
  }
  return { p, operation, x, y, c };
}

export interface Split {
  equations: Equations;
  /** Equation indices of the training set, in the permuted order. */
  train: Int32Array;
  test: Int32Array;
  /** SHA-256 (hex) of the task, the equations and both index lists. */
  hash: string;
}

export function makeSplit(p: number, operation: Operation, trainFraction: number, seed: number): Split {
  const equations = makeEquations(p, operation);
  const n = equationCount(p);
  const order = permutation(createRng(seed, 'grokking-transformer/split'), n);
  const nTrain = trainSize(p, trainFraction);
  const train = order.slice(0, nTrain);
  const test = order.slice(nTrain);
  const hash = createHash('sha256')
    .update(`grokking-transformer/v1 p=${p} op=${operation} x∈[0,p) y∈[1,p) tokens=[x,${opToken(p)},y,${eqToken(p)}]\n`)
    .update(new Uint8Array(equations.c.buffer))
    .update(`train=${train.join(',')}\ntest=${test.join(',')}\n`)
    .digest('hex');
  return { equations, train, test, hash };
}

/**
 * Token sequences [x, ∘, y, =] (row-major [n × 4]) and labels c of the given equations.
 */
export function encode(equations: Equations, indices: ArrayLike<number>): { tokens: Int32Array; labels: Int32Array } {
  const { p } = equations;
  const n = indices.length;
  const tokens = new Int32Array(n * SEQ_LEN);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    tokens[i * SEQ_LEN] = equations.x[k]!;
    tokens[i * SEQ_LEN + 1] = opToken(p);
    tokens[i * SEQ_LEN + 2] = equations.y[k]!;
    tokens[i * SEQ_LEN + 3] = eqToken(p);
    labels[i] = equations.c[k]!;
  }
  return { tokens, labels };
}

/**
 * The epoch-wise batch order of `train.py`: per epoch a fresh shuffle of the training set (seeded
 * stream "batches"), cut into ⌈n / batchSize⌉ consecutive batches, the last one shorter.
 */
export class EpochBatches {
  readonly stepsPerEpoch: number;
  private readonly rng: Rng;
  private epoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(
    private readonly train: Int32Array,
    readonly batchSize: number,
    seed: number,
  ) {
    this.stepsPerEpoch = Math.ceil(train.length / batchSize);
    this.rng = createRng(seed, 'grokking-transformer/batches');
  }

  /** Equation indices of the batch of optimizer step `step` (0-based); steps must come in order. */
  get(step: number): Int32Array {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch < this.epoch) throw new Error(`EpochBatches: step ${step} is in an earlier epoch than the last one served`);
    while (this.epoch < epoch) {
      const perm = permutation(this.rng, this.train.length);
      this.order = perm.map((i) => this.train[i]!);
      this.epoch += 1;
    }
    const from = (step % this.stepsPerEpoch) * this.batchSize;
    return this.order.subarray(from, Math.min(from + this.batchSize, this.order.length));
  }
}
