"""Readable loop twins of :mod:`contagion.spillover._kernels` (one window at a time).

Auditable documentation; never on the hot path. Each rolling window is fitted on its own rows with a plain
least-squares solve, exactly as ConnectednessApproach loops over ``VAR(x[i:(i + window.size - 1), ])``.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array, IntArray

__all__ = ["rolling_var_ols", "spillover_measures"]


def rolling_var_ols(
    y: Float64Array, n_lags: int, window: int, starts: IntArray
) -> tuple[Float64Array, Float64Array]:
    """One OLS VAR(p) with intercept per window of ``window`` data rows (p of them pre-sample lags)."""
    n_vars = y.shape[1]
    coefs = np.zeros((len(starts), n_lags, n_vars, n_vars))
    sigma = np.zeros((len(starts), n_vars, n_vars))
    for w, start in enumerate(starts):
        rows = y[start : start + window]
        response = rows[n_lags:]
        design_columns = [np.ones(window - n_lags)]
        for lag in range(1, n_lags + 1):
            for j in range(n_vars):
                design_columns.append(rows[n_lags - lag : window - lag, j])
        design = np.column_stack(design_columns)
        beta = np.linalg.lstsq(design, response, rcond=None)[0]
        resid = response - design @ beta
        sigma[w] = resid.T @ resid / (window - n_lags)
        for lag in range(1, n_lags + 1):
            for i in range(n_vars):
                for j in range(n_vars):
                    coefs[w, lag - 1, i, j] = beta[1 + (lag - 1) * n_vars + j, i]
    return coefs, sigma


def spillover_measures(table: Float64Array) -> dict[str, Float64Array]:
    """Spillover measures of one percent table (rows receive), written as DY2012 define them."""
    n_vars = table.shape[0]
    from_ = np.zeros(n_vars)
    to = np.zeros(n_vars)
    pairwise = np.zeros((n_vars, n_vars))
    for i in range(n_vars):
        for j in range(n_vars):
            if i != j:
                from_[i] += table[i, j]  # i receives from j
                to[j] += table[i, j]  # j transmits to i
                pairwise[i, j] = table[j, i] - table[i, j]  # net from i to j
    total = from_.sum() / n_vars
    return {
        "from": from_,
        "to": to,
        "net": to - from_,
        "total": np.asarray(total),
        "corrected_total": np.asarray(total * n_vars / (n_vars - 1)),
        "pairwise_net": pairwise,
        "npt": np.array([float(np.sum(pairwise[i] > 0)) for i in range(n_vars)]),
    }
