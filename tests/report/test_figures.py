"""Report figures: only the asked formats are rendered, and drawing leaves the collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
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
