"""Results protocol of the contagion tests (summary() -> Summary, to_frame(), plot()) and the alpha rename."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contagion._summary import Summary
from contagion.hypothesis.correlation_shift import correlation_shift
from contagion.hypothesis.forbes_rigobon import forbes_rigobon
from contagion.hypothesis.results import CorrelationShiftResult, ForbesRigobonResult, GrangerInVarianceResult
from contagion.hypothesis.variance_causality import granger_in_variance

INDEX = pd.bdate_range("2023-01-02", periods=320, name="date")
N0 = 250


@pytest.fixture
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = np.r_[rng.normal(0.0, 1.0, N0), rng.normal(0.0, 2.5, INDEX.size - N0)]
    y = 0.5 * x + rng.normal(0.0, 1.0, INDEX.size)
    z = rng.normal(0.0, 1.0, INDEX.size)
    return pd.DataFrame({"X": x, "Y": y, "Z": z}, index=INDEX)


@pytest.fixture
def correlations() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    t = np.arange(INDEX.size)
    base = np.where(t < N0, 0.2, 0.45)
    return pd.DataFrame({"A~B": base + 0.02 * rng.standard_normal(INDEX.size),
                         "A~C": 0.3 + 0.02 * rng.standard_normal(INDEX.size)}, index=INDEX)


def _fr(returns: pd.DataFrame, **kwargs: float) -> ForbesRigobonResult:
    return forbes_rigobon(returns, "X", (INDEX[0], INDEX[N0 - 1]), (INDEX[N0], INDEX[-1]), **kwargs)


def test_forbes_rigobon_protocol(returns: pd.DataFrame) -> None:
    res = _fr(returns)
    s = res.summary()
    assert isinstance(s, Summary)
    assert "Forbes-Rigobon" in s and "source X" in s and "tranquil" in s and "rho_turmoil_adjusted" in s
    frame = s.to_frame()
    assert isinstance(frame, pd.DataFrame) and list(frame["market"]) == ["Y", "Z"]
    pd.testing.assert_frame_equal(frame, res.to_frame())
    fig = res.plot()
    assert isinstance(fig, Figure) and fig.axes
    fig.clf()
    assert type(res).__module__ == "contagion.hypothesis.results"


def test_correlation_shift_protocol(correlations: pd.DataFrame) -> None:
    res = correlation_shift(correlations, INDEX[N0], 120, 60)
    assert isinstance(res, CorrelationShiftResult)
    s = res.summary()
    assert isinstance(s, Summary) and "Newey-West" in s and "A~B" in s and "increase" in s
    assert not res.to_frame().empty
    pd.testing.assert_frame_equal(s.to_frame(), res.to_frame())
    assert list(res.series.columns) == ["A~B", "A~C"] and len(res.series) == 180
    fig = res.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig.clf()


def test_granger_in_variance_protocol(returns: pd.DataFrame) -> None:
    z = (returns - returns.mean()) / returns.std(ddof=0)
    res = granger_in_variance(z, ["X"], ["Y", "Z"], lags=3, kind="std_resid")
    assert isinstance(res, GrangerInVarianceResult)
    s = res.summary()
    assert isinstance(s, Summary) and "Cheung & Ng" in s and "M = 3" in s
    assert len(res.to_frame()) == 2
    pd.testing.assert_frame_equal(s.to_frame(), res.to_frame())
    fig = res.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig.clf()


def test_level_is_the_deprecated_spelling_of_alpha(returns: pd.DataFrame, correlations: pd.DataFrame) -> None:
    new = _fr(returns, alpha=0.10)
    with pytest.warns(DeprecationWarning, match="use alpha= instead"):
        old = _fr(returns, level=0.10)
    pd.testing.assert_frame_equal(old.table, new.table)
    assert new.alpha == 0.10
    with pytest.warns(DeprecationWarning, match=r"use \.alpha instead"):
        assert new.level == 0.10
    with pytest.warns(DeprecationWarning, match="use alpha= instead"):
        shift = correlation_shift(correlations, INDEX[N0], 120, 60, level=0.01)
    assert shift.alpha == 0.01
    with pytest.warns(DeprecationWarning, match=r"use \.alpha instead"):
        assert shift.level == 0.01
    z = (returns - returns.mean()) / returns.std(ddof=0)
    with pytest.warns(DeprecationWarning, match="use alpha= instead"):
        gv = granger_in_variance(z, ["X"], ["Y"], lags=3, kind="std_resid", level=0.2)
    assert gv.alpha == 0.2
    with pytest.warns(DeprecationWarning, match=r"use \.alpha instead"):
        assert gv.level == 0.2
    with pytest.raises(ValueError, match="alpha"), pytest.warns(DeprecationWarning):
        _fr(returns, level=1.5)
