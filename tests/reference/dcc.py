r"""Readable loop twins of the DCC-GARCH kernels (auditable documentation; never on the hot path).

Each function states the paper's equation one line at a time; ``tests/test_dcc_kernels.py`` checks that the
vectorised kernels in :mod:`contagion.dcc._kernels` and :mod:`contagion.dcc.margins` agree with them.
"""

from __future__ import annotations

import math

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D


def garch11_filter(
    x: Float64Array1D, mu: float, omega: float, alpha: float, beta: float
) -> tuple[Float64Array1D, Float64Array1D]:
    """rugarch sGARCH(1,1): h_1 = mean((x - mu)^2); h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}
    (Bollerslev 1986, eq. 2); Gaussian log-likelihood contributions."""
    n = x.shape[0]
    e = [float(x[t]) - mu for t in range(n)]
    h = np.empty(n)
    h[0] = sum(v * v for v in e) / n  # rugarch's start: mean squared residual over the whole sample
    for t in range(1, n):
        h[t] = omega + alpha * e[t - 1] ** 2 + beta * h[t - 1]
    ll = np.empty(n)
    for t in range(n):
        ll[t] = -0.5 * (math.log(2 * math.pi) + math.log(h[t]) + e[t] ** 2 / h[t])
    return h, ll


def dcc_q_path(
    z: Float64Array2D, qbar: Float64Array2D, a: float, b: float, *, g: float = 0.0,
    nbar: Float64Array2D | None = None, pad: float = 0.0,
) -> Float64Array3D:
    """Q_t for t = 1..T (shape (T, N, N)) with Q_0 = Qbar and z_0 = pad (Engle 2002 eq. 26;
    Cappiello-Engle-Sheppard 2006 eq. 9 for g > 0)."""
    n_obs, n = z.shape
    nb = np.zeros((n, n)) if nbar is None else nbar
    out = np.empty((n_obs, n, n))
    q_prev = qbar.copy()
    z_prev = np.full(n, pad)
    for t in range(n_obs):
        n_prev = np.minimum(z_prev, 0.0)
        q_t = (1 - a - b) * qbar - g * nb + a * np.outer(z_prev, z_prev) + g * np.outer(n_prev, n_prev) + b * q_prev
        out[t] = q_t
        q_prev = q_t
        z_prev = z[t]
    return out


def correlation(q: Float64Array3D) -> Float64Array3D:
    """R_t = diag(Q_t)^{-1/2} Q_t diag(Q_t)^{-1/2} (Engle 2002, eq. 27)."""
    out = np.empty_like(q)
    for t in range(q.shape[0]):
        d = np.sqrt(np.diag(q[t]))
        out[t] = q[t] / np.outer(d, d)
    return out


def dcc_loglik(z: Float64Array2D, r: Float64Array3D, nu: float | None = None) -> Float64Array1D:
    """DCC term per observation: -0.5 (log|R_t| + z'R_t^{-1}z - z'z) for the normal; for the standardised
    multivariate t, log f_t(z_t) - log phi_N(z_t)."""
    n_obs, n = z.shape
    out = np.empty(n_obs)
    for t in range(n_obs):
        _sign, logdet = np.linalg.slogdet(r[t])
        quad = float(z[t] @ np.linalg.solve(r[t], z[t]))
        zz = float(z[t] @ z[t])
        if nu is None:
            out[t] = -0.5 * (logdet + quad - zz)
        else:
            log_f = (math.lgamma((nu + n) / 2) - math.lgamma(nu / 2) - n / 2 * math.log(math.pi * (nu - 2))
                     - 0.5 * logdet - (nu + n) / 2 * math.log(1 + quad / (nu - 2)))
            log_phi = -0.5 * (n * math.log(2 * math.pi) + zz)
            out[t] = log_f - log_phi
    return out
