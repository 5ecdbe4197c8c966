r"""Aligning 24/7 crypto with exchange sessions: explicit, recorded calendar policies.

A policy defines a sequence of period labels :math:`L_1 < L_2 < \dots` (dates) and, for every label, a window
of calendar days :math:`(B_k, L_k]`. A raw daily observation dated :math:`x` belongs to period :math:`k` when
:math:`B_k < x \le L_k`; observations outside every window are dropped. For each period:

- the aligned log return is the sum of the raw log returns of the days in the window, which equals
  :math:`\ln P(\text{last day} \le L_k) - \ln P(B_k)` when no day is missing;
- the aligned OHLC bar is first open, max high, min low, last close (and last adjusted close), summed volume;
- ``n_days`` is the number of trading days the bar spans: :math:`(L_k - B_k)` in calendar (UTC) days for a 24/7
  asset (3 for a Monday crypto bar under ``exchange``: Saturday + Sunday + Monday; more after a holiday), 1 for an
  exchange-traded asset (one session; a missing session is a data-quality issue, flagged elsewhere).
  :func:`contagion.data.measures.compute_measure` uses it to put range variances on a per-day scale.

A period is only valid for an asset whose data start on or before :math:`B_k` and run to :math:`L_k` or later,
so that a return never covers only part of its window (first and last periods of a short series are NaN).

Policies (``name``):

``exchange`` (default)
    Labels are the XNYS sessions from :mod:`exchange_calendars` (not "days that have data"); the window of
    session :math:`d` starts after the previous session. A crypto return on Monday is Saturday + Sunday + Monday
    (Friday close to Monday close); holidays roll into the next session in the same way.
``monday_friday``
    Same as ``exchange`` (the Friday-close Monday benchmark of Ali, Du & Majeed 2025), recorded under its name.
``monday_saturday``
    Like ``exchange`` but a 24/7 asset's window after a non-trading stretch starts at the close of the first
    non-trading day: Monday's crypto return runs from Saturday's close (Sunday + Monday); Saturday's own
    return is dropped.
``monday_sunday``
    The window after a non-trading stretch starts at the close of the last non-trading day: Monday's crypto
    return runs from Sunday's close; Saturday's and Sunday's returns are dropped.
``weekly``
    Labels are calendar Fridays; window (previous Friday, Friday] for every asset (Friday-to-Friday returns;
    if Friday is a holiday the last close of the week is used).
``crypto``
    Labels are every calendar (UTC) day; for crypto-only universes. Exchange-traded assets get NaN on
    weekends and holidays and a Friday-to-Monday return on Mondays.

Exchange-traded assets (equities, ETFs, indices) always use (previous label, label] windows: a missing session
is NaN and the next session's return covers the gap (flagged in the data-quality report).

References
----------
.. [1] Ali, S., Du, A. M. and Majeed, M. T. (2025). Weekend effects and crypto-equity spillovers:
   alternative Monday benchmarks. Finance Research Letters, 77, 107016.
.. [2] Diebold, F. X. and Yilmaz, K. (2009). Measuring financial asset return and volatility spillovers,
   with application to global equity markets. Economic Journal, 119(534), 158-171 (weekly data).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from contagion._typing import IntArray
from contagion.data._frame import column_values
from contagion.errors import SpecificationError

__all__ = [
    "POLICIES",
    "CalendarPolicy",
    "aggregate_ohlc",
    "align_frame",
    "day_of_week_adjust",
    "exchange_sessions",
    "get_policy",
    "period_windows",
]

POLICIES: tuple[str, ...] = (
    "exchange", "weekly", "crypto", "monday_friday", "monday_saturday", "monday_sunday",
)

_DESCRIPTIONS = {
    "exchange": "XNYS sessions; 24/7 returns summed since the previous session (weekends/holidays roll "
                "into the next session; Monday = Friday close to Monday close)",
    "monday_friday": "same as 'exchange' (Monday crypto return from Friday's close)",
    "monday_saturday": "XNYS sessions; after a non-trading stretch the 24/7 return starts at the close of the "
                       "first non-trading day (Monday from Saturday's close)",
    "monday_sunday": "XNYS sessions; after a non-trading stretch the 24/7 return starts at the close of the "
                     "last non-trading day (Monday from Sunday's close)",
    "weekly": "calendar Fridays; Friday-to-Friday returns for every asset",
    "crypto": "every calendar (UTC) day; for crypto-only universes",
}

#: Range of the session calendar built by :func:`exchange_sessions` (covers every file in ../shared).
CALENDAR_START = "1995-01-01"
CALENDAR_END = "2030-12-31"


@dataclass(frozen=True)
class CalendarPolicy:
    """An explicit calendar policy, recorded with every output (``to_dict()``).

    Parameters
    ----------
    name : str
        One of :data:`POLICIES`.
    exchange : str
        exchange_calendars code of the session calendar (default ``"XNYS"``).
    sessions : sequence of dates, optional
        An explicit session calendar replacing ``exchange`` (tests, other venues); recorded as "custom".
    """

    name: str = "exchange"
    exchange: str = "XNYS"
    sessions: tuple[pd.Timestamp, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.name not in POLICIES:
            raise SpecificationError(
                f"unknown calendar policy {self.name!r}; choose one of {', '.join(POLICIES)}."
            )
        if self.sessions is not None:
            object.__setattr__(self, "sessions", tuple(pd.DatetimeIndex(self.sessions).normalize().sort_values()))

    def session_index(self) -> pd.DatetimeIndex:
        """The session calendar: the explicit ``sessions`` if given, else exchange_calendars' ``exchange``."""
        if self.sessions is not None:
            return pd.DatetimeIndex(pd.DatetimeIndex(self.sessions).astype("datetime64[ns]"), name="date")
        return exchange_sessions(self.exchange)

    @property
    def description(self) -> str:
        """One-line description of the policy."""
        return _DESCRIPTIONS[self.name]

    @property
    def uses_sessions(self) -> bool:
        """True when the labels are exchange sessions."""
        return self.name not in ("weekly", "crypto")

    @property
    def periods_per_year(self) -> int:
        """Conventional number of periods per year (252 sessions, 52 weeks or 365 days)."""
        return {"weekly": 52, "crypto": 365}.get(self.name, 252)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record of the policy."""
        return {
            "name": self.name,
            "exchange": (self.exchange if self.sessions is None else "custom") if self.uses_sessions else None,
            "calendar_library": ("exchange_calendars" if self.sessions is None else "custom sessions")
            if self.uses_sessions else None,
            "description": self.description,
            "periods_per_year": self.periods_per_year,
            "crypto_ohlc": "first open, max high, min low, last close, summed volume over the window",
            "return": "sum of daily log returns over the window (adj_close where present, else close)",
        }

    def labels(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
        """Period labels from the last label on or before ``first`` to the first label on or after ``last``."""
        first = pd.Timestamp(first).normalize()
        last = pd.Timestamp(last).normalize()
        if self.uses_sessions:
            sessions = self.session_index()
            if first < sessions[0] or last > sessions[-1]:
                raise SpecificationError(
                    f"dates {first.date()}..{last.date()} fall outside the {self.exchange} calendar range "
                    f"{sessions[0].date()}..{sessions[-1].date()} built by contagion.data.calendar."
                )
            i0 = max(int(sessions.searchsorted(first, side="right")) - 1, 0)
            i1 = min(int(sessions.searchsorted(last, side="left")) + 1, len(sessions))
            return pd.DatetimeIndex(sessions[i0:i1], name="date")
        if self.name == "weekly":
            start = first - pd.Timedelta(days=(first.day_of_week - 4) % 7)
            end = last + pd.Timedelta(days=(4 - last.day_of_week) % 7)
            return pd.date_range(start, end, freq="W-FRI", name="date")
        return pd.date_range(first, last, freq="D", name="date")


def get_policy(policy: str | CalendarPolicy) -> CalendarPolicy:
    """A :class:`CalendarPolicy` from its name (or the policy itself)."""
    if isinstance(policy, CalendarPolicy):
        return policy
    return CalendarPolicy(str(policy).strip().lower())


@functools.lru_cache(maxsize=4)
def exchange_sessions(exchange: str = "XNYS") -> pd.DatetimeIndex:
    """Sessions of ``exchange`` from exchange_calendars, 1995-01-01 to 2030-12-31 (tz-naive midnight dates)."""
    import exchange_calendars as xcals  # heavy import, deferred

    try:
        cal = xcals.get_calendar(exchange, start=CALENDAR_START, end=CALENDAR_END)
    except Exception as err:  # exchange_calendars raises several unrelated types
        raise SpecificationError(
            f"cannot build the {exchange!r} session calendar: {err}. Use an exchange_calendars code such as XNYS."
        ) from err
    sessions = pd.DatetimeIndex(cal.sessions)
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    return pd.DatetimeIndex(sessions.normalize().astype("datetime64[ns]"), name="date")


def period_windows(policy: CalendarPolicy, labels: pd.DatetimeIndex, *, twenty_four_seven: bool) -> pd.DatetimeIndex:
    """Exclusive lower bounds :math:`B_k` of the windows :math:`(B_k, L_k]` for ``labels``.

    The first label's bound is one step before it (one day, or seven for ``weekly``).
    """
    lab = labels.to_numpy(dtype="datetime64[ns]")
    one_day = np.timedelta64(1, "D")
    prev = np.empty_like(lab)
    if len(lab):
        prev[0] = lab[0] - (7 if policy.name == "weekly" else 1) * one_day
        prev[1:] = lab[:-1]
    if twenty_four_seven and policy.name == "monday_saturday":
        lower = np.minimum(prev + one_day, lab - one_day)
    elif twenty_four_seven and policy.name == "monday_sunday":
        lower = np.maximum(prev, lab - one_day)
    else:
        lower = prev
    return pd.DatetimeIndex(lower, name="date")


def _period_index(dates: pd.DatetimeIndex, labels: pd.DatetimeIndex, lower: pd.DatetimeIndex) -> IntArray:
    """Index k of the window containing each date, or -1 when the date lies in no window."""
    d = dates.to_numpy(dtype="datetime64[ns]")
    k = np.searchsorted(labels.to_numpy(dtype="datetime64[ns]"), d, side="left").astype(np.int64)
    inside = k < len(labels)
    kk = np.where(inside, k, 0)
    inside &= d > lower.to_numpy(dtype="datetime64[ns]")[kk]
    return np.where(inside, k, -1)


def one_day_ns() -> np.timedelta64:
    """One calendar day as a ``timedelta64[ns]`` (divides date differences into day counts)."""
    return np.timedelta64(86_400_000_000_000, "ns")


def day_of_week_adjust(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove each column's day-of-week means, keeping its overall mean (two-step seasonal adjustment).

    :math:`\tilde y_{t} = y_{t} - \bar y_{d(t)} + \bar y`, where :math:`\bar y_d` is the mean over the dates
    that fall on weekday :math:`d`: the residual of an OLS regression on a constant and day-of-week dummies
    (:func:`contagion.var.exog.day_of_week_dummies`), plus the mean. Used on log-variance indices, it removes the weekly pattern
    that remains after the per-day scaling (crypto weekends are calmer than weekdays). Returns the adjusted
    frame and the weekday deviations :math:`\bar y_d - \bar y` (rows ``mon`` .. ``sun``, one column per series).
    The means are full-sample (like dummies in a regression), so a value depends on later dates.
    """
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    weekday = np.asarray(pd.DatetimeIndex(frame.index).day_of_week)
    effect = frame.groupby(weekday).mean() - frame.mean()
    adjusted = frame - effect.reindex(weekday).to_numpy()
    effect.index = pd.Index([names[d] for d in effect.index], name="weekday")
    return adjusted, effect


def return_price(frame: pd.DataFrame) -> pd.Series:
    """The price used for returns: ``adj_close`` when the column has any value, else ``close``."""
    if "adj_close" in frame.columns:
        adj = frame["adj_close"]
        if np.isfinite(adj.to_numpy(dtype=np.float64, na_value=np.nan)).any():
            return adj
    return frame["close"]


def aggregate_ohlc(frame: pd.DataFrame, k: IntArray, n_periods: int) -> pd.DataFrame:
    """Aggregate raw rows into periods (first open, max high, min low, last close/adj_close, sum volume).

    ``k`` gives each row's period (``-1`` drops the row) and must be non-decreasing over the kept rows (raw
    dates are sorted). NaN values are skipped; a period without any value stays NaN. Returns an
    (n_periods x 6) frame. Vectorised with ``ufunc.reduceat`` over the group starts.
    """
    keep = k >= 0
    key = k[keep]
    cols = ["open", "high", "low", "close", "adj_close", "volume"]
    out = np.full((n_periods, len(cols)), np.nan)
    if len(key) == 0:
        return pd.DataFrame(out, columns=cols)
    vals = column_values(frame, cols)[keep]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    groups = key[starts]
    pos = np.arange(len(key))
    finite = np.isfinite(vals)
    big = len(key)
    for j, col in enumerate(cols):
        v = vals[:, j]
        f = finite[:, j]
        if col == "open":
            first = np.minimum.reduceat(np.where(f, pos, big), starts)
            res = np.where(first < big, v[np.minimum(first, big - 1)], np.nan)
        elif col in ("close", "adj_close"):
            last = np.maximum.reduceat(np.where(f, pos, -1), starts)
            res = np.where(last >= 0, v[np.maximum(last, 0)], np.nan)
        elif col == "high":
            res = np.fmax.reduceat(v, starts)
        elif col == "low":
            res = np.fmin.reduceat(v, starts)
        else:
            total = np.add.reduceat(np.where(f, v, 0.0), starts)
            count = np.add.reduceat(f.astype(np.int64), starts)
            res = np.where(count > 0, total, np.nan)
        out[groups, j] = res
    return pd.DataFrame(out, columns=cols)


def align_frame(
    frame: pd.DataFrame,
    policy: CalendarPolicy,
    labels: pd.DatetimeIndex,
    *,
    twenty_four_seven: bool,
) -> pd.DataFrame:
    r"""Align one raw OHLCV frame to ``labels`` under ``policy``.

    Parameters
    ----------
    frame : DataFrame
        Raw frame as returned by a Source (DatetimeIndex ``date``, columns open, high, low, close, adj_close,
        volume), sorted and unique.
    policy : CalendarPolicy
    labels : DatetimeIndex
        Period labels (from :meth:`CalendarPolicy.labels`).
    twenty_four_seven : bool
        Whether the asset trades every day (crypto); selects the window rule of the Monday policies.

    Returns
    -------
    DataFrame indexed by ``labels`` with columns open, high, low, close, adj_close, volume, prev_close (the
    last aggregated close before the period, for the overnight gap), ``return`` (aligned log return, a SUM over
    the window) and ``n_days`` (trading days the bar spans: calendar days of the window for a 24/7 asset, 1 for
    an exchange-traded one).

    Notes
    -----
    No look-ahead: the values on label :math:`L_k` depend only on rows dated :math:`\le L_k`.
    A period is NaN unless the asset has data on or before its window start :math:`B_k` and on or after
    :math:`L_k` (no partial windows at either end of a series).
    """
    lower = period_windows(policy, labels, twenty_four_seven=twenty_four_seven)
    n = len(labels)
    dates = pd.DatetimeIndex(frame.index)
    k = _period_index(dates, labels, lower)
    ohlc = aggregate_ohlc(frame, k, n)

    price = return_price(frame).to_numpy(dtype=np.float64)
    valid = np.isfinite(price)
    raw_ret = np.full(len(price), np.nan)
    if valid.sum() > 1:
        idx = np.flatnonzero(valid)
        raw_ret[idx[1:]] = np.diff(np.log(price[idx]))
    use = (k >= 0) & np.isfinite(raw_ret)
    sums = np.bincount(k[use], weights=raw_ret[use], minlength=n)
    counts = np.bincount(k[use], minlength=n)
    ret = np.where(counts > 0, sums, np.nan)

    # complete windows only: data must start on/before B_k and reach L_k
    if valid.any():
        first = dates[valid][0].to_datetime64()
        last = dates[valid][-1].to_datetime64()
        complete = (lower.to_numpy(dtype="datetime64[ns]") >= first) & (
            labels.to_numpy(dtype="datetime64[ns]") <= last
        )
    else:
        complete = np.zeros(n, dtype=bool)
    ret = np.where(complete, ret, np.nan)
    # previous aggregated close (before masking: the bar before a complete window is real data)
    close = ohlc["close"].to_numpy()
    prev_close = pd.Series(close).ffill().shift(1).to_numpy()
    ohlc.loc[~complete] = np.nan
    ohlc["prev_close"] = np.where(complete & np.isfinite(close), prev_close, np.nan)
    ohlc["return"] = ret
    span = (labels.to_numpy(dtype="datetime64[ns]") - lower.to_numpy(dtype="datetime64[ns]")) // one_day_ns()
    ohlc["n_days"] = np.where(complete, span if twenty_four_seven else 1, np.nan).astype(np.float64)
    ohlc.index = labels
    return ohlc
