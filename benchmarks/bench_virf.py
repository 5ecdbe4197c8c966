"""Volatility impulse responses: simulation cost of ``contagion.dcc.virf.virf`` on hand-made DCC states.

The target is reps=2000, N=30, horizon=30 "well under a few seconds". The loop twin
(``tests.reference.virf``) is timed on a small case for scale only; no peer package computes
DCC VIRFs (docs/conventions.md, 'Volatility impulse responses').
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contagion.dcc import _virf_kernels as kernels
from contagion.dcc.state import DCCState
from contagion.dcc.virf import virf
from tests.reference import virf as reference


def _state(n: int, model: str = "dcc", nu: float | None = None, seed: int = 0) -> DCCState:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)) * 0.4
    s = a @ a.T + np.eye(n)
    d = 1.0 / np.sqrt(np.diag(s))
    qbar = s * np.outer(d, d)
    z = rng.multivariate_normal(np.zeros(n), qbar, size=2000)
    neg = np.minimum(z, 0.0)
    nbar = neg.T @ neg / len(z)
    # aDCC: g at half the stationarity bound (1 - a - b) / delta, delta = max eig Qbar^-1/2 Nbar Qbar^-1/2
    inv_root = np.linalg.inv(np.linalg.cholesky(qbar))
    delta = float(np.linalg.eigvalsh(inv_root @ nbar @ inv_root.T)[-1])
    g = 0.5 * 0.03 / delta if model == "adcc" else 0.0
    return DCCState(
        names=tuple(f"A{i}" for i in range(n)), date=pd.Timestamp("2025-01-27"), volatility="gjr",
        model=model, mu=np.zeros(n), omega=rng.uniform(0.02, 0.1, n), alpha=rng.uniform(0.03, 0.08, n),
        gamma=rng.uniform(0.0, 0.05, n), beta=rng.uniform(0.85, 0.9, n), h=rng.uniform(0.5, 3.0, n),
        Q=0.9 * qbar + 0.1 * np.eye(n), Qbar=qbar, Nbar=nbar, a=0.04, b=0.93, g=g, nu=nu,
    )


def _case(n: int, reps: int, horizon: int, model: str = "dcc", nu: float | None = None) -> Any:
    def setup() -> DCCState:
        return _state(n, model, nu)

    def run(state: DCCState) -> None:
        virf(state, state.names[0], horizon=horizon, reps=reps, seed=1)

    return setup, run


def _twin_params() -> kernels.VIRFParams:
    state = _state(3)
    c = (1 - state.a - state.b) * state.Qbar
    return kernels.VIRFParams(omega=state.omega, alpha=state.alpha, gamma=state.gamma, beta=state.beta,
                              h0=state.h, Q0=state.Q, intercept=c, a=state.a, b=state.b, g=0.0,
                              volatility="gjr")


def _twin_setup() -> dict[str, Any]:
    h = _state(3).h
    draws = kernels.standardized_draws(np.random.default_rng(0), n_batches=20, n_pairs=5, horizon=10,
                                       n_assets=3, nu=None, asymmetric=False)
    return {"eps_shock": np.ones((1, 3)), "eps_base": draws.u0 * np.sqrt(h), "draws": draws, "n_batches": 20}


def _twin_case() -> Any:
    params = _twin_params()
    return _twin_setup, lambda kw: reference.virf_batch_means(params, **kw)


def _kernel_twin_size() -> Any:
    params = _twin_params()
    return _twin_setup, lambda kw: kernels.virf_batch_means(params, **kw)


CASES = [
    ("virf_N5_H30_reps2000", *_case(5, 2000, 30)),
    ("virf_N30_H30_reps2000", *_case(30, 2000, 30)),
    ("virf_N30_H30_reps2000_adcc_t", *_case(30, 2000, 30, "adcc", 6.0)),
    ("virf_N30_H100_reps2000", *_case(30, 2000, 100)),
    ("virf_N100_H30_reps2000", *_case(100, 2000, 30)),
    ("kernel_N3_H10_reps200", *_kernel_twin_size()),
    ("loop_twin_N3_H10_reps200", *_twin_case()),
]

QUICK_CASES = [
    ("virf_N5_H10_reps200", *_case(5, 200, 10)),
    ("kernel_N3_H10_reps200", *_kernel_twin_size()),
]
