"""Every connectedness results class follows the one results protocol: summary() -> Summary holding the key
facts, to_frame() -> a non-empty DataFrame, plot() -> a matplotlib Figure; results live in public modules."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from contagion._summary import Summary
from contagion.spillover import (
    ConnectednessResult,
    GroupConnectedness,
    RollingConnectednessResult,
    connectedness,
    rolling_connectedness,
    tvp_connectedness,
)
from tests.spillover.test_connectedness_static import random_frame


def _check_plot(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    plt.close(fig)


def test_connectedness_result_protocol(rng):
    res = connectedness(random_frame(rng), lags=1)
    s = res.summary()
    assert isinstance(s, Summary)
    assert "generalized FEVD" in s and "VAR(1)" in s and f"TCI {res.total:.2f}%" in s
    assert s.to_frame().loc["NET", "FROM"] == pytest.approx(res.total)
    assert str(res) in s.as_text()
    assert not res.to_frame().empty
    _check_plot(res.plot())


def test_group_connectedness_protocol(rng):
    res = connectedness(random_frame(rng, n_vars=5), lags=1)
    g = res.groups({"equities": ["V0", "V1"], "tokens": ["V2", "V3", "V4"]})
    s = g.summary()
    assert isinstance(s, Summary)
    assert "equities: V0, V1" in s and "tokens: V2, V3, V4" in s and f"TCI {res.total:.2f}%" in s
    assert s.to_frame().loc["TO", "FROM"] == pytest.approx(g.to.sum())
    assert not g.to_frame().empty
    _check_plot(g.plot())


def test_rolling_result_summary(rng):
    df = random_frame(rng)
    res = rolling_connectedness(df, window=200, lags=1, step=5)
    s = res.summary()
    assert isinstance(s, Summary)
    tci = res.total
    assert f"{len(res.index)} windows" in s and "window 200 rows" in s and "step 5" in s
    assert f"TCI mean {tci.mean():.2f}%" in s and str(tci.idxmax()) in s and str(tci.idxmin()) in s
    means = s.to_frame()
    assert list(means.columns) == ["to", "from", "net"]
    np.testing.assert_allclose(means["net"].to_numpy(), res.net.mean().to_numpy())
    total = s.to_frame("total connectedness index")
    assert total.loc["max", "value"] == pytest.approx(tci.max()) and total.loc["min", "date"] == tci.idxmin()
    assert not res.to_frame().empty
    _check_plot(res.plot())


def test_tvp_result_summary(rng):
    res = tvp_connectedness(random_frame(rng, n_obs=250), prior_window=100)
    s = res.summary()
    assert "TVP-VAR(1)" in s and "250 dates" in s and "prior=bayes" in s
    assert s.to_frame()["net"].sum() == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("cls", [ConnectednessResult, GroupConnectedness, RollingConnectednessResult])
def test_results_live_in_public_modules(cls):
    assert not any(part.startswith("_") for part in cls.__module__.split("."))
