"""CsvSource and build_panel: bad inputs give clear ContagionErrors; real-data checks on ../shared."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.data import CsvSource, Panel, build_panel
from contagion.data.panel import frame_hash
from contagion.errors import ContagionError, DataError, SpecificationError

HEADER = "date,open,high,low,close,adj_close,volume\n"


def _write(folder: Path, ticker: str, rows: list[str], header: str = HEADER) -> Path:
    path = folder / f"{ticker}.csv"
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def _good_rows(start: str, n: int, daily: bool, base: float = 100.0) -> list[str]:
    days = pd.date_range(start, periods=n * 2, freq="D")
    if not daily:
        days = days[days.day_of_week < 5]
    rows = []
    for i, d in enumerate(days[:n]):
        c = base * math.exp(0.01 * math.sin(i))
        rows.append(f"{d.date()},{c * 0.999},{c * 1.01},{c * 0.99},{c},{'' if daily else c},{1000 + i}")
    return rows


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    _write(tmp_path, "NVDA", _good_rows("2024-01-02", 40, daily=False))
    _write(tmp_path, "BTC-USD", _good_rows("2024-01-01", 60, daily=True, base=40000.0))
    return tmp_path


def test_csv_source_load_shape(folder: Path) -> None:
    src = CsvSource(folder)
    frames = src.load(["NVDA", "BTC-USD"], start="2024-01-05")
    nv = frames["NVDA"]
    assert list(nv.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert nv.index.name == "date" and nv.index.tz is None and nv.index.is_monotonic_increasing
    assert nv.index[0] == pd.Timestamp("2024-01-05")
    assert (nv.dtypes == np.float64).all()
    assert frames["BTC-USD"]["adj_close"].isna().all()
    assert src.describe()["kind"] == "csv"
    assert set(src.available()) == {"NVDA", "BTC-USD"}
    # one ticker as a plain string is one ticker, not a sequence of letters
    single = src.load("NVDA", start="2024-01-05")
    assert list(single) == ["NVDA"] and single["NVDA"].equals(nv)


def test_build_panel_synthetic(folder: Path) -> None:
    panel = build_panel(CsvSource(folder), ["NVDA", "BTC-USD"], measure="gk", calendar="exchange")
    assert isinstance(panel, Panel)
    assert panel.measure == "garman_klass"
    assert list(panel.values.columns) == ["NVDA", "BTC-USD"]
    assert panel.values.index.name == "date"
    assert (panel.values.dtypes == np.float64).all()
    assert set(panel.ohlc) == {"NVDA", "BTC-USD"}
    assert panel.policy.name == "exchange"
    assert panel.quality.ok
    assert len(panel.hashes["NVDA"]) == 64
    # every label is an XNYS session (2024-01-15 is MLK day)
    assert pd.Timestamp("2024-01-15") not in panel.values.index
    long = panel.to_frame()
    assert {"date", "ticker", "value", "return", "measure"} <= set(long.columns)
    assert panel.describe()["policy"]["name"] == "exchange"


def test_frame_hash_changes_with_data(folder: Path) -> None:
    frame = CsvSource(folder).load(["NVDA"])["NVDA"]
    other = frame.copy()
    other.iloc[3, 3] *= 1.0000001
    assert frame_hash(frame) == frame_hash(frame.copy())
    assert frame_hash(frame) != frame_hash(other)


# ------------------------------------------------------------------ bad input

def _bad(tmp_path: Path, rows: list[str], header: str = HEADER) -> CsvSource:
    _write(tmp_path, "BAD", rows, header)
    return CsvSource(tmp_path)


BAD_CASES = {
    "missing_column": (HEADER.replace(",low", ""), ["2024-01-02,1,2,1.5,1.5,10"], r"missing column\(s\) low"),
    "empty_file": ("", [], "the file is empty"),
    "header_only": (HEADER, [], "no data rows"),
    "unparsable_date": (HEADER, ["2024-01-02,1,2,0.5,1.5,1.5,10", "2024-13-45,1,2,0.5,1.5,1.5,10"],
                        r"unparsable date '2024-13-45' on row 3"),
    "duplicate_dates": (HEADER, ["2024-01-02,1,2,0.5,1.5,1.5,10", "2024-01-02,1,2,0.5,1.5,1.5,10"],
                        "duplicate date.*2024-01-02"),
    "unsorted_dates": (HEADER, ["2024-01-03,1,2,0.5,1.5,1.5,10", "2024-01-02,1,2,0.5,1.5,1.5,10"],
                       "not sorted: 2024-01-02 follows 2024-01-03"),
    "non_positive": (HEADER, ["2024-01-02,1,2,0.5,1.5,1.5,10", "2024-01-03,1,2,0.5,-1.5,1.5,10"],
                     "non-positive price, first on 2024-01-03 .close=-1.5"),
    "high_below_low": (HEADER, ["2024-01-02,1,2,0.5,1.5,1.5,10", "2024-01-03,1,0.4,0.5,0.45,0.45,10"],
                       "high < low on 1 row.*2024-01-03"),
    "all_nan_column": (HEADER, ["2024-01-02,1,2,0.5,,1.5,10", "2024-01-03,1,2,0.5,,1.5,10"],
                       "column 'close' has no values"),
    "non_numeric": (HEADER, ["2024-01-02,1,2,0.5,abc,1.5,10"], "non-numeric value 'abc' on row 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_csv_input_raises_clear_data_error(tmp_path: Path, case: str) -> None:
    header, rows, pattern = BAD_CASES[case]
    src = _bad(tmp_path, rows, header)
    with pytest.raises(DataError, match=pattern) as info:
        src.load(["BAD"])
    assert "BAD.csv" in str(info.value)


def test_missing_file_and_unknown_ticker(folder: Path) -> None:
    src = CsvSource(folder)
    with pytest.raises(DataError, match=r"missing file .*ETH-USD.csv for ticker ETH-USD"):
        src.load(["ETH-USD"])
    with pytest.raises(DataError, match=r"unknown ticker 'NVDX'.*not in the universe registry"):
        build_panel(src, ["NVDX"])
    with pytest.raises(DataError, match="does not exist"):
        CsvSource(folder / "nope").load(["NVDA"])


def test_start_after_end_and_bad_options(folder: Path) -> None:
    src = CsvSource(folder)
    with pytest.raises(SpecificationError, match="start=2024-02-01 is after end=2024-01-01"):
        build_panel(src, ["NVDA"], start="2024-02-01", end="2024-01-01")
    with pytest.raises(SpecificationError, match="not a date"):
        build_panel(src, ["NVDA"], start="yesterday-ish")
    with pytest.raises(SpecificationError, match="unknown measure"):
        build_panel(src, ["NVDA"], measure="vola")
    with pytest.raises(SpecificationError, match="unknown calendar policy"):
        build_panel(src, ["NVDA"], calendar="hourly")
    with pytest.raises(SpecificationError, match="no tickers"):
        build_panel(src, [])
    with pytest.raises(SpecificationError, match="listed twice"):
        build_panel(src, ["NVDA", "NVDA"])


def test_no_overlapping_dates(tmp_path: Path) -> None:
    _write(tmp_path, "NVDA", _good_rows("2024-01-02", 20, daily=False))
    _write(tmp_path, "BTC-USD", _good_rows("2024-06-01", 20, daily=True))
    with pytest.raises(DataError, match=r"no overlapping dates.*NVDA covers 2024-01-02"):
        build_panel(CsvSource(tmp_path), ["NVDA", "BTC-USD"])


def test_ticker_without_data_in_sample(folder: Path) -> None:
    with pytest.raises(DataError, match="NVDA: no data"):
        build_panel(CsvSource(folder), ["NVDA"], start="2030-01-01", end="2030-02-01")


def test_all_errors_are_contagion_errors() -> None:
    assert issubclass(DataError, ContagionError) and issubclass(SpecificationError, ContagionError)


# ------------------------------------------------------------------ real data (../shared)

@pytest.mark.realdata
def test_deepseek_monday_alignment(markets_dir: Path) -> None:
    panel = build_panel(CsvSource(markets_dir), ["NVDA", "BTC-USD"], start="2025-01-02", end="2025-02-28")
    day = pd.Timestamp("2025-01-27")
    assert panel.returns.loc[day, "NVDA"] == pytest.approx(math.log(118.42 / 142.62), abs=1e-4)
    btc = pd.read_csv(markets_dir / "BTC-USD.csv", index_col="date")
    expected = math.log(btc.loc["2025-01-27", "close"] / btc.loc["2025-01-24", "close"])  # Sat + Sun + Mon
    assert panel.returns.loc[day, "BTC-USD"] == pytest.approx(expected, abs=1e-12)
    assert pd.Timestamp("2025-01-25") not in panel.returns.index
    assert pd.Timestamp("2025-01-09") not in panel.returns.index  # XNYS closed (national day of mourning)
    # Monday alternatives on the same day
    sat = build_panel(CsvSource(markets_dir), ["BTC-USD"], calendar="monday_saturday",
                      start="2025-01-20", end="2025-01-31")
    assert sat.returns.loc[day, "BTC-USD"] == pytest.approx(
        math.log(btc.loc["2025-01-27", "close"] / btc.loc["2025-01-25", "close"]), abs=1e-12)


@pytest.mark.realdata
def test_first_sample_return_uses_history_before_start(markets_dir: Path) -> None:
    panel = build_panel(CsvSource(markets_dir), ["NVDA"], start="2025-01-27", end="2025-01-31")
    assert panel.values.index[0] == pd.Timestamp("2025-01-27")
    assert panel.values.iloc[0, 0] == pytest.approx(math.log(118.42 / 142.62), abs=1e-4)


@pytest.mark.realdata
@pytest.mark.parametrize("measure", ["parkinson", "gk", "rs", "gkyz", "yz", "squared", "absolute"])
def test_real_measures_finite(markets_dir: Path, measure: str) -> None:
    panel = build_panel(CsvSource(markets_dir), ["NVDA", "BTC-USD", "^VIX"], measure=measure,
                        start="2024-06-01", end="2025-06-27")
    vals = panel.complete()
    assert len(vals) > 200
    assert np.isfinite(vals.to_numpy()).all()


@pytest.mark.parametrize(("measure", "calendar"), [("returns", "exchange"), ("yz", "exchange"), ("gkyz", "monday_saturday"),
                                                   ("parkinson", "weekly"), ("returns", "crypto")])
def test_start_end_equals_slice_of_full_panel(folder: Path, measure: str, calendar: str) -> None:
    src = CsvSource(folder)
    full = build_panel(src, ["NVDA", "BTC-USD"], measure=measure, calendar=calendar)
    part = build_panel(src, ["NVDA", "BTC-USD"], measure=measure, calendar=calendar,
                       start="2024-01-26", end="2024-02-20")
    expected = full.values.loc["2024-01-26":"2024-02-20"].dropna(how="all")
    pd.testing.assert_frame_equal(part.values, expected, check_freq=False)
    pd.testing.assert_frame_equal(part.returns, full.returns.loc[part.values.index], check_freq=False)


def test_source_from_spec(folder: Path, tmp_path: Path) -> None:
    from contagion.data import source_from_spec
    from contagion.data.yahoo import YahooSource

    assert isinstance(source_from_spec("csv", folder=folder), CsvSource)
    assert isinstance(source_from_spec("yahoo", cache_dir=tmp_path, folder=None), YahooSource)
    with pytest.raises(SpecificationError, match="needs a folder"):
        source_from_spec("csv")
    with pytest.raises(SpecificationError, match="unknown source kind 'ftp'"):
        source_from_spec("ftp")
    try:
        demo = source_from_spec("demo")
    except SpecificationError as err:  # the demo module lands on another branch
        assert "demo source is not available" in str(err)
    else:
        assert demo.describe()["kind"] == "demo"


def test_csv_source_refuses_a_ticker_that_leaves_the_folder(tmp_path) -> None:
    """Path traversal through the Python API: the ticker is a file name, never a path."""
    from contagion.data.sources import CsvSource
    from contagion.errors import DataError

    (tmp_path / "data").mkdir()
    (tmp_path / "secret.csv").write_text("date,open,high,low,close,adj_close,volume\n")
    for ticker in ("../secret", "sub/NVDA", ".hidden"):
        with pytest.raises(DataError, match="cannot name a data file"):
            CsvSource(tmp_path / "data").load([ticker])
