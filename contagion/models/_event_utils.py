"""Input validation shared by :mod:`contagion.models.contagion_tests`, :mod:`contagion.models.events` and
:mod:`contagion.models.facts`: panels or frames in, clean date-indexed float frames out, and dates checked
against the sessions of the panel (whose calendar policy decides what a "session" is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from contagion.errors import DataError, SpecificationError

__all__ = [
    "DateLike",
    "as_frame",
    "check_session",
    "policy_name",
    "to_timestamp",
    "window_rows",
]

DateLike = str | date | datetime | pd.Timestamp

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
    if ts is pd.NaT:
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
