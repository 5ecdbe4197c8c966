"""Bootstrap intervals on frequency connectedness (Baruník and Křehlík 2018 band tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion import VAR
from contagion.errors import SpecificationError
from contagion.spillover.frequency import _band_tables, frequency_bands, frequency_connectedness
from contagion.spillover.static import connectedness
from tests.spillover.test_connectedness_bands import _simulate

BANDS = [(2, 5), (5, None)]


def _known_var(n_vars: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    coefs = 0.4 * np.eye(n_vars) + 0.15 * rng.normal(size=(n_vars, n_vars))
    chol = np.eye(n_vars) + 0.4 * np.tril(rng.normal(size=(n_vars, n_vars)), -1)
    return coefs, chol


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, object]:
    coefs, chol = _known_var()
    data = _simulate(coefs, chol, 500, np.random.default_rng(0))
    return data, frequency_connectedness(data, lags=1, horizon=30, bands=BANDS, intervals="bootstrap", reps=200,
                                         seed=5)


def test_band_draws_sum_to_the_static_draws_with_the_same_seed(fitted) -> None:
    data, res = fitted
    static = connectedness(data, lags=1, horizon=30, bands="bootstrap", reps=200, seed=5)
    # the same resampled VARs; Parseval makes the bands of every draw add up to its DY table
    np.testing.assert_allclose(res.draws.sum(axis=1), static.draws, atol=1e-10)
    plain = frequency_connectedness(data, lags=1, horizon=30, bands=BANDS)
    np.testing.assert_array_equal(res.values, plain.values)  # intervals never move the point estimate
    tci = res.intervals.query("measure == 'total' and convention == 'absolute' and band == 'total'").iloc[0]
    ref = static.intervals.query("measure == 'total'").iloc[0]
    assert (tci.lower, tci.upper) == pytest.approx((ref.lower, ref.upper), rel=1e-9)


def test_intervals_frame(fitted) -> None:
    _, res = fitted
    iv = res.intervals
    assert list(iv.columns) == ["convention", "band", "measure", "receiver", "transmitter", "estimate", "lower",
                                "upper", "bias"]
    assert set(zip(iv.convention, iv.band, strict=True)) == {
        ("absolute", "2-5 days"), ("absolute", "5-inf days"), ("within", "2-5 days"), ("within", "5-inf days"),
        ("absolute", "total")}
    short = iv.query("convention == 'within' and band == '2-5 days' and measure == 'total'").iloc[0]
    assert short.estimate == pytest.approx(res.tci_within["2-5 days"]) and short.lower < short.upper
    net = iv.query("convention == 'absolute' and band == '5-inf days' and measure == 'net'")
    np.testing.assert_allclose(net.set_index("transmitter").loc[list(res.names), "estimate"].to_numpy(float),
                               res.by_band("net")["5-inf days"].to_numpy())
    band = res.band("2-5 days")
    assert band.reps == 200 and band.bands == "bootstrap" and band.draws.shape == (200, 3, 3)
    assert "lower" in band.groups({"a": ["V0"], "b": ["V1", "V2"]}).to_frame().columns
    with pytest.raises(SpecificationError, match="no bootstrap draws"):
        _ = frequency_connectedness(fitted[0], lags=1, horizon=30, bands=BANDS).intervals


def test_fitted_var_input_bootstraps_its_estimation_data(fitted) -> None:
    data, res = fitted
    from_var = frequency_connectedness(VAR(data, lags=1).fit(), horizon=30, bands=BANDS, intervals="bootstrap",
                                       reps=200, seed=5)
    np.testing.assert_allclose(from_var.draws, res.draws, atol=1e-10)


@pytest.mark.slow
def test_short_band_tci_interval_covers_the_population() -> None:
    """100 samples of T = 400 from a known VAR(1), N = 3: the 90% basic interval of the short-band (2-5 days)
    absolute TCI covers the population value in 82-96% of samples (binomial sd at 90% is 3 points; the
    band allows for the bootstrap's own finite-sample error)."""
    coefs, chol = _known_var()
    _, bins = frequency_bands(30, BANDS)
    sigma = chol @ chol.T
    truth = _band_tables(coefs[None], sigma, 30, bins, "generalized")  # (n_bands, N, N), p = 1
    population = (truth[0].sum() - np.trace(truth[0])) / 3
    rng = np.random.default_rng(2024)
    hits = 0
    for k in range(100):
        data = _simulate(coefs, chol, 400, rng)
        res = frequency_connectedness(data, lags=1, horizon=30, bands=BANDS, intervals="bootstrap", reps=199,
                                      level=0.9, seed=k)
        row = res.intervals.query("convention == 'absolute' and band == '2-5 days' and measure == 'total'").iloc[0]
        hits += bool(row.lower <= population <= row.upper)
    assert 82 <= hits <= 96, hits


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"intervals": "jackknife"}, "intervals must be None, 'bootstrap' or 'wild'"),
        ({"intervals": True}, "intervals must be None"),
        ({"intervals": "bootstrap", "rolling": 200}, "not with rolling="),
        ({"intervals": "bootstrap", "reps": 0}, "reps must be"),
        ({"intervals": "wild", "level": 1.5}, "level must be"),
        ({"intervals": "bootstrap", "seed": -1}, "seed must be"),
    ],
)
def test_interval_input_errors(fitted, kwargs: dict, match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        frequency_connectedness(fitted[0], lags=1, horizon=30, bands=BANDS, **kwargs)
