"""VIRFResult presentation: plot grid, summary text, immutability."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from contagion.dcc.virf import virf
from contagion.errors import SpecificationError
from tests.dcc.test_virf_kernels import make_state


@pytest.fixture(scope="module")
def result():
    state = make_state(np.random.default_rng(1), 4)
    return virf(state, ["X1", "X3"], horizon=12, reps=80, seed=0)


def test_plot_default_grid_named_shock(result):
    fig = result.plot(shock="X3")
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    # every variance plus the correlations of the shocked asset
    assert titles == ["var[X0]", "var[X1]", "var[X2]", "var[X3]", "corr[X0,X3]", "corr[X1,X3]", "corr[X2,X3]"]
    line = fig.axes[3].get_lines()[0]
    np.testing.assert_array_equal(line.get_ydata(), result.response("var[X3]", shock="X3")["estimate"])
    plt.close(fig)


def test_plot_selected_responses_and_errors(result):
    fig = result.plot(responses=["cov[X0,X1]", "corr[X2,X3]"], ncols=1)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["cov[X0,X1]", "corr[X2,X3]"]
    plt.close(fig)
    with pytest.raises(SpecificationError, match="unknown responses"):
        result.plot(responses=["var[NVDA]"])
    with pytest.raises(SpecificationError, match="unknown shock"):
        result.plot(shock="X0")


def test_summary_lists_shocks_and_horizons(result):
    text = result.summary()
    assert "Shock X1" in text and "Shock X3" in text
    assert "h=1" in text and "h=12" in text and "h=30" not in text
    assert "var[X2]" in text and "corr[X1,X3]" in text
    assert str(result) == text


def test_result_is_read_only(result):
    with pytest.raises(ValueError, match="read-only"):
        result.estimate[0, 1, 0] = 1.0
    with pytest.raises(AttributeError):
        result.horizon = 3  # type: ignore[misc]
