/** Curve arithmetic for comparison charts: smoothing, and seed aggregation aligned on steps. */

export interface Curve {
  x: number[];
  y: (number | null)[];
}

/**
 * Exponential moving average with bias correction (as TensorBoard smooths): weight 0 leaves the
 * curve as is, 0.99 is very smooth. Gaps (null) are carried over, not averaged.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n += 1;
    return last / (1 - weight ** n);
  });
}

export interface Band {
  x: number[];
  mean: number[];
  lower: number[];
  upper: number[];
  n: number[];
}

/**
 * Mean and a band (± sample std, or min–max, clipped to `bounds`) over curves, at the x values every curve has. Runs
 * of one group share their evaluation steps, so nothing is interpolated.
 */
export function aggregateCurves(curves: readonly Curve[], band: 'std' | 'minmax', bounds: readonly [number, number] = [-Infinity, Infinity]): Band {
  const byX = new Map<number, number[]>();
  for (const c of curves) {
    c.x.forEach((x, i) => {
      const y = c.y[i];
      if (y === null || y === undefined || !Number.isFinite(y)) return;
      const list = byX.get(x);
      if (list) list.push(y);
      else byX.set(x, [y]);
    });
  }
  const out: Band = { x: [], mean: [], lower: [], upper: [], n: [] };
  for (const [x, ys] of [...byX.entries()].sort((a, b) => a[0] - b[0])) {
    if (ys.length < curves.length) continue;
    const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
    const std = ys.length > 1 ? Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / (ys.length - 1)) : 0;
    out.x.push(x);
    out.mean.push(mean);
    // Clipped to what the metric can take: mean ± std of accuracies stays within [0, 1].
    out.lower.push(Math.max(bounds[0], band === 'std' ? mean - std : Math.min(...ys)));
    out.upper.push(Math.min(bounds[1], band === 'std' ? mean + std : Math.max(...ys)));
    out.n.push(ys.length);
  }
  return out;
}

export { differingFields } from '../../../common/config-diff';

/** Groups items by the JSON of one config field's value (or each on its own when no field). */
export function groupBy<T>(items: readonly T[], key: (item: T) => unknown): { value: unknown; items: T[] }[] {
  const groups = new Map<string, { value: unknown; items: T[] }>();
  for (const item of items) {
    const value = key(item);
    const k = JSON.stringify(value);
    const g = groups.get(k) ?? { value, items: [] };
    g.items.push(item);
    groups.set(k, g);
  }
  return [...groups.values()];
}
