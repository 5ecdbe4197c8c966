"""Bootstrap intervals on connectedness and the test of a change between two samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion import VAR, connectedness
from contagion.errors import SpecificationError
from contagion.spillover._bands import basic_interval, change_pvalues
from contagion.spillover._kernels import spillover_measures
from contagion.spillover.change import connectedness_change
from contagion.var.fevd import generalized_fevd, ma_coefficients


def _simulate(coefs: np.ndarray, chol: np.ndarray, n_obs: int, rng: np.random.Generator) -> pd.DataFrame:
    n_vars = coefs.shape[0]
    shocks = rng.standard_normal((n_obs + 100, n_vars)) @ chol.T
    y = np.zeros((n_obs + 100, n_vars))
    for t in range(1, n_obs + 100):
        y[t] = coefs @ y[t - 1] + shocks[t]
    index = pd.bdate_range("2020-01-01", periods=n_obs, name="date")
    return pd.DataFrame(y[100:], index=index, columns=[f"V{i}" for i in range(n_vars)])


def _known_var(n_vars: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    coefs = 0.4 * np.eye(n_vars) + 0.12 * rng.normal(size=(n_vars, n_vars))
    chol = np.eye(n_vars) + 0.3 * np.tril(rng.normal(size=(n_vars, n_vars)), -1)
    return coefs, chol


@pytest.fixture(scope="module")
def banded() -> tuple[pd.DataFrame, object]:
    coefs, chol = _known_var(4)
    data = _simulate(coefs, chol, 500, np.random.default_rng(0))
    return data, connectedness(data, lags=1, horizon=10, bands="bootstrap", reps=300, seed=3)


def test_intervals_frame_and_point_estimates(banded) -> None:
    data, res = banded
    plain = connectedness(data, lags=1, horizon=10)
    np.testing.assert_array_equal(res.values, plain.values)       # bands never move the point estimate
    iv = res.intervals
    assert list(iv.columns) == ["measure", "receiver", "transmitter", "estimate", "lower", "upper", "bias"]
    total = iv[iv.measure == "total"].iloc[0]
    assert total["estimate"] == pytest.approx(res.total) and total["lower"] < total["upper"]
    net = iv[iv.measure == "net"].set_index("transmitter")["estimate"]
    np.testing.assert_array_equal(net.loc[list(res.names)].to_numpy(dtype=float), res.net.to_numpy())
    pair = iv[(iv.measure == "pairwise_net") & (iv.transmitter == "V0") & (iv.receiver == "V2")].iloc[0]
    assert pair["estimate"] == pytest.approx(res.pairwise_net.loc["V0", "V2"])
    assert (iv.loc[iv.measure.isin(["to", "from", "table", "total"]), "lower"] >= 0).all()
    assert res.bands == "bootstrap" and res.reps == 300 and res.seed == 3 and res.draws.shape == (300, 4, 4)


def test_to_frame_carries_bounds_only_with_bands(banded) -> None:
    data, res = banded
    frame = res.to_frame()
    assert {"lower", "upper"} <= set(frame.columns)
    row = frame[(frame.measure == "net") & (frame.variable == "V1")].iloc[0]
    iv = res.intervals
    ref = iv[(iv.measure == "net") & (iv.transmitter == "V1")].iloc[0]
    assert (row["lower"], row["upper"]) == (ref["lower"], ref["upper"])
    assert frame.loc[frame.measure == "npt", "lower"].isna().all()
    # without bands the tidy frame keeps exactly its old columns (run folders stay byte-identical)
    assert list(connectedness(data, lags=1).to_frame().columns) == ["measure", "variable", "other", "value"]


def test_group_intervals_use_the_same_draws(banded) -> None:
    _, res = banded
    g = res.groups({"a": ["V0", "V1"], "b": ["V2", "V3"]})
    iv = g.intervals
    net = iv[iv.measure == "net"].set_index("transmitter")["estimate"]
    np.testing.assert_allclose(net[["a", "b"]].to_numpy(), g.net.to_numpy(), rtol=1e-12)
    split = iv.set_index("measure").loc[["between_total", "within_total"], "estimate"].sum()
    assert split == pytest.approx(res.total)
    assert {"lower", "upper"} <= set(g.to_frame().columns)
    with pytest.raises(SpecificationError, match="no bootstrap draws"):
        _ = connectedness(banded[0], lags=1).groups({"a": ["V0", "V1"], "b": ["V2", "V3"]}).intervals


def test_seed_reproduces_and_generator_is_accepted(banded) -> None:
    data, res = banded
    again = connectedness(data, lags=1, horizon=10, bands="bootstrap", reps=300, seed=3)
    np.testing.assert_array_equal(again.draws, res.draws)
    gen = connectedness(data, lags=1, horizon=10, bands="wild", reps=50, seed=np.random.default_rng(9))
    assert gen.bands == "wild" and isinstance(gen.seed, int)


def test_varresults_input_bootstraps_its_data(banded) -> None:
    data, res = banded
    fitted = VAR(data, lags=1).fit()
    from_fit = connectedness(fitted, horizon=10, bands="bootstrap", reps=300, seed=3)
    # same data, same seed: the same draws (the fitted VAR's own Sigma scaling cancels in the table)
    np.testing.assert_allclose(from_fit.draws, res.draws, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"bands": "block"}, "bands must be"), ({"bands": "bootstrap", "reps": 1}, "reps must be"),
     ({"bands": "bootstrap", "level": 1.5}, "level must be"), ({"bands": "bootstrap", "seed": -2}, "seed must")],
)
def test_bad_band_options(banded, kwargs, match) -> None:
    with pytest.raises(SpecificationError, match=match):
        connectedness(banded[0], lags=1, **kwargs)


def test_no_intervals_without_bands(banded) -> None:
    with pytest.raises(SpecificationError, match="bands='bootstrap'"):
        _ = connectedness(banded[0], lags=1).intervals


def test_basic_interval_and_pvalue_arithmetic() -> None:
    draws = np.array([1.0, 2.0, 3.0, 4.0, 5.0])[:, None]
    lower, upper = basic_interval(np.array([2.0]), draws, level=0.5)
    # quartiles of the draws are 2 and 4: [2*2 - 4, 2*2 - 2]
    np.testing.assert_allclose([lower[0], upper[0]], [0.0, 2.0])
    assert basic_interval(np.array([0.5]), draws, 0.5, nonnegative=True)[0][0] == 0.0
    centred = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 0.5, -0.5, 2.5, -2.5])[:, None] + 2.0
    # estimate 2: centred draws >= 2 are {3, 2.5}: p = 2 * (1 + 2) / 10
    assert change_pvalues(np.array([2.0]), centred)[0] == pytest.approx(0.6)


def test_change_of_identical_samples_is_zero_and_labels_are_checked() -> None:
    coefs, chol = _known_var(3)
    data = _simulate(coefs, chol, 300, np.random.default_rng(1))
    res = connectedness_change(data, data, lags=1, reps=100, seed=0)
    assert res.row("total")["difference"] == 0.0 and res.n_lags == 1
    assert "VAR(1) in both samples" in res.summary()
    with pytest.raises(SpecificationError, match="same variables"):
        connectedness_change(data, data.drop(columns="V2"), lags=1, reps=10)


def test_change_uses_one_lag_order_for_both_samples() -> None:
    coefs, chol = _known_var(3)
    rng = np.random.default_rng(2)
    res = connectedness_change(_simulate(coefs, chol, 300, rng), _simulate(coefs, chol, 300, rng),
                               lags="aic", max_lags=3, reps=50, seed=0)
    assert res.before.n_lags == res.after.n_lags == res.n_lags == max(res.lag_choice["before"],
                                                                       res.lag_choice["after"])


@pytest.mark.slow
def test_interval_coverage_on_a_known_var() -> None:
    """95% intervals of TCI and of NET(V0) cover the population values in 90-98% of 200 samples (N = 6)."""
    coefs, chol = _known_var(6)
    pop = spillover_measures(100 * generalized_fevd(ma_coefficients(coefs[None], 10), chol @ chol.T))
    hits_total = hits_net = 0
    n_samples = 200
    for r in range(n_samples):
        rng = np.random.default_rng(1000 + r)
        res = connectedness(_simulate(coefs, chol, 750, rng), lags=1, horizon=10, bands="bootstrap", reps=299,
                            seed=r)
        iv = res.intervals
        total = iv[iv.measure == "total"].iloc[0]
        net = iv[(iv.measure == "net") & (iv.transmitter == "V0")].iloc[0]
        hits_total += total["lower"] <= pop["total"] <= total["upper"]
        hits_net += net["lower"] <= pop["net"][0] <= net["upper"]
    assert 0.90 <= hits_total / n_samples <= 0.98, hits_total
    assert 0.90 <= hits_net / n_samples <= 0.98, hits_net


@pytest.mark.slow
def test_change_pvalue_size_and_power() -> None:
    """Same VAR in both samples: rejection at 5% within 2-9% of 200 pairs; a known break: >= 90% of 100."""
    coefs, chol = _known_var(4, seed=7)
    broken = coefs.copy()
    broken[1:, 0] += 0.5                    # V0 starts driving the others: connectedness rises
    p_null, p_break = [], []
    for r in range(200):
        rng = np.random.default_rng(10_000 + r)
        p_null.append(connectedness_change(_simulate(coefs, chol, 400, rng), _simulate(coefs, chol, 400, rng),
                                           lags=1, reps=299, seed=r).row("total")["p_value"])
        if r < 100:
            p_break.append(connectedness_change(_simulate(coefs, chol, 400, rng),
                                                _simulate(broken, chol, 400, rng),
                                                lags=1, reps=299, seed=r).row("total")["p_value"])
    size, power = np.mean(np.array(p_null) < 0.05), np.mean(np.array(p_break) < 0.05)
    assert 0.02 <= size <= 0.09, size
    assert power >= 0.90, power
