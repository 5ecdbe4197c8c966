"""What one job computes: panel -> group indices -> VAR / connectedness -> DCC / VIRF -> tidy tables.

A job is a pure function of its spec and the raw input series (:func:`run_job`), so its result can be cached
by content hash (:mod:`contagion.workflow.jobs`) and computed in another process or on a Dask worker. It returns a
:class:`JobOutput`: tidy (long) DataFrames keyed by table name plus JSON-able facts (lag order, samples,
warnings, sections that were not available). The report is drawn from these tables only; it never refits.

Headline model (main job and every robustness job)
    a VAR on the log volatility of equal-weighted group indices. The index of group g on date t is the
    mean of the members' log variance (``panel.values``, e.g. log Garman-Klass) over the members with data on
    t; a member enters only if it has at least ``data.min_obs`` observations in the sample (availability
    filter). A young token thus joins its group's index when it starts trading instead of cutting the
    whole sample. Connectedness is invariant to rescaling a column, so log variance and log volatility
    (half of it) give the same tables.
Main job only
    impulse responses with bands, rolling and TVP-VAR connectedness, the asset-level network (assets that
    cover the whole sample, VAR with at most 2 lags to keep the parameter count reasonable), DCC-GARCH on
    returns and the VIRFs.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from contagion.errors import DataError
from contagion.workflow.jobs import Job
from contagion.workflow.sections import (
    StageProgress,
    call_with_progress,
    catch,
    dcc_section,
    events_section,
    stage,
)
from contagion.workflow.spec import Study

__all__ = ["FramesSource", "JobOutput", "group_indices", "run_job"]

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class JobOutput:
    """A job's result: tidy tables by name, JSON-able facts, and sections that could not be computed."""

    job: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


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


# ---------------------------------------------------------------------- helpers
def _sample_bounds(study: Study) -> tuple[date, date]:
    return study.data.start, study.data.end


def _build_panel(frames: Mapping[str, pd.DataFrame], tickers: Sequence[str], study: Study,
                 start: date, end: date, measure: str | None = None, source_name: str = "memory") -> Any:
    from contagion.data.panel import build_panel

    return build_panel(
        FramesSource(frames, name=source_name), list(tickers), measure=measure or study.data.measure,
        calendar=study.data.calendar, start=start, end=end,
    )


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


def _long_table(table: pd.DataFrame, job: str, model: str) -> pd.DataFrame:
    """A square DY table (rows receive, columns transmit, percent) in long form."""
    out = table.stack().reset_index()
    out.columns = pd.Index(["receiver", "transmitter", "value"])
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


def _directional(result: Any, job: str, model: str) -> pd.DataFrame:
    frame = pd.DataFrame({
        "to": pd.Series(result.to, dtype=float),
        "from": pd.Series(result.from_, dtype=float),
        "net": pd.Series(result.net, dtype=float),
    })
    frame.index.name = "series"
    out = frame.reset_index().melt(id_vars="series", var_name="measure", value_name="value")
    total = pd.DataFrame({"series": ["TOTAL"], "measure": ["total"], "value": [float(result.total)]})
    out = pd.concat([out, total], ignore_index=True)
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


def _rolling_long(result: Any, job: str, model: str, method: str) -> pd.DataFrame:
    parts = []
    total = pd.Series(result.total, dtype=float)
    parts.append(pd.DataFrame({"date": total.index, "series": "TOTAL", "measure": "total", "value": total.values}))
    for measure, attr in (("to", "to"), ("from", "from_"), ("net", "net")):
        frame = getattr(result, attr)
        frame = pd.DataFrame(frame)
        frame.index.name = "date"
        long = frame.reset_index().melt(id_vars="date", var_name="series", value_name="value")
        long.insert(2, "measure", measure)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "method", method)
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


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


# ---------------------------------------------------------------------- the job
def run_job(job: Job, frames: Mapping[str, pd.DataFrame], progress: StageProgress | None = None) -> JobOutput:
    """Compute one job (module-level so that processes and Dask workers can run it)."""
    study = Study.model_validate(job.spec["study"])
    role = job.kind
    tables: dict[str, pd.DataFrame] = {}
    info: dict[str, Any] = {"role": role}
    unavailable: dict[str, str] = {}
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        _job_body(job, study, frames, progress, tables, info, unavailable)
    for record in records:
        text = f"{record.category.__name__}: {record.message}"
        if text not in caught and issubclass(record.category, UserWarning):
            caught.append(text)
    return JobOutput(job=job.name, tables=tables, info=info, unavailable=unavailable, warnings=tuple(caught))


def _job_body(job: Job, study: Study, frames: Mapping[str, pd.DataFrame], progress: StageProgress | None,
              tables: dict[str, pd.DataFrame], info: dict[str, Any], unavailable: dict[str, str]) -> None:
    name = job.name
    start, end = _sample_bounds(study)
    if progress:
        progress("panel", 0, 1)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    present = [t for t in study.tickers if t in frames and len(frames[t].loc[lo:hi]) > 0]
    absent = [t for t in study.tickers if t not in present]
    panel = _build_panel(frames, present, study, start, end, source_name=str(job.spec.get("source_name", "memory")))
    indices, members, notes = group_indices(panel.values, study.groups, study.data.min_obs)
    info["members"] = members
    if absent:
        notes.insert(0, f"no data in the sample {start}..{end} for {', '.join(absent)}")
    info["notes"] = notes
    info["calendar_policy"] = panel.policy.to_dict()
    info["measure"] = panel.measure
    info["sample"] = {
        "start": indices.index[0].date().isoformat() if len(indices) else None,
        "end": indices.index[-1].date().isoformat() if len(indices) else None,
        "n_obs": len(indices),
    }
    if progress:
        progress("panel", 1, 1)
    if job.kind == "main":
        tables["panel"] = _panel_long(panel.values, panel.returns, indices, panel.measure)
        tables["quality"] = _quality_frame(panel)
        info["quality"] = _quality_json(panel)
        info["input_hashes"] = dict(sorted(panel.hashes.items()))

    # --- headline VAR on the group indices
    from contagion.spillover.static import connectedness
    from contagion.var.model import VAR

    var_spec = study.var
    results = VAR(indices, lags=var_spec.lags, max_lags=var_spec.max_lags).fit()
    lag_order = int(results.n_lags)
    info["var"] = {"lag_order": lag_order, "n_obs": int(results.n_obs), "is_stable": bool(results.is_stable),
                   "variables": list(indices.columns)}
    conn = connectedness(results, horizon=var_spec.horizon, kind=study.connectedness.kind)
    tables["static"] = _long_table(conn.table, name, "group_var")
    tables["directional"] = _directional(conn, name, "group_var")
    tables["groups"] = _group_pairs(conn.table, name, "group_var")
    info["total_connectedness"] = float(conn.total)

    if job.kind != "main":
        return

    # --- impulse responses with bands
    irf_frames = []
    bands = None if var_spec.bands == "none" else var_spec.bands
    for kind in var_spec.irf_kinds:
        def draw_progress(done: int, total: int, _kind: str = kind) -> None:
            if progress:
                progress(f"bootstrap {_kind}", done, total)
        irf = call_with_progress(
            results.irf, draw_progress, horizon=var_spec.irf_horizon, kind=kind, bands=bands,
            reps=var_spec.draws, level=var_spec.level, seed=study.seed,
        )
        frame = irf.to_frame().reset_index(drop=True) if "impulse" in irf.to_frame().columns else irf.to_frame().reset_index()
        frame = frame[["impulse", "response", "horizon", "estimate", "lower", "upper"]].copy()
        frame.insert(0, "kind", kind)
        frame.insert(0, "model", "group_var")
        frame["level"] = var_spec.level if bands else np.nan
        frame["band_method"] = var_spec.bands
        frame["job"] = name
        irf_frames.append(frame)
    tables["var_irf"] = pd.concat(irf_frames, ignore_index=True)

    # --- rolling and TVP connectedness
    conn_spec = study.connectedness
    rolling_parts = []
    if conn_spec.rolling_window is not None:
        from contagion.spillover.static import rolling_connectedness

        def _rolling() -> Any:
            return call_with_progress(
                rolling_connectedness, stage(progress, "rolling windows"), data=indices,
                window=conn_spec.rolling_window, lags=lag_order, horizon=var_spec.horizon,
                step=conn_spec.rolling_step, kind=conn_spec.kind)
        rolled = catch(_rolling, "rolling connectedness", unavailable)
        if rolled is not None:
            rolling_parts.append(_rolling_long(rolled, name, "group_var", "rolling"))
    if conn_spec.tvp:
        def _tvp() -> Any:
            from contagion.spillover.static import tvp_connectedness
            return call_with_progress(tvp_connectedness, stage(progress, "TVP-VAR"), data=indices, lags=1,
                                       horizon=var_spec.horizon)
        tvp = catch(_tvp, "TVP-VAR connectedness", unavailable)
        if tvp is not None:
            rolling_parts.append(_rolling_long(tvp, name, "group_var", "tvp"))
    if rolling_parts:
        tables["rolling"] = pd.concat(rolling_parts, ignore_index=True)

    # --- asset-level network on the assets with full data
    if conn_spec.asset_network:
        values = panel.values.loc[indices.index[0]:indices.index[-1]]
        full = [t for t in study.tickers if t in values.columns and values[t].notna().all()]
        info["asset_network"] = {"assets": full, "lags": min(lag_order, 2)}
        if len(full) >= 2:
            def _assets() -> Any:
                asset_results = VAR(values[full], lags=min(lag_order, 2)).fit()
                return connectedness(asset_results, horizon=var_spec.horizon, kind=conn_spec.kind)
            asset_conn = catch(_assets, "asset-level network", unavailable)
            if asset_conn is not None:
                tables["static"] = pd.concat([tables["static"], _long_table(asset_conn.table, name, "asset_network")],
                                             ignore_index=True)
                tables["directional"] = pd.concat(
                    [tables["directional"], _directional(asset_conn, name, "asset_network")], ignore_index=True)
                mapping = {t: study.group_of[t] for t in full}
                tables["groups"] = pd.concat(
                    [tables["groups"], _block_pairs(asset_conn.table, mapping, name, "asset_network")],
                    ignore_index=True)
        else:
            unavailable["asset-level network"] = "fewer than two assets cover the whole sample"

    # --- DCC-GARCH on returns and VIRFs
    dcc_result = None
    if study.dcc.enabled and study.dcc.assets:
        dcc_result = dcc_section(study, panel, name, tables, info, unavailable, progress)

    # --- contagion tests, event study and the facts table around the first event
    if study.events:
        events_section(study, panel, frames, members, dcc_result, name, tables, info, unavailable)


def _group_pairs(table: pd.DataFrame, job: str, model: str) -> pd.DataFrame:
    rows = []
    names = list(table.columns)
    values = table.loc[names, names].to_numpy(dtype=float)
    for j, transmitter in enumerate(names):
        for i, receiver in enumerate(names):
            if transmitter == receiver:
                continue
            gross = float(values[i, j])
            back = float(values[j, i])
            rows.append((job, model, transmitter, receiver, gross, gross - back))
    return pd.DataFrame(rows, columns=["job", "model", "transmitter", "receiver", "spillover", "net"])


def _block_pairs(table: pd.DataFrame, mapping: Mapping[str, str], job: str, model: str) -> pd.DataFrame:
    """Between-group spillovers of an asset-level table: mean over receivers of the sum over transmitters.

    Block (group) connectedness as in Greenwood-Nimmo, Nguyen & Rafferty (2016): the share of a receiving
    group's forecast-error variance (averaged over its members, percent) due to shocks in another group.
    """
    groups = list(dict.fromkeys(mapping.values()))
    block = {}
    for receiver_group in groups:
        receivers = [t for t, g in mapping.items() if g == receiver_group]
        for transmitter_group in groups:
            transmitters = [t for t, g in mapping.items() if g == transmitter_group]
            sub = table.loc[receivers, transmitters].to_numpy(dtype=float)
            if receiver_group == transmitter_group:
                sub = sub - np.diag(np.diag(sub))
            block[(transmitter_group, receiver_group)] = float(sub.sum(axis=1).mean())
    rows = []
    for (transmitter, receiver), value in block.items():
        rows.append((job, model, transmitter, receiver, value, value - block[(receiver, transmitter)]))
    return pd.DataFrame(rows, columns=["job", "model", "transmitter", "receiver", "spillover", "net"])


def _quality_frame(panel: Any) -> pd.DataFrame:
    try:
        return pd.DataFrame(panel.quality.to_frame()).reset_index(drop=False)
    except Exception:  # quality reports are informative only
        return pd.DataFrame()


def _quality_json(panel: Any) -> Any:
    import json

    try:
        raw = panel.quality.to_json()
        return json.loads(raw) if isinstance(raw, str) else raw
    except Exception as err:
        return {"error": f"quality report unavailable: {err}"}
