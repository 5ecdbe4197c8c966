"""`contagion run deepseek-2025 --data-dir ../shared/data/markets` on the real data (skipped without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from contagion.cli import main
from tests._runner_support import REQUIRED_FILES, run_folders


@pytest.mark.slow
@pytest.mark.realdata
def test_builtin_study_on_real_data(markets_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "deepseek-2025", "--data-dir", str(markets_dir), "--out",
                                       str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" not in result.output
    [folder] = run_folders(tmp_path, "deepseek-2025")
    for rel in REQUIRED_FILES:
        assert (folder / rel).is_file(), rel
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simulated"] is False and manifest["source"]["kind"] == "csv"
    assert len(manifest["input_series"]) == 31  # the study's tickers (^VIX left the benchmark group)
    # the event-day figures come from the aligned panel: NVDA's 2025-01-27 close-to-close log return
    # (142.62 -> 118.42) is log(118.42 / 142.62) = -18.6% (simple -16.97%)
    panel = pd.read_parquet(folder / "data/panel.parquet")
    nvda = panel[(panel["series"] == "NVDA") & (panel["kind"] == "log_return")].set_index("date")["value"]
    assert nvda.loc[pd.Timestamp("2025-01-27").date()] == pytest.approx(-0.18597, abs=2e-4)
    static = pd.read_csv(folder / "connectedness/static.csv")
    assert set(static["job"]) >= {"main", "pre-event", "post-event", "calendar-monday-saturday",
                                  "calendar-monday-sunday", "calendar-weekly", "measure-parkinson",
                                  "measure-yang-zhang"}
    if (folder / "events/facts.csv").is_file():
        facts = pd.read_csv(folder / "events/facts.csv")
        assert {"claim", "verdict", "close_to_close"} <= set(facts.columns)
