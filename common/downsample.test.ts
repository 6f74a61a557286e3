import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from './downsample';

describe('downsampleMinMax', () => {
  const n = 100_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => Math.sin(i / 500) + (i === 31_337 ? 50 : 0) - (i === 77_777 ? 40 : 0));

  it('keeps at most maxPoints points, the first and the last', () => {
    const d = downsampleMinMax(xs, ys, 1000);
    expect(d.xs.length).toBeLessThanOrEqual(1000);
    expect(d.xs.length).toBeGreaterThan(900);
    expect(d.xs[0]).toBe(0);
    expect(d.xs.at(-1)).toBe(n - 1);
    expect(d.ys.at(-1)).toBe(ys[n - 1]);
  });

  it('keeps global and local extremes (a one-point spike and dip survive)', () => {
    const d = downsampleMinMax(xs, ys, 500);
    expect(d.xs).toContain(31_337);
    expect(d.xs).toContain(77_777);
    expect(Math.max(...d.ys)).toBe(Math.max(...ys));
    expect(Math.min(...d.ys)).toBe(Math.min(...ys));
  });

  it('keeps x order increasing', () => {
    const d = downsampleMinMax(xs, ys, 300);
    for (let i = 1; i < d.xs.length; i++) expect(d.xs[i]!).toBeGreaterThan(d.xs[i - 1]!);
  });

  it('returns short series unchanged and tolerates nulls', () => {
    expect(downsampleMinMax([1, 2, 3], [1, null, 3], 10)).toEqual({ xs: [1, 2, 3], ys: [1, null, 3] });
    const withNulls = ys.map((y, i) => (i % 7 === 0 ? null : y));
    const d = downsampleMinMax(xs, withNulls, 400);
    expect(d.xs.length).toBeLessThanOrEqual(400);
    expect(d.xs.at(-1)).toBe(n - 1);
  });
});
