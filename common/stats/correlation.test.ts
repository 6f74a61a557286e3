import { sampleRankCorrelation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { fisherInterval, partialSpearman, rank, spearman } from './correlation';

// The data sets and expected values of reference_values.py (scipy.stats.spearmanr / rankdata and
// numpy.linalg.lstsq; partial correlations also cross-checked there by the precision-matrix formula).
// Regenerate with `python3 common/stats/reference_values.py`.
const A_x = [0, 0.3, -0.3, 1.3, -0.5, -1, 0.1, 1.3, -0.5, -0.6, 0.5, 0.4, 0.1, -0.9, 0];
const A_y = [0.7, -1, -2.1, -2.8, -1.8, -2.8, -0.1, 0, -0.2, -2.1, 0.3, -2.1, -0.4, -0.9, 0.1];
const B_c = [-0.59, 0.63, 1.04, 1.03, 1.82, -0.39, 0.54, -0.37, -1.42, -0.7, 0.14, -0.92, -0.19, 1.12, 0.57, 0.57, 0.35, -0.18, -1.87, 0.99, -1.51, 0.22, -0.11, 0.14];
const B_x = [-0.51, 0.53, 1.31, 0.64, 2.06, -0.9, 0.9, -0.52, -1.31, -0.25, -0.51, -1.01, -0.02, 1.39, 0.98, 0.75, 0.5, -0.15, -1.79, 1.01, -1.21, 0.27, 0.09, 0.62];
const B_y = [-0.24, 0.53, 1.01, 1.25, 1.63, -0.94, 0.24, -0.21, -1.48, -0.81, 0.36, -1.24, 0.49, 1.13, 0.47, 1.18, 0.02, -0.33, -1.9, 0.7, -1.61, 0.39, -0.06, 0.13];
const C_c1 = [0.16, 2.24, -0.83, -0.62, 0.21, 0.49, -0.18, -0.21, 0.7, 0.52, -1.03, -0.08, 0.04, -1.05, 0.26, -0.86, 0.97, 0.19, 0.09, -0.59, -0.12, -2, -1.13, 0.36, -2.13, 0.85, -1.75, 0.76, -0.85, 0.78, 0.13, -1.54];
const C_c2 = [1, 2, 1, 5, 0, 3, 5, 3, 5, 5, 4, 4, 3, 3, 4, 2, 5, 5, 2, 2, 4, 5, 0, 0, 1, 2, 0, 3, 3, 5, 4, 1];
const C_x = [-0.61, 0.79, -0.98, -0.3, -0.27, -0.05, -1.47, -0.91, 2, -0.41, -1.57, 0.3, 1.43, -1.98, -0.08, -1.06, -1.28, 0.83, 0.02, -0.22, -0.81, -0.55, -1.1, 0.04, -2.17, -0.79, 0.46, -0.13, -0.13, 0.36, -0.38, -1.28];
const C_y = [-0.11, 1.74, -1.09, 0.52, 0.26, 0.97, -0.37, -0.6, 2.66, 1.13, -0.69, 1.02, 2.26, -1.38, 1.13, -0.55, -0.17, 2.49, -0.05, 0.35, 0.15, 0.2, -0.69, 0.74, -3.07, -0.81, 0.26, 0.29, 0.21, 1.93, -0.2, -2.39];
const D_c1 = [4, 7, 3, 1, 8, 7, 7, 8, 4, 1, 5, 5, 3, 6, 2, 6, 7, 0, 4, 6, 0, 6, 9, 8, 6, 8, 3, 3, 0, 7, 3, 8, 4, 8, 1, 1, 3, 0, 4, 6];
const D_c2 = [2, -1.4, 0.9, -0.1, 0, -1.4, -0.5, 0.7, -0.1, 0.1, -0.3, 1.2, 0, -2.2, -0.7, -2, -3.3, -0.5, 1.3, 0, -1.2, -0.9, 1.1, 0.2, 0, -0.1, 0, 0.8, 0.6, 0.2, -1, 0.5, -0.7, 1.1, -1.3, -0.1, 0, -1.3, 1.7, 1.5];
const D_x = [8, 5, 5, -2, 8, 4, 6, 8, 4, 1, 6, 8, 3, 3, 0, 2, -1, 1, 8, 7, -2, 4, 11, 8, 6, 8, 5, 5, 1, 7, 0, 11, 3, 10, -2, 0, 3, -2, 7, 9];
const D_y = [4, 12, 3, 2, 12, 12, 12, 13, 7, 1, 6, 7, 3, 10, 5, 12, 14, -1, 4, 8, 2, 12, 13, 11, 8, 12, 4, 3, 0, 9, 7, 13, 8, 10, 3, 1, 4, 1, 3, 6];

const SPEARMAN_A = 0.24572467199566472;
const SPEARMAN_B_XY = 0.8845401383271525;
const SPEARMAN_C_XY = 0.8853030201324076;
const SPEARMAN_D_XY = 0.5068694356654484;
const PARTIAL_B = -0.012505299550699237;
const PARTIAL_C1 = 0.8481150041032169;
const PARTIAL_C = 0.8992241264380445;
const RESIDUALS_C_X = [-5.467554051, 4.8009015699, -4.5931940495, 3.4947316614, -1.5470372714, 2.3567939987, -10.9675763391, -4.7939739995, 10.6957556589, -5.8168083409, -8.7255175708, 9.8875584278, 14.2562819999, -9.3819219984, 2.4755064268, -4.5006344265, -17.7539883417, 11.6203716598, 6.625005572, 4.5496215729, -4.625005572, 4.8816556627, -4.2606252689, 4.4780907283, -8.2062700481, -11.2242264298, 17.7142467314, -1.6055140017, 7.6557700011, 4.7208836586, -1.5747495726, -5.1685780486];
const RESIDUALS_C_Y = [-2.5785510455, 5.329933882, -6.6600515664, 5.0336661869, 2.9949185675, 3.3192754427, -8.4418836568, -6.7785251823, 7.1640670203, 2.1559169682, -6.7810335695, 7.2923168993, 13.254075026, -8.3355755469, 5.3493672638, -1.865667368, -14.8033327714, 9.1151667078, -1.7841668472, 8.1669328403, -2.2158331528, 3.4603157181, -0.6436323179, 6.5112186717, -5.2334020351, -16.6863662221, 12.3400675779, -2.156274401, 4.1888746094, 3.1803671244, -8.1832329445, -5.7089518789];
const PARTIAL_D = -0.18161341501953668;
const PARTIAL_B_COLLINEAR = -0.012505299550699215;
const FISHER_05_30_K0 = [0.17043136511180007, 0.7289585563883555];
const FISHER_PARTIAL_C = [0.7972266696021387, 0.951305709602429];
const FISHER_NEG_20_K1_90 = [-0.6173631413410595, 0.1013446867588639];

describe('rank', () => {
  it('gives ties the average of the ranks they span, 1-based (scipy.stats.rankdata)', () => {
    expect(rank([10, 20, 10, 30, 20, 20])).toEqual([1.5, 4, 1.5, 6, 4, 4]);
    expect(rank([])).toEqual([]);
    expect(rank([-1e300, 5, 1e-300])).toEqual([1, 3, 2]);
  });
});

describe('spearman', () => {
  it('matches scipy.stats.spearmanr with ties', () => {
    expect(spearman(A_x, A_y)).toBeCloseTo(SPEARMAN_A, 6);
    expect(spearman(B_x, B_y)).toBeCloseTo(SPEARMAN_B_XY, 6);
    expect(spearman(C_x, C_y)).toBeCloseTo(SPEARMAN_C_XY, 6);
    expect(spearman(D_x, D_y)).toBeCloseTo(SPEARMAN_D_XY, 6);
  });

  it('agrees with simple-statistics sampleRankCorrelation and is symmetric and order-free', () => {
    expect(spearman(A_x, A_y)).toBeCloseTo(sampleRankCorrelation(A_x, A_y), 12);
    expect(spearman(A_y, A_x)).toBeCloseTo(SPEARMAN_A, 12);
    const order = A_x.map((_, i) => (i * 7) % A_x.length);
    expect(spearman(order.map((i) => A_x[i]!), order.map((i) => A_y[i]!))).toBeCloseTo(SPEARMAN_A, 12);
  });

  it('is invariant under monotone transforms (the point of ranks)', () => {
    expect(spearman(B_x.map(Math.exp), B_y.map((v) => v ** 3))).toBeCloseTo(SPEARMAN_B_XY, 12);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('drops pairs where either value is not finite', () => {
    const x = [...A_x, Number.NaN, 3, Number.POSITIVE_INFINITY];
    const y = [...A_y, 1, Number.NaN, 2];
    expect(spearman(x, y)).toBeCloseTo(SPEARMAN_A, 12);
  });

  it('is NaN with fewer than 3 pairs or a constant variable', () => {
    expect(spearman([1, 2], [3, 4])).toBeNaN();
    expect(spearman([1, 2, Number.NaN], [3, 4, 5])).toBeNaN();
    expect(spearman([], [])).toBeNaN();
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toBeNaN();
    expect(spearman([1, 2, 3, 4], [7, 7, 7, 7])).toBeNaN();
  });

  it('rejects inputs of different lengths', () => {
    expect(() => spearman([1, 2, 3], [1, 2])).toThrow();
  });
});

describe('partialSpearman', () => {
  it('matches the residual method in numpy/scipy with one control (partial ~0 although rho is high)', () => {
    const p = partialSpearman(B_x, B_y, [B_c]);
    expect(p.r).toBeCloseTo(PARTIAL_B, 6);
    expect(Math.abs(p.r)).toBeLessThan(0.05);
    expect(spearman(B_x, B_y)).toBeGreaterThan(0.85);
    expect(p).toMatchObject({ n: 24, k: 1, droppedControls: [] });
    expect(partialSpearman(C_x, C_y, [C_c1]).r).toBeCloseTo(PARTIAL_C1, 6);
  });

  it('matches with two controls, where the partial correlation stays high', () => {
    const p = partialSpearman(C_x, C_y, [C_c1, C_c2]);
    expect(p.r).toBeCloseTo(PARTIAL_C, 6);
    expect(p.r).toBeGreaterThan(0.85);
    expect(p).toMatchObject({ n: 32, k: 2 });
    expect(partialSpearman(D_x, D_y, [D_c1, D_c2]).r).toBeCloseTo(PARTIAL_D, 6);
  });

  it('exports the residuals numpy.linalg.lstsq gives', () => {
    const p = partialSpearman(C_x, C_y, [C_c1, C_c2]);
    expect(p.residualsX).toHaveLength(RESIDUALS_C_X.length);
    p.residualsX.forEach((v, i) => expect(v).toBeCloseTo(RESIDUALS_C_X[i]!, 6));
    p.residualsY.forEach((v, i) => expect(v).toBeCloseTo(RESIDUALS_C_Y[i]!, 6));
    expect(p.rows).toEqual(C_x.map((_, i) => i));
  });

  it('equals spearman with no controls, and does not depend on the order of the controls', () => {
    expect(partialSpearman(A_x, A_y, []).r).toBeCloseTo(SPEARMAN_A, 12);
    expect(partialSpearman(C_x, C_y, [C_c2, C_c1]).r).toBeCloseTo(PARTIAL_C, 12);
  });

  it('drops a collinear or constant control (same result as without it, like lstsq)', () => {
    const twice = partialSpearman(B_x, B_y, [B_c, B_c.map((v) => 2 * v + 1)]);
    expect(twice.r).toBeCloseTo(PARTIAL_B_COLLINEAR, 6);
    expect(twice).toMatchObject({ k: 1, droppedControls: [1] });
    const constant = partialSpearman(B_x, B_y, [B_c.map(() => 3), B_c]);
    expect(constant.r).toBeCloseTo(PARTIAL_B, 6);
    expect(constant).toMatchObject({ k: 1, droppedControls: [0] });
  });

  it('drops observations where x, y or any control is not finite, and reports which were used', () => {
    const pad = <T,>(v: T[], extra: T[]) => [...extra.slice(0, 2), ...v, ...extra.slice(2)];
    const x = pad(C_x, [Number.NaN, 1, 2]);
    const y = pad(C_y, [1, 2, 3]);
    const c1 = pad(C_c1, [1, Number.POSITIVE_INFINITY, 4]);
    const c2 = pad(C_c2, [1, 2, Number.NaN]);
    const p = partialSpearman(x, y, [c1, c2]);
    expect(p.r).toBeCloseTo(PARTIAL_C, 6);
    expect(p.n).toBe(32);
    expect(p.rows).toEqual(C_x.map((_, i) => i + 2));
  });

  it('is NaN when x or y is explained by the controls, is constant, or there is no degree of freedom left', () => {
    expect(partialSpearman(B_c.map((v) => v ** 3), B_y, [B_c]).r).toBeNaN();
    expect(partialSpearman(B_x, B_x.map(() => 1), [B_c]).r).toBeNaN();
    // n = 4 with 2 controls: n - k - 2 = 0 residual degrees of freedom.
    expect(partialSpearman([1, 2, 3, 4], [2, 1, 4, 3], [[1, 3, 2, 4], [4, 1, 2, 3]]).r).toBeNaN();
    expect(partialSpearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], [[1, 3, 2, 5, 4], [4, 1, 2, 5, 3]]).r).not.toBeNaN();
  });

  it('stays within [-1, 1]', () => {
    const p = partialSpearman(B_x, B_x.map((v) => 2 * v), [B_c]);
    expect(p.r).toBeLessThanOrEqual(1);
    expect(p.r).toBeCloseTo(1, 12);
  });
});

describe('fisherInterval', () => {
  it('matches a hand computation: r = 0.5, n = 30', () => {
    // z = atanh(0.5) = 0.549306, se = 1/sqrt(27) = 0.192450, 1.959964 * se = 0.377195,
    // tanh(0.172111) = 0.170431, tanh(0.926501) = 0.728959.
    const f = fisherInterval(0.5, 30);
    expect(f.se).toBeCloseTo(1 / Math.sqrt(27), 12);
    expect(f.estimate).toBe(0.5);
    expect(f.low).toBeCloseTo(0.170431, 6);
    expect(f.high).toBeCloseTo(0.728959, 6);
    expect(f.low).toBeCloseTo(FISHER_05_30_K0[0]!, 6);
    expect(f.high).toBeCloseTo(FISHER_05_30_K0[1]!, 6);
  });

  it('matches scipy (norm.ppf) with controls and another confidence', () => {
    const c = fisherInterval(PARTIAL_C, 32, 2);
    expect(c.low).toBeCloseTo(FISHER_PARTIAL_C[0]!, 6);
    expect(c.high).toBeCloseTo(FISHER_PARTIAL_C[1]!, 6);
    const neg = fisherInterval(-0.3, 20, 1, 0.9);
    expect(neg.low).toBeCloseTo(FISHER_NEG_20_K1_90[0]!, 6);
    expect(neg.high).toBeCloseTo(FISHER_NEG_20_K1_90[1]!, 6);
    expect(neg.se).toBeCloseTo(1 / 4, 12);
  });

  it('is NaN without degrees of freedom or for a non-correlation, and rejects a bad confidence', () => {
    expect(fisherInterval(0.5, 3).low).toBeNaN();
    expect(fisherInterval(0.5, 5, 2).high).toBeNaN();
    expect(fisherInterval(Number.NaN, 30).low).toBeNaN();
    expect(fisherInterval(1.2, 30).low).toBeNaN();
    expect(() => fisherInterval(0.5, 30, 0, 1)).toThrow(RangeError);
  });
});
