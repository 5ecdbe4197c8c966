"""YahooSource against frames shaped exactly as yfinance 1.x returns them (``yfinance.download`` patched).

yfinance 1.x ``download(..., multi_level_index=True)``: MultiIndex columns (Price, Ticker) even for one
ticker, tz-naive DatetimeIndex named "Date", frames outer-joined on the union of dates (so equities get NaN rows
on crypto weekends), failed tickers kept as all-NaN columns and only *logged* (errors are not raised).
No test touches the network.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yfinance
from yfinance.exceptions import YFRateLimitError

from contagion.data.cache import CacheCorruptError, ParquetCache, default_cache_dir
from contagion.data.yahoo import YahooSource, split_yfinance_frame
from contagion.errors import DataQualityWarning, NetworkError

TODAY = "2024-03-01"
PRICES = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]


def _bars(dates: pd.DatetimeIndex, base: float) -> dict[str, np.ndarray]:
    close = base * np.exp(0.01 * np.sin(np.arange(len(dates))))
    return {"Adj Close": close * 0.99, "Close": close, "High": close * 1.02, "Low": close * 0.97,
            "Open": close * 1.001, "Volume": np.full(len(dates), 1e6)}


def yf_frame(symbols: list[str], start: str, end_exclusive: str, failed: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame laid out like yfinance 1.x ``download`` (auto_adjust=False)."""
    days = pd.date_range(start, end_exclusive, freq="D", inclusive="left")
    cols = pd.MultiIndex.from_product([PRICES, symbols], names=["Price", "Ticker"])
    out = pd.DataFrame(np.nan, index=pd.DatetimeIndex(days, name="Date"), columns=cols)
    for i, sym in enumerate(symbols):
        if sym in failed:
            continue
        crypto = sym.endswith("-USD")
        dates = days if crypto else days[days.day_of_week < 5]
        base = {"RNDR-USD": 7.0, "RENDER-USD": 7.0}.get(sym, 100.0 * (i + 1))
        for price, values in _bars(dates, base).items():
            out.loc[dates, (price, sym)] = values
    if not any(s.endswith("-USD") and s not in failed for s in symbols):
        out = out.loc[out.index.day_of_week < 5]
    return out


class FakeDownload:
    """Records calls; ``script`` is a list of behaviours: "ok", "429-log", "429-raise", "conn", "fail:SYM"."""

    def __init__(self, script: list[str] | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.script = list(script or [])

    def __call__(self, tickers: Any, **kwargs: Any) -> pd.DataFrame:
        symbols = [tickers] if isinstance(tickers, str) else list(tickers)
        self.calls.append({"tickers": symbols, **kwargs})
        action = self.script.pop(0) if self.script else "ok"
        log = logging.getLogger("yfinance")
        if action == "429-raise":
            raise YFRateLimitError()
        if action == "conn":
            raise ConnectionError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com")
        failed: tuple[str, ...] = ()
        if action == "429-log":
            failed = tuple(symbols)
            log.error(f"{symbols}: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')")
        elif action.startswith("fail:"):
            failed = (action.split(":", 1)[1],)
            log.error(f"['{failed[0]}']: YFPricesMissingError('possibly delisted; no price data found')")
        return yf_frame(symbols, kwargs["start"], kwargs["end"], failed)


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDownload:
    f = FakeDownload()
    monkeypatch.setattr(yfinance, "download", f)
    return f


def _source(tmp_path: Path, **kw: Any) -> YahooSource:
    return YahooSource(cache_dir=tmp_path / "cache", today=TODAY, sleep=kw.pop("sleep", lambda s: None), **kw)


def test_multiindex_frames_are_split_and_cleaned(fake: FakeDownload, tmp_path: Path) -> None:
    frames = _source(tmp_path).load(["NVDA", "BTC-USD"], start="2024-01-01", end="2024-01-31")
    call = fake.calls[0]
    assert call["auto_adjust"] is False and call["multi_level_index"] is True
    assert call["end"] == "2024-02-01"  # yfinance's end is exclusive
    nv, btc = frames["NVDA"], frames["BTC-USD"]
    assert (nv.index.day_of_week < 5).all()  # NaN weekend rows of the equity dropped
    assert (btc.index.day_of_week >= 5).any()
    assert list(nv.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    np.testing.assert_allclose(nv["adj_close"], nv["close"] * 0.99)
    assert nv.index.name == "date" and nv.index.tz is None
    assert btc.index[0] == pd.Timestamp("2024-01-01") and btc.index[-1] == pd.Timestamp("2024-01-31")


def test_single_ticker_still_multiindex() -> None:
    data = yf_frame(["NVDA"], "2024-01-01", "2024-01-10")
    assert isinstance(data.columns, pd.MultiIndex)
    out = split_yfinance_frame(data, ["NVDA"])
    assert len(out["NVDA"]) == 7  # weekdays of 2024-01-01..09
    flat = data.droplevel("Ticker", axis=1)
    assert len(split_yfinance_frame(flat, ["NVDA"])["NVDA"]) == 7


def test_failed_ticker_reported_without_losing_others(fake: FakeDownload, tmp_path: Path) -> None:
    fake.script = ["fail:FOOBAR"]
    src = _source(tmp_path)
    with pytest.warns(DataQualityWarning, match="no data for 1 ticker.*FOOBAR.*possibly delisted"):
        frames = src.load(["NVDA", "FOOBAR"], start="2024-01-02", end="2024-01-31")
    assert set(frames) == {"NVDA"}
    assert "FOOBAR" in src.failed
    assert len(fake.calls) == 1  # a delisted symbol is not retried


def test_429_logged_by_yfinance_is_retried_with_backoff(fake: FakeDownload, tmp_path: Path) -> None:
    fake.script = ["429-log", "ok"]
    waits: list[float] = []
    frames = _source(tmp_path, sleep=waits.append).load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    assert len(frames["BTC-USD"]) == 31
    assert waits == [2.0]
    assert len(fake.calls) == 2


def test_429_raised_is_retried_then_gives_network_error(fake: FakeDownload, tmp_path: Path) -> None:
    fake.script = ["429-raise", "429-raise", "ok"]
    waits: list[float] = []
    frames = _source(tmp_path, sleep=waits.append).load(["ETH-USD"], start="2024-01-01", end="2024-01-10")
    assert len(frames["ETH-USD"]) == 10 and waits == [2.0, 4.0]
    fake.script = ["429-raise"] * 5
    waits.clear()
    src = _source(tmp_path / "other", sleep=waits.append, max_retries=2)
    with pytest.raises(NetworkError, match=r"no cached data for SOL-USD.*--data-dir.*--demo"):
        src.load(["SOL-USD"], start="2024-01-01", end="2024-01-10")
    assert waits == [2.0, 4.0]  # bounded: 1 try + 2 retries


def test_offline_without_cache_names_tickers(fake: FakeDownload, tmp_path: Path) -> None:
    src = _source(tmp_path, offline=True)
    with pytest.raises(NetworkError, match=r"offline mode is on and there is no cached data for NVDA, BTC-USD"):
        src.load(["NVDA", "BTC-USD"], start="2024-01-02", end="2024-01-31")
    assert fake.calls == []


def test_network_down_without_cache(fake: FakeDownload, tmp_path: Path) -> None:
    fake.script = ["conn"] * 10
    with pytest.raises(NetworkError, match=r"could not be reached.*NVDA.*--data-dir DIR.*--demo"):
        _source(tmp_path, max_retries=1).load(["NVDA"], start="2024-01-02", end="2024-01-31")


def test_cache_hit_works_offline(fake: FakeDownload, tmp_path: Path) -> None:
    online = _source(tmp_path).load(["NVDA", "BTC-USD"], start="2024-01-01", end="2024-02-15")
    n_calls = len(fake.calls)
    offline = _source(tmp_path, offline=True).load(["NVDA", "BTC-USD"], start="2024-01-10", end="2024-02-01")
    assert len(fake.calls) == n_calls
    pd.testing.assert_frame_equal(offline["BTC-USD"], online["BTC-USD"].loc["2024-01-10":"2024-02-01"],
                                  check_freq=False)


def test_incremental_extension_downloads_only_the_missing_range(fake: FakeDownload, tmp_path: Path) -> None:
    _source(tmp_path).load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    frames = _source(tmp_path).load(["BTC-USD"], start="2024-01-01", end="2024-02-20")
    assert [c["start"] for c in fake.calls] == ["2024-01-01", "2024-02-01"]
    assert fake.calls[1]["end"] == "2024-02-21"
    assert len(frames["BTC-USD"]) == 31 + 20
    entry = ParquetCache(tmp_path / "cache").read(YahooSource(cache_dir=tmp_path / "cache")._key("BTC-USD"))
    assert entry is not None and str(entry.end.date()) == "2024-02-20" and str(entry.start.date()) == "2024-01-01"
    # extension backwards as well
    _source(tmp_path).load(["BTC-USD"], start="2023-12-20", end="2024-02-20")
    assert fake.calls[2]["start"] == "2023-12-20" and fake.calls[2]["end"] == "2024-01-01"


def test_today_is_never_cached(fake: FakeDownload, tmp_path: Path) -> None:
    frames = _source(tmp_path).load(["BTC-USD"], start="2024-02-20", end="2024-03-05")
    assert frames["BTC-USD"].index[-1] == pd.Timestamp("2024-02-29")  # day before TODAY


def test_checksum_mismatch_is_detected_and_refetched(fake: FakeDownload, tmp_path: Path) -> None:
    src = _source(tmp_path)
    src.load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    key = src._key("BTC-USD")
    data_path, _ = src.cache.paths(key)
    data_path.write_bytes(data_path.read_bytes() + b"tampered")
    with pytest.raises(CacheCorruptError, match="checksum mismatch"):
        src.cache.read(key)
    with pytest.warns(DataQualityWarning, match="checksum mismatch"):
        frames = _source(tmp_path).load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    assert len(frames["BTC-USD"]) == 31
    assert len(fake.calls) == 2
    assert src.cache.read(key) is not None  # rewritten with a valid checksum


def test_refresh_downloads_again(fake: FakeDownload, tmp_path: Path) -> None:
    _source(tmp_path).load(["NVDA"], start="2024-01-02", end="2024-01-31")
    _source(tmp_path).load(["NVDA"], start="2024-01-02", end="2024-01-31")
    assert len(fake.calls) == 1
    _source(tmp_path, refresh=True).load(["NVDA"], start="2024-01-02", end="2024-01-31")
    assert len(fake.calls) == 2 and fake.calls[1]["start"] == "2024-01-02"


def test_registry_symbols_and_render_splice(fake: FakeDownload, tmp_path: Path) -> None:
    frames = _source(tmp_path).load(["TAO-USD", "RENDER-USD"], start="2024-01-01", end="2024-01-20")
    requested = fake.calls[0]["tickers"]
    assert "TAO22974-USD" in requested and "RNDR-USD" in requested and "RENDER-USD" in requested
    assert set(frames) == {"TAO-USD", "RENDER-USD"}


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONTAGION_CACHE_DIR", str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache"
    assert YahooSource().cache.folder == tmp_path / "env-cache" / "yahoo"
    monkeypatch.delenv("CONTAGION_CACHE_DIR")
    assert "contagion" in str(default_cache_dir())
    assert YahooSource(cache_dir=tmp_path / "x").cache.folder == tmp_path / "x" / "yahoo"


def test_atomic_write_leaves_no_temp_files(fake: FakeDownload, tmp_path: Path) -> None:
    _source(tmp_path).load(["NVDA", "BTC-USD"], start="2024-01-02", end="2024-01-31")
    files = sorted(p.name for p in (tmp_path / "cache" / "yahoo").iterdir())
    assert all(not f.startswith(".") for f in files)
    assert len(files) == 4  # parquet + json per symbol


def test_build_panel_names_failed_yahoo_ticker(fake: FakeDownload, tmp_path: Path) -> None:
    from contagion.data import build_panel
    from contagion.errors import DataError

    fake.script = ["fail:FOOBAR"]
    with pytest.warns(DataQualityWarning), pytest.raises(DataError, match=r"no data for FOOBAR \(FOOBAR: .*delisted"):
        build_panel(_source(tmp_path), ["NVDA", "FOOBAR"], start="2024-01-10", end="2024-01-31")


def test_network_down_with_partial_cache_uses_cache_and_warns(fake: FakeDownload, tmp_path: Path) -> None:
    _source(tmp_path).load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    fake.script = ["conn"] * 10
    with pytest.warns(DataQualityWarning, match="could not extend the cached range 2024-01-01..2024-01-31"):
        frames = _source(tmp_path, max_retries=1).load(["BTC-USD"], start="2024-01-01", end="2024-02-20")
    assert frames["BTC-USD"].index[-1] == pd.Timestamp("2024-01-31")
    entry = ParquetCache(tmp_path / "cache").read(YahooSource(cache_dir=tmp_path / "cache")._key("BTC-USD"))
    assert entry is not None and str(entry.end.date()) == "2024-01-31"  # coverage not overstated
