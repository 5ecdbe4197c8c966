"""The results protocol on the DCC family: summary() is a Summary, to_frame() a DataFrame, plot() a Figure;
old spellings and seed forms keep working."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contagion._summary import Summary
from contagion.dcc import DCCGARCH, DCCResult, VIRFResult, virf
from contagion.errors import SpecificationError
from tests.dcc.test_dcc_api import _panel
from tests.dcc.test_virf_kernels import make_state


@pytest.fixture(scope="module")
def fitted() -> DCCResult:
    return DCCGARCH(_panel(n_obs=400, n=3)).fit(se=False)


@pytest.fixture(scope="module")
def responses() -> VIRFResult:
    return virf(make_state(np.random.default_rng(2), 3), ["X0", "X2"], horizon=6, reps=40, seed=0)


def test_dcc_result_protocol(fitted):
    summary = fitted.summary()
    assert isinstance(summary, Summary)
    for fact in ("DCC-GARCH: model=dcc", "NVDA, MSFT, BTC", "400 observations", "log-likelihood",
                 "Univariate stage:", "Correlation stage:"):
        assert fact in summary
    assert str(summary) == summary.as_text() and summary == summary.as_text()
    main = summary.to_frame()
    assert list(main["parameter"]) == ["a", "b"]
    pd.testing.assert_frame_equal(main, fitted.to_frame())
    pd.testing.assert_frame_equal(summary.to_frame("Univariate stage"), fitted.univariate)
    frame = fitted.to_frame()
    assert isinstance(frame, pd.DataFrame) and not frame.empty
    fig = fitted.plot()
    assert isinstance(fig, Figure)
    plt.close(fig)
    assert type(fitted).__module__ == "contagion.dcc.results"


def test_virf_result_protocol(responses):
    summary = responses.summary()
    assert isinstance(summary, Summary)
    for fact in ("Volatility impulse responses (DCC-GARCH)", "2025-01-27", "Shock X0", "Shock X2", "seed: 0",
                 "h=1", "h=6", "var[X1]"):
        assert fact in summary
    assert str(responses) == summary
    main = summary.to_frame()
    assert list(main.columns) == ["h=1", "h=2", "h=5", "h=6"] and "var[X0]" in main.index
    np.testing.assert_array_equal(main.loc["var[X1]"].to_numpy(),
                                  responses.response("var[X1]", shock="X0")["estimate"].to_numpy()[[1, 2, 5, 6]])
    innovation = summary.to_frame("Shock X2: innovation")
    assert list(innovation.columns) == ["innovation", "standardized"]
    frame = responses.to_frame()
    assert isinstance(frame, pd.DataFrame) and not frame.empty
    fig = responses.plot()
    assert isinstance(fig, Figure)
    plt.close(fig)
    assert type(responses).__module__ == "contagion.dcc.virf"


def test_simulate_nobs_is_deprecated_for_n_obs(fitted):
    new = fitted.simulate(n_obs=20, seed=5)
    with pytest.warns(DeprecationWarning, match="use n_obs= instead"):
        old = fitted.simulate(nobs=20, seed=5)
    pd.testing.assert_frame_equal(old, new)
    assert new.shape == (20, 3)
    with pytest.raises(SpecificationError, match="n_obs must be >= 1"):
        fitted.simulate(0)


def test_simulate_int_seed_reproduces_and_generator_is_accepted(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = fitted.simulate(30, seed=np.random.default_rng(11))
        b = fitted.simulate(30, seed=np.random.default_rng(11))
    pd.testing.assert_frame_equal(a, b)
    # a Generator contributes one integer, which then seeds the simulation like an int seed
    seed = int(np.random.default_rng(11).integers(2**63))
    pd.testing.assert_frame_equal(a, fitted.simulate(30, seed=seed))
    with pytest.raises(SpecificationError, match="seed must be"):
        fitted.simulate(30, seed=-1)


def test_virf_generator_seed_matches_the_integer_it_draws():
    state = make_state(np.random.default_rng(4), 2)
    from_generator = virf(state, "X0", horizon=4, reps=40, seed=np.random.default_rng(9))
    drawn = int(np.random.default_rng(9).integers(2**63))
    assert from_generator.seed == drawn
    np.testing.assert_array_equal(from_generator.estimate, virf(state, "X0", horizon=4, reps=40, seed=drawn).estimate)
