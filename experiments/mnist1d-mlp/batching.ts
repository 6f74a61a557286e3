/**
 * How an epoch of n shuffled train rows is cut into batches of (about) B — the remainder policy.
 *
 * - `smaller-last`: torch DataLoader(drop_last=False): ⌊n/B⌋ batches of B and one of n mod B. The
 *   default of every MNIST-1D experiment (its results and golden values were measured with it). A
 *   3-row leftover of 203 rows in batches of 100 weighs each of its rows 33× a full batch's.
 * - `even`: the epoch is tiled by k = max(1, round(n/B)) batches whose sizes differ by at most one
 *   (the larger first): 203 in batches of ~100 → 102 + 101. Every row is seen once per epoch with
 *   (nearly) the same per-example weight. The telescoping presets use it (docs/experiments.md §8).
 * - `drop`: DataLoader(drop_last=True): ⌊n/B⌋ batches of B; the last n mod B shuffled rows of an epoch
 *   are not used in it.
 */
export const BATCH_REMAINDERS = ['smaller-last', 'even', 'drop'] as const;
export type BatchRemainder = (typeof BATCH_REMAINDERS)[number];

export interface EpochBatches {
  /** Rows in each batch of an epoch, in order. */
  sizes: number[];
  /** First row (in the epoch's shuffled order) of each batch. */
  starts: number[];
}

export function epochBatches(n: number, batchSize: number, remainder: BatchRemainder = 'smaller-last'): EpochBatches {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`an epoch needs at least one row, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const b = Math.min(batchSize, n);
  let sizes: number[];
  if (remainder === 'smaller-last') sizes = Array.from({ length: Math.ceil(n / b) }, (_, i) => Math.min(b, n - i * b));
  else if (remainder === 'drop') sizes = Array.from({ length: Math.floor(n / b) }, () => b);
  else {
    const k = Math.max(1, Math.round(n / b));
    const base = Math.floor(n / k);
    const larger = n - base * k;
    sizes = Array.from({ length: k }, (_, i) => (i < larger ? base + 1 : base));
  }
  const starts: number[] = [];
  let at = 0;
  for (const s of sizes) {
    starts.push(at);
    at += s;
  }
  return { sizes, starts };
}
