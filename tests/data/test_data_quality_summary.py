"""DataQualityReport.summary(): counts by severity, the per-ticker table and the issue counts by check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from contagion._summary import Summary
from contagion.data.quality import DataQualityReport, QualityIssue, TickerSummary, check_frame


def _frame(days: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
                         "adj_close": close, "volume": 1.0}, index=days)


def test_summary_counts_and_tables() -> None:
    days = pd.bdate_range("2024-01-02", "2024-03-29")
    close = 100.0 * np.exp(np.linspace(0.0, 0.1, len(days)))
    close[10:16] = close[10]                       # a stale run
    good, issues = check_frame("ABC", _frame(days, close).drop(days[30]), twenty_four_seven=False)
    bad = (TickerSummary("BAD", rows=3),
           [QualityIssue("BAD", "error", "non_positive_price", "BAD: 1 row(s) with a non-positive price")])
    report = DataQualityReport((good, bad[0]), (*issues, *bad[1]))
    s = report.summary()
    assert isinstance(s, Summary)
    assert "tickers: 2" in s and f"errors: 1, warnings: {len(issues)}" in s and "non_positive_price" in s
    per_ticker = s.to_frame()
    pd.testing.assert_frame_equal(per_ticker, report.to_frame())
    assert list(per_ticker["status"]) == ["warning", "error"]
    by_check = s.to_frame("issues by check")
    assert by_check.loc["non_positive_price", "errors"] == 1
    assert by_check.loc["stale_prices", "warnings"] == 1 and by_check.loc["missing_sessions", "warnings"] == 1
    assert int(by_check["warnings"].sum()) == len(issues)


def test_summary_of_an_empty_report() -> None:
    s = DataQualityReport().summary()
    assert "tickers: 0" in s and "errors: 0, warnings: 0 (ok)" in s
    assert s.to_frame("issues by check").empty
