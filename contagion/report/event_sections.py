"""Page content of the events (before the facts section): contagion tests per event, the event study (headline event in full, every
flagged window named), the cross-event comparison and the event study across the robustness jobs.

Every number is read from the run's tables (``tests/*``, ``events/car``, ``events/cross_event``); nothing is
refitted. :mod:`contagion.report.render` escapes and lays the strings out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from contagion.report.inputs import ReportTables
from contagion.report.render import FigureRef, Section, table_view
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["event_sections"]

_P_NOTE = ("t_cross: cross-sectional t of the mean CAR; t_bmp: standardised cross-sectional t (Boehmer, "
           "Musumeci and Poulsen 1991); t_kp: t_bmp adjusted for the cross-correlation of abnormal returns "
           "(Kolari and Pynnonen 2010). p-values two-sided, Student t with N - 1 degrees of freedom. A group of "
           "two assets has one degree of freedom, and a mean residual correlation near -1/(N - 1) makes the KP "
           "factor explode: such rows are uninformative.")


def _unavailable(outputs: Mapping[str, JobOutput], *needles: str, job: str = "main") -> str:
    notes = [f"{k}: {v}" for k, v in sorted(outputs[job].unavailable.items())
             if any(n.lower() in k.lower() for n in needles)]
    return "; ".join(notes)


def _by_event(frame: pd.DataFrame, study: Study) -> list[tuple[str, pd.DataFrame]]:
    if frame.empty or "event" not in frame.columns:
        return [("", frame)] if not frame.empty else []
    return [(e.name, frame[frame["event"] == e.name]) for e in study.events if (frame["event"] == e.name).any()]


def _tests(study: Study, outputs: Mapping[str, JobOutput], t: ReportTables) -> Section:
    tests = Section("Contagion tests")
    designs = outputs["main"].info.get("events_designs") or {}
    for name, design in designs.items():
        tests.text.append(
            f"{name}: source market {design.get('source')}; tranquil window {design['tranquil'][0]} to "
            f"{design['tranquil'][1]}, turmoil window {design['turmoil'][0]} to {design['turmoil'][1]} (the event "
            "observation and the 20 after it).")
    forbes = t.forbes_all
    if not forbes.empty and "verdict" in forbes.columns:
        for name, part in _by_event(forbes, study):
            cols = [c for c in ["market", "group", "rho_tranquil", "rho_turmoil", "rho_turmoil_adjusted", "p_value",
                                "verdict"] if c in part.columns]
            tests.tables.append(table_view(part[cols], f"Forbes-Rigobon test (heteroskedasticity-adjusted "
                                                       f"correlations){': ' + name if name else ''}", digits=3))
    for name, part in _by_event(t.shift_all, study):
        drop = [c for c in ("job", "event", "data_note") if c in part.columns]
        tests.tables.append(table_view(part.drop(columns=drop), "Correlation shift (mean DCC correlation before vs "
                                                               f"after, HAC t){': ' + name if name else ''}", digits=3))
    granger = t.granger
    if not granger.empty:
        cols = [c for c in ["cause", "effect", "n_obs", "lags", "statistic", "p_value", "verdict"]
                if c in granger.columns]
        tests.tables.append(table_view(granger[cols], "Causality in variance (Cheung and Ng 1996) from the first "
                                                      "group's equal-weighted index to each other group (whole "
                                                      "sample; it does not depend on an event)", digits=3))
    tests.unavailable = _unavailable(outputs, "forbes", "correlation-shift", "causality-in-variance")
    return tests


def _flag_lines(group_car: pd.DataFrame) -> list[str]:
    """One sentence per (job, event, window) that contains another event."""
    if group_car.empty or "overlapping_events" not in group_car.columns:
        return []
    flagged = group_car[group_car["overlapping_events"].fillna("").astype(str) != ""]
    seen = dict.fromkeys(zip(flagged["event"], flagged["window"], flagged["overlapping_events"], strict=True))
    return [f"Window {win} of {ev} contains another event: {other}; its CAR mixes the two shocks."
            for ev, win, other in seen]


def _event_study(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                 t: ReportTables) -> Section:
    ev = Section("Event study")
    spec = study.event_study
    bench = ("the equal-weighted index of " + (", ".join(spec.crypto_index) or "every crypto asset") +
             " (members with returns over each event's estimation and event windows; BTC is an asset)"
             if spec.crypto_benchmark == "index" else spec.crypto_benchmark)
    ev.text.append(f"Normal returns: market model on SPY for equities, {spec.crypto_model} model on {bench} for "
                   f"crypto; estimation window {list(spec.estimation)}, sessions = rows of the aligned panel.")
    group_car = t.group_car
    if not group_car.empty:
        cols = [c for c in ["group", "window", "n_assets", "mean_car", "t_cross", "p_cross", "t_bmp", "p_bmp",
                            "t_bmp_kp", "p_bmp_kp", "overlapping_events"] if c in group_car.columns]
        view = group_car[cols].rename(columns={"t_bmp_kp": "t_kp", "p_bmp_kp": "p_kp",
                                               "overlapping_events": "other events in window"})
        ev.tables.append(table_view(view, f"Mean cumulative abnormal returns by group: {t.headline_event} (main job)",
                                    digits=4, note=_P_NOTE))
    main_cars = t.group_car_all
    if not main_cars.empty:
        main_cars = main_cars[main_cars["job"] == "main"]
    ev.text.extend(_flag_lines(main_cars))
    ev.figures = [made[n] for n in ("car_by_group",) if n in made]
    ev.unavailable = _unavailable(outputs, "event study")
    return ev


def _pct(value: Any, digits: int = 2) -> str:
    return f"{100 * float(value):+.{digits}f}" if _finite(value) else "-"


def _finite(value: Any) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def _car_cell(row: pd.Series) -> str:
    t_kp = f"{float(row['statistic']):+.2f}" if _finite(row["statistic"]) else "n/a"
    p_kp = f", p {float(row['p_value']):.3f}" if _finite(row["p_value"]) else ""
    return f"{_pct(row['estimate'])} (t_kp {t_kp}{p_kp})"


def _change_cell(row: pd.Series) -> str:
    return (f"{float(row['estimate']):+.2f} [{float(row['lower']):+.2f}, {float(row['upper']):+.2f}], "
            f"p {float(row['p_value']):.3f}")


def _cross_event(study: Study, outputs: Mapping[str, JobOutput], t: ReportTables) -> Section | None:
    cross = t.cross_event
    if cross.empty or "measure" not in cross.columns:
        return None
    sec = Section("Cross-event comparison")
    spec, first = study.event_study, next(iter(study.groups))
    cross = cross[cross["job"] == "main"]
    events = [e.name for e in study.events if (cross["event"] == e.name).any()]
    cars = cross[cross["measure"] == "mean_car"]
    car_rows = []
    for group in [g for g in [*study.groups, "all"] if (cars["group"] == g).any()]:
        cells = [group]
        for name in events:
            r = cars[(cars["group"] == group) & (cars["event"] == name)]
            cells.append(_car_cell(r.iloc[0]) if len(r) else "-")
        car_rows.append(cells)
    if car_rows:
        sec.tables.append(table_view(pd.DataFrame(car_rows, columns=["group", *events]),
                                     f"Mean CAR over [{spec.summary_window[0]},{spec.summary_window[1]}] by group and "
                                     "event (percent; Kolari-Pynnonen t and p)", note=_P_NOTE))
    change_rows = []
    for name in events:
        part = cross[cross["event"] == name]
        tci = part[part["measure"] == "tci_change"]
        net = part[(part["measure"] == "net_change") & (part["group"] == first)]
        if tci.empty:
            continue
        row = tci.iloc[0]
        change_rows.append([name, f"{row['before']:.2f} -> {row['after']:.2f}", _change_cell(row),
                            _change_cell(net.iloc[0]) if len(net) else "-", f"{row['lags']:.0f}", row["sessions"],
                            row["note"] or "-"])
    if change_rows:
        sec.tables.append(table_view(
            pd.DataFrame(change_rows, columns=["event", "TCI before -> after", "change in TCI [95%], p",
                                               f"change in NET({first}) [95%], p", "lags", "windows", "note"]),
            f"Change in connectedness, {spec.change_window} sessions after vs {spec.change_window} before each event "
            "(percentage points)",
            note=f"Same group-index members and the main job's lag order in both windows; {spec.change_bands} "
                 f"bootstrap of each window, {study.var.level:.0%} basic intervals, centred-bootstrap p-value of no "
                 "change (contagion.connectedness_change)."))
    sec.text.extend(_comparison_sentences(cross, events, first, spec.summary_window))
    sec.unavailable = _unavailable(outputs, "connectedness change")
    return sec


def _comparison_sentences(cross: pd.DataFrame, events: list[str], first: str, window: tuple[int, int]
                          ) -> list[str]:
    """Was the first event special? Its CAR and its change in TCI against the other events, in words."""
    if len(events) < 2:
        return []
    head, others = events[0], events[1:]
    out = []
    cars = cross[(cross["measure"] == "mean_car") & (cross["group"] == first)].set_index("event")["estimate"]
    if head in cars.index and any(o in cars.index for o in others):
        rest = [o for o in others if o in cars.index]
        larger = [o for o in rest if abs(cars[o]) > abs(cars[head])]
        out.append(f"{first} CAR over [{window[0]},{window[1]}]: {head} {_pct(cars[head])}% against "
                   + ", ".join(f"{o} {_pct(cars[o])}%" for o in rest) + "; "
                   + (f"{', '.join(larger)} moved {first} more." if larger else
                      f"{head} moved {first} the most."))
    tci = cross[cross["measure"] == "tci_change"].set_index("event")
    if head in tci.index and any(o in tci.index for o in others):
        rest = [o for o in others if o in tci.index]
        est, pv = tci["estimate"].astype(float), tci["p_value"].astype(float)
        out.append(f"Change in TCI: {head} {est[head]:+.2f} points (p {pv[head]:.3f}) against "
                   + ", ".join(f"{o} {est[o]:+.2f} (p {pv[o]:.3f})" for o in rest) + ".")
    return out


def _across_jobs(study: Study, outputs: Mapping[str, JobOutput], t: ReportTables) -> Section | None:
    """The headline event's group CARs (summary window, KP t) in every job that could estimate them."""
    cars = t.group_car_all
    if cars.empty or len(outputs) < 2:
        return None
    a, b = study.event_study.summary_window
    cars = cars[(cars["event"] == t.headline_event) & (cars["window"] == f"[{a},{b}]")]
    groups = [g for g in [*study.groups, "all"] if (cars["group"] == g).any()]
    rows = []
    for job in outputs:
        part = cars[cars["job"] == job].set_index("group")
        if part.empty:
            skipped = outputs[job].info.get("event_study_skipped", {}).get(t.headline_event)
            note = (_unavailable(outputs, f"event study ({t.headline_event})", job=job)
                    or (f"not in the job's sample: {skipped}" if skipped else "")
                    or "the job's sample does not contain the event")
            rows.append([job, *["-"] * len(groups), note])
            continue
        cells = [_car_cell(pd.Series({"estimate": part.loc[g, "mean_car"], "statistic": part.loc[g, "t_bmp_kp"],
                                      "p_value": part.loc[g, "p_bmp_kp"]})) if g in part.index else "-"
                 for g in groups]
        rows.append([job, *cells, "-"])
    sec = Section("Event study across jobs")
    for job, output in outputs.items():
        for event, why in output.info.get("event_study_skipped", {}).items():
            sec.text.append(f"{job}: no event study of {event} ({why}).")
    sec.tables.append(table_view(pd.DataFrame(rows, columns=["job", *groups, "note"]),
                                 f"{t.headline_event}: mean CAR over [{a},{b}] by group in every job (percent; "
                                 "Kolari-Pynnonen t and p)", note="events/car holds every event, window and job."))
    return sec


def event_sections(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                   t: ReportTables) -> list[Section]:
    """The event sections: contagion tests, event study, cross-event comparison and the event study across
    jobs (the facts section follows, from :func:`contagion.report.sections.event_sections`)."""
    if not study.events:
        return []
    out = [_tests(study, outputs, t), _event_study(study, outputs, made, t)]
    out += [s for s in (_cross_event(study, outputs, t), _across_jobs(study, outputs, t)) if s is not None]
    return out

