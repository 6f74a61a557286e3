import { describe, expect, it } from 'vitest';
import type { SweepResults } from '../../../contract/sweeps';
import { metricChoices, sweepChartModel, xChoices } from './sweep-chart';

const agg = (mean: number, std = 0.01) => ({ mean, std, min: mean - 0.02, max: mean + 0.02, n: 3 });

const dd: SweepResults = {
  experiment: 'double-descent',
  config: {},
  points: [
    { width: 16, seeds: 3, metrics: { testError: agg(0.7), trainError: agg(0.1) } },
    { width: 4, seeds: 3, metrics: { testError: agg(0.72), trainError: agg(0.5) } },
    { width: 64, seeds: 3, metrics: { testError: agg(0.62), trainError: agg(0, 0) } },
    { width: 32, seeds: 3, metrics: { testError: agg(0.66), trainError: agg(0, 0) } },
  ],
};

describe('sweepChartModel', () => {
  it('plots error against the grid knob with std bands and marks the interpolation threshold', () => {
    const m = sweepChartModel(dd, ['width'], 'error', 'std');
    expect(m.xTitle).toBe('width');
    expect(m.logX).toBe(true);
    const test = m.series.find((s) => s.name === 'test error')!;
    expect(test.x).toEqual([4, 16, 32, 64]);
    expect(test.mean).toEqual([0.72, 0.7, 0.66, 0.62]);
    expect(test.upper[0]).toBeCloseTo(0.73, 12);
    expect(m.markers).toEqual([{ x: 32, label: 'interpolation threshold' }]);
    const minmax = sweepChartModel(dd, ['width'], 'error', 'minmax');
    expect(minmax.series[0]!.lower[0]).toBeCloseTo(0.7, 12);
  });

  it('clips a band to the metric range: train error at 0 ± std never goes below 0', () => {
    const noisy: SweepResults = { ...dd, points: [{ width: 64, seeds: 3, metrics: { testError: agg(0.98, 0.05), trainError: agg(0.01, 0.04) } }] };
    const m = sweepChartModel(noisy, ['width'], 'error', 'std');
    expect(m.series.find((s) => s.name === 'test error')!.upper).toEqual([1]);
    expect(m.series.find((s) => s.name === 'train error')!.lower).toEqual([0]);
  });

  it('offers the parameter count as x where points carry it', () => {
    const withParams = { ...dd, points: dd.points.map((p) => ({ ...p, parameters: (p.width as number) ** 2 })) };
    expect(xChoices(withParams, ['width'])).toEqual(['width', 'parameters']);
    expect(sweepChartModel(withParams, ['width'], 'error', 'std', 'parameters').series[0]!.x).toEqual([16, 256, 1024, 4096]);
    expect(xChoices(dd, ['width'])).toEqual(['width']);
  });

  it('reads lottery-ticket rounds against the remaining fraction with the dense line', () => {
    const lt: SweepResults = {
      experiment: 'lottery-ticket',
      config: {},
      denseTestAcc: { mean: 0.6, std: 0.02 },
      points: [
        { remainingFraction: 1, seeds: 3, metrics: { ticketTestAcc: agg(0.6) } },
        { remainingFraction: 0.107, seeds: 3, metrics: { ticketTestAcc: agg(0.61), randomMaskTestAcc: agg(0.47), freshInitTestAcc: agg(0.53) } },
      ],
    };
    expect(metricChoices(lt).map((c) => c.key)).toEqual(['lottery']);
    const m = sweepChartModel(lt, [], 'lottery', 'std');
    expect(m.xTitle).toBe('fraction of weights remaining');
    expect(m.series.map((s) => [s.name, s.x])).toEqual([
      ['winning ticket', [0.107, 1]],
      ['random mask', [0.107]],
      ['fresh init', [0.107]],
    ]);
    expect(m.references).toEqual([{ y: 0.6, label: 'dense network' }]);
  });
});
