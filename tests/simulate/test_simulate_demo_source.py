"""DemoSource: the Source protocol on top of the simulated market."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from contagion.data.demo import DemoSource
from contagion.errors import DataError, SpecificationError
from contagion.simulate import demo_params_sha256, simulate_market


def test_demo_source_protocol_and_describe() -> None:
    src = DemoSource(seed=2)
    assert src.name == "demo"
    frames = src.load(["NVDA", "BTC-USD", "^VIX"], "2025-01-01", "2025-02-28")
    assert list(frames) == ["NVDA", "BTC-USD", "^VIX"]
    for f in frames.values():
        assert f.index.min() >= pd.Timestamp("2025-01-01")
        assert f.index.max() <= pd.Timestamp("2025-02-28")
        assert f.attrs["simulated"] is True
    desc = src.describe()
    assert desc["kind"] == "demo" and desc["simulated"] is True and desc["seed"] == 2
    assert desc["params_sha256"] == demo_params_sha256()
    json.dumps(desc)  # JSON-able


def test_demo_source_windows_and_equality_with_simulate_market() -> None:
    default = DemoSource(seed=0).load(["ETH-USD"])["ETH-USD"]
    assert default.index[0] == pd.Timestamp("2023-01-01")
    assert default.index[-1] == pd.Timestamp("2025-06-30")
    narrowed = DemoSource(seed=0, start="2024-01-01", end="2024-12-31").load(["ETH-USD"])["ETH-USD"]
    assert narrowed.index[0] == pd.Timestamp("2024-01-01") and narrowed.index[-1] == pd.Timestamp("2024-12-31")
    direct = simulate_market(["ETH-USD"], start="2024-01-01", end="2024-12-31", seed=0)["ETH-USD"]
    pd.testing.assert_frame_equal(narrowed, direct, check_exact=True)
    # load's own window wins over the source default
    over = DemoSource(seed=0, start="2024-01-01").load(["ETH-USD"], start="2024-06-01", end="2024-06-30")
    assert len(over["ETH-USD"]) == 30


def test_demo_source_seeds_differ_and_errors() -> None:
    a = DemoSource(seed=0).load(["SOL-USD"])["SOL-USD"]
    b = DemoSource(seed=1).load(["SOL-USD"])["SOL-USD"]
    assert not np.array_equal(a["close"].to_numpy(), b["close"].to_numpy())
    with pytest.raises(DataError, match="NOPE"):
        DemoSource().load(["NOPE"])
    with pytest.raises(SpecificationError, match="seed"):
        DemoSource(seed=-3)
    with pytest.raises(SpecificationError):
        DemoSource(start="yesterday-ish")
