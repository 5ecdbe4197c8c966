"""The first section of every job: the panel, the equal-weighted group indices and the data facts.

The index of group g on date t is the mean of the members' log variance (``panel.values``, e.g. log
Garman-Klass) over the members with data on t. A member enters only with at least ``data.min_obs``
observations in the sample (availability filter); a volatility index (^VIX) never enters a variance index;
with ``data.membership = "fixed"`` (default) only members that cover the estimation sample enter, so no index
changes composition; with ``"varying"`` members enter and leave and every change is reported with its date.
Exclusions and changes go to the job's notes, its warnings (hence the manifest) and ``info["membership"]``.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from contagion.errors import DataError
from contagion.workflow.jobs import Job
from contagion.workflow.sections._common import JobData, SectionOutput, StageProgress
from contagion.workflow.spec import Study

if TYPE_CHECKING:
    from contagion.data.panel import Panel

__all__ = ["FramesSource", "Membership", "group_indices", "group_membership", "panel_section"]


class FramesSource:
    """An in-memory :class:`~contagion.data.sources.Source` over already-loaded raw frames.

    The runner loads the data once (Yahoo, CSV folder or demo) and hands the frames to every job; jobs
    rebuild their panel (calendar policy, measure, window) from these frames through ``build_panel``.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame], description: Mapping[str, Any] | None = None,
                 name: str = "memory") -> None:
        self.name = name
        self._frames = dict(frames)
        self._description = dict(description or {"kind": name})

    def load(
        self, tickers: Sequence[str], start: str | date | None = None, end: str | date | None = None
    ) -> dict[str, pd.DataFrame]:
        out = {}
        for ticker in tickers:
            if ticker not in self._frames:
                raise DataError(f"{ticker}: no data loaded for this ticker.")
            frame = self._frames[ticker]
            lo = pd.Timestamp(start) if start is not None else None
            hi = pd.Timestamp(end) if end is not None else None
            out[ticker] = frame.loc[lo:hi].copy()
        return out

    def describe(self) -> dict[str, Any]:
        return dict(self._description)


@dataclass(frozen=True)
class Membership:
    """Who is in each group index over the estimation sample, and why the others are not.

    ``table`` has one record per (group, ticker): ``status`` (``"member"``, ``"excluded"``), the member's first
    and last date with data in the sample and the ``reason`` of an exclusion; ``changes`` one record per change
    of composition inside the sample (``"varying"`` only: the member ``enters`` or ``leaves`` on ``date``).
    """

    rule: str
    tolerance: int
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    members: dict[str, list[str]]
    table: list[dict[str, Any]]
    changes: list[dict[str, Any]]

    @property
    def notes(self) -> list[str]:
        """One line per exclusion and per change of composition (report notes and manifest warnings)."""
        out = [f"group {r['group']!r}: left out {r['ticker']} ({r['reason']})" for r in self.table
               if r["status"] != "member"]
        out += [f"group {c['group']!r}: {c['ticker']} {c['change']} the index on {c['date']} (membership "
                f"'varying': the index changes composition on that date)" for c in self.changes]
        return out

    def to_info(self) -> dict[str, Any]:
        """JSON-able record (job info, hence the manifest)."""
        return {"rule": self.rule, "tolerance_sessions": self.tolerance,
                "sample": [_iso(self.start), _iso(self.end)], "table": list(self.table),
                "changes": list(self.changes), "notes": self.notes}


def _iso(day: pd.Timestamp | None) -> str | None:
    return None if day is None else day.date().isoformat()


def _spans(values: pd.DataFrame, tickers: Sequence[str]) -> dict[str, tuple[int, int, int]]:
    """(first position, last position, count) of each ticker's values; tickers without data are absent."""
    out = {}
    for t in tickers:
        if t in values.columns:
            ok = np.flatnonzero(values[t].notna().to_numpy())
            if len(ok):
                out[t] = (int(ok[0]), int(ok[-1]), len(ok))
    return out


def group_membership(values: pd.DataFrame, groups: Mapping[str, Sequence[str]], min_obs: int, *,
                     rule: str = "fixed", tolerance: int = 5, measure: str = "garman_klass") -> Membership:
    """The membership of every group index (see :func:`group_indices` for the rules).

    Raises
    ------
    DataError
        A group has no member left (names the group, its members, their observation counts and spans).
    """
    from contagion.data.universe import is_volatility_index

    index = values.index
    spans = _spans(values, [t for tickers in groups.values() for t in tickers])
    table: list[dict[str, Any]] = []
    eligible: dict[str, list[str]] = {}
    for group, tickers in groups.items():
        eligible[group] = []
        for t in tickers:
            first, last, count = spans.get(t, (-1, -1, 0))
            record: dict[str, Any] = {"group": group, "ticker": t, "first": _iso(index[first]) if count else None,
                      "last": _iso(index[last]) if count else None, "n_obs": count}
            if measure != "returns" and is_volatility_index(t):
                record.update(status="excluded", reason="a volatility index: its variance is the volatility of "
                                                        "volatility, not mixed into a variance index")
            elif count < min_obs:
                record.update(status="excluded", reason=f"fewer than {min_obs} observations in the sample")
            else:
                record.update(status="member", reason="")
                eligible[group].append(t)
            table.append(record)
    _require_members(groups, eligible, spans, min_obs, rule)
    # the common sample: from the latest group start to the earliest group end (each group's widest cover)
    lo = max(min(spans[t][0] for t in used) for used in eligible.values())
    hi = min(max(spans[t][1] for t in used) for used in eligible.values())
    changes: list[dict[str, Any]] = []
    for record in table:
        if record["status"] != "member":
            continue
        first, last, _ = spans[record["ticker"]]
        enters, leaves = first > lo + tolerance, last < hi - tolerance
        if rule == "fixed" and (enters or leaves):
            why = [f"enters on {record['first']}" if enters else "", f"leaves after {record['last']}" if leaves else ""]
            record.update(status="excluded", reason=" and ".join(w for w in why if w) + "; membership 'fixed' "
                          "keeps only members that cover the estimation sample")
            eligible[record["group"]].remove(record["ticker"])
        elif rule == "varying":  # every change is reported, also those within the tolerance
            if first > lo:
                changes.append({"group": record["group"], "ticker": record["ticker"], "change": "enters",
                                "date": _iso(index[first])})
            if last < hi:
                changes.append({"group": record["group"], "ticker": record["ticker"], "change": "leaves",
                                "date": _iso(index[last + 1])})
    _require_members(groups, eligible, spans, min_obs, rule)
    changes.sort(key=lambda c: (c["date"], c["group"], c["ticker"]))
    return Membership(rule=rule, tolerance=tolerance, start=index[lo], end=index[hi], members=eligible,
                      table=table, changes=changes)


def _require_members(groups: Mapping[str, Sequence[str]], eligible: Mapping[str, list[str]],
                     spans: Mapping[str, tuple[int, int, int]], min_obs: int, rule: str) -> None:
    for group, used in eligible.items():
        if used:
            continue
        detail = ", ".join(f"{t}: {spans.get(t, (0, 0, 0))[2]}" for t in groups[group])
        covered = any(spans.get(t, (0, 0, 0))[2] >= min_obs for t in groups[group])
        if rule == "fixed" and covered:
            raise DataError(
                f"group {group!r} is empty after the membership rule: no member covers the estimation sample "
                f"(observations per member: {detail}). Set [data] membership = 'varying' (members enter and "
                f"leave the index), change the sample, or add tickers that cover it."
            )
        raise DataError(
            f"group {group!r} is empty after the availability filter: no member has at least {min_obs} "
            f"observations in the sample and is a variance series (observations per member: {detail}; a "
            f"volatility index such as ^VIX never enters a variance index). Lower data.min_obs, widen the "
            f"sample, or add tickers with data to the group."
        )


def group_indices(values: pd.DataFrame, groups: Mapping[str, Sequence[str]], min_obs: int, *,
                  membership: str = "fixed", tolerance: int = 5, measure: str = "garman_klass"
                  ) -> tuple[pd.DataFrame, dict[str, list[str]], list[str]]:
    """Equal-weighted group indices of ``values`` (date x ticker).

    A member needs at least ``min_obs`` observations in the sample (availability filter), and a volatility
    index (^VIX, :func:`contagion.data.universe.is_volatility_index`) is left out of every index of a variance
    measure (its range variance is the volatility of volatility). ``membership = "fixed"``: only members
    whose data cover the common sample (first observation at most ``tolerance`` dates after its start, last
    at most ``tolerance`` before its end) enter, so the composition never changes; a member that enters or
    leaves is left out and named. ``"varying"``: each index is the mean over the members with data on t (a
    young token joins when it starts trading) and every change of composition is reported with its date.

    Returns the date x group frame (rows where every group has at least one member with data), the members
    used per group and messages about the members left out and the changes of composition.

    Raises
    ------
    DataError
        A group has no member left (names the group, its members and their observation counts).
    """
    m = group_membership(values, groups, min_obs, rule=membership, tolerance=tolerance, measure=measure)
    return _index_frame(values, m.members), m.members, m.notes


def _index_frame(values: pd.DataFrame, members: Mapping[str, list[str]]) -> pd.DataFrame:
    """Equal-weighted means of the members with data on each date; dates where a group has none dropped."""
    frame = pd.DataFrame({g: values[used].mean(axis=1, skipna=True) for g, used in members.items()}).dropna(how="any")
    frame.index.name = "date"
    return frame


#: Panels built while :func:`sharing_panels` is active, by everything that defines one (the run's raw series
#: are fixed while it is); forked workers inherit the ones built before they started.
_SHARED: dict[tuple[Any, ...], tuple[Panel, list[warnings.WarningMessage]]] = {}
_SHARING: list[bool] = []


@contextlib.contextmanager
def sharing_panels() -> Iterator[None]:
    """Within one run (fixed raw series), build each distinct panel once: a job whose (source, tickers,
    calendar, measure, sample, variance scale) equals an earlier one's reuses its panel. Cleared on exit."""
    _SHARING.append(True)
    try:
        yield
    finally:
        _SHARING.pop()
        if not _SHARING:
            _SHARED.clear()


def _build_panel(frames: Mapping[str, pd.DataFrame], tickers: Sequence[str], study: Study,
                 start: date, end: date, source_name: str = "memory") -> Panel:
    from contagion.data import build_panel

    data = study.data
    key = (source_name, tuple(tickers), data.measure, data.calendar, start, end,
           json.dumps(data.variance_scale, sort_keys=True, default=str))
    if _SHARING and key in _SHARED:
        panel, caught = _SHARED[key]
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            panel = build_panel(
                FramesSource(frames, name=source_name), list(tickers), measure=data.measure,
                calendar=data.calendar, start=start, end=end, variance_scale=data.variance_scale,
            )
        if _SHARING:
            _SHARED[key] = (panel, list(caught))
    for record in caught:  # the data-quality warnings reach every job that uses the panel, as if it built it
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    return panel


def panel_section(job: Job, study: Study, frames: Mapping[str, pd.DataFrame],
                  progress: StageProgress | None) -> tuple[JobData, SectionOutput]:
    """Build the job's panel and group indices; the main job also keeps the panel and quality tables."""
    start, end = study.data.start, study.data.end
    if progress:
        progress("panel", 0, 1)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    present = [t for t in study.tickers if t in frames and len(frames[t].loc[lo:hi]) > 0]
    absent = [t for t in study.tickers if t not in present]
    panel = _build_panel(frames, present, study, start, end, source_name=str(job.spec.get("source_name", "memory")))
    membership = group_membership(panel.values, study.groups, study.data.min_obs, rule=study.data.membership,
                                  tolerance=study.data.membership_tolerance, measure=panel.measure)
    members = membership.members
    indices = _index_frame(panel.values, members)
    seasonal: dict[str, Any] = {"rule": study.data.seasonal}
    if study.data.seasonal == "day_of_week" and len(indices):
        from contagion.data.calendar import day_of_week_adjust

        indices, effect = day_of_week_adjust(indices)
        seasonal["weekday_effect"] = {g: {d: round(float(v), 6) for d, v in effect[g].items()} for g in effect}
    notes = membership.notes  # run_job adds them to the job's warnings (manifest and report list them)
    if absent:
        notes.insert(0, f"no data in the sample {start}..{end} for {', '.join(absent)}")
    info: dict[str, Any] = {
        "members": members,
        "membership": membership.to_info(),
        "variance_scale": dict(panel.options.get("variance_scale", {})),
        "seasonal_adjustment": seasonal,
        "notes": notes,
        "calendar_policy": panel.policy.to_dict(),
        "measure": panel.measure,
        "sample": {
            "start": indices.index[0].date().isoformat() if len(indices) else None,
            "end": indices.index[-1].date().isoformat() if len(indices) else None,
            "n_obs": len(indices),
        },
    }
    if progress:
        progress("panel", 1, 1)
    tables: dict[str, pd.DataFrame] = {}
    if job.kind == "main":
        tables["panel"] = _panel_long(panel.values, panel.returns, indices, panel.measure)
        tables["quality"] = _quality_frame(panel)
        info["quality"] = _quality_json(panel)
        info["input_hashes"] = dict(sorted(panel.hashes.items()))
    data = JobData(study=study, name=job.name, frames=frames, panel=panel, indices=indices, members=members,
                   progress=progress)
    return data, SectionOutput(tables=tables, info=info)


def _panel_long(values: pd.DataFrame, returns: pd.DataFrame, indices: pd.DataFrame, measure: str) -> pd.DataFrame:
    parts = []
    for kind, frame, level in (
        (f"measure_{measure}" if measure in ("returns", "squared", "absolute") else f"log_variance_{measure}",
         values, "asset"),
        ("log_return", returns, "asset"),
        (f"group_index_{measure}", indices, "group"),
    ):
        frame = pd.DataFrame(frame).copy()
        frame.index.name = "date"
        long = frame.reset_index().melt(id_vars="date", var_name="series", value_name="value")
        long = long.dropna(subset=["value"])
        long.insert(1, "level", level)
        long.insert(2, "kind", kind)
        parts.append(long)
    return pd.concat(parts, ignore_index=True)


def _quality_frame(panel: Panel) -> pd.DataFrame:
    try:
        return pd.DataFrame(panel.quality.to_frame()).reset_index(drop=False)
    except Exception:  # quality reports are informative only
        return pd.DataFrame()


def _quality_json(panel: Panel) -> Any:  # json.loads returns Any
    try:
        raw = panel.quality.to_json()
        return json.loads(raw) if isinstance(raw, str) else raw
    except Exception as err:
        return {"error": f"quality report unavailable: {err}"}
