"""VIRF simulation kernel: batched kernel == loop twin, properties of the random numbers, exact placebo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion.dcc import _virf_kernels as kernels
from contagion.dcc.state import DCCState
from tests.reference import virf as reference


def random_correlation(rng: np.random.Generator, n: int, strength: float = 0.5) -> np.ndarray:
    a = rng.standard_normal((n, n)) * strength
    s = a @ a.T + np.eye(n)
    d = 1.0 / np.sqrt(np.diag(s))
    return s * np.outer(d, d)


def make_state(
    rng: np.random.Generator,
    n: int,
    *,
    volatility: str = "garch",
    model: str = "dcc",
    nu: float | None = None,
    a: float = 0.04,
    b: float = 0.93,
    g: float = 0.0,
    qbar: np.ndarray | None = None,
    q0: np.ndarray | None = None,
    scale: float = 1.0,
    mu: np.ndarray | None = None,
) -> DCCState:
    """A plausible DCC-GARCH state built by hand (percent-scale returns, daily persistence)."""
    qbar = random_correlation(rng, n) if qbar is None else qbar
    q0 = 0.8 * qbar + 0.2 * random_correlation(rng, n) if q0 is None else q0
    z = rng.multivariate_normal(np.zeros(n), qbar, size=4000)
    neg = np.minimum(z, 0.0)
    nbar = neg.T @ neg / len(z)
    if volatility == "egarch":
        omega, alpha, gamma, beta = (rng.uniform(0.0, 0.05, n), rng.uniform(0.05, 0.15, n),
                                     rng.uniform(-0.1, 0.0, n), rng.uniform(0.9, 0.97, n))
    else:
        omega = rng.uniform(0.02, 0.1, n)
        alpha = rng.uniform(0.03, 0.1, n)
        gamma = rng.uniform(0.02, 0.08, n) if volatility == "gjr" else np.zeros(n)
        beta = rng.uniform(0.8, 0.9, n)
    return DCCState(
        names=tuple(f"X{i}" for i in range(n)),
        date=pd.Timestamp("2025-01-27"),
        volatility=volatility,
        model=model,
        mu=np.zeros(n) if mu is None else mu,
        omega=omega,
        alpha=alpha,
        gamma=gamma,
        beta=beta,
        h=rng.uniform(0.5, 3.0, n),
        Q=q0,
        Qbar=qbar,
        Nbar=nbar,
        a=a,
        b=b,
        g=g,
        nu=nu,
        scale=scale,
    )


def kernel_params(state: DCCState) -> kernels.VIRFParams:
    c = (1 - state.a - state.b) * state.Qbar - state.g * state.Nbar
    return kernels.VIRFParams(omega=state.omega, alpha=state.alpha, gamma=state.gamma, beta=state.beta,
                              h0=state.h, Q0=state.Q, intercept=c, a=state.a, b=state.b, g=state.g,
                              volatility=state.volatility)


CASES = [
    # (n_assets, volatility, model, nu, horizon, b)
    (1, "garch", "dcc", None, 3, 0.93),
    (3, "gjr", "adcc", 7.0, 5, 0.90),
    (4, "egarch", "dcc", None, 4, 0.93),
    (3, "garch", "dcc", None, 4, 0.0),     # b = 0: the non-separable weighting branch
    (2, "gjr", "dcc", 5.0, 1, 0.93),       # horizon 1: no draws after the shock date
]


@pytest.mark.parametrize(("n", "volatility", "model", "nu", "horizon", "b"), CASES)
def test_kernel_matches_loop_twin(rng, n, volatility, model, nu, horizon, b):
    g = 0.02 if model == "adcc" else 0.0
    state = make_state(rng, n, volatility=volatility, model=model, nu=nu, b=b, g=g)
    n_batches, n_pairs = 2, 2
    draws = kernels.standardized_draws(rng, n_batches=n_batches, n_pairs=n_pairs, horizon=horizon,
                                       n_assets=n, nu=nu, asymmetric=g != 0.0)
    sd = np.sqrt(state.h)
    eps_base = sd * (draws.u0 @ np.linalg.cholesky(kernels_corr(state.Q)).T)
    eps_shock = np.vstack([3.0 * sd * rng.standard_normal(n), -sd])  # two scenarios
    fast, fast_base = kernels.virf_batch_means(kernel_params(state), eps_shock=eps_shock, eps_base=eps_base,
                                               draws=draws, n_batches=n_batches)
    slow, slow_base = reference.virf_batch_means(kernel_params(state), eps_shock=eps_shock, eps_base=eps_base,
                                                 draws=draws, n_batches=n_batches)
    assert fast.shape == (2, n_batches, horizon, n * n)
    # same arithmetic up to summation order (GEMM over the batch vs loops): rounding only
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast_base, slow_base, rtol=1e-10, atol=1e-13)


def test_kernel_matches_twin_with_per_replication_shocks(rng):
    state = make_state(rng, 3, volatility="gjr")
    draws = kernels.standardized_draws(rng, n_batches=2, n_pairs=3, horizon=4, n_assets=3, nu=None,
                                       asymmetric=False)
    eps_base = np.sqrt(state.h) * draws.u0
    eps_shock = rng.standard_normal((1, 12, 3))
    fast, _ = kernels.virf_batch_means(kernel_params(state), eps_shock=eps_shock, eps_base=eps_base,
                                       draws=draws, n_batches=2)
    slow, _ = reference.virf_batch_means(kernel_params(state), eps_shock=eps_shock, eps_base=eps_base,
                                         draws=draws, n_batches=2)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)


def kernels_corr(q: np.ndarray) -> np.ndarray:
    d = 1.0 / np.sqrt(np.diag(q))
    return q * np.outer(d, d)


@pytest.mark.parametrize("model", ["dcc", "adcc"])
def test_placebo_shock_gives_exactly_zero(rng, model):
    """A shocked innovation equal to the baseline's own draw: common random numbers make every path equal."""
    g = 0.02 if model == "adcc" else 0.0
    state = make_state(rng, 5, volatility="gjr", model=model, g=g, nu=6.0)
    draws = kernels.standardized_draws(rng, n_batches=4, n_pairs=5, horizon=10, n_assets=5, nu=6.0,
                                       asymmetric=g != 0.0)
    eps_base = draws.u0 @ kernels.sym_sqrt(np.outer(np.sqrt(state.h), np.sqrt(state.h)) * kernels_corr(state.Q))
    diff, _ = kernels.virf_batch_means(kernel_params(state), eps_shock=eps_base[None], eps_base=eps_base,
                                       draws=draws, n_batches=4)
    assert np.all(diff == 0.0)


def test_draws_are_antithetic_and_moment_matched(rng):
    n_batches, n_pairs, n = 5, 8, 3
    draws = kernels.standardized_draws(rng, n_batches=n_batches, n_pairs=n_pairs, horizon=6, n_assets=n,
                                       nu=5.0, asymmetric=True)
    u0 = draws.u0.reshape(n_batches, 2 * n_pairs, n)
    np.testing.assert_allclose(u0[:, :n_pairs], -u0[:, n_pairs:], rtol=0, atol=0)
    for batch in u0:
        np.testing.assert_allclose(batch.T @ batch / len(batch), np.eye(n), atol=1e-12)
    assert draws.w.shape == (5, 2 * n_batches * n_pairs, n)
    assert draws.eta.shape == draws.eta_n.shape == (5, 2 * n_batches * n_pairs, 5)
    assert np.all(draws.mix > 0) and not np.allclose(draws.mix, 1.0)


def test_draws_reproducible_from_seed():
    def make(seed: int) -> kernels.Draws:
        return kernels.standardized_draws(np.random.default_rng(seed), n_batches=2, n_pairs=3, horizon=4,
                                          n_assets=2, nu=None, asymmetric=False)

    one, two, other = make(5), make(5), make(6)
    for name in ("u0", "w", "eta", "mix"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    assert not np.array_equal(one.w, other.w)


def test_unrolled_draws_have_covariance_r(rng):
    """e_k = diag(Q_k)^(-1/2) (S_k^(1/2) w + sum sqrt(a b^(k-1-m)) eta e_m) is N(0, R_k): check R_k by Monte Carlo.

    Fix a history e_0, e_1 and evaluate the conditional draw many times; its covariance must be R_2 computed
    from the ordinary recursion (the twin's Q update).
    """
    n, a, b = 3, 0.05, 0.9
    qbar = random_correlation(rng, n)
    q0 = random_correlation(rng, n)
    c = (1 - a - b) * qbar
    e0, e1 = rng.standard_normal(n) * 2, rng.standard_normal(n)
    q1 = c + a * np.outer(e0, e0) + b * q0
    q2 = c + a * np.outer(e1, e1) + b * q1
    s2 = c + b * (c + b * q0)
    m = 400_000
    w = rng.standard_normal((m, n))
    eta = rng.standard_normal((m, 2))
    x = w @ kernels.sym_sqrt(s2).T + np.sqrt(a * b) * eta[:, :1] * e0 + np.sqrt(a) * eta[:, 1:] * e1
    cov = x.T @ x / m
    # Monte Carlo: entries have sd about sqrt(2/m) * q ~ 0.003
    np.testing.assert_allclose(cov, q2, atol=0.02)
