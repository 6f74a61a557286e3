import { describe, expect, it } from 'vitest';
import { aggregate, cartesian, sweepResults } from './sweep-results';

describe('cartesian', () => {
  it('enumerates the grid, first axis slowest', () => {
    expect(cartesian([{ key: 'width', values: [8, 16] }, { key: 'lr', values: [0.1, 0.01] }])).toEqual([
      { width: 8, lr: 0.1 },
      { width: 8, lr: 0.01 },
      { width: 16, lr: 0.1 },
      { width: 16, lr: 0.01 },
    ]);
    expect(cartesian([])).toEqual([{}]);
  });
});

describe('aggregate', () => {
  it('gives mean, sample std, min, max over finite values', () => {
    const a = aggregate([0.5, 0.7, null, Number.NaN, 0.6])!;
    expect(a.mean).toBeCloseTo(0.6, 12);
    expect(a.std).toBeCloseTo(0.1, 12); // sample std of 0.5, 0.6, 0.7
    expect(a).toMatchObject({ min: 0.5, max: 0.7, n: 3 });
    expect(aggregate([2])).toEqual({ mean: 2, std: 0, min: 2, max: 2, n: 1 });
    expect(aggregate([null])).toBeNull();
  });
});

describe('sweepResults', () => {
  const grid = [{ key: 'width', values: [16, 8] }];
  it('aggregates final metrics per grid point over seeds, in grid order, with error rates', () => {
    const r = sweepResults({ experiment: 'double-descent', config: { steps: 10 }, grid }, [
      { point: { width: 8 }, final: { testAcc: 0.3, trainAcc: 1, l2: 10 } },
      { point: { width: 16 }, final: { testAcc: 0.4, trainAcc: 0.9, l2: 12 } },
      { point: { width: 8 }, final: { testAcc: 0.5, trainAcc: 1, l2: 14 } },
    ]);
    expect(r.points.map((p) => p.width)).toEqual([16, 8]);
    const w8 = r.points[1]!;
    expect(w8.seeds).toBe(2);
    expect(w8.metrics.testError!.mean).toBeCloseTo(0.6, 12);
    expect(w8.metrics.testError!.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(w8.metrics.trainError).toMatchObject({ mean: 0, std: 0 });
    expect(w8.metrics.l2!.mean).toBe(12);
  });

  it('expands lottery-ticket rounds into points by remaining fraction with the dense accuracy on top', () => {
    const rounds = (t: number): Record<string, number | null>[] => [
      { round: 0, weightsLeft: 1, ticketTestAcc: t },
      { round: 1, weightsLeft: 0.8, ticketTestAcc: t + 0.01, randomMaskTestAcc: 0.5 },
    ];
    const r = sweepResults({ experiment: 'lottery-ticket', config: {}, grid: [] }, [
      { point: {}, final: {}, rounds: rounds(0.6) },
      { point: {}, final: {}, rounds: rounds(0.62) },
    ]);
    expect(r.points.map((p) => p.remainingFraction)).toEqual([1, 0.8]);
    expect(r.points[1]!.metrics.ticketTestAcc!.mean).toBeCloseTo(0.62, 12);
    expect(r.denseTestAcc!.mean).toBeCloseTo(0.61, 12);
  });
});
