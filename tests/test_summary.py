"""The shared Summary object: text, LaTeX, HTML and frames from one set of parts."""

from __future__ import annotations

import pandas as pd
import pytest

from contagion._summary import Summary


def _summary() -> Summary:
    table = pd.DataFrame({"estimate": [0.5, float("nan")], "p_value": [0.01, 0.2]}, index=["a_b", "c%"])
    return Summary("Test & model", header=("n_obs: 100",), tables=(("params", table),), notes=("x on a bound",))


def test_text_holds_every_part() -> None:
    s = _summary()
    text = s.as_text()
    assert text.startswith("Test & model") and "n_obs: 100" in text and "params:" in text
    assert "note: x on a bound" in text and "n_obs" in s and str(s) == text and s == text


def test_latex_escapes_and_html() -> None:
    s = _summary()
    tex = s.as_latex()
    assert r"a\_b" in tex and r"c\%" in tex and r"\toprule" in tex and r"Test \& model" in tex
    assert "<table" in s._repr_html_() and "Test &amp; model" in s.as_html()


def test_frames_by_position_and_caption() -> None:
    s = _summary()
    pd.testing.assert_frame_equal(s.to_frame(), s.to_frame("params"))
    assert list(s.frames) == ["params"]
    with pytest.raises(KeyError, match="no table"):
        s.to_frame("other")


def test_explicit_text_wins() -> None:
    s = Summary("t", text="laid out by hand")
    assert s.as_text() == "laid out by hand"
    with pytest.raises(KeyError):
        s.to_frame()
