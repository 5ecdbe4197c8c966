"""Frame helpers shared across the package; this module imports nothing else from :mod:`contagion.data`.

- Raw OHLCV frames (the sources, the cache and the quality checks): :data:`COLUMNS`, :func:`parse_date`,
  :func:`slice_dates`, :func:`normalise_frame`, :func:`column_values`.
- Model inputs (:mod:`contagion.hypothesis`, :mod:`contagion.events`): panels or frames in, clean
  date-indexed float frames out, and dates checked against the sessions of the panel (whose calendar policy
  decides what a "session" is).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from contagion.errors import DataError, SpecificationError

__all__ = [
    "COLUMNS",
    "DateLike",
    "as_frame",
    "check_session",
    "column_values",
    "is_safe_ticker",
    "normalise_frame",
    "parse_date",
    "policy_name",
    "slice_dates",
    "to_timestamp",
    "window_rows",
]

DateLike = str | date | datetime | pd.Timestamp

#: A ticker names a file ``<ticker>.csv``: no path separator, no control character, not starting with ".".
_SAFE_TICKER = re.compile(r"^[^./\\\x00-\x1f][^/\\\x00-\x1f]{0,63}$")


def is_safe_ticker(ticker: str) -> bool:
    """Whether ``ticker`` can name a data file without leaving its folder (``../x``, ``a/b``, ``.hidden`` cannot)."""
    return bool(_SAFE_TICKER.match(ticker))

#: Columns of a raw frame, in order.
COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")

_POLICY_TEXT = {
    "exchange": "XNYS sessions; crypto returns summed since the previous session, so weekends and holidays "
    "roll into the next session",
    "weekly": "Friday-to-Friday weeks",
    "crypto": "every UTC day",
    "monday_friday": "XNYS sessions; Monday crypto return measured from Friday's close",
    "monday_saturday": "XNYS sessions; Monday crypto return measured from Saturday's close",
    "monday_sunday": "XNYS sessions; Monday crypto return measured from Sunday's close",
}


def policy_name(data: Any, policy: str | None = None) -> str:
    """Name of the calendar policy recorded by a :class:`~contagion.data.Panel` (duck-typed) or given."""
    if policy is not None:
        return str(policy)
    recorded = getattr(data, "policy", None)
    if recorded is not None:
        return str(getattr(recorded, "name", recorded))
    return "unrecorded"


def describe_policy(name: str) -> str:
    """One-line description of a calendar policy, for error messages and summaries."""
    if name == "unrecorded":
        return ("calendar policy not recorded (a plain DataFrame was passed: its rows are taken as the "
                "sessions)")
    return f"calendar policy {name!r} ({_POLICY_TEXT.get(name, 'as recorded by the panel')})"


def as_frame(data: Any, *, what: str = "returns", attribute: str = "returns") -> pd.DataFrame:
    """A float64 frame with a sorted, unique, tz-naive DatetimeIndex from a DataFrame or a Panel.

    A panel-like object (anything with a DataFrame attribute ``attribute``, e.g. ``Panel.returns``) is
    unwrapped. Raises :class:`DataError` naming what is wrong.
    """
    frame = getattr(data, attribute, data) if not isinstance(data, pd.DataFrame) else data
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame (dates x tickers) or a Panel, got "
                        f"{type(data).__name__}.")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise DataError(f"{what} must be indexed by dates (a DatetimeIndex named 'date'); got "
                        f"{type(frame.index).__name__}.")
    if frame.index.tz is not None:
        raise DataError(f"{what} has a tz-aware index ({frame.index.tz}); pass tz-naive session dates.")
    if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
        raise DataError(f"{what} index must be sorted and unique; sort it and drop duplicate dates.")
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataError(f"{what} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns).")
    try:
        out = frame.astype("float64")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must hold numbers only: {exc}") from exc
    out.columns = [str(c) for c in out.columns]
    values = out.to_numpy()
    if np.isinf(values).any():
        col = out.columns[np.isinf(values).any(axis=0)][0]
        raise DataError(f"{what} column {col!r} contains infinite values; check the input prices.")
    return out


def to_timestamp(value: DateLike, *, what: str) -> pd.Timestamp:
    """Parse a date (ISO string, date, datetime or Timestamp) to a tz-naive midnight Timestamp."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise SpecificationError(f"{what}={value!r} is not a date; use an ISO date such as '2025-01-27'."
                                 ) from exc
    if pd.isna(ts):
        raise SpecificationError(f"{what}={value!r} is not a date; use an ISO date such as '2025-01-27'.")
    if ts.tz is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def check_session(index: pd.DatetimeIndex, when: DateLike, *, what: str, policy: str) -> int:
    """Row position of ``when`` in ``index``, or a :class:`DataError` saying why it is not a session.

    The message names the calendar policy (which decides what a session is) and the nearest sessions on
    either side, so that the user can pick one.
    """
    ts = to_timestamp(when, what=what)
    first, last = index[0], index[-1]
    if ts < first or ts > last:
        raise DataError(
            f"{what} {ts.date()} is outside the sample {first.date()} .. {last.date()} "
            f"({describe_policy(policy)}); extend the data or move the {what}."
        )
    pos = int(index.searchsorted(ts))
    if index[pos] != ts:
        before = index[pos - 1].date()
        after = index[pos].date()
        raise DataError(
            f"{what} {ts.date()} is not a session of the panel under {describe_policy(policy)}; the nearest "
            f"sessions are {before} (before) and {after} (after): pass one of them."
        )
    return pos


def window_rows(
    index: pd.DatetimeIndex, period: Sequence[DateLike], *, what: str, policy: str
) -> pd.DatetimeIndex:
    """Rows of ``index`` inside a ``(start, end)`` date pair (both inclusive), checked against the sample."""
    if isinstance(period, str) or len(period) != 2:
        raise SpecificationError(f"{what} must be a (start, end) pair of dates, got {period!r}.")
    start = to_timestamp(period[0], what=f"{what} start")
    end = to_timestamp(period[1], what=f"{what} end")
    if start > end:
        raise SpecificationError(f"{what} starts after it ends: {start.date()} > {end.date()}.")
    if start < index[0] or end > index[-1]:
        raise DataError(
            f"{what} {start.date()} .. {end.date()} extends outside the sample {index[0].date()} .. "
            f"{index[-1].date()} ({describe_policy(policy)}); shorten the window or extend the data."
        )
    return index[(index >= start) & (index <= end)]


def parse_date(value: str | date | pd.Timestamp | None, option: str = "date") -> pd.Timestamp | None:
    """Parse a date option (``None`` passes through); SpecificationError naming ``option`` when invalid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(pd.to_datetime(value.strip(), format="ISO8601")) if isinstance(value, str) \
            else pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise SpecificationError(
            f"{option}={value!r} is not a date; use the ISO format YYYY-MM-DD."
        ) from err
    if pd.isna(ts):
        raise SpecificationError(f"{option}={value!r} is not a date; use the ISO format YYYY-MM-DD.")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize()


def slice_dates(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Rows of ``frame`` with start <= date <= end (inclusive)."""
    if start is None and end is None:
        return frame
    idx = frame.index
    mask = np.ones(len(frame), dtype=bool)
    if start is not None:
        mask &= idx >= start
    if end is not None:
        mask &= idx <= end
    return frame.loc[mask]


def normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical raw frame: float64 columns :data:`COLUMNS` (missing ones NaN), index ``date`` tz-naive midnight."""
    if (list(frame.columns) == list(COLUMNS) and isinstance(frame.index, pd.DatetimeIndex)
            and frame.index.tz is None and frame.index.dtype == "datetime64[ns]"
            and frame.index.name == "date" and all(frame.dtypes == np.float64)
            and (frame.index.asi8 % 86_400_000_000_000 == 0).all()):
        return frame
    idx = pd.DatetimeIndex(frame.index)
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    # a plain datetime64 array: drops any ``freq`` (yfinance frames carry one), keeps comparisons exact
    idx = pd.DatetimeIndex(idx.normalize().to_numpy(dtype="datetime64[ns]"), name="date")
    data = {col: (pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
                  if col in frame else np.full(len(frame), np.nan)) for col in COLUMNS}
    return pd.DataFrame(data, index=idx, columns=list(COLUMNS))


def column_values(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """float64 array of ``columns`` (one ``to_numpy`` call; pandas' list indexing is slow on string columns)."""
    names = [str(c) for c in frame.columns]
    arr = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return arr[:, [names.index(c) for c in columns]]
