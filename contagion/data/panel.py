"""The aligned panel: sources -> calendar alignment -> measures, with quality report and input hashes.

>>> from contagion.data import CsvSource, build_panel                   # doctest: +SKIP
>>> panel = build_panel(CsvSource("../shared/data/markets"), ["NVDA", "BTC-USD"],
...                     measure="returns", calendar="exchange", start="2025-01-01")  # doctest: +SKIP
>>> panel.values.loc["2025-01-27"]                                     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from contagion.data.calendar import CalendarPolicy, align_frame, get_policy
from contagion.data.measures import VARIANCE_FLOOR, canonical_measure, compute_measure
from contagion.data.quality import DataQualityReport, check_frame
from contagion.data.sources import COLUMNS, Source, normalise_frame, parse_date
from contagion.data.universe import is_twenty_four_seven
from contagion.errors import DataError, SpecificationError

__all__ = ["Panel", "build_panel", "frame_hash"]

#: Days of history loaded before ``start`` so that the first period's return has its previous close.
_LOOKBACK_DAYS = 21


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a raw frame's canonical bytes (int64 ns dates + float64 columns in :data:`COLUMNS` order)."""
    canon = normalise_frame(frame)
    h = hashlib.sha256()
    h.update(",".join(COLUMNS).encode())
    h.update(np.ascontiguousarray(pd.DatetimeIndex(canon.index).asi8, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(canon.to_numpy(dtype=np.float64), dtype="<f8").tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Panel:
    """An aligned daily (or weekly) panel.

    Attributes
    ----------
    values : DataFrame
        date x ticker, float64: the requested ``measure`` (range measures are LOG variances).
    returns : DataFrame
        date x ticker aligned log returns (decimal), always present.
    ohlc : dict of DataFrame
        Aligned OHLC bars per ticker (columns open, high, low, close, adj_close, volume).
    measure : str
        Canonical measure name (see :data:`contagion.data.measures.MEASURES`).
    policy : CalendarPolicy
        The calendar policy (recorded with every output).
    quality : DataQualityReport
        Warnings found in the inputs (errors stop :func:`build_panel`).
    hashes : dict
        SHA-256 of each ticker's raw input series (see :func:`frame_hash`).
    source : dict
        ``Source.describe()`` of the source the panel came from.
    """

    values: pd.DataFrame
    returns: pd.DataFrame
    ohlc: dict[str, pd.DataFrame]
    measure: str
    policy: CalendarPolicy
    quality: DataQualityReport
    hashes: dict[str, str]
    source: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.values.columns)

    @property
    def n_obs(self) -> int:
        return len(self.values)

    def complete(self) -> pd.DataFrame:
        """``values`` restricted to the rows where every ticker has a value."""
        return self.values.dropna(how="any")

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form: one row per (date, ticker) with the measure and the return."""
        out = pd.DataFrame({"value": self.values.stack(), "return": self.returns.stack()})
        out.index.names = ["date", "ticker"]
        out = out.dropna(how="all").reset_index()
        out["measure"] = self.measure
        return out

    def describe(self) -> dict[str, Any]:
        """JSON-able record of how the panel was built (for manifests)."""
        idx = self.values.index
        return {
            "tickers": list(self.tickers),
            "measure": self.measure,
            "policy": self.policy.to_dict(),
            "first": str(idx[0].date()) if len(idx) else None,
            "last": str(idx[-1].date()) if len(idx) else None,
            "n_obs": self.n_obs,
            "n_complete": int(self.values.notna().all(axis=1).sum()),
            "hashes": dict(self.hashes),
            "source": dict(self.source),
            "options": dict(self.options),
        }


def _check_tickers(tickers: Sequence[str] | str) -> list[str]:
    if isinstance(tickers, str):
        tickers = [t for t in tickers.split(",")]
    out = [str(t).strip() for t in tickers if str(t).strip()]
    if not out:
        raise SpecificationError("no tickers given; pass at least one ticker (e.g. --tickers NVDA,BTC-USD).")
    dups = sorted({t for t in out if out.count(t) > 1})
    if dups:
        raise SpecificationError(f"ticker(s) listed twice: {', '.join(dups)}; list each once.")
    return out


def build_panel(
    source: Source,
    tickers: Sequence[str] | str,
    *,
    measure: str = "returns",
    calendar: str | CalendarPolicy = "exchange",
    start: str | date | None = None,
    end: str | date | None = None,
    window: int | None = None,
    floor: float = VARIANCE_FLOOR,
    variance_scale: str = "per_day",
) -> Panel:
    """Load ``tickers`` from ``source``, align them under ``calendar`` and compute ``measure``.

    Parameters
    ----------
    source : Source
        Any object implementing the :class:`~contagion.data.sources.Source` protocol.
    tickers : sequence of str or comma-separated str
    measure : str
        ``returns``, ``squared``, ``absolute``, or a range estimator (log variance): ``parkinson``,
        ``garman_klass`` (``gk``), ``rogers_satchell`` (``rs``), ``gkyz``, ``yang_zhang`` (``yz``).
    calendar : str or CalendarPolicy
        ``exchange`` (default), ``weekly``, ``crypto``, ``monday_friday``, ``monday_saturday``,
        ``monday_sunday`` (see :mod:`contagion.data.calendar`).
    start, end : date-like, optional
        Inclusive sample bounds on the period labels. History before ``start`` is read so that the first
        period's return has its previous close.
    window : int, optional
        Rolling window of the range estimators (default 1; 10 for Yang-Zhang).
    floor : float
        Variance floor before taking logs (:data:`~contagion.data.measures.VARIANCE_FLOOR`).
    variance_scale : {"per_day", "per_bar"}
        ``"per_day"`` (default): under the session calendars (``exchange``, ``monday_*``) a 24/7 asset's bar
        spanning k UTC days has its variance measure divided by k (a Monday crypto bar holds three days of
        variance; see :mod:`contagion.data.measures`). ``"per_bar"`` keeps the aggregated variance. Returns are
        sums in both cases; ``weekly`` and ``crypto`` bars are never rescaled. Recorded in ``options``.

    Returns
    -------
    Panel
        Leading and trailing dates where no ticker has a value are trimmed; interior gaps stay NaN.

    Raises
    ------
    SpecificationError
        Unknown measure or policy, no tickers, start after end.
    DataError
        Any input error (names ticker, file and date), a ticker without data in the sample, or no date on
        which every ticker has a value.
    """
    names = _check_tickers(tickers)
    m = canonical_measure(measure)
    policy = get_policy(calendar)
    if variance_scale not in ("per_day", "per_bar"):
        raise SpecificationError(f"variance_scale must be 'per_day' or 'per_bar', got {variance_scale!r}.")
    per_day = variance_scale == "per_day" and policy.uses_sessions
    s, e = parse_date(start, "start"), parse_date(end, "end")
    if s is not None and e is not None and s > e:
        raise SpecificationError(f"start={s.date()} is after end={e.date()}; swap them.")
    # history before ``start``: the previous close, plus the rolling window of the range estimators
    n_window = window or (10 if m == "yang_zhang" else 1)
    per_period = 8 if policy.name == "weekly" else 3
    load_start = None if s is None else s - pd.Timedelta(days=_LOOKBACK_DAYS + per_period * n_window)
    raw = source.load(names, load_start, e)
    missing = [t for t in names if t not in raw]
    if missing:
        reasons = getattr(source, "failed", {}) or {}
        detail = "; ".join(f"{t}: {reasons[t]}" for t in missing if t in reasons)
        raise DataError(f"the {getattr(source, 'name', 'data')} source returned no data for "
                        f"{', '.join(missing)}{f' ({detail})' if detail else ''}; check the tickers "
                        "(contagion.data.universe lists known ones) or use --data-dir / --demo.")

    frames: dict[str, pd.DataFrame] = {}
    reports = []
    for t in names:
        frame = normalise_frame(raw[t])
        if len(frame) == 0:
            span = f" between {s.date() if s is not None else 'the start'} and {e.date() if e is not None else 'the end'}"
            raise DataError(f"{t}: no data{span}; widen the sample or drop {t}.")
        frames[t] = frame
        summary, issues = check_frame(t, frame, twenty_four_seven=is_twenty_four_seven(t, frame),
                                      origin=f"{t} ({getattr(source, 'name', 'source')})",
                                      sessions=policy.session_index() if policy.uses_sessions else None)
        reports.append(DataQualityReport((summary,), tuple(issues)))
    quality = DataQualityReport.combine(reports)
    quality.raise_for_errors()

    first = min(f.index[0] for f in frames.values())
    last = max(f.index[-1] for f in frames.values())
    labels = policy.labels(first, last)
    keep = np.ones(len(labels), dtype=bool)
    if s is not None:
        keep &= labels >= s
    if e is not None:
        keep &= labels <= e

    values, returns, ohlc, multi_day = _align_all(frames, policy, labels, keep, m, window, floor, per_day)
    val_df = pd.DataFrame(values)
    ret_df = pd.DataFrame(returns)
    val_df.index.name = ret_df.index.name = "date"
    val_df.columns.name = ret_df.columns.name = "ticker"

    has_any = val_df.notna().any(axis=1).to_numpy()
    if not has_any.any():
        span = f"{s.date() if s is not None else '...'}..{e.date() if e is not None else '...'}"
        raise DataError(f"no aligned values in {span} for {', '.join(names)}: "
                        + "; ".join(f"{t} covers {f.index[0].date()}..{f.index[-1].date()}"
                                    for t, f in frames.items())
                        + ". Choose a sample where the series have data.")
    i0 = int(np.argmax(has_any))
    i1 = len(has_any) - int(np.argmax(has_any[::-1]))
    val_df = val_df.iloc[i0:i1]
    ret_df = ret_df.iloc[i0:i1]
    ohlc = {t: o.iloc[i0:i1] for t, o in ohlc.items()}
    for t in names:
        if val_df[t].isna().all():
            f = frames[t]
            raise DataError(f"{t}: no {m} values in the sample ({f.index[0].date()}..{f.index[-1].date()} in "
                            "the data); widen the sample or drop the ticker.")
    if len(names) > 1 and not val_df.notna().all(axis=1).any():
        raise DataError(
            "no overlapping dates: there is no date on which every ticker has a value ("
            + "; ".join(f"{t} covers {frames[t].index[0].date()}..{frames[t].index[-1].date()}" for t in names)
            + "). Drop the ticker(s) with the shortest history or change the sample."
        )
    hashes = {t: frame_hash(frames[t]) for t in names}
    describe = getattr(source, "describe", None)
    return Panel(
        values=val_df,
        returns=ret_df,
        ohlc=ohlc,
        measure=m,
        policy=policy,
        quality=quality,
        hashes=hashes,
        source=describe() if callable(describe) else {},
        options={"start": None if s is None else str(s.date()), "end": None if e is None else str(e.date()),
                 "window": window, "floor": floor,
                 "variance_scale": _scale_record(variance_scale, per_day and m != "returns", policy, multi_day)},
    )


def _align_all(frames: dict[str, pd.DataFrame], policy: CalendarPolicy, labels: pd.DatetimeIndex,
               keep: Any, m: str, window: int | None, floor: float, per_day: bool
               ) -> tuple[dict[str, pd.Series], dict[str, pd.Series], dict[str, pd.DataFrame], dict[str, int]]:
    """Align every frame and compute the measure; also counts each ticker's rescaled multi-day bars."""
    values: dict[str, pd.Series] = {}
    returns: dict[str, pd.Series] = {}
    ohlc: dict[str, pd.DataFrame] = {}
    multi_day: dict[str, int] = {}
    for t, frame in frames.items():
        aligned = align_frame(frame, policy, labels, twenty_four_seven=is_twenty_four_seven(t, frame))
        # the measure is computed before slicing so that rolling windows can use history before ``start``
        values[t] = compute_measure(m, aligned, window=window, floor=floor, name=t, per_day=per_day).loc[keep]
        aligned = aligned.loc[keep]
        if per_day and m != "returns":
            n_multi = int((aligned["n_days"] > 1).sum())
            if n_multi:
                multi_day[t] = n_multi
        returns[t] = aligned["return"].rename(t)
        ohlc[t] = aligned[list(COLUMNS)].copy()
    return values, returns, ohlc, multi_day


def _scale_record(variance_scale: str, applied: bool, policy: CalendarPolicy, multi_day: dict[str, int]
                  ) -> dict[str, Any]:
    """How the variance measure of multi-day bars was scaled (recorded in the panel options and manifest)."""
    if applied:
        rule = ("per_day: the variance measure of a 24/7 bar spanning k UTC days (Monday under the exchange "
                "calendar: Saturday + Sunday + Monday; holidays more) is divided by k, since a k-day range "
                "variance is about k times the one-day variance (Parkinson 1980); returns stay sums")
    elif variance_scale == "per_day":
        rule = (f"per_day requested; no bar rescaled (the {policy.name!r} calendar gives every asset bars of one "
                "length, or the measure is returns)")
    else:
        rule = "per_bar: aggregated multi-day bars keep their whole-window variance"
    return {"rule": variance_scale, "applied": applied, "description": rule,
            "multi_day_bars": dict(sorted(multi_day.items()))}
