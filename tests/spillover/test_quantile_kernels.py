"""Batched quantile regression / quantile VAR kernel: the exact LP optimum (HiGHS), statsmodels, batching."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import linprog

from contagion.spillover._quantile_kernels import quantile_regression, quantile_var


def _lp_quantile_regression(y: np.ndarray, x: np.ndarray, tau: float) -> tuple[np.ndarray, float]:
    """The primal LP solved exactly by HiGHS: min tau 1'u + (1 - tau) 1'v s.t. X b + u - v = y."""
    n, k = x.shape
    cost = np.r_[np.zeros(k), tau * np.ones(n), (1 - tau) * np.ones(n)]
    res = linprog(cost, A_eq=np.hstack([x, np.eye(n), -np.eye(n)]), b_eq=y,
                  bounds=[(None, None)] * k + [(0, None)] * (2 * n), method="highs")
    assert res.status == 0
    return res.x[:k], float(res.fun)


def _check_loss(y: np.ndarray, x: np.ndarray, beta: np.ndarray, tau: float) -> float:
    u = y - x @ beta
    return float(np.sum(u * (tau - (u < 0))))


@pytest.mark.parametrize("tau", [0.05, 0.5, 0.95])
def test_interior_point_reaches_the_lp_optimum(rng, tau) -> None:
    n, k = 150, 4
    x = np.concatenate([np.ones((3, n, 1)), rng.standard_t(4, size=(3, n, k - 1))], axis=-1)
    y = rng.standard_t(4, size=(3, 2, n)) + (x[:, None] @ rng.normal(size=(3, 2, k, 1)))[..., 0]
    beta, n_iter = quantile_regression(y, x, tau)
    assert n_iter.max() < 40
    for g in range(3):
        for e in range(2):
            exact, loss = _lp_quantile_regression(y[g, e], x[g], tau)
            # the check loss at our solution equals the LP minimum to rounding (1e-9 relative)
            assert _check_loss(y[g, e], x[g], beta[g, e], tau) == pytest.approx(loss, rel=1e-9)
            # continuous data: the optimum is unique, so the coefficients agree too (1e-7: LP vertex
            # versus the interior point's limit at gap 1e-12)
            np.testing.assert_allclose(beta[g, e], exact, atol=1e-7)


def test_statsmodels_quantreg_agrees_to_its_tolerance(rng) -> None:
    """statsmodels' IRLS stops at p_tol = 1e-6 on the coefficients; it lands within ~1e-4 of the optimum."""
    from statsmodels.regression.quantile_regression import QuantReg

    y = np.zeros((400, 3))
    for t in range(1, 400):
        y[t] = 0.3 * y[t - 1] + rng.standard_t(5, size=3)
    coefs, intercept, _, _ = quantile_var(y, 1, 0.1)
    design = np.column_stack([np.ones(399), y[:-1]])
    for i in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = QuantReg(y[1:, i], design).fit(q=0.1).params
        np.testing.assert_allclose(np.r_[intercept[i], coefs[0, i]], ref, atol=5e-3)
        ours = _check_loss(y[1:, i], design, np.r_[intercept[i], coefs[0, i]], 0.1)
        assert ours <= _check_loss(y[1:, i], design, ref, 0.1) + 1e-9


def test_batched_windows_equal_single_fits(rng) -> None:
    data = rng.normal(size=(80, 3))
    windows = np.stack([data[i : i + 60] for i in range(5)])
    coefs, intercept, sigma, _ = quantile_var(windows, 2, 0.25)
    for w in range(5):
        c1, i1, s1, _ = quantile_var(windows[w], 2, 0.25)
        np.testing.assert_allclose(coefs[w], c1, atol=1e-10)
        np.testing.assert_allclose(intercept[w], i1, atol=1e-10)
        np.testing.assert_allclose(sigma[w], s1, atol=1e-10)


def test_quantile_var_layout_and_sigma(rng) -> None:
    """coefs[l-1, i, j] is the lag-l coefficient of variable j in equation i; Sigma = U'U / T."""
    y = rng.normal(size=(300, 2))
    y[1:, 0] += 0.6 * y[:-1, 1]
    coefs, intercept, sigma, _ = quantile_var(y, 1, 0.5)
    assert coefs.shape == (1, 2, 2) and abs(coefs[0, 0, 1] - 0.6) < 0.15 and abs(coefs[0, 1, 0]) < 0.15
    resid = y[1:] - intercept - y[:-1] @ coefs[0].T
    np.testing.assert_allclose(sigma, resid.T @ resid / 299, rtol=1e-12)
