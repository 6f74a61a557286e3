"""Reference values for common/stats/correlation.test.ts.

An independent implementation of the statistics in correlation.ts, on fixed data sets written out
below, so the TypeScript can be checked against scipy/numpy to 1e-6:

  - Spearman: scipy.stats.spearmanr (average ranks for ties).
  - Partial Spearman, residual method: rank every variable with scipy.stats.rankdata (average ranks),
    regress the ranks of x and of y on [1, ranks of the controls] with numpy.linalg.lstsq, and take the
    Pearson correlation of the two residual vectors.
  - Cross-check of the partial correlation by the precision-matrix formula that pingouin.partial_corr
    uses: with P = inv(corr(ranks)), r = -P_xy / sqrt(P_xx * P_yy).
  - Fisher-z interval: tanh(atanh(r) -/+ z_(1+conf)/2 / sqrt(n - k - 3)), z from scipy.stats.norm.ppf.

Run:  python3 common/stats/reference_values.py   (numpy and scipy; tested with numpy 2.4, scipy 1.17)
and paste the printed constants into correlation.test.ts.

The data were drawn once from numpy (default_rng(7); B from default_rng(16), picked so that its partial
correlation is ~0), rounded (which makes ties) and written out literally.
"""

import numpy as np
from scipy import stats

# A: 15 pairs, ties in x and in y (Spearman only).
A_x = [0, 0.3, -0.3, 1.3, -0.5, -1, 0.1, 1.3, -0.5, -0.6, 0.5, 0.4, 0.1, -0.9, 0]
A_y = [0.7, -1, -2.1, -2.8, -1.8, -2.8, -0.1, 0, -0.2, -2.1, 0.3, -2.1, -0.4, -0.9, 0.1]

# B: 24 observations, one control; x and y are both driven by c, so the partial correlation is ~0.
B_c = [-0.59, 0.63, 1.04, 1.03, 1.82, -0.39, 0.54, -0.37, -1.42, -0.7, 0.14, -0.92, -0.19, 1.12, 0.57, 0.57, 0.35, -0.18, -1.87, 0.99, -1.51, 0.22, -0.11, 0.14]
B_x = [-0.51, 0.53, 1.31, 0.64, 2.06, -0.9, 0.9, -0.52, -1.31, -0.25, -0.51, -1.01, -0.02, 1.39, 0.98, 0.75, 0.5, -0.15, -1.79, 1.01, -1.21, 0.27, 0.09, 0.62]
B_y = [-0.24, 0.53, 1.01, 1.25, 1.63, -0.94, 0.24, -0.21, -1.48, -0.81, 0.36, -1.24, 0.49, 1.13, 0.47, 1.18, 0.02, -0.33, -1.9, 0.7, -1.61, 0.39, -0.06, 0.13]

# C: 32 observations, two controls (c2 an integer "tail count", many ties); y depends on x directly,
# so the partial correlation stays high.
C_c1 = [0.16, 2.24, -0.83, -0.62, 0.21, 0.49, -0.18, -0.21, 0.7, 0.52, -1.03, -0.08, 0.04, -1.05, 0.26, -0.86, 0.97, 0.19, 0.09, -0.59, -0.12, -2, -1.13, 0.36, -2.13, 0.85, -1.75, 0.76, -0.85, 0.78, 0.13, -1.54]
C_c2 = [1, 2, 1, 5, 0, 3, 5, 3, 5, 5, 4, 4, 3, 3, 4, 2, 5, 5, 2, 2, 4, 5, 0, 0, 1, 2, 0, 3, 3, 5, 4, 1]
C_x = [-0.61, 0.79, -0.98, -0.3, -0.27, -0.05, -1.47, -0.91, 2, -0.41, -1.57, 0.3, 1.43, -1.98, -0.08, -1.06, -1.28, 0.83, 0.02, -0.22, -0.81, -0.55, -1.1, 0.04, -2.17, -0.79, 0.46, -0.13, -0.13, 0.36, -0.38, -1.28]
C_y = [-0.11, 1.74, -1.09, 0.52, 0.26, 0.97, -0.37, -0.6, 2.66, 1.13, -0.69, 1.02, 2.26, -1.38, 1.13, -0.55, -0.17, 2.49, -0.05, 0.35, 0.15, 0.2, -0.69, 0.74, -3.07, -0.81, 0.26, 0.29, 0.21, 1.93, -0.2, -2.39]

# D: 40 observations, two controls, heavy ties everywhere (integers and one-decimal values).
D_c1 = [4, 7, 3, 1, 8, 7, 7, 8, 4, 1, 5, 5, 3, 6, 2, 6, 7, 0, 4, 6, 0, 6, 9, 8, 6, 8, 3, 3, 0, 7, 3, 8, 4, 8, 1, 1, 3, 0, 4, 6]
D_c2 = [2, -1.4, 0.9, -0.1, 0, -1.4, -0.5, 0.7, -0.1, 0.1, -0.3, 1.2, 0, -2.2, -0.7, -2, -3.3, -0.5, 1.3, 0, -1.2, -0.9, 1.1, 0.2, 0, -0.1, 0, 0.8, 0.6, 0.2, -1, 0.5, -0.7, 1.1, -1.3, -0.1, 0, -1.3, 1.7, 1.5]
D_x = [8, 5, 5, -2, 8, 4, 6, 8, 4, 1, 6, 8, 3, 3, 0, 2, -1, 1, 8, 7, -2, 4, 11, 8, 6, 8, 5, 5, 1, 7, 0, 11, 3, 10, -2, 0, 3, -2, 7, 9]
D_y = [4, 12, 3, 2, 12, 12, 12, 13, 7, 1, 6, 7, 3, 10, 5, 12, 14, -1, 4, 8, 2, 12, 13, 11, 8, 12, 4, 3, 0, 9, 7, 13, 8, 10, 3, 1, 4, 1, 3, 6]


def residuals(target, controls):
    """Residuals of rank(target) after OLS on [1, rank(c) for c in controls]."""
    r = stats.rankdata(target)
    design = np.column_stack([np.ones(len(target))] + [stats.rankdata(c) for c in controls])
    beta, *_ = np.linalg.lstsq(design, r, rcond=None)
    return r - design @ beta


def partial_spearman(x, y, controls):
    ex, ey = residuals(x, controls), residuals(y, controls)
    return float(np.corrcoef(ex, ey)[0, 1]), ex, ey


def partial_by_precision(x, y, controls):
    ranks = np.column_stack([stats.rankdata(v) for v in [x, y, *controls]])
    p = np.linalg.inv(np.corrcoef(ranks, rowvar=False))
    return float(-p[0, 1] / np.sqrt(p[0, 0] * p[1, 1]))


def fisher(r, n, k=0, confidence=0.95):
    z, se = np.arctanh(r), 1 / np.sqrt(n - k - 3)
    q = stats.norm.ppf((1 + confidence) / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))


def show(name, value):
    if isinstance(value, tuple):
        value = list(value)
    print(f"const {name} = {value!r};")


def main():
    show("SPEARMAN_A", float(stats.spearmanr(A_x, A_y).statistic))
    show("SPEARMAN_B_XY", float(stats.spearmanr(B_x, B_y).statistic))
    show("SPEARMAN_C_XY", float(stats.spearmanr(C_x, C_y).statistic))
    show("SPEARMAN_D_XY", float(stats.spearmanr(D_x, D_y).statistic))

    cases = {
        "B": (B_x, B_y, [B_c]),
        "C1": (C_x, C_y, [C_c1]),
        "C": (C_x, C_y, [C_c1, C_c2]),
        "D": (D_x, D_y, [D_c1, D_c2]),
    }
    for name, (x, y, controls) in cases.items():
        r, ex, ey = partial_spearman(x, y, controls)
        check = partial_by_precision(x, y, controls)
        assert abs(r - check) < 1e-12, (name, r, check)
        show(f"PARTIAL_{name}", r)
        if name == "C":
            show("RESIDUALS_C_X", [round(float(v), 10) for v in ex])
            show("RESIDUALS_C_Y", [round(float(v), 10) for v in ey])

    # A collinear pair of controls (c and 2c + 1 have the same ranks): lstsq projects onto the same
    # space as c alone, so the result equals PARTIAL_B.
    r, _, _ = partial_spearman(B_x, B_y, [B_c, [2 * v + 1 for v in B_c]])
    assert abs(r - partial_spearman(B_x, B_y, [B_c])[0]) < 1e-12
    show("PARTIAL_B_COLLINEAR", r)

    show("FISHER_05_30_K0", fisher(0.5, 30))
    show("FISHER_PARTIAL_C", fisher(partial_spearman(C_x, C_y, [C_c1, C_c2])[0], len(C_x), 2))
    show("FISHER_NEG_20_K1_90", fisher(-0.3, 20, 1, 0.9))


if __name__ == "__main__":
    main()
