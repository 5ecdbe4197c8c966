"""The first section of every job: the panel, the equal-weighted group indices and the data facts.

The index of group g on date t is the mean of the members' log variance (``panel.values``, e.g. log
Garman-Klass) over the members with data on t; a member enters only if it has at least ``data.min_obs``
observations in the sample (availability filter).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.errors import DataError
from contagion.workflow.jobs import Job
from contagion.workflow.sections._common import JobData, SectionOutput, StageProgress
from contagion.workflow.spec import Study

if TYPE_CHECKING:
    from contagion.data.panel import Panel

__all__ = ["FramesSource", "group_indices", "panel_section"]


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


def group_indices(values: pd.DataFrame, groups: Mapping[str, Sequence[str]], min_obs: int
                  ) -> tuple[pd.DataFrame, dict[str, list[str]], list[str]]:
    """Equal-weighted group indices of ``values`` (date x ticker), with the availability filter.

    Returns the date x group frame (rows where every group has at least one member with data), the members
    used per group and messages about the members left out.

    Raises
    ------
    DataError
        A group has no member with at least ``min_obs`` observations (names the group, its members and
        their observation counts).
    """
    notes: list[str] = []
    members: dict[str, list[str]] = {}
    columns = {}
    for group, tickers in groups.items():
        present = [t for t in tickers if t in values.columns]
        counts = {t: int(values[t].notna().sum()) if t in values.columns else 0 for t in tickers}
        used = [t for t in present if counts[t] >= min_obs]
        dropped = [t for t in tickers if t not in used]
        if not used:
            detail = ", ".join(f"{t}: {counts[t]}" for t in tickers)
            raise DataError(
                f"group {group!r} is empty after the availability filter: no member has at least "
                f"{min_obs} observations in the sample (observations per member: {detail}). Lower "
                f"data.min_obs, widen the sample, or add tickers with data to the group."
            )
        if dropped:
            notes.append(
                f"group {group!r}: left out {', '.join(dropped)} (fewer than {min_obs} observations in the sample)"
            )
        members[group] = used
        columns[group] = values[used].mean(axis=1, skipna=True)
    frame = pd.DataFrame(columns).dropna(how="any")
    frame.index.name = "date"
    return frame, members, notes


def _build_panel(frames: Mapping[str, pd.DataFrame], tickers: Sequence[str], study: Study,
                 start: date, end: date, source_name: str = "memory") -> Panel:
    from contagion.data import build_panel

    return build_panel(
        FramesSource(frames, name=source_name), list(tickers), measure=study.data.measure,
        calendar=study.data.calendar, start=start, end=end,
    )


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
    indices, members, notes = group_indices(panel.values, study.groups, study.data.min_obs)
    if absent:
        notes.insert(0, f"no data in the sample {start}..{end} for {', '.join(absent)}")
    info: dict[str, Any] = {
        "members": members,
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
