"""VIRF on fitted DCC-GARCH models: DCCResult.virf on simulated data and on the rmgarch fixture (dji30ret)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contagion.dcc.model import DCCGARCH, simulate_dcc
from contagion.dcc.virf import VIRFResult, virf


def mc_se(res: VIRFResult) -> np.ndarray:
    q = stats.t.ppf(0.5 + res.level / 2, res.n_batches - 1)
    return (res.upper - res.lower) / (2 * q)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    """Three assets on the decimal return scale (daily vol ~1%), so that the fit rescales them."""
    rng = np.random.default_rng(44)
    qbar = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]])
    x = simulate_dcc(1000, omega=np.array([2e-6, 4e-6, 1e-5]), alpha=np.array([0.08, 0.06, 0.1]),
                     beta=np.array([0.9, 0.9, 0.85]), a=0.04, b=0.93, qbar=qbar, rng=rng)
    index = pd.bdate_range("2021-01-04", periods=len(x), name="date")
    return pd.DataFrame(x, index=index, columns=["NVDA", "BTC-USD", "ETH-USD"])


@pytest.fixture(scope="module")
def fitted(simulated: pd.DataFrame):
    return DCCGARCH(simulated).fit(se=False)


def test_named_shock_through_dcc_result(fitted):
    res = fitted.virf("NVDA", horizon=20, reps=800, seed=3)
    assert isinstance(res, VIRFResult)
    assert res.date == fitted.state_at(None).date
    frame = res.to_frame()
    assert set(frame["shock"]) == {"NVDA"}
    assert {"var[NVDA]", "cov[NVDA,BTC-USD]", "corr[BTC-USD,ETH-USD]"} <= set(frame["response"])
    assert np.isfinite(frame[["estimate", "lower", "upper"]].to_numpy()).all()
    # DCCResult.virf is exactly virf() on the state it exposes
    direct = virf(fitted.state_at(None), "NVDA", horizon=20, reps=800, seed=3)
    np.testing.assert_array_equal(res.estimate, direct.estimate)
    # decay at the fitted persistence alpha_i + beta_i (GARCH(1,1) margins)
    state = fitted.state_at(None)
    persistence = np.asarray(state.alpha) + np.asarray(state.beta)
    se = mc_se(res)
    for i in range(3):
        est = res.estimate[0, 1:, i]
        truth = est[0] * persistence[i] ** np.arange(20)
        assert np.all(np.abs(est - truth) <= 4 * se[0, 1:, i] + 1e-15), state.names[i]


def test_historical_shock_through_dcc_result(fitted, simulated):
    day = simulated["NVDA"].abs().idxmax()
    shock = simulated.loc[day]  # a Series named by its date: `at` is inferred
    res = fitted.virf(shock, horizon=10, reps=400, seed=1, baseline="expected")
    assert res.date == day
    assert res.shocks == (f"historical[{day:%Y-%m-%d}]",)
    state = fitted.state_at(day)
    np.testing.assert_allclose(res.impulse[0], shock.to_numpy() - np.asarray(state.mu) / state.scale,
                               rtol=1e-12)
    explicit = fitted.virf(shock.to_numpy(), at=day, horizon=10, reps=400, seed=1, baseline="expected")
    np.testing.assert_array_equal(res.estimate, explicit.estimate)
    # h = 1 variance response is exact (moment-matched baseline): alpha_i (eps_i^2 - h_i), in input units
    eps = res.impulse[0] * state.scale
    expected = np.asarray(state.alpha) * (eps**2 - np.asarray(state.h)) / state.scale**2
    np.testing.assert_allclose(res.estimate[0, 1, :3], expected, rtol=1e-10)
    assert res.estimate[0, 1, 0] > 0  # the largest NVDA move of the sample is news


def test_rmgarch_fixture_historical_shock(reference_dir: Path):
    returns = pd.read_csv(reference_dir / "r" / "dcc_dji30ret_first5_last1000.csv", index_col="date",
                          parse_dates=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted = DCCGARCH(returns).fit(se=False)
    day = returns["AA"].abs().idxmax()
    res = fitted.virf(returns.loc[day], horizon=30, reps=1000, seed=0, baseline="expected")
    state = fitted.state_at(day)
    eps = res.impulse[0] * state.scale
    expected = np.asarray(state.alpha) * (eps**2 - np.asarray(state.h)) / state.scale**2
    np.testing.assert_allclose(res.estimate[0, 1, :5], expected, rtol=1e-10)
    assert np.isfinite(res.estimate).all()
    # correlations of AA move, and the response has died down by h = 30 relative to its peak
    corr = res.response("corr[AA,AXP]")["estimate"].abs()
    assert corr.max() > 0 and corr.iloc[-1] < corr.max()
