/**
 * Reduces a series for drawing while keeping what a reader looks for: the first point, the
 * minimum and maximum of every bucket (spikes and dips survive), and the last point.
 * Pure and dependency-free: the host uses it for stored series, the renderer for live ones.
 */
export function downsampleMinMax<V extends number | null>(
  xs: readonly number[],
  ys: readonly V[],
  maxPoints: number,
): { xs: number[]; ys: V[] } {
  const n = xs.length;
  if (n <= maxPoints || maxPoints < 4) return { xs: xs.slice(), ys: ys.slice() };
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const keep: number[] = [0];
  const inner = n - 2;
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (y === null || y === undefined || Number.isNaN(y)) continue;
      if (lo < 0 || (y as number) < (ys[lo] as number)) lo = i;
      if (hi < 0 || (y as number) > (ys[hi] as number)) hi = i;
    }
    if (lo < 0) {
      if (start < end) keep.push(start); // an all-null bucket still shows its gap
      continue;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(n - 1);
  return { xs: keep.map((i) => xs[i]!), ys: keep.map((i) => ys[i]!) };
}
