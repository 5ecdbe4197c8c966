"""Yahoo Finance source: yfinance 1.x adapter with retries and an on-disk Parquet cache.

Re-exported as :class:`contagion.data.sources.YahooSource` and :class:`contagion.data.YahooSource`.
yfinance is imported only when a download is needed.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from contagion.data import universe
from contagion.data._frame import normalise_frame, parse_date, slice_dates
from contagion.data.cache import CacheCorruptError, ParquetCache
from contagion.data.quality import validate_frame
from contagion.errors import DataError, DataQualityWarning, NetworkError, SpecificationError

__all__ = ["YAHOO_DEFAULT_START", "YahooSource", "split_yfinance_frame"]

logger = logging.getLogger(__name__)

_YF_COLUMNS = {"open": "open", "high": "high", "low": "low", "close": "close", "adj close": "adj_close",
               "adj_close": "adj_close", "adjclose": "adj_close", "volume": "volume"}
_RETRY_WORDS = ("rate limit", "too many requests", "429", "timed out", "timeout", "connection", "network",
                "temporarily", "resolve host", "curl: (", "502", "503", "504")
#: Default first date when ``start`` is not given.
YAHOO_DEFAULT_START = pd.Timestamp("2010-01-01")


def _is_retryable(err: BaseException | str) -> bool:
    """Rate-limit (HTTP 429, yfinance ``YFRateLimitError``) and network errors are worth retrying."""
    if isinstance(err, BaseException):
        if type(err).__name__ in ("YFRateLimitError", "ConnectionError", "Timeout", "ReadTimeout",
                                  "ConnectTimeout", "RequestException", "CurlError"):
            return True
        if isinstance(err, ConnectionError | TimeoutError):
            return True
        text = f"{type(err).__name__}: {err}".lower()
    else:
        text = err.lower()
    return any(word in text for word in _RETRY_WORDS)


class _CaptureYF(logging.Handler):
    """Collects yfinance's error log lines (it logs failed tickers instead of raising)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # pragma: no cover - never let logging break a download
            self.messages.append(str(record.msg))


def split_yfinance_frame(data: pd.DataFrame | None, symbols: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Per-symbol raw frames from a ``yfinance.download`` result.

    Handles the yfinance 1.x layout: MultiIndex columns (Price, Ticker) (also for one ticker), or
    (Ticker, Price) with ``group_by="ticker"``, or flat columns for a single symbol; tz-naive or tz-aware
    index; all-NaN rows (equities on crypto weekends) dropped. A symbol without any price row is omitted.
    """
    out: dict[str, pd.DataFrame] = {}
    if data is None or len(data) == 0:
        return out
    cols = data.columns
    for sym in symbols:
        if isinstance(cols, pd.MultiIndex):
            lvl0 = {str(v).lower() for v in cols.get_level_values(0)}
            ticker_level = 1 if "close" in lvl0 else 0
            tick_values = [str(v) for v in cols.get_level_values(ticker_level)]
            if sym not in tick_values:
                continue
            sub = pd.DataFrame(data.xs(sym, axis=1, level=ticker_level))
            sub.columns = [str(c) for c in sub.columns]
        elif len(symbols) == 1:
            sub = data
        else:
            raise DataError("yfinance returned flat columns for several tickers; cannot tell them apart.")
        renamed = {c: _YF_COLUMNS[str(c).strip().lower()] for c in sub.columns
                   if str(c).strip().lower() in _YF_COLUMNS}
        frame = normalise_frame(sub.rename(columns=renamed))
        frame = frame.loc[frame[["open", "high", "low", "close"]].notna().any(axis=1)]
        frame = frame.loc[~frame.index.duplicated(keep="last")].sort_index()
        if len(frame):
            out[sym] = frame
    return out


class YahooSource:
    """Yahoo Finance daily bars through yfinance, with an on-disk Parquet cache.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Cache root (default ``$CONTAGION_CACHE_DIR`` or the platformdirs user cache folder).
    refresh : bool
        Ignore cached data and download again (the cache is then rewritten).
    offline : bool, optional
        Never touch the network; serve from the cache only. Default: ``$CONTAGION_OFFLINE`` set to 1.
    auto_adjust : bool
        Passed explicitly to ``yfinance.download`` (its default changed to True in 0.2.51). The default False
        keeps split-adjusted OHLC plus a split-and-dividend ``adj_close``, the format of CsvSource files.
    max_retries : int
        Retries after a rate-limit (HTTP 429) or network error, with exponential backoff
        ``backoff * 2**attempt`` seconds.
    backoff : float
        First backoff in seconds.
    sleep : callable
        Used for the backoff (tests pass a no-op).

    Notes
    -----
    Symbols come from the universe registry (TAO-USD is downloaded as ``TAO22974-USD``; RENDER-USD history is
    spliced from ``RNDR-USD``); tickers outside the registry are used as Yahoo symbols as they are.
    A ticker that fails (unknown symbol, delisted, repeated 429) is reported in :attr:`failed` and with a
    :class:`~contagion.errors.DataQualityWarning`; the others are still returned. When nothing can be
    downloaded and nothing is cached, :class:`~contagion.errors.NetworkError` names the missing tickers.
    Cached ranges are extended incrementally: only dates outside the cached coverage are downloaded. The bar of
    the current UTC day is never cached (it may still be forming).
    """

    name = "yahoo"

    def __init__(self, *, cache_dir: str | Path | None = None, refresh: bool = False,
                 offline: bool | None = None, auto_adjust: bool = False, max_retries: int = 3,
                 backoff: float = 2.0, timeout: float = 20.0, sleep: Callable[[float], None] = time.sleep,
                 today: str | date | None = None) -> None:
        if max_retries < 0:
            raise SpecificationError(f"max_retries must be >= 0, got {max_retries!r}.")
        self.cache = ParquetCache(cache_dir, namespace="yahoo")
        self.refresh = bool(refresh)
        self.offline = (os.environ.get("CONTAGION_OFFLINE", "") not in ("", "0")) if offline is None else offline
        self.auto_adjust = bool(auto_adjust)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.timeout = float(timeout)
        self._sleep = sleep
        self._today = parse_date(today, "today")
        self.failed: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"YahooSource(cache={self.cache.folder!s}, offline={self.offline}, refresh={self.refresh})"

    # -- helpers -------------------------------------------------------------------------------------
    def _today_utc(self) -> pd.Timestamp:
        if self._today is not None:
            return self._today
        return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()

    def _key(self, symbol: str) -> str:
        return ParquetCache.key_for(symbol, auto_adjust=self.auto_adjust, interval="1d")

    @staticmethod
    def symbols_for(ticker: str) -> tuple[str, str | None]:
        """(Yahoo symbol, older symbol to splice before it or None) for ``ticker``."""
        if universe.is_known(ticker):
            asset = universe.get_asset(ticker)
            return asset.yahoo, asset.splice_from
        return ticker, None

    def _read_cache(self, symbol: str) -> tuple[pd.DataFrame | None, pd.Timestamp | None, pd.Timestamp | None]:
        if self.refresh:
            return None, None, None
        try:
            entry = self.cache.read(self._key(symbol))
        except CacheCorruptError as err:
            logger.warning("%s", err)
            warnings.warn(str(err), DataQualityWarning, stacklevel=4)
            self.cache.delete(self._key(symbol))
            return None, None, None
        if entry is None:
            return None, None, None
        return entry.frame, entry.start, entry.end

    def _write_cache(self, symbol: str, frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> None:
        """Store a downloaded series; an unwritable cache (read-only, disk full) costs a re-download, not the run."""
        try:
            self.cache.write(self._key(symbol), frame, start=start, end=end, symbol=symbol,
                             auto_adjust=self.auto_adjust, interval="1d", source="yfinance")
        except OSError as err:
            message = (f"{symbol}: could not write the Yahoo cache in {self.cache.folder} ({err.strerror or err}); "
                       f"the data are used but will be downloaded again next time. Set CONTAGION_CACHE_DIR to a "
                       f"writable folder.")
            logger.warning("%s", message)
            warnings.warn(message, DataQualityWarning, stacklevel=5)

    def _download(self, symbols: list[str], start: pd.Timestamp, end: pd.Timestamp
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Download ``symbols`` for start..end (inclusive) with bounded retries; (frames, failures)."""
        import yfinance as yf

        frames: dict[str, pd.DataFrame] = {}
        pending = list(symbols)
        reasons: dict[str, str] = {}
        for attempt in range(self.max_retries + 1):
            capture = _CaptureYF()
            yf_logger = logging.getLogger("yfinance")
            yf_logger.addHandler(capture)
            try:
                data = yf.download(
                    pending if len(pending) > 1 else pending[0],
                    start=start.strftime("%Y-%m-%d"),
                    end=(end + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),  # yfinance's end is exclusive
                    interval="1d", auto_adjust=self.auto_adjust, actions=False, progress=False,
                    group_by="column", multi_level_index=True, threads=True, timeout=self.timeout,
                )
                error: BaseException | None = None
            except Exception as err:
                data, error = None, err
            finally:
                yf_logger.removeHandler(capture)
            if error is not None:
                if not _is_retryable(error):
                    raise DataError(f"Yahoo Finance download of {', '.join(pending)} failed: {error}") from error
                reasons = {s: f"{type(error).__name__}: {error}" for s in pending}
                retry = list(pending)
            else:
                got = split_yfinance_frame(data, pending)
                frames.update(got)
                missing = [s for s in pending if s not in got]
                reasons = {}
                retry = []
                for sym in missing:
                    msgs = [m for m in capture.messages if sym in m] or capture.messages
                    reason = "; ".join(msgs)[:300] or "no rows returned (unknown or delisted symbol?)"
                    reasons[sym] = reason
                    if _is_retryable(reason):
                        retry.append(sym)
            if not retry or attempt == self.max_retries:
                break
            wait = self.backoff * (2 ** attempt)
            logger.info("Yahoo: retrying %s in %.1fs (attempt %d of %d): %s", ", ".join(retry), wait,
                        attempt + 1, self.max_retries, reasons[retry[0]])
            self._sleep(wait)
            pending = retry
        return frames, {s: reasons[s] for s in symbols if s not in frames and s in reasons}

    def _fetch_symbols(self, symbols: list[str], s: pd.Timestamp, e: pd.Timestamp
                       ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Cached + downloaded frames for ``symbols`` over s..e; (frames, failure reasons)."""
        cached: dict[str, tuple[pd.DataFrame | None, pd.Timestamp | None, pd.Timestamp | None]] = {
            sym: self._read_cache(sym) for sym in symbols}
        cap = self._today_utc() - pd.Timedelta(days=1)  # today's bar may still be forming
        want_end = min(e, cap)
        # ranges to download per symbol (incremental extension of the cached coverage)
        jobs: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]] = {}
        for sym, (frame, c0, c1) in cached.items():
            if want_end < s:
                continue
            if frame is None or c0 is None or c1 is None:
                jobs.setdefault((s, want_end), []).append(sym)
                continue
            if s < c0:
                jobs.setdefault((s, c0 - pd.Timedelta(days=1)), []).append(sym)
            if want_end > c1:
                jobs.setdefault((c1 + pd.Timedelta(days=1), want_end), []).append(sym)
        new: dict[str, list[pd.DataFrame]] = {}
        failures: dict[str, str] = {}
        network_down = False
        for (a, b), syms in sorted(jobs.items()):
            if self.offline or network_down:
                for sym in syms:
                    failures[sym] = "offline" if self.offline else failures.get(sym, "network unavailable")
                continue
            got, failed = self._download(syms, a, b)
            for sym, f in got.items():
                new.setdefault(sym, []).append(slice_dates(f, a, b))
            for sym, why in failed.items():
                if sym in got:
                    continue
                # a range with no bars (e.g. a weekend for equities, or before listing) is not a failure
                # when the symbol already has cached data
                if cached[sym][0] is not None and not _is_retryable(why):
                    new.setdefault(sym, [])  # nothing traded in the range: the coverage still extends
                    continue
                failures[sym] = why
            if failed and all(_is_retryable(w) for w in failed.values()) and not got:
                network_down = True
        out: dict[str, pd.DataFrame] = {}
        for sym in symbols:
            frame, c0, c1 = cached[sym]
            parts = ([frame] if frame is not None else []) + new.get(sym, [])
            if not parts:
                continue
            merged = pd.concat(parts).sort_index()
            merged = merged.loc[~merged.index.duplicated(keep="last")]
            merged = merged.loc[merged.index <= cap]
            if sym in new:
                covered_start = s if c0 is None else min(s, c0)
                covered_end = want_end if c1 is None else max(want_end, c1)
                if sym in failures:  # partial download: do not claim coverage we do not have
                    covered_start, covered_end = (c0 or s), (c1 or want_end)
                self._write_cache(sym, merged, covered_start, covered_end)
            elif sym in failures and frame is not None:
                warnings.warn(
                    f"{sym}: could not extend the cached range {c0.date() if c0 is not None else '?'}.."
                    f"{c1.date() if c1 is not None else '?'} to {s.date()}..{want_end.date()} "
                    f"({failures[sym]}); using the cached data.", DataQualityWarning, stacklevel=4)
                failures.pop(sym)
            out[sym] = merged
        return out, failures

    # -- Source protocol -----------------------------------------------------------------------------
    def load(self, tickers: Sequence[str], start: str | date | None = None,
             end: str | date | None = None) -> dict[str, pd.DataFrame]:
        """Daily bars per ticker over start..end (inclusive), from the cache and Yahoo Finance.

        Raises
        ------
        NetworkError
            No ticker could be served (offline or Yahoo unreachable, nothing cached); names the tickers and
            suggests ``--data-dir`` or ``--demo``.
        """
        s = parse_date(start, "start") or YAHOO_DEFAULT_START
        e = parse_date(end, "end") or self._today_utc()
        if s > e:
            raise SpecificationError(f"start={s.date()} is after end={e.date()}; swap them.")
        if isinstance(tickers, str):  # one ticker, not its letters
            tickers = [tickers]
        plan = {t: self.symbols_for(t) for t in tickers}
        symbols: list[str] = []
        for main_sym, old in plan.values():
            for sym in (main_sym, old):
                if sym is not None and sym not in symbols:
                    symbols.append(sym)
        frames, failures = self._fetch_symbols(symbols, s, e)
        out: dict[str, pd.DataFrame] = {}
        self.failed = {}
        for ticker, (main_sym, old) in plan.items():
            frame = frames.get(main_sym)
            if old is not None and old in frames:
                frame = frames[old] if frame is None else universe.splice_series(
                    frames[old], frame, old_name=old, new_name=main_sym)
            if frame is None:
                self.failed[ticker] = failures.get(main_sym, "no data returned")
                continue
            frame = slice_dates(frame, s, e)
            if len(frame) == 0:
                self.failed[ticker] = f"no rows between {s.date()} and {e.date()}"
                continue
            out[ticker] = validate_frame(ticker, frame, origin=f"Yahoo {main_sym}")
        if self.failed:
            if not out and all(_is_retryable(r) or r in ("offline", "network unavailable")
                               for r in self.failed.values()):
                what = "offline mode is on" if self.offline else "Yahoo Finance could not be reached"
                raise NetworkError(
                    f"{what} and there is no cached data for {', '.join(self.failed)} "
                    f"(cache: {self.cache.folder}). Use --data-dir DIR with <ticker>.csv files, or --demo for "
                    "the embedded simulated market; or run `contagion fetch` when online."
                )
            listed = "; ".join(f"{t}: {r}" for t, r in self.failed.items())
            warnings.warn(f"Yahoo Finance: no data for {len(self.failed)} ticker(s) ({listed}); "
                          "the other tickers were loaded.", DataQualityWarning, stacklevel=2)
        return out

    def describe(self) -> dict[str, Any]:
        try:
            import yfinance

            version = str(getattr(yfinance, "__version__", "unknown"))
        except ImportError:  # pragma: no cover
            version = "not installed"
        return {"kind": "yahoo", "yfinance": version, "auto_adjust": self.auto_adjust, "interval": "1d",
                "cache": str(self.cache.folder), "offline": self.offline, "refresh": self.refresh,
                "simulated": False}
