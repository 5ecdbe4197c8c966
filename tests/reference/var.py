r"""Readable loop twins of :mod:`contagion.var._kernels` (one sample or one draw at a time).

Auditable documentation of the formulas, one statement per line of the textbook equation; never on the
hot path. Tests check that every batched kernel equals its twin (``tests/test_var_kernels.py``).
References as in the kernel module (Lütkepohl 2005; Pesaran and Shin 1998; Kilian 1998).
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D

__all__ = [
    "irf_generalized",
    "irf_orthogonal",
    "kilian_correct",
    "ma_coefficients",
    "ols_var",
    "simulate_var",
]


def ols_var(
    y: Float64Array2D, n_lags: int, trend: str = "c"
) -> tuple[Float64Array3D, Float64Array1D, Float64Array2D]:
    """OLS of each equation i of a VAR(p) on (1, y_{t-1}', ..., y_{t-p}') (Lütkepohl 2005, eq. 3.2.10)."""
    t_total, n_vars = y.shape
    rows = []
    for t in range(n_lags, t_total):
        regressors = [1.0] if trend == "c" else []
        for lag in range(1, n_lags + 1):
            regressors.extend(y[t - lag])
        rows.append(regressors)
    z = np.array(rows)
    coefs = np.zeros((n_lags, n_vars, n_vars))
    intercept = np.zeros(n_vars)
    resid = np.zeros((t_total - n_lags, n_vars))
    c = 1 if trend == "c" else 0
    for i in range(n_vars):
        beta = np.linalg.lstsq(z, y[n_lags:, i], rcond=None)[0]
        if c:
            intercept[i] = beta[0]
        for lag in range(1, n_lags + 1):
            for j in range(n_vars):
                coefs[lag - 1, i, j] = beta[c + (lag - 1) * n_vars + j]
        resid[:, i] = y[n_lags:, i] - z @ beta
    return coefs, intercept, resid


def ma_coefficients(coefs: Float64Array3D, n_terms: int) -> Float64Array3D:
    """A_0 = I, A_h = sum_{l=1}^{min(h,p)} Phi_l A_{h-l} (Lütkepohl 2005, eq. 2.1.22)."""
    n_lags, n_vars, _ = coefs.shape
    ma = np.zeros((n_terms, n_vars, n_vars))
    ma[0] = np.eye(n_vars)
    for h in range(1, n_terms):
        for lag in range(1, min(h, n_lags) + 1):
            ma[h] += coefs[lag - 1] @ ma[h - lag]
    return ma


def irf_orthogonal(coefs: Float64Array3D, sigma: Float64Array2D, horizon: int) -> Float64Array3D:
    """Theta_h = A_h P, P lower Cholesky of Sigma, h = 0..horizon (Lütkepohl 2005, eq. 2.3.27)."""
    ma = ma_coefficients(coefs, horizon + 1)
    p_chol = np.linalg.cholesky(sigma)
    out = np.zeros_like(ma)
    for h in range(horizon + 1):
        for i in range(sigma.shape[0]):
            for j in range(sigma.shape[0]):
                out[h, i, j] = ma[h, i, :] @ p_chol[:, j]
    return out


def irf_generalized(coefs: Float64Array3D, sigma: Float64Array2D, horizon: int) -> Float64Array3D:
    """psi_j(h) = sigma_jj^{-1/2} A_h Sigma e_j, h = 0..horizon (Pesaran and Shin 1998, eq. 10)."""
    ma = ma_coefficients(coefs, horizon + 1)
    n_vars = sigma.shape[0]
    out = np.zeros_like(ma)
    for h in range(horizon + 1):
        for j in range(n_vars):
            e_j = np.zeros(n_vars)
            e_j[j] = 1.0
            out[h, :, j] = ma[h] @ sigma @ e_j / np.sqrt(sigma[j, j])
    return out


def simulate_var(
    coefs: Float64Array3D, intercept: Float64Array1D, init: Float64Array2D, innovations: Float64Array2D
) -> Float64Array2D:
    """One recursive-design path y_t = nu + sum_l Phi_l y_{t-l} + u_t from the first p observed rows."""
    n_lags = coefs.shape[0]
    n, n_vars = innovations.shape
    y = np.zeros((n_lags + n, n_vars))
    y[:n_lags] = init
    for t in range(n_lags, n_lags + n):
        y[t] = intercept + innovations[t - n_lags]
        for lag in range(1, n_lags + 1):
            y[t] += coefs[lag - 1] @ y[t - lag]
    return y


def kilian_correct(
    coefs: Float64Array3D, bias: Float64Array3D, step: float = 0.01
) -> tuple[Float64Array3D, float]:
    """Kilian (1998) step 2: A~ = A^ - delta Psi^, delta = 1, 0.99, ..., until A~ is stationary."""

    def stable(a: Float64Array3D) -> bool:
        n_lags, n_vars, _ = a.shape
        comp = np.zeros((n_lags * n_vars, n_lags * n_vars))
        for lag in range(n_lags):
            comp[:n_vars, lag * n_vars : (lag + 1) * n_vars] = a[lag]
        for r in range(n_vars, n_lags * n_vars):
            comp[r, r - n_vars] = 1.0
        return bool(np.max(np.abs(np.linalg.eigvals(comp))) < 1.0)

    if not stable(coefs):
        return coefs.copy(), float("nan")
    delta = 1.0
    for i in range(round(1.0 / step) + 1):
        delta = max(1.0 - i * step, 0.0)
        corrected = coefs - delta * bias
        if delta == 0.0 or stable(corrected):
            return corrected, delta
    return coefs.copy(), 0.0
