/**
 * A seed-grouped percentile bootstrap. Observations from one training seed (e.g. the checkpoints of
 * one run) are not independent, so resampling single observations would understate the uncertainty;
 * resampling whole seeds keeps each seed's observations together. Deterministic for a given seed so
 * that a figure in the notebook can be reproduced exactly.
 */
import { quantileSorted } from 'simple-statistics';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Coverage of the percentile interval (default 0.95). */
  confidence?: number;
  /** Seed of the PRNG (default 1): the same inputs and seed give the same interval. */
  seed?: number;
}

export interface BootstrapResult {
  /** The statistic on all the observations. */
  estimate: number;
  /** Percentile bounds of the valid resampled statistics (NaN if none was valid). */
  low: number;
  high: number;
  /** 'group' resamples whole groups; 'observation' is the fallback when there is a single group. */
  method: 'group' | 'observation';
  /** Number of distinct groups. */
  groups: number;
  resamples: number;
  /** Resamples whose statistic was finite (NaN ones, e.g. a resample of constant values, are skipped). */
  validResamples: number;
  confidence: number;
}

/**
 * Percentile bootstrap interval of `statistic`, resampling whole groups (as given by `groupOf`) with
 * replacement: each resample draws as many groups as there are, and concatenates their observations.
 * With a single group there is nothing to resample between, so it falls back to resampling
 * observations (method: 'observation'), which assumes they are independent; say so when reporting.
 * The interval is the (1 - confidence)/2 and (1 + confidence)/2 quantiles (linear interpolation,
 * numpy's default) of the finite resampled statistics.
 */
export function groupedBootstrap<T>(
  observations: readonly T[],
  groupOf: (observation: T, index: number) => string | number,
  statistic: (sample: T[]) => number,
  { resamples = 2000, confidence = 0.95, seed = 1 }: BootstrapOptions = {},
): BootstrapResult {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('groupedBootstrap: confidence must lie in (0, 1)');
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError('groupedBootstrap: resamples must be a positive integer');
  // Groups in order of first appearance, so the result does not depend on Map/hash order.
  const byGroup = new Map<string | number, T[]>();
  observations.forEach((o, i) => {
    const key = groupOf(o, i);
    const members = byGroup.get(key);
    if (members) members.push(o);
    else byGroup.set(key, [o]);
  });
  const groups = [...byGroup.values()];
  const method = groups.length > 1 ? 'group' : 'observation';
  const units: T[][] = method === 'group' ? groups : observations.map((o) => [o]);
  const random = mulberry32(seed);
  const stats: number[] = [];
  if (units.length > 0) {
    for (let b = 0; b < resamples; b++) {
      const sample: T[] = [];
      for (let u = 0; u < units.length; u++) {
        for (const o of units[Math.floor(random() * units.length)]!) sample.push(o);
      }
      const s = statistic(sample);
      if (Number.isFinite(s)) stats.push(s);
    }
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    estimate: statistic(observations.slice()),
    low: stats.length > 0 ? quantileSorted(stats, tail) : Number.NaN,
    high: stats.length > 0 ? quantileSorted(stats, 1 - tail) : Number.NaN,
    method,
    groups: groups.length,
    resamples,
    validResamples: stats.length,
    confidence,
  };
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): a tiny, fast PRNG with a 2^32 period, plenty for
 * bootstrap draws and reproducible across JS engines (only 32-bit integer ops). Returns a function
 * giving uniform numbers in [0, 1). Not cryptographic.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
