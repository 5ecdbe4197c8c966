"""tools/calibrate_demo.py reproduces the committed demo parameters from the real data."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO_ROOT


def _tool() -> ModuleType:
    path = REPO_ROOT / "tools" / "calibrate_demo.py"
    spec = importlib.util.spec_from_file_location("calibrate_demo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.realdata
@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray")  # inside exchange_calendars
def test_calibration_reproduces_the_committed_json(markets_dir: Path) -> None:
    tool = _tool()
    fresh = json.loads(tool.dumps(tool.calibrate(markets_dir)))
    committed = json.loads((REPO_ROOT / "contagion" / "_demo" / "demo_params.json").read_text())
    mismatches = _compare(fresh, committed)
    assert not mismatches, "run: python tools/calibrate_demo.py (and commit the JSON): " + "; ".join(mismatches[:5])


# The calibration runs optimisers and an eigendecomposition (factor loadings, AR and GARCH fits) on real data.
# Across releases of numpy / scipy / statsmodels the estimates move in the last digits: measured against the
# committed JSON with numpy 2.4.6, scipy 1.17.1 and statsmodels 0.15.0, the largest change is 7.1e-5 absolute
# (the third factor's loadings, values of order 0.01-0.08) and below 0.1% relative on every value above 0.1.
# A change to the calibration itself moves values by far more than these tolerances.
_REL_TOL = 1e-3
_ABS_TOL = 2.5e-4


def _compare(fresh: Any, committed: Any, path: str = "") -> list[str]:
    """Differences between two JSON trees: keys, lengths, strings and ints exactly; floats within tolerance."""
    if isinstance(committed, dict):
        if not isinstance(fresh, dict) or fresh.keys() != committed.keys():
            return [f"{path}: keys differ"]
        return [m for k in committed for m in _compare(fresh[k], committed[k], f"{path}.{k}")]
    if isinstance(committed, list):
        if not isinstance(fresh, list) or len(fresh) != len(committed):
            return [f"{path}: lengths differ"]
        return [m for i, (a, b) in enumerate(zip(fresh, committed, strict=True)) for m in _compare(a, b, f"{path}[{i}]")]
    if isinstance(committed, float) or isinstance(fresh, float):
        if isinstance(fresh, int | float) and math.isclose(fresh, committed, rel_tol=_REL_TOL, abs_tol=_ABS_TOL):
            return []
        return [f"{path}: {fresh!r} != {committed!r}"]
    return [] if fresh == committed else [f"{path}: {fresh!r} != {committed!r}"]


def test_the_comparison_catches_a_real_change() -> None:
    assert _compare({"a": [0.0195, 1.0]}, {"a": [0.01957, 1.0]}) == []
    assert _compare({"a": [0.0205, 1.0]}, {"a": [0.0195, 1.0]}) != []
    assert _compare({"a": "x"}, {"a": "y"}) != [] and _compare({"a": 1}, {"b": 1}) != []


@pytest.mark.realdata
def test_calibrated_values_are_plausible(markets_dir: Path) -> None:
    import json

    params = json.loads((REPO_ROOT / "contagion" / "_demo" / "demo_params.json").read_text())
    nvda = params["assets"]["NVDA"]
    assert nvda["anchor_date"] == "2025-01-24" and nvda["anchor_close"] == pytest.approx(142.62)
    assert nvda["shock_return"] == pytest.approx(-0.1697, abs=0.002)     # SOURCES.md: 27-Jan -17.0%
    assert params["assets"]["BTC-USD"]["shock_return"] == pytest.approx(-0.047, abs=0.003)  # low -4.7%
    # daily vol levels: SPY ~ 0.8%, NVDA ~ 3%, BTC ~ 2.5-3%
    import math

    def daily_sd(t: str) -> float:
        a = params["assets"][t]
        return math.exp(0.5 * a["log_var_mean"])

    assert daily_sd("SPY") < daily_sd("NVDA") < daily_sd("CORZ")
    assert 0.004 < daily_sd("SPY") < 0.012
