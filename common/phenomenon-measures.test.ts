import { describe, expect, it } from 'vitest';
import type { SweepResults } from '../contract/sweeps';
import { grokkingDelays, sweepMeasures } from './phenomenon-measures';

const a = (mean: number) => ({ mean, std: 0, min: mean, max: mean, n: 3 });

describe('grokkingDelays', () => {
  it('reads the delay off accuracy and, as the metric-choice control, off the losses', () => {
    const steps = [0, 10, 20, 100, 500, 600];
    const d = grokkingDelays({
      trainAcc: { steps, values: [0.1, 0.9, 1, 1, 1, 1] },
      testAcc: { steps, values: [0, 0, 0.01, 0.2, 0.95, 1] },
      trainLoss: { steps, values: [1, 0.5, 0.05, 0.01, 0.001, 0.001] },
      testLoss: { steps, values: [1, 0.9, 0.8, 0.09, 0.02, 0.01] },
    });
    expect(d.accuracy).toEqual({ trainFit: 20, testReached: 500, threshold: 0.9, delay: 480 });
    expect(d.loss).toEqual({ trainFit: 20, testReached: 100, fraction: 0.1, delay: 80 });
    expect(grokkingDelays({}).accuracy.delay).toBeNull();
  });
});

describe('sweepMeasures', () => {
  it('finds the interpolation threshold and the peak of a double-descent sweep', () => {
    const results: SweepResults = {
      experiment: 'double-descent',
      config: {},
      points: [
        { width: 2, seeds: 3, metrics: { testError: a(0.72), trainError: a(0.7) } },
        { width: 8, seeds: 3, metrics: { testError: a(0.65), trainError: a(0.47) } },
        { width: 16, seeds: 3, metrics: { testError: a(0.69), trainError: a(0.25) } },
        { width: 32, seeds: 3, metrics: { testError: a(0.67), trainError: a(0) } },
        { width: 96, seeds: 3, metrics: { testError: a(0.64), trainError: a(0) } },
      ],
    };
    const m = sweepMeasures(results, 'width');
    expect(m.interpolationThreshold).toBe(32);
    expect(m.peak!.at).toBe(16);
    expect(m.peak!.dropToWidest).toBeCloseTo(0.05, 12);
  });

  it('finds where a ticket falls below the dense network', () => {
    const results: SweepResults = {
      experiment: 'lottery-ticket',
      config: {},
      denseTestAcc: { mean: 0.6, std: 0 },
      points: [1, 0.8, 0.64, 0.107, 0.086].map((f, i) => ({ remainingFraction: f, seeds: 3, metrics: { ticketTestAcc: a([0.6, 0.61, 0.62, 0.61, 0.585][i]!) } })),
    };
    expect(sweepMeasures(results, undefined).ticketFallsBelowDenseAt).toBe(0.086);
  });
});
