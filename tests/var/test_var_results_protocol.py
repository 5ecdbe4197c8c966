"""Every VAR results class follows the one results protocol: summary() -> Summary holding the key facts,
to_frame() -> a non-empty DataFrame, plot() -> a matplotlib Figure (where a figure makes sense); results
classes live in public modules; seed= accepts an int, a Generator or None."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contagion._summary import Summary
from contagion.errors import SpecificationError
from contagion.var.model import VAR, VARResults
from contagion.var.results import GrangerResult, IRFResult
from tests.var.test_var_model import make_data


@pytest.fixture()
def res(rng) -> VARResults:
    return VAR(make_data(rng), lags=2).fit()


def test_var_results_protocol(res):
    s = res.summary()
    assert isinstance(s, Summary)
    assert "VAR(2)" in s and "398 observations" in s and "stable: True" in s and "NVDA.l1" in s
    pd.testing.assert_frame_equal(s.to_frame(), res.to_frame())
    pd.testing.assert_frame_equal(s.to_frame("residual covariance (d.o.f.-corrected)"), res.sigma)
    assert isinstance(res.to_frame(), pd.DataFrame) and len(res.to_frame()) == 4 * (1 + 2 * 4)
    for kind in ("fitted", "residuals"):
        fig = res.plot(kind=kind)
        assert isinstance(fig, Figure) and len(fig.axes) == res.n_vars
        plt.close(fig)
    with pytest.raises(SpecificationError, match="kind must be 'fitted' or 'residuals'"):
        res.plot(kind="levels")  # type: ignore[arg-type]


def test_fitted_panel_shows_data_minus_residuals(res):
    fig = res.plot()
    line_data, line_fit = fig.axes[1].get_lines()[:2]
    observed = res.model.data.to_numpy()[res.n_lags :, 1]
    np.testing.assert_allclose(line_data.get_ydata(), observed)
    np.testing.assert_allclose(line_fit.get_ydata(), observed - res.resid[:, 1])
    plt.close(fig)


def test_irf_result_protocol(res):
    irf = res.irf(6, kind="generalized", bands="bootstrap", reps=40, seed=3)
    s = irf.summary()
    assert isinstance(s, Summary)
    assert "generalized" in s and "bootstrap, level 0.95, 40 replications, seed 3" in s
    main = s.to_frame()
    assert sorted(main["horizon"].unique()) == [0, 1, 5, 6] and len(main) == 4 * 4 * 4
    assert isinstance(irf.to_frame(), pd.DataFrame) and not irf.to_frame().empty
    fig = irf.plot()
    assert isinstance(fig, Figure)
    plt.close(fig)


def test_granger_result_protocol(res):
    g = res.granger("NVDA", "BTC")
    s = g.summary()
    assert isinstance(s, Summary)
    assert "H0 = NVDA do not Granger-cause BTC" in s and f"{g.statistic:.4f}" in s
    pd.testing.assert_frame_equal(s.to_frame(), g.to_frame())
    assert str(g) == s.as_text()


@pytest.mark.parametrize("cls", [VARResults, IRFResult, GrangerResult])
def test_results_live_in_public_modules(cls):
    assert not any(part.startswith("_") for part in cls.__module__.split("."))


def test_seed_accepts_a_generator(res):
    by_int = res.irf(4, bands="wild", reps=30, seed=11)
    again = res.irf(4, bands="wild", reps=30, seed=11)
    np.testing.assert_array_equal(by_int.lower, again.lower)
    by_gen = res.irf(4, bands="wild", reps=30, seed=np.random.default_rng(5))
    same_gen = res.irf(4, bands="wild", reps=30, seed=np.random.default_rng(5))
    assert by_gen.seed == same_gen.seed and isinstance(by_gen.seed, int)
    np.testing.assert_array_equal(by_gen.upper, same_gen.upper)
    replay = res.irf(4, bands="wild", reps=30, seed=by_gen.seed)  # the recorded seed reproduces the band
    np.testing.assert_array_equal(replay.upper, by_gen.upper)
    fresh = res.irf(4, bands="wild", reps=30)
    assert isinstance(fresh.seed, int)
    with pytest.raises(SpecificationError, match="seed must be a non-negative integer"):
        res.irf(4, bands="wild", reps=30, seed=-1)
