"""The tidy data files of a run folder, one writer per folder: irf/, connectedness/, dcc/, tests/, events/,
data/. Each stacks a table over the jobs, rounds and sorts it (:func:`contagion.report.files.normalise`) and
writes CSV and / or Parquet; a table no job produced is written with its header only.

Each table has its own formats (``_CSV``, ``_PARQUET`` or both), narrowed to the study's ``[output]
formats``; a table whose own format is not listed is written in the other data format when that one is
(``formats = ["csv"]`` writes ``dcc/correlations.csv``), and not at all when neither is. The tables are
returned either way: the pages and LaTeX tables draw on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contagion.report.describe import write_describe_files
from contagion.report.files import SIMULATED_NOTE, normalise, write_csv, write_json, write_parquet
from contagion.report.inputs import ReportInputs, ReportTables
from contagion.workflow.pipeline import JobOutput

__all__ = ["MODEL_FILES", "SCHEMAS", "figure_tables", "write_data_files"]

#: Column order of every tidy output table (files of a demo run add a last ``data_note`` column).
SCHEMAS: dict[str, list[str]] = {
    "var_irf": ["model", "kind", "impulse", "response", "horizon", "estimate", "lower", "upper", "level",
                "band_method", "job"],
    "dcc_virf": ["shock", "response", "horizon", "estimate", "lower", "upper", "level", "job"],
    "static": ["job", "model", "receiver", "transmitter", "value", "lower", "upper"],
    "groups": ["job", "model", "transmitter", "receiver", "spillover", "net", "spillover_lower", "spillover_upper",
               "net_lower", "net_upper"],
    "rolling": ["job", "model", "method", "date", "series", "measure", "value"],
    "dcc_params": ["job", "asset", "parameter", "estimate", "std_error", "on_bound"],
    "dcc_correlations": ["job", "date", "pair", "x", "y", "correlation"],
    "panel": ["date", "level", "kind", "series", "value"],
    "forbes_rigobon": ["job", "source", "market", "group"],
    "correlation_shift": ["job"],
    "abnormal_returns": ["job", "event", "event_date", "ticker", "group", "date", "tau"],
    "car": ["job", "level", "event", "group", "ticker", "window"],
    "facts": ["job", "claim_id", "claim", "verdict"],
    "cross_event": ["job", "event", "event_date", "measure", "group", "window"],
    "granger_in_variance": ["job", "cause", "effect"],
    "change": ["job", "measure", "receiver", "transmitter"],
    "frequency": ["job", "model", "convention", "band", "period_low", "period_high", "measure", "series", "value"],
    "frequency_rolling": ["job", "model", "convention", "band", "date", "value"],
    "quantile": ["job", "model", "tau", "measure", "series", "value", "explosive"],
    "quantile_rolling": ["job", "model", "tau", "date", "value", "explosive"],
    "dcc_connectedness": ["job", "model", "method", "date", "series", "measure", "value"],
    "asset_network_nodes": ["job", "asset", "group", "to", "from", "net", "rank", "penalty"],
    "asset_network_edges": ["job", "transmitter", "receiver", "spillover", "net"],
}
#: Tables whose schema comes from the model (SCHEMAS lists only the leading key columns).
_OPEN_SCHEMA = {"forbes_rigobon", "correlation_shift", "abnormal_returns", "car", "facts", "granger_in_variance",
                "cross_event", "change"}
_SORT: dict[str, list[str]] = {
    "var_irf": ["job", "model", "kind", "impulse", "response", "horizon"],
    "dcc_virf": ["job", "shock", "response", "horizon"],
    "static": ["job", "model", "receiver", "transmitter"],
    "groups": ["job", "model", "transmitter", "receiver"],
    "rolling": ["job", "model", "method", "series", "measure", "date"],
    "dcc_params": ["job", "asset", "parameter"],
    "dcc_correlations": ["job", "pair", "date"],
    "panel": ["kind", "series", "date"],
    "forbes_rigobon": ["job", "event", "source", "market"],
    "abnormal_returns": ["job", "event", "ticker", "tau"],
    "car": ["job", "event", "level", "group", "ticker", "window"],
    "cross_event": ["job", "event_date", "measure", "group", "window"],
    "change": ["job", "measure", "receiver", "transmitter"],
    "frequency": ["job", "convention", "period_low", "band", "measure", "series"],
    "frequency_rolling": ["job", "convention", "band", "date"],
    "quantile": ["job", "tau", "measure", "series"],
    "quantile_rolling": ["job", "tau", "date"],
    "dcc_connectedness": ["job", "series", "measure", "date"],
    "asset_network_nodes": ["job", "rank"],
    "asset_network_edges": ["job", "transmitter", "receiver"],
}
_CSV = ("csv",)
_PARQUET = ("parquet",)
_BOTH = ("csv", "parquet")


def _combine(outputs: Mapping[str, JobOutput], name: str) -> pd.DataFrame:
    parts = [o.tables[name] for o in outputs.values() if name in o.tables and len(o.tables[name])]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEMAS.get(name, [])})
    frame = pd.concat(parts, ignore_index=True)
    if name in _OPEN_SCHEMA:
        lead = [c for c in SCHEMAS[name] if c in frame.columns]
        return frame[lead + [c for c in frame.columns if c not in lead]]
    if name in SCHEMAS:
        frame = frame[SCHEMAS[name]]
    return frame


def _chosen(native: Sequence[str], wanted: set[str]) -> list[str]:
    """The table's own formats that the study lists, else the other data format the study lists."""
    chosen = [f for f in native if f in wanted]
    return chosen or [f for f in _BOTH if f in wanted][:1]


def _tidy(frame: pd.DataFrame, name: str, inputs: ReportInputs) -> pd.DataFrame:
    """Table ``name`` as its file holds it: rounded, sorted, with the demo note when simulated."""
    return normalise(frame, _SORT.get(name), simulated=inputs.simulated)


def _save_table(root: Path, rel: str, frame: pd.DataFrame, name: str, inputs: ReportInputs,
                formats: Sequence[str] = _CSV) -> pd.DataFrame:
    simulated = inputs.simulated
    out = _tidy(frame, name, inputs)
    chosen = _chosen(formats, inputs.formats)
    if "csv" in chosen:
        write_csv(out, root / f"{rel}.csv")
    if "parquet" in chosen:
        write_parquet(out, root / f"{rel}.parquet", simulated=simulated)
    return out


def _save(root: Path, inputs: ReportInputs, rel: str, name: str, formats: Sequence[str] = _CSV) -> pd.DataFrame:
    """Stack table ``name`` over the jobs and write it to ``<rel>.<format>``; returns what was written."""
    return _save_table(root, rel, _combine(inputs.outputs, name), name, inputs, formats)


def write_data_files(root: Path, inputs: ReportInputs) -> ReportTables:
    """Write every tidy data file of the run folder; returns the tables as written."""
    irf = write_irf_files(root, inputs)
    connectedness = write_connectedness_files(root, inputs)
    dcc = write_dcc_files(root, inputs)
    panel = write_data_folder(root, inputs)
    tests = write_test_files(root, inputs)
    events = write_event_files(root, inputs)
    models = write_model_files(root, inputs)
    study = inputs.study
    event = pd.Timestamp(study.events[0].date) if study.events else None
    event_facts = _event_facts(panel, event, study.group_of, study.tickers) if event is not None else pd.DataFrame()
    describe = write_describe_files(root, inputs, panel)
    return ReportTables(**irf, **connectedness, **dcc, **tests, **events, **models, panel=panel,
                        event_facts=event_facts, headline_event=study.events[0].name if study.events else "",
                        describe=describe)


def figure_tables(inputs: ReportInputs) -> ReportTables:
    """The tables the figures draw on, equal to what :func:`write_data_files` returns, without writing a file.

    The tables the figures do not read (tests, CAR, facts, the panel, the descriptive statistics) are left
    empty. :mod:`contagion.workflow.early` draws the figures from these while the run still writes its files.
    """
    def table(name: str) -> pd.DataFrame:
        return _tidy(_combine(inputs.outputs, name), name, inputs)

    outputs, empty = inputs.outputs, pd.DataFrame()
    wanted = _models_wanted(inputs)
    models = {name: table(name) if wanted[name] else pd.DataFrame(columns=SCHEMAS[name]) for name in MODEL_FILES}
    study = inputs.study
    return ReportTables(
        var_irf=table("var_irf"), dcc_virf=table("dcc_virf"), static_cells=_combine(outputs, "static"),
        directional=empty, groups=table("groups"), rolling=table("rolling"), dcc_params=empty,
        dcc_correlations=table("dcc_correlations"), panel=empty, forbes=empty, shift=empty, granger=empty,
        abnormal=table("abnormal_returns"), car=empty, facts=empty, event_facts=empty,
        headline_event=study.events[0].name if study.events else "", **models)


def write_irf_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``irf/var_irf`` and ``irf/dcc_virf`` (CSV and Parquet)."""
    return {"var_irf": _save(root, inputs, "irf/var_irf", "var_irf", _BOTH),
            "dcc_virf": _save(root, inputs, "irf/dcc_virf", "dcc_virf", _BOTH)}


def write_connectedness_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``connectedness/static`` (cells and margins), ``groups`` and ``rolling``."""
    outputs = inputs.outputs
    if any("directional" in o.tables for o in outputs.values()):
        directional = pd.concat([o.tables["directional"] for o in outputs.values() if "directional" in o.tables],
                                ignore_index=True)
    else:
        directional = pd.DataFrame(columns=["job", "model", "series", "measure", "value"])
    static_cells = _combine(outputs, "static")
    _save_table(root, "connectedness/static", _static_with_margins(static_cells, directional), "static", inputs)
    return {"static_cells": static_cells, "directional": directional,
            "groups": _save(root, inputs, "connectedness/groups", "groups"),
            "rolling": _save(root, inputs, "connectedness/rolling", "rolling"),
            "change": _save(root, inputs, "connectedness/change", "change", _BOTH)}


#: The model families beyond the headline VAR: table name -> (file stem, formats). A table is written when
#: the study switches its family on (header only when it could not be estimated), and not at all otherwise.
MODEL_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "frequency": ("connectedness/frequency", _CSV),
    "frequency_rolling": ("connectedness/frequency_rolling", _BOTH),
    "quantile": ("connectedness/quantile", _CSV),
    "quantile_rolling": ("connectedness/quantile_rolling", _BOTH),
    "dcc_connectedness": ("connectedness/dcc_connectedness", _BOTH),
    "asset_network_nodes": ("connectedness/asset_network_nodes", _CSV),
    "asset_network_edges": ("connectedness/asset_network_edges", _BOTH),
}


def _models_wanted(inputs: ReportInputs) -> dict[str, bool]:
    """Which model-family tables the study switches on (:data:`MODEL_FILES` names)."""
    conn = inputs.study.connectedness
    return {
        "frequency": conn.frequency,
        "frequency_rolling": conn.frequency and conn.frequency_rolling and conn.rolling_window is not None,
        "quantile": conn.quantile,
        "quantile_rolling": conn.quantile and conn.quantile_window is not None,
        "dcc_connectedness": conn.dcc_connectedness,
        "asset_network_nodes": conn.asset_network,
        "asset_network_edges": conn.asset_network,
    }


def write_model_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``connectedness/frequency``, ``quantile``, ``dcc_connectedness`` and ``asset_network_*`` (those produced)."""
    wanted = _models_wanted(inputs)
    out = {}
    for name, (rel, formats) in MODEL_FILES.items():
        if wanted[name]:
            out[name] = _save(root, inputs, rel, name, formats)
        else:
            out[name] = pd.DataFrame(columns=SCHEMAS[name])
    return out


def write_dcc_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``dcc/params`` (CSV) and ``dcc/correlations`` (Parquet)."""
    return {"dcc_params": _save(root, inputs, "dcc/params", "dcc_params"),
            "dcc_correlations": _save(root, inputs, "dcc/correlations", "dcc_correlations", _PARQUET)}


def write_data_folder(root: Path, inputs: ReportInputs) -> pd.DataFrame:
    """``data/panel`` (Parquet) and ``data/quality.json``; returns the panel table."""
    main, simulated = inputs.main, inputs.simulated
    panel = _save_table(root, "data/panel", main.tables.get("panel", pd.DataFrame(columns=SCHEMAS["panel"])),
                        "panel", inputs, _PARQUET)
    quality_doc = {"quality": main.info.get("quality", {}), "simulated": simulated}
    if simulated:
        quality_doc["data_note"] = SIMULATED_NOTE
    write_json(quality_doc, root / "data/quality.json")
    return panel


def write_test_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``tests/forbes_rigobon``, ``tests/correlation_shift`` and ``tests/granger_in_variance``; ``forbes`` and
    ``shift`` keep the study's first event (``*_all``: every event)."""
    forbes = _save(root, inputs, "tests/forbes_rigobon", "forbes_rigobon")
    shift = _save(root, inputs, "tests/correlation_shift", "correlation_shift")
    first = inputs.study.events[0].name if inputs.study.events else None
    return {"forbes": _first_event(forbes, first), "shift": _first_event(shift, first), "forbes_all": forbes,
            "shift_all": shift, "granger": _save(root, inputs, "tests/granger_in_variance", "granger_in_variance")}


def _first_event(frame: pd.DataFrame, event: str | None) -> pd.DataFrame:
    if event is None or "event" not in frame.columns:
        return frame
    return frame[frame["event"] == event].reset_index(drop=True)


def write_event_files(root: Path, inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """``events/abnormal_returns``, ``events/car``, ``events/cross_event`` and, when the study asks for it,
    ``events/facts``."""
    facts = _combine(inputs.outputs, "facts")
    if inputs.study.facts != "none":
        facts = _save_table(root, "events/facts", facts, "facts", inputs)
    return {"abnormal": _save(root, inputs, "events/abnormal_returns", "abnormal_returns"),
            "car": _save(root, inputs, "events/car", "car"), "facts": facts,
            "cross_event": _save(root, inputs, "events/cross_event", "cross_event")}


def _static_with_margins(static: pd.DataFrame, directional: pd.DataFrame) -> pd.DataFrame:
    """Cells of the DY table plus its margins in long form (FROM others, TO others, NET, TOTAL)."""
    rows: list[tuple[Any, ...]] = []
    for r in directional.to_dict(orient="records"):
        job, model, series, measure, value = r["job"], r["model"], r["series"], r["measure"], r["value"]
        bounds = (r.get("lower", np.nan), r.get("upper", np.nan))  # intervals: headline model with bands
        if measure == "from":
            rows.append((job, model, series, "FROM others", value, *bounds))
        elif measure == "to":
            rows.append((job, model, "TO others", series, value, *bounds))
        elif measure == "net":
            rows.append((job, model, "NET", series, value, *bounds))
        elif measure == "total":
            rows.append((job, model, "TOTAL", "TOTAL", value, *bounds))
    margins = pd.DataFrame(rows, columns=SCHEMAS["static"])
    if static.empty:
        return margins if len(margins) else static
    return pd.concat([static.reindex(columns=SCHEMAS["static"]), margins], ignore_index=True)


def _event_facts(panel: pd.DataFrame, event: pd.Timestamp, group_of: Mapping[str, str],
                 order: Sequence[str]) -> pd.DataFrame:
    """Aligned event-day log return (percent) and log-variance jump per asset, from the panel table."""
    columns = ["group", "asset", "date", "return_pct", "log_variance_jump"]
    if panel.empty:
        return pd.DataFrame(columns=columns)
    data = panel[panel["level"] == "asset"].copy()
    data["date"] = pd.to_datetime(data["date"])
    returns = data[data["kind"] == "log_return"].pivot(index="date", columns="series", values="value").sort_index()
    logvar = data[data["kind"].str.startswith("log_variance")].pivot(index="date", columns="series", values="value")
    logvar = logvar.sort_index()
    after = returns.index[returns.index >= event]
    if len(after) == 0:
        return pd.DataFrame(columns=columns)
    day = after[0]
    rows = []
    for asset in order:
        if asset not in returns.columns:
            continue
        value = returns.loc[day, asset]
        jump = np.nan
        if asset in logvar.columns and day in logvar.index:
            history = logvar.loc[:day, asset].iloc[:-1].dropna().tail(60)
            if len(history) >= 10 and pd.notna(logvar.loc[day, asset]):
                jump = float(logvar.loc[day, asset] - history.mean())
        rows.append((group_of.get(asset, ""), asset, day, 100.0 * float(value) if pd.notna(value) else np.nan, jump))
    return pd.DataFrame(rows, columns=columns)
