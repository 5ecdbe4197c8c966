"""Data sources: one protocol, three implementations (CSV folder, Yahoo Finance with a cache, demo).

Every source returns, for each ticker, a raw daily frame: a tz-naive midnight :class:`~pandas.DatetimeIndex`
named ``date`` (sorted, unique) and float64 columns ``open, high, low, close, adj_close, volume``
(``adj_close`` NaN where not applicable, e.g. crypto).

- :class:`CsvSource`: a folder of ``<ticker>.csv`` files in the format of ``../shared/data/markets``.
- :class:`YahooSource` (defined in :mod:`contagion.data.yahoo`, re-exported here): yfinance with an on-disk
  Parquet cache (:mod:`contagion.data.cache`).
- ``DemoSource`` (:mod:`contagion.data.demo`): the embedded simulated market.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from contagion.data import universe
from contagion.data._frame import COLUMNS, is_safe_ticker, normalise_frame, parse_date, slice_dates
from contagion.data.quality import validate_frame
from contagion.errors import DataError, SpecificationError

__all__ = [
    "COLUMNS",
    "CsvSource",
    "Source",
    "normalise_frame",
    "parse_date",
    "read_ohlcv_csv",
    "slice_dates",
    "source_from_spec",
    "validate_frame",
]

logger = logging.getLogger(__name__)

_REQUIRED: tuple[str, ...] = ("date", "open", "high", "low", "close")
_HEADER = "date,open,high,low,close,adj_close,volume"
_RENAME = {"adj close": "adj_close", "adjclose": "adj_close", "adj_close": "adj_close", "datetime": "date",
           "timestamp": "date"}


@runtime_checkable
class Source(Protocol):
    """What every data source provides."""

    name: str

    def load(self, tickers: Sequence[str], start: str | date | None = None,
             end: str | date | None = None) -> dict[str, pd.DataFrame]:
        """One raw frame per ticker (see the module docstring), restricted to [start, end]."""
        ...

    def describe(self) -> dict[str, Any]:
        """JSON-able description of the source for the run manifest."""
        ...


def _fast_read(path: Path) -> pd.DataFrame | None:
    """Vectorised read of a well-formed file (plain YYYY-MM-DD dates, numeric columns); None if anything is
    unusual, so that the slow path can name the offending row."""
    try:
        with path.open("r", encoding="utf-8") as fh:
            header = fh.readline()
        names = [c.strip() for c in header.strip().split(",")]
        mapped = [_RENAME.get(c.lower(), c.lower()) for c in names]
        if any(c not in mapped for c in _REQUIRED) or len(set(mapped)) != len(mapped):
            return None
        dtypes: dict[str, Any] = {n: np.float64 for n, m in zip(names, mapped) if m in COLUMNS}
        dtypes[names[mapped.index("date")]] = str
        raw = pd.read_csv(path, dtype=dtypes, usecols=list(dtypes), engine="c")
        raw.columns = [_RENAME.get(str(c).strip().lower(), str(c).strip().lower()) for c in raw.columns]
        if len(raw) == 0:
            return None
        index = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="raise")
    except (ValueError, TypeError, OSError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    data = {col: (raw[col].to_numpy(dtype=np.float64) if col in raw.columns else np.full(len(raw), np.nan))
            for col in COLUMNS}
    return pd.DataFrame(data, index=pd.DatetimeIndex(index.to_numpy(dtype="datetime64[ns]"), name="date"),
                        columns=list(COLUMNS))


def read_ohlcv_csv(path: Path, ticker: str | None = None) -> pd.DataFrame:
    """Read one ``date,open,high,low,close,adj_close,volume`` file into a raw frame (no structural checks).

    Raises
    ------
    DataError
        Missing or unreadable file, missing column, empty file, unparsable date or number; the message names the
        file, the column or the row and value at fault.
    """
    ticker = ticker or path.stem
    if not path.is_file():
        raise DataError(f"missing file {path} for ticker {ticker}; put a {path.name} file ({_HEADER}) there, "
                        "point --data-dir at the right folder, or drop the ticker.")
    fast = _fast_read(path)
    if fast is not None:
        return fast
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header {_HEADER} and one row per day.") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DataError(f"{path}: cannot read the file as CSV ({err}); expected {_HEADER}.") from None
    raw.columns = [_RENAME.get(str(c).strip().lower(), str(c).strip().lower()) for c in raw.columns]
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(map(str, raw.columns))}); "
            f"the header must be {_HEADER} (adj_close and volume may be empty)."
        )
    if len(raw) == 0:
        raise DataError(f"{path}: the file has a header but no data rows; add one row per day.")
    date_str = raw["date"].str.strip()
    dates = pd.to_datetime(date_str, format="ISO8601", errors="coerce", utc=True)
    bad = np.flatnonzero(dates.isna().to_numpy())
    if len(bad):
        b = bad[0]
        raise DataError(
            f"{path}: unparsable date {raw['date'].iloc[b]!r} on row {b + 2}"
            f"{f' ({len(bad)} bad dates in all)' if len(bad) > 1 else ''}; use YYYY-MM-DD."
        )
    index = pd.DatetimeIndex(dates).tz_localize(None)
    data: dict[str, np.ndarray] = {}
    for col in COLUMNS:
        if col not in raw.columns:
            data[col] = np.full(len(raw), np.nan)
            continue
        text = raw[col].astype(str).str.strip()
        blank = text.isin(["", "null", "NaN", "nan", "NA"]).to_numpy()
        values = pd.Series(pd.to_numeric(text.where(~blank, "nan"), errors="coerce"))
        badnum = np.flatnonzero(values.isna().to_numpy() & ~blank)
        if len(badnum):
            b = badnum[0]
            raise DataError(f"{path}: column {col!r} has a non-numeric value {text.iloc[b]!r} on row {b + 2} "
                            f"(date {raw['date'].iloc[b]}); use plain numbers, empty for missing.")
        data[col] = values.to_numpy(dtype=np.float64)
    frame = pd.DataFrame(data, index=index, columns=list(COLUMNS))
    frame.index = pd.DatetimeIndex(index.normalize().astype("datetime64[ns]"), name="date")
    return frame


def _looks_like_prices(path: Path) -> bool:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
    except OSError:
        return True  # unreadable: list it, reading it will report the problem
    cols = {_RENAME.get(c.strip().lower(), c.strip().lower()) for c in header.split(",")}
    return not header.strip() or ("close" in cols and "ticker" not in cols)


class CsvSource:
    """A folder of per-ticker CSV files ``<ticker>.csv`` with columns ``date,open,high,low,close,adj_close,volume``.

    Parameters
    ----------
    folder : str or Path
        The folder (for example ``../shared/data/markets``).

    Examples
    --------
    >>> src = CsvSource("../shared/data/markets")          # doctest: +SKIP
    >>> frames = src.load(["NVDA", "BTC-USD"], start="2025-01-01")  # doctest: +SKIP
    """

    name = "csv"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder).expanduser()

    def __repr__(self) -> str:
        return f"CsvSource({str(self.folder)!r})"

    def _check_folder(self) -> None:
        if not self.folder.is_dir():
            raise DataError(f"data folder {self.folder} does not exist; pass --data-dir with a folder of "
                            f"<ticker>.csv files ({_HEADER}), or use --demo.")

    def available(self) -> tuple[str, ...]:
        """Tickers with a price file in the folder (file stems), sorted.

        A ``*.csv`` file counts when its header names a ``close`` column and has no ``ticker`` column, so that
        index files such as ``manifest.csv`` are skipped.
        """
        self._check_folder()
        return tuple(sorted(p.stem for p in self.folder.glob("*.csv") if p.is_file() and _looks_like_prices(p)))

    def path_for(self, ticker: str) -> Path:
        """The file for ``ticker``: exact name, else a case-insensitive match, else a registry alias.

        Raises
        ------
        DataError
            No file for the ticker; says whether the ticker is unknown to the registry as well.
        """
        self._check_folder()
        if not is_safe_ticker(ticker):
            raise DataError(
                f"ticker {ticker!r} cannot name a data file (no '/', '\\' or control characters, not starting with "
                "'.'); a ticker is the file name without .csv, e.g. BTC-USD or ^VIX."
            )
        exact = self.folder / f"{ticker}.csv"
        if exact.is_file():
            return exact
        avail = self.available()
        by_upper = {t.upper(): t for t in avail}
        if ticker.upper() in by_upper:
            return self.folder / f"{by_upper[ticker.upper()]}.csv"
        if universe.is_known(ticker):
            canonical = universe.resolve_ticker(ticker)
            if canonical.upper() in by_upper:
                return self.folder / f"{by_upper[canonical.upper()]}.csv"
            raise DataError(
                f"missing file {exact} for ticker {ticker}: the folder has no {canonical}.csv. "
                f"Available: {', '.join(avail) or '(none)'}. Add the file or drop the ticker."
            )
        raise DataError(
            f"unknown ticker {ticker!r}: there is no {ticker}.csv in {self.folder} and the ticker is not in the "
            f"universe registry. Available here: {', '.join(avail) or '(none)'}. Check the spelling "
            "(file name = ticker, e.g. BTC-USD.csv, ^VIX.csv)."
        )

    def read(self, ticker: str) -> pd.DataFrame:
        """The full raw frame for ``ticker`` without structural validation (used by ``check-data``)."""
        return read_ohlcv_csv(self.path_for(ticker), ticker)

    def load(self, tickers: Sequence[str], start: str | date | None = None,
             end: str | date | None = None) -> dict[str, pd.DataFrame]:
        """Read, validate and slice each ticker's file; keys are the tickers as requested.

        Raises
        ------
        DataError
            Any file problem (missing file, missing column, empty, unparsable date, duplicate or unsorted dates,
            non-positive price, high < low, all-NaN price column), naming the file and the row or date.
        SpecificationError
            ``start`` after ``end``.
        """
        s, e = parse_date(start, "start"), parse_date(end, "end")
        if s is not None and e is not None and s > e:
            raise SpecificationError(f"start={s.date()} is after end={e.date()}; swap them.")
        out: dict[str, pd.DataFrame] = {}
        if isinstance(tickers, str):  # one ticker, not its letters
            tickers = [tickers]
        for ticker in tickers:
            path = self.path_for(ticker)
            frame = validate_frame(ticker, read_ohlcv_csv(path, ticker), origin=str(path))
            out[ticker] = slice_dates(frame, s, e)
        return out

    def describe(self) -> dict[str, Any]:
        return {"kind": "csv", "folder": str(self.folder.resolve()), "simulated": False}


def source_from_spec(kind: str, **options: Any) -> Source:
    """A source from its kind: ``"csv"`` (``folder=``), ``"yahoo"`` (YahooSource options) or ``"demo"``.

    ``None`` options are ignored, so CLI values can be passed through unchanged.
    """
    opts = {k: v for k, v in options.items() if v is not None}
    kind = str(kind).strip().lower()
    if kind == "csv":
        folder = opts.pop("folder", None) or opts.pop("data_dir", None)
        if folder is None:
            raise SpecificationError("a csv source needs a folder (--data-dir DIR).")
        return CsvSource(folder)
    if kind == "yahoo":
        from contagion.data.yahoo import YahooSource

        opts.pop("folder", None)
        return YahooSource(**opts)
    if kind == "demo":
        opts.pop("folder", None)
        from contagion.data.demo import DemoSource

        demo: Source = DemoSource(**opts)
        return demo
    raise SpecificationError(f"unknown source kind {kind!r}; choose csv, yahoo or demo.")


def __getattr__(name: str) -> Any:  # module __getattr__: naming type[YahooSource] would import yahoo here
    # YahooSource lives in contagion.data.yahoo (it imports this module); re-exported here lazily
    if name == "YahooSource":
        from contagion.data.yahoo import YahooSource

        return YahooSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
