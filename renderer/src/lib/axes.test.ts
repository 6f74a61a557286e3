import { describe, expect, it } from 'vitest';
import { clipBand, fitRange, metricBounds } from './axes';

describe('fitRange', () => {
  it('fits a log axis to the steps of a 2,000-step run, not 1 to 1M', () => {
    const steps = [0, 5, 10, 500, 1000, 2000];
    const [a, b] = fitRange([steps, steps], true)!;
    expect(10 ** a).toBeGreaterThan(4);
    expect(10 ** a).toBeLessThan(5);
    expect(10 ** b).toBeGreaterThan(2000);
    expect(10 ** b).toBeLessThan(2300);
  });

  it('fits a linear axis from 0 to the last step, and knows nothing without data', () => {
    expect(fitRange([[0, 100, 2000]], false)).toEqual([0, 2000]);
    expect(fitRange([[7]], false)).toEqual([0, 7]);
    expect(fitRange([[0]], false)).toEqual([0, 1]);
    expect(fitRange([[], []], true)).toBeNull();
    expect(fitRange([[0]], true)).toBeNull();
  });
});

describe('metricBounds and clipBand', () => {
  it('keeps an accuracy band in [0, 1] and a loss band above 0', () => {
    expect(metricBounds('testAcc')).toEqual([0, 1]);
    expect(metricBounds('trainError')).toEqual([0, 1]);
    expect(metricBounds('ticketTestAcc')).toEqual([0, 1]);
    expect(metricBounds('trainLoss')).toEqual([0, Infinity]);
    expect(metricBounds('telescopeError')).toEqual([0, Infinity]);
    expect(metricBounds('primeCount')).toEqual([0, Infinity]);
    expect(clipBand([0.95 + 0.08, 0.5, -0.02], metricBounds('testAcc'))).toEqual([1, 0.5, 0]);
    expect(clipBand([-0.1, 3], metricBounds('testLoss'))).toEqual([0, 3]);
    expect(clipBand([-0.1, 3], metricBounds('somethingElse'))).toEqual([-0.1, 3]);
  });
});
