import { max, mean, min, sampleStandardDeviation } from 'simple-statistics';
import type { GridAxis, SweepPoint, SweepResults } from '../contract/sweeps';

/** One finished run as the aggregation sees it. */
export interface RunOutcome {
  point: Record<string, unknown>;
  final: Record<string, number | null>;
  /** Per-round values (lottery-ticket): one record per round, from the run's round metrics. */
  rounds?: Record<string, number | null>[];
  /** Facts of the point that do not vary over seeds (e.g. `parameters`), added to it. */
  extras?: Record<string, number>;
}

export type Aggregate = SweepPoint['metrics'][string];

/** Mean, sample standard deviation (0 for one value), min, max and n of the finite values. */
export function aggregate(values: readonly (number | null | undefined)[]): Aggregate | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  return { mean: mean(xs), std: xs.length > 1 ? sampleStandardDeviation(xs) : 0, min: min(xs), max: max(xs), n: xs.length };
}

/** Error rates next to accuracies, as double-descent plots read them. */
function withErrors(values: Record<string, number | null>): Record<string, number | null> {
  const out = { ...values };
  if (typeof values.testAcc === 'number') out.testError = 1 - values.testAcc;
  if (typeof values.trainAcc === 'number') out.trainError = 1 - values.trainAcc;
  return out;
}

const pointKey = (grid: readonly GridAxis[], point: Record<string, unknown>) => JSON.stringify(grid.map((a) => point[a.key]));

function aggregatePoint(point: Record<string, unknown>, rows: Record<string, number | null>[]): SweepPoint {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  const metrics: SweepPoint['metrics'] = {};
  for (const name of names) {
    const a = aggregate(rows.map((r) => r[name]));
    if (a) metrics[name] = a;
  }
  return { ...point, seeds: rows.length, metrics };
}

/**
 * Seed-aggregated results per grid point, in grid order (`phenobook sweep --json`). Runs that
 * report rounds (lottery-ticket) give one point per round keyed by `remainingFraction`, with
 * the dense network's accuracy (round 0) at the top level.
 */
export function sweepResults(sweep: { experiment: string; config: Record<string, unknown>; grid: GridAxis[] }, runs: readonly RunOutcome[]): SweepResults {
  const groups = new Map<string, { point: Record<string, unknown>; rows: Record<string, number | null>[] }>();
  const add = (point: Record<string, unknown>, row: Record<string, number | null>) => {
    const key = JSON.stringify(Object.entries(point));
    const g = groups.get(key) ?? { point, rows: [] };
    g.rows.push(row);
    groups.set(key, g);
  };
  const dense: (number | null)[] = [];
  for (const run of runs) {
    const base = { ...Object.fromEntries(sweep.grid.map((a) => [a.key, run.point[a.key]])), ...run.extras };
    if (run.rounds?.length) {
      for (const r of run.rounds) {
        if (r.round === 0) dense.push(r.ticketTestAcc ?? null);
        add({ ...base, remainingFraction: r.weightsLeft }, r);
      }
    } else add(base, withErrors(run.final));
  }
  const order = new Map(cartesian(sweep.grid).map((p, i) => [pointKey(sweep.grid, p), i]));
  const points = [...groups.values()]
    .sort((a, b) => {
      const byGrid = (order.get(pointKey(sweep.grid, a.point)) ?? 0) - (order.get(pointKey(sweep.grid, b.point)) ?? 0);
      return byGrid || Number(b.point.remainingFraction ?? 0) - Number(a.point.remainingFraction ?? 0);
    })
    .map((g) => aggregatePoint(g.point, g.rows));
  const denseAgg = aggregate(dense);
  return { experiment: sweep.experiment, config: sweep.config, points, ...(denseAgg ? { denseTestAcc: { mean: denseAgg.mean, std: denseAgg.std } } : {}) };
}

/** Every combination of grid values, first axis slowest. */
export function cartesian(grid: readonly GridAxis[]): Record<string, unknown>[] {
  return grid.reduce<Record<string, unknown>[]>((acc, axis) => acc.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.key]: v }))), [{}]);
}
