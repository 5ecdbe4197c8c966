"""The batched VFEVD kernel against its loop twin, and the identities it must satisfy (no data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from contagion.dcc import _vfevd_kernels as V
from contagion.spillover._utility import fevd_tables
from tests.reference import vfevd as ref


def _correlation(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((4 * n, n)) + rng.standard_normal((4 * n, 1))  # a common factor: positive correlations
    c = np.cov(x, rowvar=False)
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def _inputs(rng: np.random.Generator, n_dates: int, n: int, scale: float = 1e-2):
    """Covariances D_t R_t D_t with daily-decimal-like variances (scale**2), a target Qbar, GARCH and DCC
    parameters in the fitted range."""
    qbar = _correlation(rng, n)
    cov = np.empty((n_dates, n, n))
    for t in range(n_dates):
        sd = scale * np.exp(0.3 * rng.standard_normal(n))
        cov[t] = np.outer(sd, sd) * _correlation(rng, n)
    alpha = rng.uniform(0.02, 0.2, n)
    beta = rng.uniform(0.7, 0.97, n) * (1 - alpha)
    return cov, qbar, alpha, beta


@pytest.mark.parametrize("difference", [True, False])
@pytest.mark.parametrize(("n", "horizon", "scale"), [(2, 1, 1e-2), (5, 10, 1e-2), (7, 25, 1.0), (4, 3, 10.0)])
def test_kernel_equals_loop_twin(rng, difference, n, horizon, scale):
    # same arithmetic up to the order of a few products: agreement at rounding level (measured ~3e-16)
    cov, qbar, alpha, beta = _inputs(rng, 6, n, scale)
    a, b = 0.03, 0.94
    got = V.vfevd_tables(cov, qbar, alpha, beta, a, b, horizon, difference)
    want = ref.vfevd_tables(cov, qbar, alpha, beta, a, b, horizon, difference)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("difference", [True, False])
def test_kernel_equals_twin_on_bounds(rng, difference):
    # alpha = 0, beta = 0 and a = b = 0 are legal (bounds of the fit); the kernel must still follow the twin
    cov, qbar, alpha, beta = _inputs(rng, 4, 4)
    alpha[1], beta[2] = 0.0, 0.0
    for a, b in ((0.0, 0.0), (0.05, 0.0), (0.0, 0.9)):
        got = V.vfevd_tables(cov, qbar, alpha, beta, a, b, 5, difference)
        want = ref.vfevd_tables(cov, qbar, alpha, beta, a, b, 5, difference)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_responses_match_twin_paths_and_tables(rng):
    cov, qbar, alpha, beta = _inputs(rng, 3, 4)
    a, b, horizon = 0.02, 0.95, 8
    psi = V.vfevd_responses(cov, qbar, alpha, beta, a, b, horizon, True)
    assert psi.shape == (3, horizon + 1, 4, 4)
    for t in range(3):
        shock = ref.forecast_path(cov[t], qbar, alpha, beta, a, b, horizon, True)
        calm = ref.forecast_path(cov[t], qbar, alpha, beta, a, b, horizon, False)
        np.testing.assert_allclose(psi[t], shock - calm, rtol=1e-13, atol=0)
    # shocked-only responses start from H_t itself; differenced ones from 0
    raw = V.vfevd_responses(cov, qbar, alpha, beta, a, b, horizon, False)
    np.testing.assert_array_equal(raw[:, 0], cov)
    np.testing.assert_array_equal(psi[:, 0], 0.0)
    num = (psi**2).sum(axis=1)
    np.testing.assert_allclose(V.vfevd_tables(cov, qbar, alpha, beta, a, b, horizon, True),
                               num / num.sum(axis=-1, keepdims=True), rtol=1e-13)


def test_variance_response_decays_at_beta(rng):
    # eq. 3 of docs/dcc-connectedness.md: after step 1 the variance forecasts follow h_k = beta h_{k-1}, so the
    # differenced variance response is alpha * beta^(k-1) exactly (omega cancels; alpha enters step 1 only)
    cov, qbar, alpha, beta = _inputs(rng, 2, 3)
    psi = V.vfevd_responses(cov, qbar, alpha, beta, 0.03, 0.9, 6, True)
    var_resp = np.diagonal(psi, axis1=-2, axis2=-1)  # (dates, steps, N)
    k = np.arange(1, 7)
    np.testing.assert_allclose(var_resp[:, 1:], np.broadcast_to(alpha * beta ** (k[:, None] - 1), (2, 6, 3)),
                               rtol=1e-12)


@pytest.mark.parametrize("difference", [True, False])
@pytest.mark.parametrize("horizon", [1, 4, 12])
def test_zero_dcc_dynamics_equal_static_gfevd_of_the_correlation(rng, difference, horizon):
    # identity: with a = b = 0 every forecast has correlation Rbar = corr(Qbar); with equal margins (same alpha,
    # beta and conditional variance across assets) each response is Rbar_ij times a factor common to all
    # cells, so the row-normalised table is Rbar_ij^2 / sum_l Rbar_il^2: the generalized FEVD of a white
    # noise with covariance Rbar at horizon 1 (Psi_0 = I). Exact up to rounding.
    n = 5
    rbar = _correlation(rng, n)
    var = np.array([1e-4, 4e-4, 2.5e-5])  # one common variance per date (three dates)
    cov = var[:, None, None] * rbar
    alpha, beta = np.full(n, 0.08), np.full(n, 0.9)
    got = 100 * V.vfevd_tables(cov, rbar, alpha, beta, 0.0, 0.0, horizon, difference)
    static = fevd_tables(np.zeros((1, n, n)), rbar, 1, "generalized")
    np.testing.assert_allclose(got, np.broadcast_to(static, got.shape), rtol=0, atol=1e-10)
    np.testing.assert_allclose(static, 100 * rbar**2 / (rbar**2).sum(axis=1, keepdims=True), atol=1e-12)


def test_unequal_margins_break_the_static_identity(rng):
    # the identity needs equal margins: each column is weighted by its own variance responses otherwise
    n = 4
    rbar = _correlation(rng, n)
    cov = 1e-4 * rbar[None]
    alpha, beta = np.array([0.02, 0.05, 0.1, 0.2]), np.full(n, 0.9) - np.array([0.02, 0.05, 0.1, 0.2])
    got = 100 * V.vfevd_tables(cov, rbar, alpha, beta, 0.0, 0.0, 1, True)[0]
    static = fevd_tables(np.zeros((1, n, n)), rbar, 1, "generalized")
    assert np.abs(got - static).max() > 5.0  # percentage points


def test_zero_alpha_margin_transmits_nothing_through_its_variance(rng):
    # alpha_i = 0: the shocked and unshocked variance paths of i coincide, so the differenced response of
    # H_ii is 0 (own share 0, FROM = 100%), and what i "transmits" (its column) comes only from the
    # covariances, which are of order sqrt(h) against alpha for the other cells. "0" up to rounding:
    # H_ii = (h / q_ii) q_ii on two paths whose q_ii differ, i.e. ~1e-16 relative to h ~ 1e-4
    cov, qbar, alpha, beta = _inputs(rng, 3, 4)
    alpha[2] = 0.0
    psi = V.vfevd_responses(cov, qbar, alpha, beta, 0.02, 0.95, 10, True)
    assert np.abs(psi[:, :, 2, 2]).max() < 1e-18
    table = 100 * V.vfevd_tables(cov, qbar, alpha, beta, 0.02, 0.95, 10, True)
    np.testing.assert_allclose(table[:, 2, 2], 0.0, atol=1e-12)
    off = np.delete(table[:, :, 2], 2, axis=1)  # what the other assets receive from asset 2
    assert off.max() < 1.0  # percent; decimal-scale variances (1e-4) against alpha ~ 0.1
