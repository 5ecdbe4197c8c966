"""Data-quality checks -> :class:`DataQualityReport` (errors stop a run, warnings are kept).

Per ticker: first/last date, rows, missing sessions (XNYS sessions for exchange-traded assets, calendar days
for crypto), duplicate dates, unsorted dates, non-positive prices, OHLC inconsistencies, stale runs, extreme
moves (listed with dates) and suspected unadjusted splits.

Errors (the data cannot be used as they are): missing or unreadable file, missing column, empty file,
unparsable date, duplicate or unsorted dates, non-positive price, high < low, an all-NaN price column.
Everything else is a warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import Datetime64Array, Float64Array1D
from contagion.data._frame import column_values
from contagion.errors import DataError

__all__ = [
    "PRICE_COLUMNS",
    "DataQualityReport",
    "QualityIssue",
    "TickerSummary",
    "check_frame",
    "structural_issues",
    "validate_frame",
]

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
Severity = Literal["error", "warning"]

#: Split ratios checked by the suspected-split rule (and their inverses).
_SPLIT_RATIOS = np.array([2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0])
_MAX_LISTED = 10

def _day(value: Any) -> str:
    """ISO date of a numpy datetime64 / Timestamp."""
    return str(np.datetime64(value, "D"))


def _fmt_dates(dates: Iterable[Any], limit: int = _MAX_LISTED) -> str:
    items = [_day(d) for d in dates]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


@dataclass(frozen=True)
class QualityIssue:
    """One finding: ``severity`` is "error" (stops a run) or "warning" (kept in the report)."""

    ticker: str
    severity: Severity
    check: str
    message: str
    dates: tuple[str, ...] = ()


@dataclass(frozen=True)
class TickerSummary:
    """Counts per ticker (one row of :meth:`DataQualityReport.to_frame`)."""

    ticker: str
    origin: str = ""
    first: str | None = None
    last: str | None = None
    rows: int = 0
    missing_sessions: int = 0
    duplicate_dates: int = 0
    non_positive: int = 0
    ohlc_inconsistent: int = 0
    stale_runs: int = 0
    extreme_moves: int = 0
    suspected_splits: int = 0


@dataclass(frozen=True)
class DataQualityReport(SummaryReprMixin):
    """Summaries and issues for a set of tickers (immutable)."""

    summaries: tuple[TickerSummary, ...] = ()
    issues: tuple[QualityIssue, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[QualityIssue, ...]:
        """Issues that stop a run."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[QualityIssue, ...]:
        """Issues kept as warnings."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(s.ticker for s in self.summaries)

    def to_frame(self) -> pd.DataFrame:
        """One row per ticker: counts, number of errors and warnings, and a status column."""
        cols = list(TickerSummary.__dataclass_fields__)
        df = pd.DataFrame([asdict(s) for s in self.summaries], columns=cols)
        n_err = {t: 0 for t in df["ticker"]}
        n_warn = dict(n_err)
        for issue in self.issues:
            target = n_err if issue.severity == "error" else n_warn
            target[issue.ticker] = target.get(issue.ticker, 0) + 1
        df["errors"] = df["ticker"].map(n_err).fillna(0).astype(int)
        df["warnings"] = df["ticker"].map(n_warn).fillna(0).astype(int)
        df["status"] = np.where(df["errors"] > 0, "error", np.where(df["warnings"] > 0, "warning", "ok"))
        return df

    def summary(self) -> Summary:
        """Counts by severity, then one row per ticker (main table) and the issue counts by check."""
        per_ticker = self.to_frame()
        counts: dict[str, dict[str, int]] = {}
        for issue in self.issues:
            row = counts.setdefault(issue.check, {"errors": 0, "warnings": 0})
            row["errors" if issue.severity == "error" else "warnings"] += 1
        by_check = pd.DataFrame.from_dict(counts, orient="index", columns=["errors", "warnings"],
                                          dtype="int64")
        by_check.index.name = "check"
        status = "ok" if self.ok else "errors: the data cannot be used as they are"
        header = (f"tickers: {len(self.summaries)}",
                  f"errors: {len(self.errors)}, warnings: {len(self.warnings)} ({status})")
        return Summary("Data quality report", header=header,
                       tables=(("tickers", per_ticker), ("issues by check", by_check)))

    def issues_frame(self) -> pd.DataFrame:
        """One row per issue (ticker, severity, check, message, dates)."""
        rows = [{**asdict(i), "dates": ";".join(i.dates)} for i in self.issues]
        return pd.DataFrame(rows, columns=["ticker", "severity", "check", "message", "dates"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "n_errors": len(self.errors),
            "n_warnings": len(self.warnings),
            "settings": dict(self.settings),
            "tickers": [asdict(s) for s in self.summaries],
            "issues": [{**asdict(i), "dates": list(i.dates)} for i in self.issues],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict` (stable key order)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    def raise_for_errors(self) -> None:
        """Raise :class:`DataError` listing every error (no-op without errors)."""
        if self.errors:
            lines = [f"{i.ticker}: {i.message}" for i in self.errors]
            raise DataError(
                f"{len(lines)} data error(s):\n  " + "\n  ".join(lines)
                + "\nFix the files (or drop the tickers) and run `contagion check-data` again."
            )

    @classmethod
    def combine(cls, reports: Sequence[DataQualityReport]) -> DataQualityReport:
        summaries: list[TickerSummary] = []
        issues: list[QualityIssue] = []
        settings: dict[str, Any] = {}
        for r in reports:
            summaries.extend(r.summaries)
            issues.extend(r.issues)
            settings.update(r.settings)
        return cls(tuple(summaries), tuple(issues), settings)


def structural_issues(ticker: str, frame: pd.DataFrame, origin: str = "") -> list[QualityIssue]:
    """Errors that make a raw frame unusable: duplicate/unsorted dates, non-positive prices, high < low,
    all-NaN price column. ``origin`` (a file name or source) is quoted in the messages."""
    where = f"{origin}: " if origin else ""
    out: list[QualityIssue] = []
    idx = pd.DatetimeIndex(frame.index)
    d = idx.asi8
    if len(d) > 1 and not bool(np.all(d[1:] > d[:-1])):  # fast path: strictly increasing = sorted, unique
        dup = idx[idx.duplicated(keep="first")]
        if len(dup):
            out.append(QualityIssue(ticker, "error", "duplicate_dates",
                                    f"{where}{len(dup)} duplicate date(s): {_fmt_dates(dup)}; keep one row per "
                                    "date.", tuple(str(x.date()) for x in dup[:_MAX_LISTED])))
        bad = np.flatnonzero(d[1:] < d[:-1]) + 1
        if len(bad):
            first = int(bad[0])
            out.append(QualityIssue(
                ticker, "error", "unsorted_dates",
                f"{where}dates are not sorted: {idx[first].date()} follows {idx[first - 1].date()} "
                f"(row {first + 2} of the file); sort the rows by date.",
                (str(idx[first].date()),)))
    price_cols = [c for c in (*PRICE_COLUMNS, "adj_close") if c in frame.columns]
    values = column_values(frame, price_cols)
    finite = np.isfinite(values)
    if len(values):
        for j, col in enumerate(price_cols[:-1] if price_cols[-1] == "adj_close" else price_cols):
            if not finite[:, j].any():
                out.append(QualityIssue(ticker, "error", "all_nan_column",
                                        f"{where}column {col!r} has no values; fill it or drop the ticker."))
    nonpos = finite & (values <= 0)
    if nonpos.any():
        rows = np.flatnonzero(nonpos.any(axis=1))
        r0 = int(rows[0])
        cols = [price_cols[j] for j in np.flatnonzero(nonpos[r0])]
        out.append(QualityIssue(
            ticker, "error", "non_positive_price",
            f"{where}{len(rows)} row(s) with a non-positive price, first on {idx[r0].date()} "
            f"({', '.join(f'{c}={values[r0, price_cols.index(c)]:g}' for c in cols)}); "
            "log returns need positive prices: fix or remove these rows.",
            tuple(str(idx[r].date()) for r in rows[:_MAX_LISTED])))
    if "high" in price_cols and "low" in price_cols:
        hi = values[:, price_cols.index("high")]
        lo = values[:, price_cols.index("low")]
        with np.errstate(invalid="ignore"):
            below = hi < lo
        if below.any():
            bad = np.flatnonzero(below)
            b0 = int(bad[0])
            out.append(QualityIssue(
                ticker, "error", "high_below_low",
                f"{where}high < low on {len(bad)} row(s), first on {idx[b0].date()} "
                f"(high={hi[b0]:g}, low={lo[b0]:g}); check the column order or fix these rows.",
                tuple(str(idx[b].date()) for b in bad[:_MAX_LISTED])))
    return out


def _runs(equal_to_prev: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """(start, end) row indices of runs where price stays constant for >= min_len rows."""
    # equal_to_prev[i] True when row i equals row i-1
    flags = np.concatenate([[False], equal_to_prev, [False]]).astype(np.int8)
    edges = np.diff(flags)
    starts = np.flatnonzero(edges == 1)   # first "equal" row
    ends = np.flatnonzero(edges == -1)    # one past last
    out = []
    for s, e in zip(starts, ends):
        length = e - s + 1               # the run includes the row before the first "equal" row
        if length >= min_len:
            out.append((int(s) - 1, int(e) - 1))
    return out


def check_frame(
    ticker: str,
    frame: pd.DataFrame,
    *,
    twenty_four_seven: bool,
    origin: str = "",
    extreme_threshold: float = 0.25,
    stale_min_run: int = 5,
    sessions: pd.DatetimeIndex | None = None,
) -> tuple[TickerSummary, list[QualityIssue]]:
    """Full quality check of one raw frame: structural errors plus warnings.

    Parameters
    ----------
    ticker, frame
        The ticker and its raw frame (as returned by a Source).
    twenty_four_seven : bool
        Crypto (expects every calendar day) or exchange-traded (expects XNYS sessions).
    origin : str
        File or source name quoted in messages.
    extreme_threshold : float
        Absolute daily log return above which a move is listed (default 0.25, about 28 %).
    stale_min_run : int
        Minimum number of consecutive identical closes reported as a stale run.
    sessions : DatetimeIndex, optional
        Session calendar for exchange-traded assets (default: XNYS from exchange_calendars).
    """
    from contagion.data.calendar import exchange_sessions

    issues = structural_issues(ticker, frame, origin)
    where = f"{origin}: " if origin else ""
    idx = pd.DatetimeIndex(frame.index)
    n = len(frame)
    if n == 0:
        issues.append(QualityIssue(ticker, "error", "empty", f"{where}no rows."))
        return TickerSummary(ticker, origin), issues
    dn = idx.to_numpy(dtype="datetime64[ns]")
    uniq = dn if bool(np.all(dn[1:] > dn[:-1])) else np.unique(dn)
    if not twenty_four_seven and sessions is None:
        sessions = exchange_sessions("XNYS")
    missing = _calendar_issues(ticker, uniq, None if twenty_four_seven else sessions, where, issues)
    o, h, lo, c = column_values(frame, PRICE_COLUMNS).T
    n_incons = _ohlc_issues(ticker, (o, h, lo, c), idx, where, issues)
    n_runs = _stale_issues(ticker, c, dn, stale_min_run, where, issues)
    n_ext, n_splits = _move_issues(ticker, frame, (o, c), dn, twenty_four_seven=twenty_four_seven,
                                   extreme_threshold=extreme_threshold, where=where, issues=issues)
    price_cols = [col for col in (*PRICE_COLUMNS, "adj_close") if col in frame.columns]
    vals = column_values(frame, price_cols)
    summary = TickerSummary(
        ticker=ticker,
        origin=origin,
        first=_day(uniq[0]),
        last=_day(uniq[-1]),
        rows=n,
        missing_sessions=missing,
        duplicate_dates=len(dn) - len(uniq),
        non_positive=int((np.isfinite(vals) & (vals <= 0)).any(axis=1).sum()),
        ohlc_inconsistent=n_incons,
        stale_runs=n_runs,
        extreme_moves=n_ext,
        suspected_splits=n_splits,
    )
    return summary, issues


def _calendar_issues(ticker: str, uniq: Datetime64Array, sessions: pd.DatetimeIndex | None,
                     where: str, issues: list[QualityIssue]) -> int:
    """Missing sessions (XNYS for ``sessions``, every UTC day for ``sessions=None``) and rows off the
    calendar; appends the warnings and returns the number of missing sessions."""
    if sessions is None:
        expected = np.arange(uniq[0], uniq[-1] + np.timedelta64(1, "D"), np.timedelta64(1, "D"))
    else:
        sn = sessions.to_numpy(dtype="datetime64[ns]")
        expected = sn[(sn >= uniq[0]) & (sn <= uniq[-1])]
    missing = np.setdiff1d(expected, uniq, assume_unique=True)
    if len(missing):
        kind = "UTC days" if sessions is None else "XNYS sessions"
        issues.append(QualityIssue(ticker, "warning", "missing_sessions",
                                   f"{where}{len(missing)} missing {kind}: {_fmt_dates(missing)}.",
                                   tuple(_day(x) for x in missing[:_MAX_LISTED])))
    if sessions is not None:
        extra = np.setdiff1d(uniq, expected, assume_unique=True)
        if len(extra):
            issues.append(QualityIssue(
                ticker, "warning", "non_session_dates",
                f"{where}{len(extra)} row(s) on dates that are not XNYS sessions: {_fmt_dates(extra)}; "
                "they roll into the next session.", tuple(_day(x) for x in extra[:_MAX_LISTED])))
    return len(missing)


def _ohlc_issues(ticker: str, ohlc: tuple[Float64Array1D, ...], idx: pd.DatetimeIndex, where: str,
                 issues: list[QualityIssue]) -> int:
    """Rows without a close and rows whose open/close lie outside [low, high]; returns the latter count."""
    o, h, lo, c = ohlc
    dn = idx.to_numpy(dtype="datetime64[ns]")
    nan_close = np.flatnonzero(~np.isfinite(c))
    if len(nan_close):
        issues.append(QualityIssue(ticker, "warning", "missing_close",
                                   f"{where}{len(nan_close)} row(s) without a close: {_fmt_dates(dn[nan_close])}.",
                                   tuple(_day(idx[i]) for i in nan_close[:_MAX_LISTED])))
    tol = 1e-6
    with np.errstate(invalid="ignore"):
        incons = (h < np.fmax(o, c) * (1 - tol)) | (lo > np.fmin(o, c) * (1 + tol))
    incons &= np.isfinite(h) & np.isfinite(lo)
    bad = np.flatnonzero(incons)
    if len(bad):
        issues.append(QualityIssue(
            ticker, "warning", "ohlc_inconsistent",
            f"{where}{len(bad)} row(s) where open/close lie outside [low, high]: {_fmt_dates(dn[bad])}; "
            "range estimators on these days are unreliable.",
            tuple(_day(idx[i]) for i in bad[:_MAX_LISTED])))
    return len(bad)


def _stale_issues(ticker: str, c: Float64Array1D, dn: Datetime64Array, stale_min_run: int,
                  where: str, issues: list[QualityIssue]) -> int:
    """Runs of at least ``stale_min_run`` identical closes; returns their number."""
    valid_c = np.isfinite(c)
    cc = c[valid_c]
    cidx = dn[valid_c]
    runs = _runs(cc[1:] == cc[:-1], stale_min_run) if len(cc) > 1 else []
    if runs:
        desc = ", ".join(f"{_day(cidx[s])}..{_day(cidx[e])} ({e - s + 1} rows)" for s, e in runs[:_MAX_LISTED])
        issues.append(QualityIssue(ticker, "warning", "stale_prices",
                                   f"{where}{len(runs)} run(s) of >= {stale_min_run} identical closes: {desc}.",
                                   tuple(_day(cidx[s]) for s, _ in runs[:_MAX_LISTED])))
    return len(runs)


def _move_issues(ticker: str, frame: pd.DataFrame, oc: tuple[Float64Array1D, Float64Array1D],
                 dn: Datetime64Array, *, twenty_four_seven: bool, extreme_threshold: float,
                 where: str, issues: list[QualityIssue]) -> tuple[int, int]:
    """Extreme daily moves and suspected unadjusted splits on the return price; returns both counts."""
    from contagion.data.calendar import return_price

    o, c = oc
    p = return_price(frame).to_numpy(dtype=np.float64)
    pv = np.isfinite(p) & (p > 0)
    pidx = dn[pv]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.diff(np.log(p[pv])) if pv.sum() > 1 else np.array([])
    rdates = pidx[1:]
    ext = np.flatnonzero(np.abs(r) > extreme_threshold)
    if len(ext):
        desc = ", ".join(f"{_day(rdates[i])} ({r[i]:+.1%})" for i in ext[:_MAX_LISTED])
        issues.append(QualityIssue(ticker, "warning", "extreme_moves",
                                   f"{where}{len(ext)} daily log return(s) beyond ±{extreme_threshold:g}: {desc}.",
                                   tuple(_day(rdates[i]) for i in ext[:_MAX_LISTED])))
    splits: list[int] = []
    is_index = ticker.startswith("^")
    if not twenty_four_seven and not is_index and len(r):
        # an unadjusted split shows as a close-to-close jump near a split ratio that is already there at the
        # open (overnight gap) while the day itself moves little
        logs = np.log(np.concatenate([_SPLIT_RATIOS, 1.0 / _SPLIT_RATIOS]))
        ov = o[pv]
        cv = c[pv]
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.log(ov[1:] / cv[:-1])
        near = np.min(np.abs(r[:, None] - logs[None, :]), axis=1) < 0.05
        gap_near = np.min(np.abs(gap[:, None] - logs[None, :]), axis=1) < 0.05
        splits = [int(i) for i in np.flatnonzero(near & gap_near)]
    if splits:
        desc = ", ".join(f"{_day(rdates[i])} (x{np.exp(r[i]):.3f})" for i in splits[:_MAX_LISTED])
        issues.append(QualityIssue(
            ticker, "warning", "suspected_split",
            f"{where}{len(splits)} jump(s) close to a split ratio: {desc}; check that prices are split-adjusted.",
            tuple(_day(rdates[i]) for i in splits[:_MAX_LISTED])))
    return len(ext), len(splits)


def validate_frame(ticker: str, frame: pd.DataFrame, origin: str = "") -> pd.DataFrame:
    """Raise :class:`DataError` if ``frame`` has structural errors (see :func:`quality.structural_issues`)."""
    where = origin or ticker
    if len(frame) == 0:
        raise DataError(f"{where}: no data rows for {ticker}; the file or download is empty. "
                        "Check the file, or drop the ticker.")
    issues = structural_issues(ticker, frame, origin=where)
    if issues:
        raise DataError("; ".join(i.message for i in issues))
    return frame
