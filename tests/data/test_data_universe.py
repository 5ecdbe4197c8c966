"""Universe registry, symbol quirks, splicing and the AGIX/OCEAN migration; quality report details."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.data import universe as u
from contagion.data.quality import DataQualityReport, check_frame
from contagion.errors import DataError

STUDY_TICKERS = ["NVDA", "AMD", "AVGO", "TSM", "MSFT", "GOOGL", "META", "ASML", "SMCI", "MARA", "RIOT", "CLSK",
                 "CORZ", "IREN", "BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD",
                 "FET-USD", "RENDER-USD", "TAO-USD", "NEAR-USD", "GRT-USD", "WLD-USD", "AKT-USD", "ICP-USD", "SPY",
                 "QQQ", "^VIX"]


def test_registry_covers_study_tickers_and_groups() -> None:
    for t in STUDY_TICKERS:
        asset = u.get_asset(t)
        assert asset.ticker == t and asset.group in u.GROUPS
    assert u.tickers_in_group("crypto_major") == ("BTC-USD", "ETH-USD")
    assert "TAO-USD" in u.tickers_in_group("ai_token") and "RNDR-USD" not in u.tickers_in_group("ai_token")
    assert u.get_asset("MARA").group == "miner" and u.get_asset("^VIX").asset_class == "index"


@pytest.mark.realdata
def test_registry_covers_manifest(markets_dir: Path) -> None:
    with (markets_dir / "manifest.csv").open() as fh:
        tickers = [row["ticker"] for row in csv.DictReader(fh)]
    assert len(tickers) == 37
    for t in tickers:
        assert u.get_asset(t).is_crypto == t.endswith("-USD")


def test_quirks_and_aliases() -> None:
    assert u.get_asset("TAO-USD").yahoo == "TAO22974-USD"
    assert u.resolve_ticker("TAO22974-USD") == "TAO-USD"
    assert u.resolve_ticker("sol") == "SOL-USD"
    assert u.get_asset("RENDER-USD").splice_from == "RNDR-USD"
    agix, ocean = u.get_asset("AGIX-USD").migration, u.get_asset("OCEAN-USD").migration
    assert agix is not None and agix.rate == 0.433350 and agix.into == "FET-USD" and agix.date == "2024-07-01"
    assert ocean is not None and ocean.rate == 0.433226
    with pytest.raises(DataError, match=r"unknown ticker 'NVDX'.*Did you mean NVDA"):
        u.get_asset("NVDX")
    with pytest.raises(DataError, match="unknown group"):
        u.tickers_in_group("memecoins")


def _frame(dates: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
                         "adj_close": np.nan, "volume": 1.0}, index=pd.DatetimeIndex(dates, name="date"))


def test_migration_keeps_returns() -> None:
    days = pd.date_range("2024-06-25", "2024-07-05", freq="D")
    fet = _frame(days, np.linspace(1.0, 1.2, len(days)))
    agix = _frame(days[days < "2024-07-01"], np.linspace(0.43, 0.45, 6))
    m = u.get_asset("AGIX-USD").migration
    assert m is not None
    out = u.migrated_series(agix, fet, m)
    assert out.index[-1] == days[-1]
    assert out.loc["2024-07-02", "close"] == pytest.approx(0.433350 * fet.loc["2024-07-02", "close"])
    after = np.diff(np.log(out.loc["2024-07-01":, "close"].to_numpy()))
    np.testing.assert_allclose(after, np.diff(np.log(fet.loc["2024-07-01":, "close"].to_numpy())))


def test_splice_checks_overlap() -> None:
    days = pd.date_range("2024-01-01", "2024-01-20", freq="D")
    old = _frame(days[:15], np.full(15, 7.0))
    new = _frame(days[10:], np.full(10, 7.05))
    out = u.splice_series(old, new)
    assert len(out) == 20 and out.loc["2024-01-05", "close"] == 7.0 and out.loc["2024-01-12", "close"] == 7.05
    with pytest.raises(DataError, match="cannot splice"):
        u.splice_series(old, _frame(days[10:], np.full(10, 14.0)))


def test_is_twenty_four_seven_for_unknown_tickers() -> None:
    days = pd.date_range("2024-01-01", "2024-01-31", freq="D")
    assert u.is_twenty_four_seven("XYZ-TOKEN", _frame(days, np.ones(len(days))))
    weekdays = days[days.day_of_week < 5]
    assert not u.is_twenty_four_seven("XYZ", _frame(weekdays, np.ones(len(weekdays))))


def test_quality_warnings_listed_with_dates() -> None:
    days = pd.bdate_range("2024-03-01", "2024-04-30")
    days = days[days != pd.Timestamp("2024-03-29")]  # Good Friday is an XNYS holiday
    close = 100 * np.exp(np.cumsum(np.full(len(days), 0.001)))
    close[10:16] = close[10]                      # stale run of 6 identical closes
    close[30] = close[29] * math.exp(0.4)         # extreme move
    close[31:] = close[31:] * math.exp(0.4)
    frame = _frame(days, close)
    frame = frame.drop(days[20])                  # a missing session
    frame.iloc[5, frame.columns.get_loc("high")] = frame.iloc[5]["close"] * 0.995  # close above high
    summary, issues = check_frame("ABC", frame, twenty_four_seven=False)
    checks = {i.check: i for i in issues}
    assert {"missing_sessions", "stale_prices", "extreme_moves", "ohlc_inconsistent"} <= set(checks)
    assert str(days[20].date()) in checks["missing_sessions"].dates
    assert str(days[30].date()) in checks["extreme_moves"].message
    assert summary.missing_sessions == 1 and summary.stale_runs == 1
    report = DataQualityReport((summary,), tuple(issues))
    assert report.ok and len(report.warnings) == len(issues)
    assert report.to_frame().loc[0, "status"] == "warning"
    assert '"n_warnings": 4' in report.to_json()
    assert set(report.issues_frame().columns) == {"ticker", "severity", "check", "message", "dates"}


def test_quality_suspected_split() -> None:
    days = pd.bdate_range("2024-01-02", "2024-02-28")
    close = np.full(len(days), 100.0)
    close[20:] = 10.0  # an unadjusted 10:1 split: the open gaps too
    frame = _frame(days, close)
    summary, issues = check_frame("XYZ", frame, twenty_four_seven=False)
    assert summary.suspected_splits == 1
    assert any(i.check == "suspected_split" and "x0.100" in i.message for i in issues)
