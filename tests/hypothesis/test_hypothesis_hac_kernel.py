"""The batched OLS + Newey-West kernel of the correlation-shift test: loop twin, statsmodels, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from contagion.hypothesis._hac_kernels import ols_hac


def ols_hac_loop(y: np.ndarray, x: np.ndarray, n_lags: int) -> tuple[np.ndarray, np.ndarray]:
    """One regression, one statement per term: beta = (X'X)^-1 X'y, Bartlett meat, n / (n - k) correction."""
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    u = y - x @ beta
    meat = np.zeros((k, k))
    for t in range(n):
        meat += np.outer(x[t] * u[t], x[t] * u[t])
    for lag in range(1, n_lags + 1):
        w = 1.0 - lag / (n_lags + 1.0)
        for t in range(lag, n):
            cross = np.outer(x[t] * u[t], x[t - lag] * u[t - lag])
            meat += w * (cross + cross.T)
    return beta, xtx_inv @ meat @ xtx_inv * n / (n - k)


def _batch(rng: np.random.Generator, n_reg: int, n_obs: int) -> tuple[np.ndarray, np.ndarray]:
    """AR(1)-like correlation paths with a post dummy and their first lag (the shape the test builds)."""
    post = (np.arange(n_obs) >= n_obs * 2 // 3).astype(float)
    e = rng.standard_normal((n_reg, n_obs + 1))
    rho = np.empty_like(e)
    rho[:, 0] = 0.3
    for t in range(1, n_obs + 1):
        rho[:, t] = 0.05 + 0.85 * rho[:, t - 1] + 0.02 * e[:, t] + 0.01 * post[t - 1]
    x = np.stack([np.column_stack([np.ones(n_obs), post, rho[i, :-1]]) for i in range(n_reg)])
    return rho[:, 1:], x


@pytest.mark.parametrize("n_lags", [0, 1, 4])
def test_ols_hac_matches_loop_twin(rng: np.random.Generator, n_lags: int) -> None:
    y, x = _batch(rng, 5, 90)
    params, cov = ols_hac(y, x, n_lags)
    for i in range(5):
        beta, v = ols_hac_loop(y[i], x[i], n_lags)
        # same algebra (pinv against inv, summation order): agreement to rounding, a few ulps x condition number
        np.testing.assert_allclose(params[i], beta, rtol=1e-9)
        np.testing.assert_allclose(cov[i], v, rtol=1e-8)


def test_ols_hac_matches_statsmodels(rng: np.random.Generator) -> None:
    sm = pytest.importorskip("statsmodels.api")
    y, x = _batch(rng, 3, 120)
    params, cov = ols_hac(y, x, 3)
    for i in range(3):
        fit = sm.OLS(y[i], x[i]).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
        # statsmodels computes the same Moore-Penrose solution and sandwich: rounding only
        np.testing.assert_allclose(params[i], fit.params, rtol=1e-10)
        np.testing.assert_allclose(np.sqrt(np.diagonal(cov[i])), fit.bse, rtol=1e-10)


def test_ols_hac_without_correction_and_rank_deficient_design(rng: np.random.Generator) -> None:
    y, x = _batch(rng, 2, 60)
    corrected = ols_hac(y, x, 2)[1]
    plain = ols_hac(y, x, 2, small_sample=False)[1]
    np.testing.assert_allclose(corrected, plain * 60 / 57, rtol=1e-13)  # n / (n - k), n = 60, k = 3
    # a post dummy that is all zero: the Moore-Penrose solution gives it coefficient 0 and variance 0, which
    # correlation_shift reports as "constant on one side" (EstimationError) instead of a LinAlgError
    x[:, :, 1] = 0.0
    params, cov = ols_hac(y, x, 2)
    np.testing.assert_allclose(params[:, 1], 0.0, atol=1e-12)
    np.testing.assert_allclose(cov[:, 1, 1], 0.0, atol=1e-20)
