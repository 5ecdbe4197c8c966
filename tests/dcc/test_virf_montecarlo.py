"""End-to-end Monte Carlo check of the VIRF simulation scheme against a brute-force simulator.

The kernel draws e_k ~ N(0, R_k) through the unrolled DCC recursion and pairs paths with common random numbers;
the loop twin shares that representation. This test uses neither: independent paths, a Cholesky factor of R_k
per path and fresh normals, then compares E[vech H_{t+h} | shock] and E[vech H_{t+h} | baseline] with what
virf() implies (baseline level, and baseline level + VIRF). Agreement within about 4.5 Monte Carlo standard
errors of the difference (STYLE.md tolerance for Monte Carlo quantities).
"""

from __future__ import annotations

import numpy as np
import pytest

from contagion.dcc.state import DCCState
from contagion.dcc.virf import virf
from tests.dcc.test_virf_kernels import make_state


def brute_force(state: DCCState, eps0: np.ndarray | None, horizon: int, reps: int,
                rng: np.random.Generator) -> np.ndarray:
    """Responses (reps, horizon, N*N) of independent paths; eps0 None draws the shock-date innovation."""
    n = len(state.names)
    a, b, g = state.a, state.b, state.g
    c = (1 - a - b) * state.Qbar - g * state.Nbar
    h = np.tile(state.h, (reps, 1))
    Q = np.tile(state.Q, (reps, 1, 1))
    iu, ju = np.triu_indices(n, 1)
    out = np.empty((reps, horizon, n * n))
    for k in range(horizon):
        d = 1 / np.sqrt(np.einsum("rii->ri", Q))
        R = Q * d[:, :, None] * d[:, None, :]
        if k == 0 and eps0 is not None:
            eps = np.tile(eps0, (reps, 1))
        else:
            z = np.einsum("rij,rj->ri", np.linalg.cholesky(R), rng.standard_normal((reps, n)))
            if state.nu is not None:
                z *= np.sqrt((state.nu - 2) / rng.chisquare(state.nu, size=(reps, 1)))
            eps = np.sqrt(h) * z
        e = eps / np.sqrt(h)
        neg = np.minimum(e, 0)
        if state.volatility == "egarch":
            h = np.exp(state.omega + state.alpha * (np.abs(e) - np.sqrt(2 / np.pi)) + state.gamma * e
                       + state.beta * np.log(h))
        else:
            h = state.omega + (state.alpha + state.gamma * (eps < 0)) * eps**2 + state.beta * h
        Q = c + a * e[:, :, None] * e[:, None, :] + g * neg[:, :, None] * neg[:, None, :] + b * Q
        d = 1 / np.sqrt(np.einsum("rii->ri", Q))
        R = Q * d[:, :, None] * d[:, None, :]
        sd = np.sqrt(h)
        out[:, k] = np.concatenate([h, R[:, iu, ju] * sd[:, iu] * sd[:, ju], R[:, iu, ju]], axis=1)
    return out


@pytest.mark.parametrize(("volatility", "model", "nu"), [("garch", "dcc", None), ("gjr", "adcc", 6.0),
                                                         ("egarch", "dcc", None)])
def test_virf_matches_brute_force_simulation(volatility, model, nu):
    rng = np.random.default_rng(99)
    # strong correlation dynamics so that a wrong R_k distribution would show in the correlations
    state = make_state(rng, 3, volatility=volatility, model=model, nu=nu, a=0.12, b=0.82,
                       g=0.03 if model == "adcc" else 0.0)
    horizon, reps = 6, 4000
    res = virf(state, {"X0": 3.0}, horizon=horizon, reps=reps, seed=5, baseline="expected")
    eps0 = res.impulse[0] * state.scale
    n_bf = 40_000
    shocked = brute_force(state, eps0, horizon, n_bf, rng)
    base = brute_force(state, None, horizon, n_bf, rng)
    # kernel estimates (rows 1..horizon): baseline level and shocked level = baseline + VIRF
    k_base = res.baseline_level[1:]
    k_shocked = k_base + res.estimate[0, 1:]
    for mine, brute in ((k_base, base), (k_shocked, shocked)):
        mean = brute.mean(axis=0)
        # both sides are Monte Carlo means; the kernel's variance is at most that of independent paths
        se = brute.std(axis=0) * np.sqrt(1 / n_bf + 1 / reps)
        # (h = 1 of the shocked path is deterministic: se = 0 and both sides agree to rounding)
        excess = np.abs(mine - mean) - (4.5 * se + 1e-10 * np.abs(mean))
        assert excess.max() <= 0, np.unravel_index(excess.argmax(), excess.shape)
