/**
 * Rank correlations for the confounder test ("Explanations under test"): does a candidate metric M
 * (e.g. the prime-parameter count) still track the outcome Y (e.g. test error) once the controls C
 * (e.g. log L2 norm, log parameter count, a tail count) are accounted for?
 *
 * Spearman because the relationships are monotone but rarely linear; partial Spearman by the residual
 * method because its residuals are what the notebook plots ("residuals after the control").
 * Checked against scipy/numpy in correlation.test.ts (constants from reference_values.py).
 * Pure and dependency-light: runs in the host and in the browser.
 */
import { sampleCorrelation } from 'simple-statistics';

/**
 * 1-based ranks with ties given the average of the ranks they span (scipy.stats.rankdata's
 * 'average'), so the result does not depend on the order in which tied observations are listed.
 * Expects finite values; filter first (see spearman / partialSpearman).
 */
export function rank(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const average = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = average;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation (Pearson on average ranks). Pairs where either value is not finite are
 * dropped, so one failed run does not poison a sweep; NaN with fewer than 3 pairs or when either
 * variable is constant (the correlation is undefined, not 0).
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return partialSpearman(x, y, []).r;
}

/** The partial Spearman correlation and what it was computed from. */
export interface PartialSpearman {
  /** Pearson correlation of the two residual vectors; NaN when undefined (see partialSpearman). */
  r: number;
  /** Observations used: those where x, y and every control are finite. */
  n: number;
  /** Controls actually regressed on (constant or collinear ones are dropped: they add nothing). */
  k: number;
  /** Indices into the inputs of the observations used, in input order (to label plotted points). */
  rows: number[];
  /** Ranks of x (among the rows used) minus their least-squares fit on the controls' ranks. */
  residualsX: number[];
  /** Ranks of y minus their least-squares fit on the controls' ranks. */
  residualsY: number[];
  /** Indices into `controls` of those dropped as constant or linearly dependent on earlier ones. */
  droppedControls: number[];
}

/**
 * Partial Spearman correlation of x and y given the controls: rank every variable (over the
 * observations where all are finite), regress the ranks of x and of y on [1, ranks of the controls]
 * by ordinary least squares, and correlate the residuals. Equal to the precision-matrix definition
 * (pingouin.partial_corr(method='spearman')).
 *
 * `controls` holds one array per control variable, each as long as x. With no controls this is
 * Spearman's rho. r is NaN with fewer than k + 3 observations (no residual degree of freedom) or
 * when x or y is (numerically) fully explained by the controls.
 */
export function partialSpearman(
  x: readonly number[],
  y: readonly number[],
  controls: readonly (readonly number[])[],
): PartialSpearman {
  const columns = [x, y, ...controls];
  for (const column of columns) {
    if (column.length !== x.length) throw new Error('partialSpearman: x, y and every control must have the same length');
  }
  const rows: number[] = [];
  for (let i = 0; i < x.length; i++) if (columns.every((c) => Number.isFinite(c[i]))) rows.push(i);
  const [rx, ry, ...rc] = columns.map((c) => center(rank(rows.map((i) => c[i]!))));
  const basis = orthogonalBasis(rc);
  const residualsX = basis.residual(rx!);
  const residualsY = basis.residual(ry!);
  const n = rows.length;
  const k = rc.length - basis.dropped.length;
  const explained = (residual: number[], ranks: number[]) => sumSquares(residual) <= RESIDUAL_TOL * sumSquares(ranks);
  const undefinedR = n < k + 3 || explained(residualsX, rx!) || explained(residualsY, ry!);
  return {
    r: undefinedR ? Number.NaN : clamp(sampleCorrelation(residualsX, residualsY)),
    n,
    k,
    rows,
    residualsX,
    residualsY,
    droppedControls: basis.dropped,
  };
}

/** A correlation with its confidence interval. */
export interface FisherInterval {
  estimate: number;
  low: number;
  high: number;
  /** Standard error on the z = atanh(r) scale: 1 / sqrt(n - k - 3). */
  se: number;
}

/**
 * The Fisher-z confidence interval of a (partial) correlation r from n observations with k controls:
 * tanh(atanh(r) ± z * se), se = 1 / sqrt(n - k - 3). It assumes roughly bivariate-normal data and
 * independent observations, so it is only a cheap cross-check of the seed-grouped bootstrap (which
 * respects that observations of one seed are not independent). NaN bounds when n - k - 3 < 1 or r
 * is not a correlation.
 */
export function fisherInterval(r: number, n: number, k = 0, confidence = 0.95): FisherInterval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('fisherInterval: confidence must lie in (0, 1)');
  const dof = n - k - 3;
  if (!(dof >= 1) || !(Math.abs(r) <= 1)) return { estimate: r, low: Number.NaN, high: Number.NaN, se: Number.NaN };
  const se = 1 / Math.sqrt(dof);
  const z = Math.atanh(r);
  const q = normalQuantile((1 + confidence) / 2);
  return { estimate: r, low: Math.tanh(z - q * se), high: Math.tanh(z + q * se), se };
}

// A control whose part orthogonal to the earlier controls is below this fraction of its own norm is
// treated as collinear with them (e.g. two controls with identical ranks) and dropped.
const COLLINEAR_TOL = 1e-9;
// x or y whose residual sum of squares is below this fraction of its total is fully explained by the
// controls; what is left is rounding noise, whose correlation means nothing.
const RESIDUAL_TOL = 1e-20;

function center(values: number[]): number[] {
  const m = values.reduce((s, v) => s + v, 0) / (values.length || 1);
  return values.map((v) => v - m);
}

function sumSquares(values: readonly number[]): number {
  return values.reduce((s, v) => s + v * v, 0);
}

function clamp(r: number): number {
  return Math.max(-1, Math.min(1, r));
}

/**
 * Householder QR of the (centered) control columns, used to project vectors onto the orthogonal
 * complement of their span. Centering everything first takes care of the intercept and keeps the
 * problem well conditioned; reflections are backward stable where the normal equations square the
 * condition number. Columns that are (numerically) dependent on earlier ones are skipped, which
 * gives the same residuals as a minimum-norm least-squares solve (numpy.linalg.lstsq).
 */
function orthogonalBasis(columns: readonly number[][]): { residual: (v: readonly number[]) => number[]; dropped: number[] } {
  const n = columns[0]?.length ?? 0;
  const reflectors: { v: number[]; p: number }[] = [];
  const dropped: number[] = [];
  const reflect = (a: number[], { v, p }: { v: number[]; p: number }) => {
    let dot = 0;
    for (let i = p; i < n; i++) dot += v[i]! * a[i]!;
    for (let i = p; i < n; i++) a[i]! -= 2 * dot * v[i]!;
  };
  columns.forEach((column, j) => {
    const a = column.slice();
    for (const h of reflectors) reflect(a, h);
    const p = reflectors.length;
    let norm = 0;
    for (let i = p; i < n; i++) norm += a[i]! * a[i]!;
    norm = Math.sqrt(norm);
    if (p >= n || !(norm > COLLINEAR_TOL * Math.sqrt(sumSquares(column)))) {
      dropped.push(j);
      return;
    }
    // v = a - alpha e_p with alpha of the opposite sign to a_p (no cancellation), normalised.
    const alpha = a[p]! >= 0 ? -norm : norm;
    const v = new Array<number>(n).fill(0);
    for (let i = p; i < n; i++) v[i] = a[i]!;
    v[p]! -= alpha;
    const vNorm = Math.sqrt(sumSquares(v));
    for (let i = p; i < n; i++) v[i]! /= vNorm;
    reflectors.push({ v, p });
  });
  const residual = (vector: readonly number[]): number[] => {
    // Q^T v, zero the components in the span of the controls, then back with Q.
    const a = vector.slice();
    for (const h of reflectors) reflect(a, h);
    for (let i = 0; i < reflectors.length; i++) a[i] = 0;
    for (let h = reflectors.length - 1; h >= 0; h--) reflect(a, reflectors[h]!);
    return a;
  };
  return { residual, dropped };
}

/**
 * The standard normal quantile, by Acklam's rational approximation (relative error < 1.2e-9, ample
 * for interval bounds). simple-statistics' probit uses a ~1e-3 approximation of erf^-1, too coarse.
 */
function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  const low = 0.02425;
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
