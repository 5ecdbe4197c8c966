"""Run folders shared by the report tests: the tiny demo study (it has robustness jobs and the four model
families beyond the headline VAR switched on, so every table is written) and the same study on a CSV folder
made from the demo market."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._runner_support import FIXTURES

#: The four model families beyond the headline VAR, switched on in the tiny study (every table is written).
MODEL_FAMILIES = """asset_network = true
frequency = true
frequency_bands = [[2, 5], [5, 20], [20, inf]]
quantile = true
quantile_window = 120
dcc_connectedness = true
asset_network_estimator = "lasso"
asset_network_start = 2024-08-01"""


def tiny_study(tmp: Path, *, formats: list[str] | None = None, data_dir: Path | None = None,
               name: str = "demo-tiny") -> Path:
    """demo-tiny.toml with the DeepSeek facts table, optionally other ``[output] formats`` or a CSV source."""
    text = (FIXTURES / "demo-tiny.toml").read_text(encoding="utf-8")
    # demo-tiny ends 107 sessions after its event: the cross-event change test uses 60 each side
    text = text.replace("[data]\n", "[event_study]\nchange_window = 60\n\n[data]\n", 1)
    text = text.replace('name = "demo-tiny"', f'name = "{name}"').replace('seed = 5', 'seed = 5\nfacts = "deepseek"')
    text = text.replace("asset_network = true", MODEL_FAMILIES)
    if data_dir is not None:
        text = text.replace("[data]\n", f'[data]\nsource = "csv"\ndata_dir = "{data_dir.as_posix()}"\n')
    if formats is not None:
        text += "\n[output]\nformats = [" + ", ".join(f'"{f}"' for f in formats) + "]\n"
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete demo run folder of the tiny study (all formats)."""
    pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")
    from contagion.workflow.runner import run_study

    tmp = tmp_path_factory.mktemp("tiny-demo")
    return run_study(tiny_study(tmp), demo=True, out=tmp / "out", n_jobs=1).folder


@pytest.fixture(scope="session")
def tiny_csv_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny study on a folder of <TICKER>.csv files written from the demo market."""
    pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")
    from contagion.data.demo import DemoSource
    from contagion.workflow.runner import run_study

    tmp = tmp_path_factory.mktemp("tiny-csv")
    data = tmp / "my-market-data"
    data.mkdir()
    tickers = ["NVDA", "AMD", "BTC-USD", "ETH-USD", "FET-USD", "NEAR-USD"]
    for ticker, frame in DemoSource(seed=3).load(tickers, "2023-06-01", "2025-06-30").items():
        frame.reset_index().to_csv(data / f"{ticker}.csv", index=False, date_format="%Y-%m-%d")
    return run_study(tiny_study(tmp, data_dir=data, name="csv-tiny"), out=tmp / "out", n_jobs=1).folder
