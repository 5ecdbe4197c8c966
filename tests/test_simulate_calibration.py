"""tools/calibrate_demo.py reproduces the committed demo parameters from the real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

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
    fresh = tool.dumps(tool.calibrate(markets_dir))
    committed = (REPO_ROOT / "contagion" / "_demo" / "demo_params.json").read_text()
    assert fresh == committed, "run: python tools/calibrate_demo.py (and commit the JSON)"


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
