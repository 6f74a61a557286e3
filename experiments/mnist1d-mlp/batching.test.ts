import { describe, expect, it } from 'vitest';
import { epochBatches } from './batching';

describe('epoch batches and the remainder policy', () => {
  it('keeps a smaller last batch by default (torch drop_last=False)', () => {
    expect(epochBatches(203, 100)).toEqual({ sizes: [100, 100, 3], starts: [0, 100, 200] });
    expect(epochBatches(200, 100, 'smaller-last').sizes).toEqual([100, 100]);
    expect(epochBatches(50, 100).sizes).toEqual([50]);
  });

  it('tiles the epoch with near-equal batches under `even`', () => {
    expect(epochBatches(203, 100, 'even')).toEqual({ sizes: [102, 101], starts: [0, 102] });
    expect(epochBatches(1000, 100, 'even').sizes).toEqual(Array.from({ length: 10 }, () => 100));
    expect(epochBatches(125, 50, 'even').sizes).toEqual([42, 42, 41]); // round(2.5) = 3 batches
    expect(epochBatches(149, 100, 'even').sizes).toEqual([149]); // round(1.49) = 1
  });

  it('drops the leftover rows under `drop`', () => {
    expect(epochBatches(203, 100, 'drop')).toEqual({ sizes: [100, 100], starts: [0, 100] });
    expect(epochBatches(99, 100, 'drop').sizes).toEqual([99]);
  });

  it('covers every row exactly once per epoch unless dropping', () => {
    for (const n of [1, 7, 203, 999]) {
      for (const b of [1, 3, 100, 2000]) {
        for (const policy of ['smaller-last', 'even'] as const) {
          const { sizes, starts } = epochBatches(n, b, policy);
          expect(sizes.reduce((a, s) => a + s, 0)).toBe(n);
          expect(Math.max(...sizes) - (policy === 'even' ? Math.min(...sizes) : 0)).toBeLessThanOrEqual(policy === 'even' ? 1 : Math.min(b, n));
          starts.forEach((s, i) => i > 0 && expect(s).toBe(starts[i - 1]! + sizes[i - 1]!));
        }
      }
    }
  });

  it('rejects an empty epoch or a non-positive batch', () => {
    expect(() => epochBatches(0, 10)).toThrow(/at least one row/);
    expect(() => epochBatches(10, 0)).toThrow(/positive integer/);
  });
});
