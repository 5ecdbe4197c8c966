"""Several events, one batch: every ``[[events]]`` entry gets the contagion tests, the event study (in every
job whose sample holds it) and a row block of the cross-event table; windows that contain another listed
event are flagged in the table and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from contagion.cli import main
from contagion.workflow.spec import load_study
from tests._runner_support import FIXTURES, run_folders

pytest.importorskip("contagion.data.demo", reason="the demo source (branch demo) is not installed")

EVENTS = ("DeepSeek R1", "Tariff crash")
STUDY = FIXTURES / "demo-events.toml"


@pytest.fixture(scope="module")
def events_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(main, ["run", str(STUDY), "--demo", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    (folder,) = run_folders(out, "demo-events")
    return folder


def test_every_event_gets_the_tests_and_the_event_study(events_run: Path) -> None:
    car = pd.read_csv(events_run / "events/car.csv")
    groups = car[(car["level"] == "group") & (car["job"] == "main")]
    study = load_study(STUDY)
    windows = {f"[{a},{b}]" for a, b in study.event_study.windows}
    for event in EVENTS:
        part = groups[groups["event"] == event]
        assert set(part["window"]) == windows, event
        assert {"ai_equity", "crypto_major", "altcoin", "ai_token", "all"} <= set(part["group"])
        assert part[["t_cross", "p_cross", "t_bmp", "p_bmp", "t_bmp_kp", "p_bmp_kp"]].notna().all().all()
    for name in ("forbes_rigobon", "correlation_shift"):
        table = pd.read_csv(events_run / f"tests/{name}.csv")
        assert set(table["event"]) == set(EVENTS), name
    ar = pd.read_csv(events_run / "events/abnormal_returns.csv")
    btc = ar[(ar["job"] == "main") & (ar["ticker"] == "BTC-USD")]
    assert set(btc["event"]) == set(EVENTS) and btc["abnormal"].notna().all()   # BTC has abnormal returns


def test_event_study_in_every_robustness_job(events_run: Path) -> None:
    car = pd.read_csv(events_run / "events/car.csv")
    groups = car[car["level"] == "group"]
    assert set(groups.loc[groups["job"] == "measure-parkinson", "event"]) == set(EVENTS)
    assert "pre-event" not in set(groups["job"])          # its sample ends the day before the first event
    main = groups[groups["job"] == "main"].set_index(["event", "group", "window"])["mean_car"]
    other = groups[groups["job"] == "measure-parkinson"].set_index(["event", "group", "window"])["mean_car"]
    # the volatility measure does not enter the returns: the CARs of the two jobs agree
    pd.testing.assert_series_equal(main.sort_index(), other.sort_index(), rtol=1e-10)
    report = (events_run / "report.md").read_text(encoding="utf-8")
    assert "Event study across jobs" in report
    assert "pre-event | - |" in report and "does not contain the event" in report


def test_cross_event_table(events_run: Path) -> None:
    cross = pd.read_csv(events_run / "events/cross_event.csv")
    assert set(cross["event"]) == set(EVENTS)
    for event in EVENTS:
        part = cross[cross["event"] == event]
        tci = part[part["measure"] == "tci_change"]
        assert len(tci) == 1 and tci["group"].iloc[0] == "TOTAL"
        row = tci.iloc[0]
        assert row["lower"] < row["upper"] and 0.0 <= row["p_value"] <= 1.0
        np.testing.assert_allclose(row["estimate"], row["after"] - row["before"], atol=1e-8)  # CSV rounding
        net = part[(part["measure"] == "net_change") & (part["group"] == "ai_equity")]
        assert len(net) == 1 and np.isfinite(net[["estimate", "lower", "upper", "p_value"]].to_numpy()).all()
        cars = part[part["measure"] == "mean_car"]
        assert set(cars["window"]) == {"[0,1]"} and cars["statistic"].notna().all()
        assert (tci["lags"] == 1).all()                     # the main job's lag order (var.lags = 1)
    report = (events_run / "report.md").read_text(encoding="utf-8")
    assert "Cross-event comparison" in report and "Change in connectedness" in report
    assert "Change in TCI: DeepSeek R1" in report


def test_window_with_another_event_is_flagged(events_run: Path) -> None:
    car = pd.read_csv(events_run / "events/car.csv", keep_default_na=False)
    main = car[(car["job"] == "main") & (car["event"] == "DeepSeek R1")]
    flags = main.groupby("window")["overlapping_events"].agg(set)
    assert flags["[0,5]"] == {"Tariffs on Canada, Mexico and China (2025-02-03)"}
    assert flags["[0,0]"] == {""} and flags["[-1,1]"] == {""}
    report = (events_run / "report.md").read_text(encoding="utf-8")
    assert "Window \\[0,5\\] of DeepSeek R1 contains another event: Tariffs on Canada, Mexico and China" in report
