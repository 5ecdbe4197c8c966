"""Report figures: only the asked formats are rendered, and drawing leaves the collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from contagion.report import figure_plan
from contagion.report import figures as figs


def _car() -> pd.DataFrame:
    return pd.DataFrame({"group": ["a", "a", "b", "b"], "day": [0, 1, 0, 1], "car": [0.0, 0.01, 0.0, -0.02]})


def _counting(fig: Figure) -> list[str]:
    """Record the format of every ``savefig`` call (each one is a full draw of the figure)."""
    calls: list[str] = []
    original = fig.savefig

    def savefig(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs["format"])
        original(*args, **kwargs)

    fig.savefig = savefig  # type: ignore[method-assign]
    return calls


@pytest.mark.parametrize("formats", [("png",), ("pdf",), ("pdf", "png"), ()])
def test_save_figure_renders_only_the_asked_formats(tmp_path: Path, formats: tuple[str, ...]) -> None:
    fig = figs.car_by_group(_car(), title="CAR")
    calls = _counting(fig)
    paths = figs.save_figure(fig, tmp_path, "car", formats=formats)
    expected = [f for f in figs.FORMATS if f in formats]  # written in FORMATS order, whatever the order asked
    assert calls == expected
    assert [p.suffix.lstrip(".") for p in paths] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"car.{f}" for f in expected)


def test_save_figure_rejects_an_unknown_format_before_writing(tmp_path: Path) -> None:
    fig = figs.car_by_group(_car(), title="CAR")
    with pytest.raises(ValueError, match="svg"):
        figs.save_figure(fig, tmp_path / "f", "car", formats=("png", "svg"))
    assert not (tmp_path / "f").exists()


def test_draw_one_draws_once_writes_only_the_format_and_thaws_the_heap(tmp_path: Path) -> None:
    drawn: list[Figure] = []

    def draw() -> Figure:
        drawn.append(figs.car_by_group(_car(), title="CAR"))
        return drawn[-1]

    frozen_before = gc.get_freeze_count()
    figure_plan._draw_one(draw, tmp_path, "car", ("pdf",))
    assert len(drawn) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["car.pdf"]
    assert gc.get_freeze_count() == frozen_before  # nothing is left in the permanent generation


def test_draw_one_thaws_the_heap_when_a_drawing_fails(tmp_path: Path) -> None:
    def draw() -> Figure:
        raise RuntimeError("no data")

    frozen_before = gc.get_freeze_count()
    with pytest.raises(RuntimeError, match="no data"):
        figure_plan._draw_one(draw, tmp_path, "x", ("png",))
    assert gc.get_freeze_count() == frozen_before


def _irf(n: int = 3, scale: float = 1.0, missing: tuple[str, str] | None = None) -> pd.DataFrame:
    names = [f"g{k}" for k in range(n)]
    rows = []
    for i, impulse in enumerate(names):
        for j, response in enumerate(names):
            if (impulse, response) == missing:
                continue
            for h in range(11):
                value = scale * (1.0 if i == j else 0.3 - 0.1 * j) * 0.8**h
                rows.append({"kind": "generalized", "impulse": impulse, "response": response, "horizon": h,
                             "estimate": value, "lower": value - 0.2 * scale, "upper": value + 0.1 * scale})
    return pd.DataFrame(rows)


def test_irf_grid_panels_share_the_horizon_and_cover_their_band() -> None:
    irf = _irf()
    fig = figs.irf_grid(irf, kind="generalized", title="IRF")
    FigureCanvasAgg(fig).draw()  # a bare Figure's canvas does not draw
    axes = fig.axes
    assert len(axes) == 9
    assert len({ax.get_xlim() for ax in axes}) == 1  # one horizon axis for all panels, as sharex gave
    assert axes[0].get_xlim() == pytest.approx((-0.5, 10.5))  # 0..10 with matplotlib's 5% margins
    for k, ax in enumerate(axes):
        bottom_row = k // 3 == 2
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        assert bool(shown) == bottom_row, k  # horizon labels on the bottom row only
        lo, hi = ax.get_ylim()
        impulse, response = f"g{k % 3}", f"g{k // 3}"
        cell = irf[(irf["impulse"] == impulse) & (irf["response"] == response)]
        assert lo < min(cell["lower"].min(), 0.0) and hi > cell["upper"].max()  # band and the zero line inside
        ticks = ax.get_yticks()
        assert 2 <= len(ticks) <= 4 and lo <= ticks.min() and ticks.max() <= hi


def test_irf_grid_draws_a_missing_cell_empty() -> None:
    fig = figs.irf_grid(_irf(missing=("g0", "g1")), kind="generalized", title="IRF")
    FigureCanvasAgg(fig).draw()  # a bare Figure's canvas does not draw
    assert len(fig.axes) == 9


def test_virf_paths_keep_the_offset_of_tiny_responses() -> None:
    irf = _irf(n=2, scale=1e-7)
    virf = irf[irf["impulse"] == "g0"].rename(columns={"impulse": "shock"})
    fig = figs.virf_paths(virf, shock="g0", responses=["g0", "g1"], title="VIRF")
    FigureCanvasAgg(fig).draw()  # a bare Figure's canvas does not draw
    for ax in fig.axes:
        assert ax.yaxis.get_offset_text().get_text() in ("1e\u22127", "1e\u22128")  # not 0.0000001-long labels
        assert all(len(t.get_text()) <= 4 for t in ax.get_yticklabels())
