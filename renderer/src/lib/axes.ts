/**
 * Axis ranges that fit the data (Plotly's own defaults do not: an empty or zero-starting log axis
 * runs from 1 to 1M), and bands clipped to the range a metric can take.
 */

/** The x range of the traces, in Plotly's units (log10 of the bounds on a log axis); null without data. */
export function fitRange(series: readonly (readonly number[])[], log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const xs of series) {
    for (const x of xs) {
      if (!Number.isFinite(x) || (log && x <= 0)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo > hi) return null;
  if (log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    const pad = b > a ? (b - a) * 0.02 : 0.5;
    return [a - pad, b + pad];
  }
  const from = Math.min(0, lo);
  const pad = hi > from ? 0 : 1;
  return [from, hi + pad];
}

/** The values a metric can take: accuracies and errors in [0, 1], losses, norms and counts from 0. */
export function metricBounds(metric: string): [number, number] {
  if (/Acc$|Error$|^accuracy$|^error$/i.test(metric) && !/^(telescopeError|lazyError)$/.test(metric)) return [0, 1];
  if (/Loss$|^l2$|Count$|^p(Train|Test)$|^(telescopeError|lazyError|probeMsPerStep|wallTime)$/.test(metric)) return [0, Infinity];
  return [-Infinity, Infinity];
}

/** A band's edge clipped to the metric's range: mean ± std of accuracies never leaves [0, 1]. */
export function clipBand(values: readonly number[], [lo, hi]: readonly [number, number]): number[] {
  return values.map((v) => Math.min(hi, Math.max(lo, v)));
}
