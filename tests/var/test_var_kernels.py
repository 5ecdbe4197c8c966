"""Batched VAR kernels against their readable loop twins (STYLE.md 'fast kernel and readable twin')."""

from __future__ import annotations

import numpy as np
import pytest

from contagion.var import _kernels as kernels
from contagion.var.fevd import ma_coefficients
from tests.reference import var as reference


def random_stable_var(rng: np.random.Generator, n_vars: int, n_lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable VAR slopes (p, N, N) with a moderate largest root, and an SPD covariance."""
    while True:
        coefs = rng.normal(scale=0.5 / (n_vars * n_lags) ** 0.5, size=(n_lags, n_vars, n_vars))
        if kernels.max_modulus(coefs) < 0.9:
            break
    root = rng.normal(size=(n_vars, n_vars))
    sigma = root @ root.T + 0.5 * np.eye(n_vars)
    return coefs, sigma


def simulate(rng: np.random.Generator, coefs: np.ndarray, sigma: np.ndarray, n_obs: int, n_draws: int) -> np.ndarray:
    n_lags, n_vars, _ = coefs.shape
    chol = np.linalg.cholesky(sigma)
    innov = rng.standard_normal((n_draws, n_obs + 50, n_vars)) @ chol.T
    y = kernels.simulate_var(coefs, np.full(n_vars, 0.3), np.zeros((n_lags, n_vars)), innov)
    return y[:, 50:]


SHAPES = [(1, 1), (1, 3), (3, 1), (3, 2), (6, 2), (4, 4)]


@pytest.mark.parametrize(("n_vars", "n_lags"), SHAPES)
@pytest.mark.parametrize("trend", ["c", "n"])
def test_batched_ols_equals_loop(rng, n_vars, n_lags, trend):
    coefs, sigma = random_stable_var(rng, n_vars, n_lags)
    y = simulate(rng, coefs, sigma, 120, 5)
    c_b, nu_b, u_b = kernels.ols_var(y, n_lags, trend)  # batched: normal equations over draws
    for d in range(5):
        c_1, nu_1, u_1 = kernels.ols_var(y[d], n_lags, trend)  # single: LAPACK least squares
        c_r, nu_r, u_r = reference.ols_var(y[d], n_lags, trend)  # loop twin
        np.testing.assert_allclose(c_b[d], c_r, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(c_1, c_r, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(nu_b[d], nu_r, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(nu_1, nu_r, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(u_b[d], u_r, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(u_1, u_r, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("n_vars", "n_lags"), SHAPES)
def test_simulation_equals_loop(rng, n_vars, n_lags):
    coefs, _ = random_stable_var(rng, n_vars, n_lags)
    innov = rng.standard_normal((3, 40, n_vars))
    init = rng.standard_normal((n_lags, n_vars))
    nu = rng.standard_normal(n_vars)
    fast = kernels.simulate_var(coefs, nu, init, innov)
    for d in range(3):
        np.testing.assert_allclose(fast[d], reference.simulate_var(coefs, nu, init, innov[d]), rtol=1e-12, atol=1e-12)
    # per-draw coefficients (Kilian's second stage uses one coefficient set, but the kernel batches both)
    batch = np.stack([coefs, 0.5 * coefs, coefs])
    fast_b = kernels.simulate_var(batch, np.stack([nu] * 3), init, innov)
    np.testing.assert_allclose(fast_b[1], reference.simulate_var(0.5 * coefs, nu, init, innov[1]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("n_vars", "n_lags"), SHAPES)
@pytest.mark.parametrize("horizon", [0, 1, 12])
def test_irf_kernels_equal_loops(rng, n_vars, n_lags, horizon):
    coefs, sigma = random_stable_var(rng, n_vars, n_lags)
    ma = ma_coefficients(coefs, horizon + 1)
    np.testing.assert_allclose(
        kernels.irf_orthogonal(ma, sigma), reference.irf_orthogonal(coefs, sigma, horizon), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(
        kernels.irf_generalized(ma, sigma), reference.irf_generalized(coefs, sigma, horizon), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(ma, reference.ma_coefficients(coefs, horizon + 1), rtol=1e-12, atol=1e-14)


def test_irf_kernels_batched_over_draws(rng):
    draws = [random_stable_var(rng, 3, 2) for _ in range(4)]
    coefs = np.stack([c for c, _ in draws])
    sigma = np.stack([s for _, s in draws])
    ma = ma_coefficients(coefs, 6)
    for kind, twin in (("orthogonal", reference.irf_orthogonal), ("generalized", reference.irf_generalized)):
        fast = kernels.irf(ma, sigma, kind)
        for d in range(4):
            np.testing.assert_allclose(fast[d], twin(coefs[d], sigma[d], 5), rtol=1e-12, atol=1e-14)


def test_companion_and_roots(rng):
    coefs, _ = random_stable_var(rng, 3, 2)
    comp = kernels.companion(coefs)
    np.testing.assert_array_equal(comp[:3, :3], coefs[0])
    np.testing.assert_array_equal(comp[:3, 3:], coefs[1])
    np.testing.assert_array_equal(comp[3:, :3], np.eye(3))
    eig = kernels.companion_eigvals(coefs)
    assert np.all(np.diff(np.abs(eig)) <= 1e-12)
    # roots solve det(I - Phi_1 z - Phi_2 z^2) = 0 at z = 1 / eigenvalue
    for lam in eig:
        z = 1.0 / lam
        assert abs(np.linalg.det(np.eye(3) - coefs[0] * z - coefs[1] * z**2)) < 1e-8 * max(1.0, abs(z) ** 6)


@pytest.mark.parametrize("scale", [0.3, 1.0, 3.0])
def test_kilian_correction_equals_loop(rng, scale):
    coefs = np.stack([random_stable_var(rng, 3, 2)[0] for _ in range(6)])
    powers = np.arange(1, 3)[:, None, None]  # Phi_l -> c^l Phi_l scales every companion root by c
    coefs[0] *= (1.05 / kernels.max_modulus(coefs[0])) ** powers  # non-stationary: left uncorrected
    coefs[1] *= (0.995 / kernels.max_modulus(coefs[1])) ** powers  # near the boundary: shrunk
    bias = -scale * 0.1 * coefs[1] / np.abs(coefs[1]).max()
    fast, delta = kernels.kilian_correct(coefs, bias)
    for d in range(6):
        slow, d_slow = reference.kilian_correct(coefs[d], bias)
        np.testing.assert_allclose(fast[d], slow, rtol=1e-14, atol=1e-15)
        if np.isnan(d_slow):
            assert np.isnan(delta[d])
        else:
            assert delta[d] == pytest.approx(d_slow, abs=1e-12)
    assert np.isnan(delta[0]) and np.array_equal(fast[0], coefs[0])
    assert delta[1] < 1.0  # had to shrink
    assert np.all(kernels.max_modulus(fast[1:]) < 1.0)


def test_kilian_correction_shrinks_in_steps_of_one_percent():
    """AR(1) with phi = 0.95 and bias -0.1: phi - delta * bias < 1 first holds at delta = 0.49."""
    coefs = np.array([[[0.95]]])
    corrected, delta = kernels.kilian_correct(coefs, np.array([[[-0.1]]]))
    assert delta == pytest.approx(0.49)
    assert corrected[0, 0, 0] == pytest.approx(0.95 + 0.049)


def test_one_variable_var_is_ar_ols(rng):
    """A one-variable VAR(p) equals the AR(p) regression y_t on (1, y_{t-1}, ..., y_{t-p})."""
    y = np.cumsum(rng.standard_normal(300)) * 0.05 + rng.standard_normal(300)
    p = 3
    design = np.column_stack([np.ones(300 - p)] + [y[p - lag : 300 - lag] for lag in range(1, p + 1)])
    beta = np.linalg.solve(design.T @ design, design.T @ y[p:])
    coefs, nu, resid = kernels.ols_var(y[:, None], p, "c")
    np.testing.assert_allclose(coefs[:, 0, 0], beta[1:], rtol=1e-10)
    np.testing.assert_allclose(nu[0], beta[0], rtol=1e-10)
    np.testing.assert_allclose(resid[:, 0], y[p:] - design @ beta, atol=1e-10)


@pytest.mark.parametrize(("n_vars", "n_lags"), SHAPES)
@pytest.mark.parametrize("trend", ["c", "n"])
def test_bootstrap_ols_sse_equals_loop(rng, n_vars, n_lags, trend):
    """The bootstrap hot path (demeaned normal equations, SSE from cross-products) equals per-draw OLS."""
    coefs, sigma = random_stable_var(rng, n_vars, n_lags)
    y = simulate(rng, coefs, sigma, 150, 4) + 5.0  # a level shift: demeaning must not change slopes
    c_b, sse_b = kernels.ols_var_sse(y, n_lags, trend)
    for d in range(4):
        c_r, _, u_r = reference.ols_var(y[d], n_lags, trend)
        np.testing.assert_allclose(c_b[d], c_r, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(sse_b[d], u_r.T @ u_r, rtol=1e-9, atol=1e-10)
