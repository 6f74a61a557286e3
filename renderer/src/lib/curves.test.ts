import { describe, expect, it } from 'vitest';
import { aggregateCurves, differingFields, groupBy, smooth } from './curves';

describe('smooth', () => {
  it('is the identity at weight 0 and a bias-corrected EMA otherwise', () => {
    expect(smooth([1, 2, null, 3], 0)).toEqual([1, 2, null, 3]);
    const s = smooth([1, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12); // bias correction: the first value is kept
    expect(s[1]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25), 12);
    expect(smooth([2, null, 2], 0.9)).toEqual([expect.closeTo(2, 12), null, expect.closeTo(2, 12)]);
  });
});

describe('aggregateCurves', () => {
  it('clips the ± std band of accuracies to [0, 1]', () => {
    const band = aggregateCurves([{ x: [0, 10], y: [0.9, 1] }, { x: [0, 10], y: [1, 1] }, { x: [0, 10], y: [0.7, 1] }], 'std', [0, 1]);
    expect(band.upper[0]).toBe(1);
    expect(band.lower[0]).toBeCloseTo(0.8667 - 0.1528, 3);
    expect(band.upper[1]).toBe(1);
  });

  const a = { x: [0, 10, 20], y: [0.1, 0.5, 0.9] };
  const b = { x: [0, 10, 20, 30], y: [0.3, 0.7, null, 1] };
  it('averages at the steps every curve has, with a sample-std band', () => {
    const band = aggregateCurves([a, b], 'std');
    expect(band.x).toEqual([0, 10]);
    expect(band.mean).toEqual([expect.closeTo(0.2, 12), expect.closeTo(0.6, 12)]);
    expect(band.upper[0]! - band.mean[0]!).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(band.n).toEqual([2, 2]);
  });
  it('gives min and max for a min–max band', () => {
    const band = aggregateCurves([a, b], 'minmax');
    expect([band.lower[1], band.upper[1]]).toEqual([0.5, 0.7]);
  });
});

describe('differingFields and groupBy', () => {
  it('finds what differs and groups by it', () => {
    const configs = [
      { alpha: 1, seed: 0, lr: 0.1 },
      { alpha: 8, seed: 0, lr: 0.1 },
      { alpha: 1, seed: 1, lr: 0.1 },
    ];
    expect(differingFields(configs)).toEqual(['alpha', 'seed']);
    expect(groupBy(configs, (c) => c.alpha).map((g) => [g.value, g.items.length])).toEqual([
      [1, 2],
      [8, 1],
    ]);
  });
});
