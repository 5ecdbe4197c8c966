"""Batched FEVD kernels against their readable loop twins, plus identities (STYLE.md 'identity tests')."""

from __future__ import annotations

import numpy as np
import pytest

from contagion.var import fevd as kernels
from tests.reference import fevd as reference


def random_stable_var(
    rng: np.random.Generator, n_vars: int, n_lags: int, n_batch: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random stable VAR slopes (batch, p, N, N) and SPD covariances (batch, N, N)."""
    coefs = rng.normal(scale=0.6 / (n_vars * n_lags) ** 0.5, size=(n_batch, n_lags, n_vars, n_vars))
    root = rng.normal(size=(n_batch, n_vars, n_vars))
    sigma = root @ np.swapaxes(root, -1, -2) + 0.5 * np.eye(n_vars)
    return coefs, sigma


SHAPES = [(1, 1, 1), (1, 3, 5), (3, 1, 1), (3, 2, 10), (4, 4, 10), (8, 4, 25)]


@pytest.mark.parametrize(("n_vars", "n_lags", "horizon"), SHAPES)
def test_ma_coefficients_match_reference(rng, n_vars, n_lags, horizon):
    coefs, _ = random_stable_var(rng, n_vars, n_lags, 3)
    fast = kernels.ma_coefficients(coefs, horizon)
    assert fast.shape == (3, horizon, n_vars, n_vars)
    for w in range(3):
        np.testing.assert_allclose(
            fast[w], reference.ma_coefficients(coefs[w], horizon), rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize(("n_vars", "n_lags", "horizon"), SHAPES)
@pytest.mark.parametrize("kind", ["generalized", "cholesky"])
def test_fevd_kernel_matches_reference(rng, n_vars, n_lags, horizon, kind):
    coefs, sigma = random_stable_var(rng, n_vars, n_lags, 4)
    ma = kernels.ma_coefficients(coefs, horizon)
    fast = getattr(kernels, f"{kind}_fevd")(ma, sigma)
    assert fast.shape == (4, n_vars, n_vars)
    for w in range(4):
        slow = getattr(reference, f"{kind}_fevd")(reference.ma_coefficients(coefs[w], horizon), sigma[w])
        np.testing.assert_allclose(fast[w], slow, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fast[w].sum(axis=1), 1.0, rtol=1e-13)


def test_single_unbatched_call_and_multiple_batch_axes(rng):
    coefs, sigma = random_stable_var(rng, 3, 2, 6)
    ma = kernels.ma_coefficients(coefs.reshape(2, 3, 2, 3, 3), 7)
    batched = kernels.generalized_fevd(ma, sigma.reshape(2, 3, 3, 3))
    single = kernels.generalized_fevd(kernels.ma_coefficients(coefs[4], 7), sigma[4])
    np.testing.assert_allclose(batched[1, 1], single, rtol=1e-13)


def test_ma_terms_of_var1_are_matrix_powers(rng):
    coefs, _ = random_stable_var(rng, 4, 1, 1)
    ma = kernels.ma_coefficients(coefs[0], 6)
    for h in range(6):
        np.testing.assert_allclose(ma[h], np.linalg.matrix_power(coefs[0, 0], h), rtol=1e-12, atol=1e-15)


def test_horizon_one_is_impact_only(rng):
    _, sigma = random_stable_var(rng, 3, 1, 1)
    ma = kernels.ma_coefficients(np.zeros((1, 3, 3)), 1)
    theta = kernels.generalized_fevd(ma, sigma[0])
    s = sigma[0]
    expected = s**2 / np.diag(s)[None, :]
    expected = expected / expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(theta, expected, rtol=1e-13)


def test_diagonal_sigma_generalized_equals_cholesky(rng):
    coefs, _ = random_stable_var(rng, 5, 2, 3)
    sigma = np.stack([np.diag(rng.uniform(0.5, 3.0, 5)) for _ in range(3)])
    ma = kernels.ma_coefficients(coefs, 12)
    np.testing.assert_allclose(
        kernels.generalized_fevd(ma, sigma), kernels.cholesky_fevd(ma, sigma), rtol=1e-12
    )


def test_generalized_permutation_equivariance(rng):
    coefs, sigma = random_stable_var(rng, 5, 3, 1)
    perm = rng.permutation(5)
    p = np.eye(5)[perm]  # P x reorders variables as x[perm]
    theta = kernels.generalized_fevd(kernels.ma_coefficients(coefs[0], 10), sigma[0])
    coefs_p = p @ coefs[0] @ p.T
    sigma_p = p @ sigma[0] @ p.T
    theta_p = kernels.generalized_fevd(kernels.ma_coefficients(coefs_p, 10), sigma_p)
    np.testing.assert_allclose(theta_p, p @ theta @ p.T, rtol=1e-12)


def test_generalized_invariant_to_rescaling_a_variable(rng):
    coefs, sigma = random_stable_var(rng, 4, 2, 1)
    d = np.diag([1.0, 100.0, 0.01, 3.0])
    d_inv = np.linalg.inv(d)
    theta = kernels.generalized_fevd(kernels.ma_coefficients(coefs[0], 10), sigma[0])
    theta_scaled = kernels.generalized_fevd(
        kernels.ma_coefficients(d @ coefs[0] @ d_inv, 10), d @ sigma[0] @ d
    )
    np.testing.assert_allclose(theta_scaled, theta, rtol=1e-11)


def test_sigma_scale_cancels(rng):
    coefs, sigma = random_stable_var(rng, 4, 2, 1)
    ma = kernels.ma_coefficients(coefs[0], 10)
    np.testing.assert_allclose(
        kernels.generalized_fevd(ma, 7.5 * sigma[0]), kernels.generalized_fevd(ma, sigma[0]), rtol=1e-13
    )
    np.testing.assert_allclose(
        kernels.cholesky_fevd(ma, 7.5 * sigma[0]), kernels.cholesky_fevd(ma, sigma[0]), rtol=1e-13
    )


def test_bad_horizon_and_shape():
    with pytest.raises(ValueError, match="horizon"):
        kernels.ma_coefficients(np.zeros((1, 2, 2)), 0)
    with pytest.raises(ValueError, match="shape"):
        kernels.ma_coefficients(np.zeros((2, 2)), 3)
