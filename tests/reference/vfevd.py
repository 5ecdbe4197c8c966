r"""Readable loop twin of :mod:`contagion.dcc._vfevd_kernels`: ConnectednessApproach 1.0.4 ``R/VFEVD.R``
translated line by line, one date and one matrix product at a time (auditable documentation; never on the
hot path). ``tests/dcc/test_dcc_connectedness_kernels.py`` checks the batched kernel against it.

R's variable names are kept: ``e`` the shock matrix (identity: a unit innovation in every asset; zero for
the unshocked path), ``alpha``/``beta`` the diagonal GARCH matrices, ``ALPHA``/``BETA`` the DCC a and b,
``H_hat``/``Q_hat`` the forecasts of steps 0..nfore.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array


def forecast_path(
    h_t: Float64Array, q_bar: Float64Array, alpha_vec: Float64Array, beta_vec: Float64Array,
    a_dcc: float, b_dcc: float, nfore: int, shocked: bool,
) -> Float64Array:
    """H_hat[0..nfore] of one date, as the R loop (``for (j in 1:nfore)``) computes it; shape (nfore+1, k, k)."""
    k = h_t.shape[0]
    e = np.eye(k) if shocked else np.zeros((k, k))
    beta = np.diag(beta_vec)
    alpha = np.zeros((nfore, k, k))
    alpha[0] = np.diag(alpha_vec)  # the ARCH term enters the first step only
    h_hat = np.zeros((nfore + 1, k, k))
    q_hat = np.zeros((nfore + 1, k, k))
    h_hat[0] = h_t
    for j in range(nfore):  # R's j = 1..nfore is j + 1 here
        h_hat[j + 1] = alpha[j] @ (e * e) + beta @ h_hat[j]  # R: alpha %*% e^2 (elementwise square)
        d = np.diag(np.diag(h_hat[j + 1]) ** 0.5)
        u = d @ e
        if j == 0:
            q_hat[1] = (1 - a_dcc - b_dcc) * q_bar + a_dcc * (u.T @ u) + b_dcc * h_hat[0]  # R: BETA * H.hat[,,1]
        else:
            q_hat[j + 1] = (1 - a_dcc - b_dcc) * q_bar + (a_dcc + b_dcc) * q_hat[j]
        inv_sd = np.diag(1.0 / np.diag(q_hat[j + 1]) ** 0.5)
        r_hat = inv_sd @ q_hat[j + 1] @ inv_sd
        h_hat[j + 1] = d @ r_hat @ d
    return h_hat


def vfevd_table(
    h_t: Float64Array, q_bar: Float64Array, alpha_vec: Float64Array, beta_vec: Float64Array,
    a_dcc: float, b_dcc: float, nfore: int, standardize: bool,
) -> Float64Array:
    """One date's VFEVD table (fractions, rows sum to 1): ``VFEVD(fit, nfore, standardize)$FEVD[, , i]``."""
    shock = forecast_path(h_t, q_bar, alpha_vec, beta_vec, a_dcc, b_dcc, nfore, True)
    no_shock = (forecast_path(h_t, q_bar, alpha_vec, beta_vec, a_dcc, b_dcc, nfore, False) if standardize
                else np.zeros_like(shock))
    virf = shock - no_shock
    k = h_t.shape[0]
    num = np.zeros((k, k))
    for step in range(nfore + 1):  # R: apply(VIRF[, , i, ]^2, 1:2, sum)
        for r in range(k):
            for c in range(k):
                num[r, c] += virf[step, r, c] ** 2
    den = num.sum(axis=1)
    fevd = np.empty((k, k))
    for r in range(k):  # R: t(num) / den divides row r of t(num) by den[r]
        for c in range(k):
            fevd[r, c] = num[c, r] / den[r]
    return fevd / fevd.sum(axis=1, keepdims=True)


def vfevd_tables(
    cov: Float64Array, q_bar: Float64Array, alpha_vec: Float64Array, beta_vec: Float64Array,
    a_dcc: float, b_dcc: float, nfore: int, standardize: bool,
) -> Float64Array:
    """All dates (``for (i in 1:t)``): (n_dates, k, k)."""
    return np.stack([vfevd_table(cov[i], q_bar, alpha_vec, beta_vec, a_dcc, b_dcc, nfore, standardize)
                     for i in range(cov.shape[0])])
