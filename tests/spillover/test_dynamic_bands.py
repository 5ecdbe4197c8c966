"""Intervals on rolling-window and TVP-VAR connectedness at a chosen subset of dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion.errors import SpecificationError
from contagion.spillover._dynamic_bands import date_seed
from contagion.spillover.rolling import rolling_connectedness
from contagion.spillover.static import connectedness
from contagion.spillover.tvp import tvp_connectedness


def _panel(n_obs: int = 500, n_vars: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    coefs = 0.4 * np.eye(n_vars) + 0.12 * rng.normal(size=(n_vars, n_vars))
    chol = np.eye(n_vars) + 0.3 * np.tril(rng.normal(size=(n_vars, n_vars)), -1)
    y = np.zeros((n_obs + 50, n_vars))
    shocks = rng.standard_normal((n_obs + 50, n_vars)) @ chol.T
    for t in range(1, n_obs + 50):
        y[t] = coefs @ y[t - 1] + shocks[t]
    index = pd.bdate_range("2020-01-01", periods=n_obs, name="date")
    return pd.DataFrame(y[50:], index=index, columns=[f"V{i}" for i in range(n_vars)])


@pytest.fixture(scope="module")
def rolled() -> tuple[pd.DataFrame, object]:
    data = _panel()
    dates = [data.index[-1], data.index[260]]  # unsorted on purpose
    res = rolling_connectedness(data, window=150, lags=1, horizon=10, bands="bootstrap", band_dates=dates,
                                reps=120, level=0.9, seed=11)
    return data, res


@pytest.mark.parametrize("method", ["bootstrap", "wild"])
def test_window_draws_equal_static_draws_of_that_window(method: str) -> None:
    data = _panel()
    res = rolling_connectedness(data, window=150, lags=2, horizon=8, bands=method,
                                band_dates=[data.index[200], data.index[-1]], reps=60, seed=4)
    bands = res.band_draws
    for d, position in enumerate(bands.positions):
        rows = data.iloc[position : position + 150]  # window dated by its last row: index[position + 149]
        assert rows.index[-1] == res.index[position] == bands.dates[d]
        static = connectedness(rows, lags=2, horizon=8, bands=method, reps=60, seed=bands.date_seeds[d])
        np.testing.assert_array_equal(static.draws, bands.draws[d])  # same kernel, same generator: identical
        # point estimates come from two OLS routes (running Gram vs direct): equal to rounding
        np.testing.assert_allclose(static.values, bands.estimates[d], atol=1e-10)


def test_seed_of_a_date_does_not_depend_on_the_other_dates() -> None:
    data = _panel()
    one = rolling_connectedness(data, window=150, lags=1, bands="bootstrap", band_dates=[data.index[-1]],
                                reps=30, seed=7)
    two = rolling_connectedness(data, window=150, lags=1, bands="bootstrap",
                                band_dates=[data.index[200], data.index[-1]], reps=30, seed=7)
    np.testing.assert_array_equal(one.band_draws.draws[0], two.band_draws.draws[1])
    assert one.band_draws.date_seeds[0] == date_seed(7, int(one.band_draws.positions[0]))


def test_rolling_intervals_frame(rolled) -> None:
    data, res = rolled
    iv = res.intervals
    assert list(iv.columns) == ["date", "measure", "receiver", "transmitter", "estimate", "lower", "upper", "bias"]
    assert list(pd.unique(iv["date"])) == [data.index[260], data.index[-1]]  # sorted, as given in the index
    for date in pd.unique(iv["date"]):
        rows = iv[iv.date == date]
        tci = rows[rows.measure == "total"].iloc[0]
        assert tci["estimate"] == pytest.approx(res.total.loc[date]) and tci["lower"] < tci["upper"]
        net = rows[rows.measure == "net"].set_index("transmitter")["estimate"]
        np.testing.assert_allclose(net.loc[list(res.names)].to_numpy(float), res.net.loc[date].to_numpy())
    # at(date) carries the draws: the same intervals and group intervals on them
    at = res.at(res.band_draws.dates[0])
    assert at.reps == 120 and at.level == 0.9
    pd.testing.assert_frame_equal(at.intervals, iv[iv.date == res.band_draws.dates[0]].drop(columns="date")
                                  .reset_index(drop=True))
    assert "within_total" in set(at.groups({"a": ["V0", "V1"], "b": ["V2", "V3"]}).intervals.measure)
    assert res.at(data.index[300]).draws is None  # not a band date
    assert any("intervals" in note for note in res.summary().notes)


def test_bands_do_not_move_the_point_estimates(rolled) -> None:
    data, res = rolled
    plain = rolling_connectedness(data, window=150, lags=1, horizon=10)
    np.testing.assert_array_equal(plain.values, res.values)
    with pytest.raises(SpecificationError, match="no interval draws"):
        _ = plain.intervals


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bands": "bootstrap", "band_dates": ["1999-01-01"]}, "not a date of this result"),
        ({"bands": "bootstrap", "band_dates": None}, "needs band_dates"),
        ({"bands": "bootstrap", "band_dates": []}, "needs band_dates"),
        ({"bands": "jackknife", "band_dates": ["2021-06-01"]}, "bands must be None or 'bootstrap', 'wild'"),
        ({"band_dates": ["2021-06-01"]}, "band_dates= needs bands"),
        ({"bands": "bootstrap", "band_dates": ["2021-06-01"], "reps": 1}, "reps must be"),
        ({"bands": "bootstrap", "band_dates": ["2021-06-01"], "level": 95}, "level must be"),
        ({"bands": "bootstrap", "band_dates": ["2021-06-01"], "estimator": "ridge", "penalty": 0.1},
         "estimator='ols' only"),
    ],
)
def test_rolling_band_input_errors(kwargs: dict, match: str) -> None:
    data = _panel()
    with pytest.raises(SpecificationError, match=match):
        rolling_connectedness(data, window=150, lags=1, **kwargs)


def test_first_window_date_before_it_is_refused() -> None:
    data = _panel()
    with pytest.raises(SpecificationError, match="not a date of this result"):  # index[10] ends no window
        rolling_connectedness(data, window=150, lags=1, bands="bootstrap", band_dates=[data.index[10]])


# ------------------------------------------------------------------------------------------------------ TVP
def test_tvp_filter_bands_are_credible_bands_of_the_filtered_estimate() -> None:
    data = _panel(400, 3)
    dates = [data.index[150], data.index[-1]]
    res = tvp_connectedness(data, prior_window=100, bands="filter", band_dates=dates, reps=400, seed=2)
    plain = tvp_connectedness(data, prior_window=100)
    np.testing.assert_array_equal(res.values, plain.values)
    iv = res.intervals
    tci = iv[iv.measure == "total"].set_index("date")
    # equal-tailed percentile intervals of the draws: they bracket the median draw, and the estimate sits
    # inside them (its filter distribution is centred on it; the GFEVD is smooth in beta)
    assert ((tci.lower < tci.estimate) & (tci.estimate < tci.upper)).all()
    draws = res.band_draws
    assert draws.interval == "percentile" and draws.method == "filter"
    low, high = np.quantile(_tci(draws.draws[1]), [0.025, 0.975])
    assert (tci.lower.iloc[1], tci.upper.iloc[1]) == pytest.approx((low, high), rel=1e-12)
    assert res.at(dates[0]).draws is None  # filter draws are not bootstrap draws: no basic intervals there


def _tci(tables: np.ndarray) -> np.ndarray:
    n = tables.shape[-1]
    return (tables.sum(axis=(-2, -1)) - np.trace(tables, axis1=-2, axis2=-1)) / n


def test_filter_keeps_the_kalman_update_covariance() -> None:
    """S_t|t kept by the filter equals the textbook update at the first update date (p = 1, t = 1):
    S = V0 - V0 F'(Q_1 + F V0 F')^{-1} F V0 with F = I_N (x) z_1' (for p = 1 the R, equation-major and coefs
    layouts coincide), and the draws' square root reproduces it."""
    from contagion.spillover import _tvp_kernels as tvp
    from contagion.spillover._dynamic_bands import _gaussian_root

    data = _panel(300, 2)
    x = data.to_numpy()
    y = x - x.mean(axis=0)
    b0, v0, q0 = tvp.bayes_prior(x, 1, 99)
    coefs, q = tvp.tvp_var_filter(y, 1, b0, v0, q0, 0.99, 0.99)
    coefs2, q2, covs = tvp.tvp_var_filter_cov(y, 1, b0, v0, q0, 0.99, 0.99, np.array([0, 1, 299]))
    np.testing.assert_array_equal(coefs, coefs2)  # keeping covariances changes nothing else
    np.testing.assert_array_equal(q, q2)
    np.testing.assert_array_equal(covs[0], v0)  # date 0 < p: no update, the prior
    f = np.kron(np.eye(2), y[0][None, :])
    expected = v0 - v0 @ f.T @ np.linalg.solve(q[1] + f @ v0 @ f.T, f @ v0)
    np.testing.assert_allclose(covs[1], expected, rtol=1e-10, atol=1e-14)  # rounding of two solve routes
    root = _gaussian_root(covs[2])
    np.testing.assert_allclose(root @ root.T, covs[2], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bands": "bootstrap", "band_dates": ["2020-06-01"]}, "re-run the sequential Kalman filter"),
        ({"bands": "filter", "band_dates": ["1990-01-01"]}, "not a date of this result"),
        ({"band_dates": ["2020-06-01"]}, "band_dates= needs bands='filter'"),
    ],
)
def test_tvp_band_input_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(SpecificationError, match=match):
        tvp_connectedness(_panel(300, 3), prior_window=100, **kwargs)
