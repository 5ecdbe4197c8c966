"""The cross-event table (main job): for every event, the group CARs with their Kolari-Pynnonen t and the
change in connectedness (TCI and every group's NET) from the window before the event to the window after it.

Change in connectedness (documented in docs/events.md)
    ``before`` = the ``change_window`` sessions (default 120) that end the session before the event row,
    ``after`` = the ``change_window`` sessions from the event row on. Both are VARs on equal-weighted group
    indices of log variance with the **same members** in both windows (members with a value on every
    session of the 2 x ``change_window`` rows; a group with none is left out and named in ``note``) and the
    **same lag order** (the main job's), compared by :func:`contagion.connectedness_change` (bootstrap of
    each window, basic intervals, centred-bootstrap p-value of no change).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from contagion.errors import DataError
from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.sections.events import EventDesign

__all__ = ["CROSS_EVENT_COLUMNS", "change_indices", "cross_event_section"]

CROSS_EVENT_COLUMNS = ["job", "event", "event_date", "measure", "group", "window", "estimate", "lower", "upper",
                       "statistic", "p_value", "n_assets", "before", "after", "lags", "sessions",
                       "overlapping_events", "note"]


def change_indices(data: JobData, design: EventDesign) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The group indices of the windows before and after one event, with a fixed composition.

    Raises
    ------
    DataError
        Fewer than ``change_window`` sessions before or after the event, or fewer than two groups with a
        member covering both windows.
    """
    n = data.study.event_study.change_window
    values = data.panel.values
    pos = design.position
    if pos - n < 0 or pos + n > len(values):
        raise DataError(f"event {design.event.name}: the change in connectedness needs {n} sessions before and "
                        f"{n} from {design.event_row.date()} (the panel has {pos} before and {len(values) - pos} "
                        "from it); lower event_study.change_window or widen the sample.")
    rows = values.iloc[pos - n:pos + n]
    full = [t for t in rows.columns if rows[t].notna().all()]
    members = {g: [t for t in data.members.get(g, []) if t in full] for g in data.study.groups}
    left = [g for g, m in members.items() if not m]
    dropped = sorted({t for g in data.study.groups for t in data.members.get(g, []) if t not in full})
    indices = pd.DataFrame({g: rows[m].mean(axis=1) for g, m in members.items() if m})
    if indices.shape[1] < 2:
        raise DataError(f"event {design.event.name}: fewer than two groups have a member with data on every "
                        f"session of {rows.index[0].date()} .. {rows.index[-1].date()}.")
    note = "; ".join(([f"groups left out (no member covers both windows): {', '.join(left)}"] if left else [])
                     + ([f"members left out (missing sessions): {', '.join(dropped)}"] if dropped else []))
    return indices.iloc[:n], indices.iloc[n:], note


def _change_rows(data: JobData, design: EventDesign, k: int, lag_order: int) -> list[dict[str, Any]]:
    from contagion import connectedness_change

    study, spec = data.study, data.study.event_study
    before, after, note = change_indices(data, design)
    seed = int(np.random.SeedSequence([study.seed, k]).generate_state(1)[0])
    res = connectedness_change(before, after, lags=lag_order, horizon=study.var.horizon,
                               kind=study.connectedness.kind, bands=spec.change_bands,
                               reps=spec.change_reps or study.var.draws, level=study.var.level, seed=seed)
    table = res.to_frame()
    sessions = (f"{before.index[0].date()}..{before.index[-1].date()} vs "
                f"{after.index[0].date()}..{after.index[-1].date()}")
    base = {"job": data.name, "event": design.event.name, "event_date": design.event_row, "window": "",
            "statistic": np.nan, "n_assets": np.nan, "lags": res.n_lags, "sessions": sessions,
            "overlapping_events": "", "note": note}
    out = []
    for r in table[table["measure"].isin(["total", "net"])].itertuples():
        group = "TOTAL" if r.measure == "total" else (r.receiver if isinstance(r.receiver, str) else r.transmitter)
        out.append({**base, "measure": "tci_change" if r.measure == "total" else "net_change", "group": group,
                    "estimate": r.difference, "lower": r.lower, "upper": r.upper, "p_value": r.p_value,
                    "before": r.before, "after": r.after})
    return out


def _car_rows(data: JobData, design: EventDesign, result: Any) -> list[dict[str, Any]]:
    a, b = data.study.event_study.summary_window
    g = result.group_car
    g = g[g["window"] == f"[{a},{b}]"]
    return [{"job": data.name, "event": design.event.name, "event_date": design.event_row, "measure": "mean_car",
             "group": r.group, "window": r.window, "estimate": r.mean_car, "lower": np.nan, "upper": np.nan,
             "statistic": r.t_bmp_kp, "p_value": r.p_bmp_kp, "n_assets": r.n_assets, "before": np.nan,
             "after": np.nan, "lags": np.nan, "sessions": "", "overlapping_events": r.overlapping_events,
             "note": ""} for r in g.itertuples()]


def cross_event_section(data: JobData, studies: Sequence[tuple[EventDesign, Any]], lag_order: int
                        ) -> SectionOutput:
    """One table over the events: ``mean_car`` rows (group CAR over ``summary_window``, KP t and p) and
    ``tci_change`` / ``net_change`` rows (difference after - before, interval, p-value)."""
    rows: list[dict[str, Any]] = []
    unavailable: dict[str, str] = {}
    n = len(studies)
    for k, (design, result) in enumerate(studies):
        data.report("connectedness change", k, n)
        if result is not None:
            rows.extend(_car_rows(data, design, result))
        change = catch(lambda d=design, i=k: _change_rows(data, d, i, lag_order),  # type: ignore[misc]
                       f"connectedness change ({design.event.name})", unavailable)
        rows.extend(change or [])
    data.report("connectedness change", n, n)
    info = {"cross_event": {"summary_window": list(data.study.event_study.summary_window),
                            "change_window": data.study.event_study.change_window, "lags": lag_order,
                            "bands": data.study.event_study.change_bands}}
    table = pd.DataFrame.from_records(rows, columns=CROSS_EVENT_COLUMNS)
    return SectionOutput(tables={"cross_event": table} if rows else {}, info=info, unavailable=unavailable)
