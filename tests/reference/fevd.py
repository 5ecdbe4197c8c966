r"""Readable loop twins of :mod:`contagion.var.fevd` (one window, plain loops).

Auditable documentation of the formulas; never on the hot path. Horizon H means MA terms h = 0..H-1
(Diebold and Yilmaz 2012). See the kernel module for the full references.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array2D, Float64Array3D

__all__ = ["cholesky_fevd", "generalized_fevd", "ma_coefficients"]


def ma_coefficients(coefs: Float64Array3D, horizon: int) -> Float64Array3D:
    r"""MA coefficients of one VAR: A_0 = I, A_h = sum_{l=1}^{min(h,p)} Phi_l A_{h-l} (Lütkepohl eq. 2.1.22)."""
    n_lags, n_vars, _ = coefs.shape
    ma = np.zeros((horizon, n_vars, n_vars))
    ma[0] = np.eye(n_vars)
    for h in range(1, horizon):
        for lag in range(1, min(h, n_lags) + 1):
            ma[h] = ma[h] + coefs[lag - 1] @ ma[h - lag]
    return ma


def cholesky_fevd(ma: Float64Array3D, sigma: Float64Array2D) -> Float64Array2D:
    """Cholesky FEVD of one VAR: theta_ij = sum_h (e_i' A_h P e_j)^2 / sum_h e_i' A_h Sigma A_h' e_i."""
    horizon, n_vars, _ = ma.shape
    chol = np.linalg.cholesky(sigma)
    theta = np.zeros((n_vars, n_vars))
    for i in range(n_vars):
        denominator = 0.0
        for h in range(horizon):
            denominator += float(ma[h, i, :] @ sigma @ ma[h, i, :])
        for j in range(n_vars):
            numerator = 0.0
            for h in range(horizon):
                numerator += float(ma[h, i, :] @ chol[:, j]) ** 2
            theta[i, j] = numerator / denominator
    return theta


def generalized_fevd(ma: Float64Array3D, sigma: Float64Array2D) -> Float64Array2D:
    """Generalized FEVD of one VAR (Pesaran-Shin 1998; DY2012 eqs. 2-3), then row-normalised.

    theta_ij = sigma_jj^{-1} sum_h (e_i' A_h Sigma e_j)^2 / sum_h e_i' A_h Sigma A_h' e_i.
    """
    horizon, n_vars, _ = ma.shape
    theta = np.zeros((n_vars, n_vars))
    for i in range(n_vars):
        denominator = 0.0
        for h in range(horizon):
            denominator += float(ma[h, i, :] @ sigma @ ma[h, i, :])
        for j in range(n_vars):
            numerator = 0.0
            for h in range(horizon):
                numerator += float(ma[h, i, :] @ sigma[:, j]) ** 2
            theta[i, j] = numerator / sigma[j, j] / denominator
    # DY2012 eq. 3: normalise each row to sum to one
    for i in range(n_vars):
        theta[i, :] = theta[i, :] / theta[i, :].sum()
    return theta
