"""Readable loop twins of :mod:`contagion.dcc._virf_kernels` (documentation and test oracle only).

One statement per line of each equation, explicit loops over replications, dates, assets and pairs. Never on
the hot path: ``tests/dcc/test_virf_kernels.py`` checks that the batched kernel returns the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D, Float64Array4D
from contagion.dcc._virf_kernels import Draws, VIRFParams

__all__ = ["simulate_path", "virf_batch_means"]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _variance_next(h: float, eps: float, omega: float, alpha: float, gamma: float, beta: float,
                   volatility: str) -> float:
    if volatility == "egarch":
        # Nelson (1991), arch's parametrisation: ln h' = omega + alpha(|e| - sqrt(2/pi)) + gamma e + beta ln h
        e = eps / math.sqrt(h)
        return math.exp(omega + alpha * (abs(e) - SQRT_2_OVER_PI) + gamma * e + beta * math.log(h))
    # GJR (1993) eq. 2; gamma = 0 gives GARCH(1,1) (Bollerslev 1986)
    indicator = 1.0 if eps < 0.0 else 0.0
    return omega + alpha * eps**2 + gamma * indicator * eps**2 + beta * h


def _sym_sqrt(S: Float64Array2D) -> Float64Array2D:
    vals, vecs = np.linalg.eigh(0.5 * (S + S.T))
    root: Float64Array2D = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    return root


def simulate_path(
    params: VIRFParams,
    *,
    eps0: Float64Array1D,
    w: Float64Array2D,
    eta: Float64Array2D,
    eta_n: Float64Array2D,
    mix: Float64Array1D,
) -> tuple[Float64Array2D, Float64Array3D]:
    """One DCC-GARCH path from the shock date: ``eps0`` at t, then draws at t + k (k = 1..H-1).

    ``w`` (H-1, N), ``eta`` and ``eta_n`` (H-1, H-1) and ``mix`` (H-1,) are this replication's slices of
    :class:`~contagion.dcc._virf_kernels.Draws`. The innovation at step k is
    ``e_k = mix * (S_k^{1/2} w + sum_m sqrt(a b^(k-1-m)) eta[m] e_m + sqrt(g b^(k-1-m)) eta_n[m] n_m)
    / sqrt(diag Q_k)``, a draw from N(0, R_k) (see the kernel module docstring). Returns ``h`` of shape
    (H, N) and ``R`` of shape (H, N, N) for t+1 .. t+H.
    """
    omega, alpha, gamma, beta, volatility = params.omega, params.alpha, params.gamma, params.beta, params.volatility
    h0, Q0, intercept, a, b, g = params.h0, params.Q0, params.intercept, params.a, params.b, params.g
    n = len(h0)
    horizon = w.shape[0] + 1
    h = np.array(h0, dtype=float)
    Q = np.array(Q0, dtype=float)
    S = np.array(Q0, dtype=float)  # news-free part of Q_k: S_k = C + b S_{k-1}, S_0 = Q_0
    e_hist: list[Float64Array1D] = []
    n_hist: list[Float64Array1D] = []
    h_path = np.empty((horizon, n))
    R_path = np.empty((horizon, n, n))
    for k in range(horizon):
        eps = np.empty(n)
        e = np.empty(n)
        if k == 0:
            for i in range(n):
                eps[i] = eps0[i]
                e[i] = eps[i] / math.sqrt(h[i])
        else:
            S = intercept + b * S
            root = _sym_sqrt(S)
            for i in range(n):
                x = 0.0
                for j in range(n):
                    x += root[i, j] * w[k - 1, j]
                for m in range(k):
                    x += math.sqrt(a * b ** (k - 1 - m)) * eta[k - 1, m] * e_hist[m][i]
                    if g != 0.0:
                        x += math.sqrt(g * b ** (k - 1 - m)) * eta_n[k - 1, m] * n_hist[m][i]
                e[i] = x * mix[k - 1] / math.sqrt(Q[i, i])
                eps[i] = math.sqrt(h[i]) * e[i]
        e_hist.append(e)
        n_hist.append(np.minimum(e, 0.0))
        h_next = np.empty(n)
        for i in range(n):
            h_next[i] = _variance_next(h[i], eps[i], omega[i], alpha[i], gamma[i], beta[i], volatility)
        Q_next = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                # Engle (2002) eq. 26 / Cappiello-Engle-Sheppard (2006) eq. 6, intercept = (1-a-b)Qbar - g Nbar
                n_i = min(e[i], 0.0)
                n_j = min(e[j], 0.0)
                Q_next[i, j] = intercept[i, j] + a * e[i] * e[j] + g * n_i * n_j + b * Q[i, j]
        R = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                R[i, j] = Q_next[i, j] / math.sqrt(Q_next[i, i] * Q_next[j, j])  # Engle (2002) eq. 23
        h = h_next
        Q = Q_next
        h_path[k] = h
        R_path[k] = R
    return h_path, R_path


def _responses(h: Float64Array1D, R: Float64Array2D) -> list[float]:
    n = len(h)
    variances = [h[i] for i in range(n)]
    covariances = []
    correlations = []
    for i in range(n):
        for j in range(i + 1, n):
            covariances.append(math.sqrt(h[i]) * math.sqrt(h[j]) * R[i, j])
            correlations.append(R[i, j])
    return variances + covariances + correlations


def virf_batch_means(
    params: VIRFParams,
    *,
    eps_shock: Float64Array2D,
    eps_base: Float64Array2D,
    draws: Draws,
    n_batches: int,
) -> tuple[Float64Array4D, Float64Array2D]:
    """Loop twin of :func:`contagion.dcc._virf_kernels.virf_batch_means` (same arguments and outputs)."""
    n = len(params.h0)
    n_reps = eps_base.shape[0]
    horizon = draws.w.shape[0] + 1
    per_batch = n_reps // n_batches
    eps_shock = np.asarray(eps_shock, dtype=float)
    n_shocks = eps_shock.shape[0]
    diff = np.zeros((n_shocks, n_batches, horizon, n * n))
    base = np.zeros((horizon, n * n))
    for r in range(n_reps):
        batch = r // per_batch
        rand: dict[str, Any] = {"w": draws.w[:, r], "eta": draws.eta[:, r], "eta_n": draws.eta_n[:, r], "mix": draws.mix[:, r]}
        h_b, R_b = simulate_path(params, eps0=eps_base[r], **rand)
        base_resp = [_responses(h_b[k], R_b[k]) for k in range(horizon)]
        for k in range(horizon):
            base[k] += np.asarray(base_resp[k]) / n_reps
        for s in range(n_shocks):
            eps0 = eps_shock[s] if eps_shock.ndim == 2 else eps_shock[s, r]
            h_s, R_s = simulate_path(params, eps0=eps0, **rand)
            for k in range(horizon):
                shocked = _responses(h_s[k], R_s[k])
                for m in range(n * n):
                    diff[s, batch, k, m] += (shocked[m] - base_resp[k][m]) / per_batch
    return diff, base
