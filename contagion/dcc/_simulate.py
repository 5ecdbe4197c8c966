r"""Simulation of a GARCH(1,1)-DCC/aDCC process from given parameters (pure numpy, no pandas).

:class:`DCCProcess` holds the parameters; :func:`simulate_path` draws one path from it. The user-facing entry
point is :func:`contagion.dcc.model.simulate_dcc`, which keeps its keywords and builds the process.

.. math::

    h_t = \omega + \alpha \varepsilon_{t-1}^2 + \beta h_{t-1}, \qquad
    Q_t = (1-a-b)\bar Q - g\bar N + a z_{t-1}z_{t-1}' + g n_{t-1}n_{t-1}' + b Q_{t-1}

(Bollerslev 1986, eq. 2; Engle 2002, eq. 26-27; Cappiello, Engle & Sheppard 2006, eq. 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D

__all__ = ["DCCProcess", "simulate_path"]


@dataclass(frozen=True, kw_only=True)
class DCCProcess:
    """Parameters of a GARCH(1,1)-DCC/aDCC process with N assets.

    ``omega``, ``alpha``, ``beta`` and ``mu`` have shape (N,) (``mu`` None: zero means); ``qbar`` is the
    (N, N) correlation target; ``g`` is the aDCC asymmetry (0 for DCC); ``nu`` the degrees of freedom of a
    standardized multivariate Student-t (None: Gaussian).
    """

    omega: Float64Array1D
    alpha: Float64Array1D
    beta: Float64Array1D
    a: float
    b: float
    qbar: Float64Array2D
    mu: Float64Array1D | None = None
    g: float = 0.0
    nu: float | None = None


def simulate_path(process: DCCProcess, n_obs: int, *, burn: int, rng: np.random.Generator) -> Float64Array2D:
    """Returns of shape (n_obs, N) after ``burn`` discarded steps, drawn from ``rng``.

    :math:`\\bar N` for aDCC is its Gaussian value ``E[n n']``, approximated by 200,000 draws.
    """
    p = process
    n = p.qbar.shape[0]
    mu_ = np.zeros(n) if p.mu is None else p.mu
    total = n_obs + burn
    if p.g != 0.0:
        sims = rng.multivariate_normal(np.zeros(n), p.qbar, size=200_000)
        ns = np.minimum(sims, 0.0)
        nbar = ns.T @ ns / ns.shape[0]
    else:
        nbar = np.zeros((n, n))
    q = p.qbar.copy()
    h = p.omega / (1.0 - p.alpha - p.beta)
    out = np.empty((total, n))
    z_prev = np.zeros(n)
    for t in range(total):  # simulation is inherently sequential
        if t > 0:
            n_prev = np.minimum(z_prev, 0.0)
            q = ((1 - p.a - p.b) * p.qbar - p.g * nbar + p.a * np.outer(z_prev, z_prev)
                 + p.g * np.outer(n_prev, n_prev) + p.b * q)
        d = np.sqrt(np.diag(q))
        r = q / np.outer(d, d)
        chol = np.linalg.cholesky(r)
        e = chol @ rng.standard_normal(n)
        if p.nu is not None:
            e *= np.sqrt((p.nu - 2.0) / rng.chisquare(p.nu))
        eps = np.sqrt(h) * e
        out[t] = mu_ + eps
        z_prev = e
        h = p.omega + p.alpha * eps * eps + p.beta * h
    return out[burn:]
