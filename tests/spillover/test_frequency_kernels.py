"""Frequency-connectedness kernel: readable twin, Parseval identity, analytic white noise, R's bin grid."""

from __future__ import annotations

import math

import numpy as np
import pytest

from contagion.spillover._frequency_kernels import band_bins, bin_frequencies, frequency_fevd
from contagion.var.fevd import generalized_fevd, ma_coefficients
from tests.reference import frequency as ref

PARTITIONS = [
    [math.pi + 1e-5, math.pi / 4, 0.0],
    [math.pi + 1e-5, math.pi / 5, math.pi / 20, 0.0],
    [math.pi + 1e-5, 0.3, 0.1, 0.0],
]


def _random_var(rng: np.random.Generator, n_vars: int, n_lags: int) -> tuple[np.ndarray, np.ndarray]:
    coefs = rng.normal(scale=0.25 / n_lags, size=(n_lags, n_vars, n_vars))
    a = rng.normal(size=(n_vars, n_vars))
    return coefs, a @ a.T + n_vars * np.eye(n_vars)


@pytest.mark.parametrize(("n_vars", "n_lags", "horizon"), [(1, 1, 2), (3, 2, 11), (3, 2, 12), (4, 4, 41)])
@pytest.mark.parametrize("edges", PARTITIONS)
def test_kernel_matches_the_readable_twin(rng, n_vars, n_lags, horizon, edges) -> None:
    coefs, sigma = _random_var(rng, n_vars, n_lags)
    ma = ma_coefficients(coefs, horizon)
    bins = band_bins(horizon, np.array(edges), "frequencyConnectedness")
    twin_bins = ref.r_partition_bins(horizon, edges)
    assert [list(np.flatnonzero(b)) for b in bins] == twin_bins
    # identical arithmetic in another order (FFT vs direct DFT sums): 1e-12 absolute on fractions
    np.testing.assert_allclose(frequency_fevd(ma, sigma, bins), ref.frequency_fevd(ma, sigma, twin_bins),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("edges", PARTITIONS)
def test_bands_sum_to_the_generalized_fevd(rng, edges) -> None:
    """Parseval: a partition of [0, pi] splits the horizon-H GFEVD exactly (batched over windows)."""
    coefs = np.stack([_random_var(rng, 4, 2)[0] for _ in range(5)])
    sigma = np.stack([_random_var(rng, 4, 2)[1] for _ in range(5)])
    ma = ma_coefficients(coefs, 60)
    bands = frequency_fevd(ma, sigma, band_bins(60, np.array(edges)))
    np.testing.assert_allclose(bands.sum(axis=-3), generalized_fevd(ma, sigma), rtol=0, atol=1e-14)


def test_white_noise_spreads_in_proportion_to_band_width(rng) -> None:
    """Zero VAR slopes: Psi_k = I at every bin, so band d holds (#bins in d / H) of the static GFEVD."""
    _, sigma = _random_var(rng, 3, 1)
    horizon = 100
    ma = ma_coefficients(np.zeros((1, 3, 3)), horizon)
    bins = band_bins(horizon, np.array(PARTITIONS[1]))
    bands = frequency_fevd(ma, sigma, bins)
    static = generalized_fevd(ma[:1], sigma)
    for d in range(bins.shape[0]):
        np.testing.assert_allclose(bands[d], static * bins[d].sum() / horizon, rtol=1e-13)


def test_grid_labels() -> None:
    np.testing.assert_allclose(bin_frequencies(6), [0, np.pi / 3, 2 * np.pi / 3, np.pi, 2 * np.pi / 3, np.pi / 3])
    np.testing.assert_allclose(bin_frequencies(5, "frequencyConnectedness"), [0, np.pi / 2, np.pi, np.pi, np.pi / 2])
    # even H: both grids agree
    np.testing.assert_allclose(bin_frequencies(8), bin_frequencies(8, "frequencyConnectedness"))
