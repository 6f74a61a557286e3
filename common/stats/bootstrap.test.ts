import { mean } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { groupedBootstrap, mulberry32 } from './bootstrap';
import { partialSpearman, spearman } from './correlation';

interface Obs {
  seed: number;
  m: number;
  y: number;
  c: number;
}

// 8 training seeds x 5 checkpoints; y tracks m strongly, c is a weak control.
function sweep(seeds = 8, perSeed = 5, rngSeed = 42): Obs[] {
  const random = mulberry32(rngSeed);
  const out: Obs[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const offset = random();
    for (let j = 0; j < perSeed; j++) {
      const m = random() * 10 + offset;
      out.push({ seed, m, y: m + 0.5 * random(), c: random() });
    }
  }
  return out;
}

const rho = (s: Obs[]) =>
  spearman(
    s.map((o) => o.m),
    s.map((o) => o.y),
  );

describe('mulberry32', () => {
  it('is deterministic per seed, differs across seeds, and is uniform on [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(mulberry32(8)()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    expect(xs.filter((x) => x < 0.1).length / xs.length).toBeCloseTo(0.1, 1);
  });
});

describe('groupedBootstrap', () => {
  const data = sweep();

  it('is deterministic for a seed and changes with it', () => {
    const one = groupedBootstrap(data, (o) => o.seed, rho, { resamples: 500, seed: 3 });
    const two = groupedBootstrap(data, (o) => o.seed, rho, { resamples: 500, seed: 3 });
    const other = groupedBootstrap(data, (o) => o.seed, rho, { resamples: 500, seed: 4 });
    expect(two).toEqual(one);
    expect(other.low === one.low && other.high === one.high).toBe(false);
  });

  it('contains the estimate for a strong correlation, and reports what it did', () => {
    const r = groupedBootstrap(data, (o) => o.seed, rho, { seed: 1 });
    expect(r).toMatchObject({ method: 'group', groups: 8, resamples: 2000, validResamples: 2000, confidence: 0.95 });
    expect(r.estimate).toBe(rho(data));
    expect(r.estimate).toBeGreaterThan(0.9);
    expect(r.low).toBeLessThanOrEqual(r.estimate);
    expect(r.high).toBeGreaterThanOrEqual(r.estimate);
    expect(r.low).toBeGreaterThan(0.8);
    expect(r.high).toBeLessThanOrEqual(1);
    const narrow = groupedBootstrap(data, (o) => o.seed, rho, { seed: 1, confidence: 0.5 });
    expect(narrow.low).toBeGreaterThanOrEqual(r.low);
    expect(narrow.high).toBeLessThanOrEqual(r.high);
  });

  it('works with a partial correlation as the statistic', () => {
    const partial = (s: Obs[]) =>
      partialSpearman(
        s.map((o) => o.m),
        s.map((o) => o.y),
        [s.map((o) => o.c)],
      ).r;
    const r = groupedBootstrap(data, (o) => o.seed, partial, { resamples: 300, seed: 9 });
    expect(r.low).toBeLessThanOrEqual(r.estimate);
    expect(r.high).toBeGreaterThanOrEqual(r.estimate);
    expect(r.low).toBeGreaterThan(0.7);
  });

  it("keeps each seed's observations together", () => {
    const sizes: number[][] = [];
    groupedBootstrap(
      data,
      (o) => `seed-${o.seed}`,
      (s) => {
        const counts = new Map<number, number>();
        for (const o of s) counts.set(o.seed, (counts.get(o.seed) ?? 0) + 1);
        sizes.push([s.length, ...counts.values()]);
        return rho(s);
      },
      { resamples: 200, seed: 5 },
    );
    // 200 resamples plus the estimate on all the data.
    expect(sizes).toHaveLength(201);
    for (const [total, ...perSeed] of sizes) {
      expect(total).toBe(40); // 8 groups of 5 drawn
      for (const count of perSeed) expect(count! % 5).toBe(0);
    }
    // Some resample repeats a seed (else it would not be a bootstrap).
    expect(sizes.some(([, ...perSeed]) => perSeed.some((c) => c > 5))).toBe(true);
  });

  it('falls back to resampling observations when there is a single group', () => {
    const single = sweep(1, 30);
    const r = groupedBootstrap(single, (o) => o.seed, rho, { resamples: 400, seed: 2 });
    expect(r).toMatchObject({ method: 'observation', groups: 1, resamples: 400 });
    expect(r.low).toBeLessThanOrEqual(r.estimate);
    expect(r.high).toBeGreaterThanOrEqual(r.estimate);
    const grouped = groupedBootstrap(data, (o) => o.seed, rho, { resamples: 400, seed: 2 });
    expect(grouped.method).toBe('group');
  });

  it('gives the textbook interval for a mean in the observation fallback', () => {
    // 200 draws of U(0, 1): mean ± 1.96 * sd / sqrt(n) with sd = sqrt(1/12).
    const random = mulberry32(11);
    const xs = Array.from({ length: 200 }, () => random());
    const r = groupedBootstrap(xs, () => 0, (s) => mean(s), { resamples: 4000, seed: 1 });
    const halfWidth = (1.96 * Math.sqrt(1 / 12)) / Math.sqrt(200);
    expect(r.high - r.low).toBeGreaterThan(2 * halfWidth * 0.85);
    expect(r.high - r.low).toBeLessThan(2 * halfWidth * 1.15);
    expect((r.low + r.high) / 2).toBeCloseTo(mean(xs), 2);
  });

  it('skips NaN statistics and counts the valid resamples', () => {
    // Two seeds only: a resample that draws the same seed twice has a constant m, so rho is NaN.
    const two = [
      ...[1, 2, 3, 4].map((m) => ({ seed: 0, m: 1, y: m, c: 0 })),
      ...[1, 2, 3, 4].map((m) => ({ seed: 1, m: 2, y: m + 4, c: 0 })),
    ];
    const r = groupedBootstrap(two, (o) => o.seed, rho, { resamples: 1000, seed: 6 });
    expect(r.method).toBe('group');
    expect(r.validResamples).toBeGreaterThan(300);
    expect(r.validResamples).toBeLessThan(700);
    expect(Number.isFinite(r.low) && Number.isFinite(r.high)).toBe(true);
    const none = groupedBootstrap([1, 1, 1], () => 0, () => Number.NaN, { resamples: 10 });
    expect(none).toMatchObject({ validResamples: 0, method: 'observation' });
    expect(none.low).toBeNaN();
    expect(none.high).toBeNaN();
  });

  it('handles no observations, and rejects bad options', () => {
    const empty = groupedBootstrap([] as number[], () => 0, () => Number.NaN, { resamples: 10 });
    expect(empty).toMatchObject({ groups: 0, validResamples: 0 });
    expect(empty.low).toBeNaN();
    expect(() => groupedBootstrap(data, (o) => o.seed, rho, { confidence: 1.5 })).toThrow(RangeError);
    expect(() => groupedBootstrap(data, (o) => o.seed, rho, { resamples: 0 })).toThrow(RangeError);
  });
});
