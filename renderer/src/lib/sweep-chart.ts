import { clipBand, metricBounds } from './axes';
import type { SweepPoint, SweepResults } from '../../../contract/sweeps';

/** What a sweep chart shows: x positions, and per series a mean with a band. */
export interface SweepSeries {
  name: string;
  color: string;
  x: number[];
  mean: number[];
  lower: number[];
  upper: number[];
}

export interface SweepChartModel {
  xTitle: string;
  yTitle: string;
  logX: boolean;
  series: SweepSeries[];
  /** Vertical markers (e.g. the interpolation threshold), with their label. */
  markers: { x: number; label: string }[];
  /** Horizontal reference lines (e.g. the dense network). */
  references: { y: number; label: string }[];
}

export type BandKind = 'std' | 'minmax';

const COLORS = ['#c0562b', '#2c5a86', '#1f6a5c', '#5b3a8c', '#8a5a00'];

/** What a sweep chart can put on x: the grid knobs, and the parameter count where runs report one. */
export function xChoices(results: SweepResults, gridKeys: readonly string[]): string[] {
  if (results.points.some((p) => 'remainingFraction' in p)) return ['remainingFraction'];
  const numeric = gridKeys.filter((k) => results.points.every((p) => typeof p[k] === 'number'));
  return results.points.length && results.points.every((p) => typeof p.parameters === 'number') ? [...numeric, 'parameters'] : numeric;
}

/** The metric families a sweep chart can show, by the metrics the points carry. */
export function metricChoices(results: SweepResults): { key: string; label: string; metrics: string[] }[] {
  const have = new Set(results.points.flatMap((p) => Object.keys(p.metrics)));
  const choices = [
    { key: 'lottery', label: 'Accuracy: ticket and controls', metrics: ['ticketTestAcc', 'randomMaskTestAcc', 'freshInitTestAcc'] },
    { key: 'error', label: 'Error (test, train)', metrics: ['testError', 'trainError'] },
    { key: 'accuracy', label: 'Accuracy (test, train)', metrics: ['testAcc', 'trainAcc'] },
    { key: 'loss', label: 'Loss (test, train)', metrics: ['testLoss', 'trainLoss'] },
    { key: 'l2', label: 'Parameter L2 norm', metrics: ['l2'] },
    { key: 'primeCount', label: 'Prime-parameter count', metrics: ['primeCount'] },
    { key: 'effective', label: 'Effective parameters (p_train, p_test)', metrics: ['pTest', 'pTrain'] }, // test first: the test colour, as error and accuracy have
    { key: 'approximation', label: 'Approximation error, RMS (telescoping, lazy, smoother)', metrics: ['telescopeError', 'lazyError', 'smootherError'] },
    { key: 'approximationMae', label: 'Approximation error, mean absolute on test points (the paper\'s metric)', metrics: ['telescopeMae', 'lazyMae', 'smootherMae'] },
  ];
  return choices.filter((c) => c.metrics.some((m) => have.has(m)));
}

const LABELS: Record<string, string> = {
  testError: 'test error',
  trainError: 'train error',
  testAcc: 'test accuracy',
  trainAcc: 'train accuracy',
  testLoss: 'test loss',
  trainLoss: 'train loss',
  l2: 'L2 norm',
  primeCount: 'prime count',
  pTrain: 'p_train',
  pTest: 'p_test',
  telescopeError: 'telescoping model',
  lazyError: 'lazy linearisation',
  smootherError: 'smoother S·y + c',
  telescopeMae: 'telescoping model',
  lazyMae: 'lazy linearisation',
  smootherMae: 'smoother S·y + c',
  ticketTestAcc: 'winning ticket',
  randomMaskTestAcc: 'random mask',
  freshInitTestAcc: 'fresh init',
};

/**
 * Builds the chart of a sweep: x is the remaining fraction for round-based results (lottery
 * ticket), else the first numeric grid knob. The interpolation threshold — the smallest x from
 * which mean train error stays 0 — is marked when train error is shown.
 */
export function sweepChartModel(results: SweepResults, gridKeys: readonly string[], choice: string, band: BandKind, x?: string): SweepChartModel {
  const rounds = results.points.some((p) => 'remainingFraction' in p);
  const xKey = rounds ? 'remainingFraction' : (x ?? gridKeys[0]);
  const family = metricChoices(results).find((c) => c.key === choice) ?? metricChoices(results)[0];
  const points = results.points.filter((p): p is SweepPoint => xKey !== undefined && typeof p[xKey] === 'number').sort((a, b) => (a[xKey!] as number) - (b[xKey!] as number));
  const series: SweepSeries[] = (family?.metrics ?? []).flatMap((metric, i) => {
    const rows = points.filter((p) => p.metrics[metric]);
    if (rows.length === 0) return [];
    const a = rows.map((p) => p.metrics[metric]!);
    return [
      {
        name: LABELS[metric] ?? metric,
        color: COLORS[i % COLORS.length]!,
        x: rows.map((p) => p[xKey!] as number),
        mean: a.map((m) => m.mean),
        lower: clipBand(a.map((m) => (band === 'std' ? m.mean - m.std : m.min)), metricBounds(metric)),
        upper: clipBand(a.map((m) => (band === 'std' ? m.mean + m.std : m.max)), metricBounds(metric)),
      },
    ];
  });
  const markers: SweepChartModel['markers'] = [];
  const train = family?.metrics.includes('trainError') ? series.find((s) => s.name === 'train error') : undefined;
  if (train) {
    let from: number | null = null;
    for (let i = train.x.length - 1; i >= 0 && train.mean[i]! <= 1e-9; i--) from = train.x[i]!;
    if (from !== null && from !== train.x[0]) markers.push({ x: from, label: 'interpolation threshold' });
  }
  const references = rounds && results.denseTestAcc && family?.key === 'lottery' ? [{ y: results.denseTestAcc.mean, label: 'dense network' }] : [];
  const allX = series.flatMap((s) => s.x);
  const logX = rounds || (allX.length > 1 && Math.min(...allX) > 0 && Math.max(...allX) / Math.min(...allX) >= 8);
  return {
    xTitle: rounds ? 'fraction of weights remaining' : xKey === 'parameters' ? 'parameters' : (xKey ?? ''),
    yTitle: family?.label ?? '',
    logX,
    series,
    markers,
    references,
  };
}
