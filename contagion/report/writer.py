"""Write a run folder from the job outputs: data files, tables, figures, pages, manifest and citation.

The layout is documented in ``docs/report-folder.md``. Every file listed there is always written; when a
section could not be computed (a model missing in this version, or an estimation failure) its data files
hold the header only and the report says why, rather than showing invented numbers.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contagion._version import __version__
from contagion.report import figures as figs
from contagion.report import sections as page
from contagion.report import tables as tex
from contagion.report.files import (
    SIMULATED_NOTE,
    fsync_tree,
    normalise,
    write_csv,
    write_json,
    write_parquet,
    write_text,
)
from contagion.report.manifest import (
    VOLATILE_KEYS,
    citation_cff,
    file_sha256,
    git_commit,
    method_keys,
    package_versions,
    reference_lines,
    references_bib,
)
from contagion.report.render import (
    FigureRef,
    ReportContext,
    embed_figures,
    render_html,
    render_markdown,
)
from contagion.workflow.jobs import Job
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["SCHEMAS", "write_report"]

#: Column order of every tidy output table (files of a demo run add a last ``data_note`` column).
SCHEMAS: dict[str, list[str]] = {
    "var_irf": ["model", "kind", "impulse", "response", "horizon", "estimate", "lower", "upper", "level",
                "band_method", "job"],
    "dcc_virf": ["shock", "response", "horizon", "estimate", "lower", "upper", "level", "job"],
    "static": ["job", "model", "receiver", "transmitter", "value"],
    "groups": ["job", "model", "transmitter", "receiver", "spillover", "net"],
    "rolling": ["job", "model", "method", "date", "series", "measure", "value"],
    "dcc_params": ["job", "asset", "parameter", "estimate", "std_error"],
    "dcc_correlations": ["job", "date", "pair", "x", "y", "correlation"],
    "panel": ["date", "level", "kind", "series", "value"],
    "forbes_rigobon": ["job", "source", "market", "group"],
    "correlation_shift": ["job"],
    "abnormal_returns": ["job", "event", "event_date", "ticker", "group", "date", "tau"],
    "car": ["job", "level", "event", "group", "ticker", "window"],
    "facts": ["job", "claim_id", "claim", "verdict"],
    "granger_in_variance": ["job", "cause", "effect"],
}
#: Tables whose schema comes from the model (SCHEMAS lists only the leading key columns).
_OPEN_SCHEMA = {"forbes_rigobon", "correlation_shift", "abnormal_returns", "car", "facts", "granger_in_variance"}
_SORT: dict[str, list[str]] = {
    "var_irf": ["job", "model", "kind", "impulse", "response", "horizon"],
    "dcc_virf": ["job", "shock", "response", "horizon"],
    "static": ["job", "model", "receiver", "transmitter"],
    "groups": ["job", "model", "transmitter", "receiver"],
    "rolling": ["job", "model", "method", "series", "measure", "date"],
    "dcc_params": ["job", "asset", "parameter"],
    "dcc_correlations": ["job", "pair", "date"],
    "panel": ["kind", "series", "date"],
    "forbes_rigobon": ["job", "source", "market"],
    "abnormal_returns": ["job", "event", "ticker", "tau"],
    "car": ["job", "event", "level", "group", "ticker", "window"],
}


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


def _static_with_margins(static: pd.DataFrame, directional: pd.DataFrame) -> pd.DataFrame:
    """Cells of the DY table plus its margins in long form (FROM others, TO others, NET, TOTAL)."""
    rows: list[tuple[Any, ...]] = []
    for r in directional.to_dict(orient="records"):
        job, model, series, measure, value = r["job"], r["model"], r["series"], r["measure"], r["value"]
        if measure == "from":
            rows.append((job, model, series, "FROM others", value))
        elif measure == "to":
            rows.append((job, model, "TO others", series, value))
        elif measure == "net":
            rows.append((job, model, "NET", series, value))
        elif measure == "total":
            rows.append((job, model, "TOTAL", "TOTAL", value))
    margins = pd.DataFrame(rows, columns=SCHEMAS["static"])
    if static.empty:
        return margins if len(margins) else static
    return pd.concat([static[SCHEMAS["static"]], margins], ignore_index=True)


def _save_table(root: Path, rel: str, frame: pd.DataFrame, name: str, simulated: bool,
                formats: Sequence[str] = ("csv",)) -> pd.DataFrame:
    out = normalise(frame, _SORT.get(name), simulated=simulated)
    if "csv" in formats:
        write_csv(out, root / f"{rel}.csv")
    if "parquet" in formats:
        write_parquet(out, root / f"{rel}.parquet", simulated=simulated)
    return out


def _event_facts(panel: pd.DataFrame, event: pd.Timestamp, group_of: Mapping[str, str],
                 order: Sequence[str]) -> pd.DataFrame:
    """Aligned event-day log return (percent) and log-variance jump per asset, from the panel table."""
    if panel.empty:
        return pd.DataFrame(columns=["group", "asset", "date", "return_pct", "log_variance_jump"])
    data = panel[panel["level"] == "asset"].copy()
    data["date"] = pd.to_datetime(data["date"])
    returns = data[data["kind"] == "log_return"].pivot(index="date", columns="series", values="value").sort_index()
    logvar = data[data["kind"].str.startswith("log_variance")].pivot(index="date", columns="series", values="value")
    logvar = logvar.sort_index()
    after = returns.index[returns.index >= event]
    if len(after) == 0:
        return pd.DataFrame(columns=["group", "asset", "date", "return_pct", "log_variance_jump"])
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
    return pd.DataFrame(rows, columns=["group", "asset", "date", "return_pct", "log_variance_jump"])


def _virf_responses(virf: pd.DataFrame, shock: str, limit: int = 6) -> list[str]:
    """Variance responses (not covariances or correlations) of one shock, NVDA and BTC first."""
    names = list(dict.fromkeys(virf.loc[virf["shock"] == shock, "response"]))
    variances = [n for n in names if not any(mark in n for mark in ("~", ",", "corr", "cov"))]
    chosen = variances or names
    chosen.sort(key=lambda n: (0 if "NVDA" in n else 1 if "BTC" in n else 2, names.index(n)))
    return chosen[:limit]


def write_report(
    root: Path,
    *,
    study: Study,
    run_id: str,
    outputs: Mapping[str, JobOutput],
    jobs: Sequence[Job],
    keys: Mapping[str, str],
    hashes: Mapping[str, str],
    frames: Mapping[str, pd.DataFrame],
    source_description: Mapping[str, Any],
    simulated: bool,
    volatile: dict[str, Any],
    clock_start: float,
    n_jobs: int = 1,
    study_ref: str | None = None,
) -> list[str]:
    """Write every file of the run folder into ``root``; returns the warnings shown in the report."""
    t_report = time.perf_counter()
    main = outputs["main"]
    formats = set(study.output.formats) | {"csv", "parquet"}
    job_names = [job.name for job in jobs]

    # ---- tidy data files
    var_irf = _save_table(root, "irf/var_irf", _combine(outputs, "var_irf"), "var_irf", simulated, ("csv", "parquet"))
    dcc_virf = _save_table(root, "irf/dcc_virf", _combine(outputs, "dcc_virf"), "dcc_virf", simulated,
                           ("csv", "parquet"))
    directional = pd.concat([o.tables["directional"] for o in outputs.values() if "directional" in o.tables],
                            ignore_index=True) if any("directional" in o.tables for o in outputs.values()) else \
        pd.DataFrame(columns=["job", "model", "series", "measure", "value"])
    static_cells = _combine(outputs, "static")
    _save_table(root, "connectedness/static", _static_with_margins(static_cells, directional), "static",
                         simulated)
    groups = _save_table(root, "connectedness/groups", _combine(outputs, "groups"), "groups", simulated)
    rolling = _save_table(root, "connectedness/rolling", _combine(outputs, "rolling"), "rolling", simulated)
    dcc_params = _save_table(root, "dcc/params", _combine(outputs, "dcc_params"), "dcc_params", simulated)
    dcc_corr = _save_table(root, "dcc/correlations", _combine(outputs, "dcc_correlations"), "dcc_correlations",
                           simulated, ("parquet",))
    panel = _save_table(root, "data/panel", main.tables.get("panel", pd.DataFrame(columns=SCHEMAS["panel"])),
                        "panel", simulated, ("parquet",))
    forbes = _save_table(root, "tests/forbes_rigobon", _combine(outputs, "forbes_rigobon"), "forbes_rigobon",
                         simulated)
    shift = _save_table(root, "tests/correlation_shift", _combine(outputs, "correlation_shift"), "correlation_shift",
                        simulated)
    granger = _save_table(root, "tests/granger_in_variance", _combine(outputs, "granger_in_variance"),
                          "granger_in_variance", simulated)
    abnormal = _save_table(root, "events/abnormal_returns", _combine(outputs, "abnormal_returns"), "abnormal_returns",
                           simulated)
    car = _save_table(root, "events/car", _combine(outputs, "car"), "car", simulated)
    facts = _combine(outputs, "facts")
    if study.facts != "none":
        facts = _save_table(root, "events/facts", facts, "facts", simulated)
    quality = main.info.get("quality", {})
    quality_doc = {"quality": quality, "simulated": simulated}
    if simulated:
        quality_doc["data_note"] = SIMULATED_NOTE
    write_json(quality_doc, root / "data/quality.json")

    # ---- LaTeX tables
    sim = simulated
    group_label = "group_var"
    tables_written: list[str] = []
    event = pd.Timestamp(study.events[0].date) if study.events else None
    event_facts = _event_facts(panel, event, study.group_of, study.tickers) if event is not None else pd.DataFrame()

    def put_tex(name: str, text: str) -> None:
        if "tex" in formats:
            write_text(root / "tables" / f"{name}.tex", text)
            tables_written.append(f"tables/{name}.tex")

    if not static_cells.empty:
        put_tex("dy_table", tex.dy_table(static_cells, directional, model=group_label, job="main",
                                          caption="Connectedness of the group volatility indices (Diebold-Yilmaz)",
                                          label="tab:dy", simulated=sim, horizon=study.var.horizon))
        if (static_cells["model"] == "asset_network").any():
            put_tex("dy_table_assets", tex.dy_table(static_cells, directional, model="asset_network", job="main",
                                                     caption="Asset-level connectedness (assets with full data)",
                                                     label="tab:dy-assets", simulated=sim,
                                                     horizon=study.var.horizon))
    if not groups.empty:
        model = "asset_network" if (groups["model"] == "asset_network").any() else group_label
        put_tex("group_spillovers", tex.group_spillover_table(
            groups, model=model, job="main", label="tab:groups", simulated=sim,
            caption="Between-group volatility spillovers" + (" (asset-level network)" if model == "asset_network" else "")))
    if not dcc_params.empty:
        put_tex("dcc_parameters", tex.dcc_parameter_table(dcc_params, caption="DCC-GARCH parameter estimates",
                                                          label="tab:dcc", simulated=sim))
    if not event_facts.empty:
        put_tex("event_figures", tex.event_table(event_facts, label="tab:event", simulated=sim,
                                                 caption=f"{study.events[0].name} ({study.events[0].date}): "
                                                         "event-day moves"))
    if not forbes.empty and "rho_turmoil_adjusted" in forbes.columns:
        put_tex("forbes_rigobon", tex.simple_table(
            forbes, ["market", "group", "rho_tranquil", "rho_turmoil", "rho_turmoil_adjusted", "t_stat", "p_value",
                     "verdict"],
            caption=f"Forbes-Rigobon test, source {forbes['source'].iloc[0]}", label="tab:forbes-rigobon",
            simulated=sim, notes="Heteroskedasticity-adjusted turmoil correlation versus tranquil correlation, "
                                 "one-sided Fisher z test (Forbes and Rigobon 2002)."))
    group_car = car[car["level"] == "group"] if not car.empty and "level" in car.columns else pd.DataFrame()
    if not group_car.empty:
        put_tex("event_study", tex.simple_table(
            group_car, ["group", "window", "n_assets", "mean_car", "t_cross", "t_bmp"],
            caption="Event study: mean cumulative abnormal returns by group", label="tab:event-study",
            simulated=sim, digits=4, notes=r"t\_cross: cross-sectional t; t\_bmp: Boehmer, Musumeci and Poulsen "
                                           "(1991) standardised t."))
    if not facts.empty and "verdict" in facts.columns:
        put_tex("deepseek_facts", tex.simple_table(
            facts, ["claim", "close_to_close", "aligned_session", "intraday_low", "two_day", "verdict"],
            caption="The DeepSeek story against the data", label="tab:facts", simulated=sim,
            notes="Percent moves (a fall is negative); group claims show the median across the group."))
    if len(job_names) > 1 and not directional.empty:
        source_group = next(iter(study.groups))
        put_tex("robustness", tex.robustness_table(directional, job_names, source_group=source_group,
                                                   caption="Robustness: total connectedness and net spillover "
                                                           f"of {source_group} across jobs",
                                                   label="tab:robustness", simulated=sim))

    # ---- figures
    figure_dir = root / "figures"
    made: dict[str, FigureRef] = {}
    want_png = "png" in formats or "html" in formats or "md" in formats

    drawings: list[tuple[Callable[[], Any], str]] = []

    def put_fig(name: str, draw: Callable[[], Any], title: str, caption: str) -> None:
        if want_png or "pdf" in formats:
            drawings.append((draw, name))
        made[name] = FigureRef(file=f"figures/{name}", title=title, caption=caption)

    if not var_irf.empty:
        # one grid, for the first IRF kind of the study (every kind is in irf/var_irf.*): a 6 x 6 grid costs
        # seconds to draw twice (PNG and PDF)
        for kind in [k for k in study.var.irf_kinds if k in set(var_irf["kind"])][:1]:
            name = "irf_grid"
            band = var_irf["band_method"].iloc[0]
            put_fig(name, partial(figs.irf_grid, var_irf[var_irf["job"] == "main"], kind=kind, simulated=sim, order=list(study.groups),
                                        title=f"{kind.capitalize()} impulse responses of group log volatility"),
                    f"{kind} impulse responses",
                    f"{kind.capitalize()} impulse responses of the group volatility indices, "
                    f"{study.var.irf_horizon} steps, {band} bands at level {study.var.level}")
    if not static_cells.empty:
        put_fig("connectedness_heatmap", partial(figs.connectedness_heatmap,
            static_cells, model=group_label, job="main", simulated=sim, order=list(study.groups),
            title="Connectedness of group volatility (percent)"),
            "connectedness heatmap", "Generalized FEVD shares between the group volatility indices (rows receive)")
        if (static_cells["model"] == "asset_network").any():
            put_fig("connectedness_heatmap_assets", partial(figs.connectedness_heatmap,
                static_cells, model="asset_network", job="main", simulated=sim, order=list(study.tickers),
                title="Asset-level connectedness (percent)"),
                "asset-level heatmap", "Generalized FEVD shares between assets with full data (rows receive)")
    if not groups.empty:
        put_fig("net_spillover_network", partial(figs.net_spillover_network,
            groups, model=group_label, job="main", simulated=sim, order=list(study.groups),
            title="Net pairwise volatility spillovers"),
            "net spillover network", "Net pairwise spillovers between group volatility indices (arrow: from net "
                                     "transmitter to net receiver)")
    if not rolling.empty:
        events = [(e.name, pd.Timestamp(e.date)) for e in study.events]
        put_fig("rolling_total", partial(figs.rolling_total, rolling[rolling["job"] == "main"], events=events, simulated=sim,
                                                    title="Total connectedness over time"),
                "rolling total connectedness",
                f"Total connectedness, rolling window of {study.connectedness.rolling_window} observations"
                + (" and TVP-VAR" if study.connectedness.tvp else "") + ", events marked")
    if not dcc_corr.empty:
        assets = main.info.get("dcc", {}).get("assets", [])
        anchor = "NVDA" if "NVDA" in assets else (assets[0] if assets else "")
        partners = [a for a in assets if a != anchor and (a.startswith("BTC") or study.group_of.get(a) == "ai_token")]
        partners = partners or [a for a in assets if a != anchor]
        put_fig("dcc_correlations", partial(figs.dcc_event_correlations,
            dcc_corr, anchor=anchor, partners=partners, event=event, window_days=study.dcc.window_days,
            simulated=sim, title=f"DCC correlations of {anchor} around the event"),
            "DCC correlations", f"Conditional correlations of {anchor} with {', '.join(partners)}, "
                                f"{study.dcc.window_days} days either side of the event")
    if not dcc_virf.empty:
        for k, shock in enumerate(dict.fromkeys(dcc_virf["shock"])):
            responses = _virf_responses(dcc_virf, shock)
            name = "virf_paths" if k == 0 else f"virf_paths_{k + 1}"
            put_fig(name, partial(figs.virf_paths, dcc_virf, shock=shock, responses=responses, simulated=sim,
                                          title=f"VIRF: {shock}"),
                    f"VIRF {shock}", f"Volatility impulse responses to '{shock}' with {study.virf.level:.0%} bands")

    if not abnormal.empty and "abnormal" in abnormal.columns:
        ar = abnormal[abnormal["group"].notna()]
        curve = (ar.groupby(["group", "tau"])["abnormal"].mean().groupby(level=0).cumsum()
                 .rename("car").reset_index().rename(columns={"tau": "day"}))
        put_fig("car_by_group", partial(figs.car_by_group, curve, simulated=sim,
                                                  title=f"Cumulative abnormal returns by group: {study.events[0].name}"),
                "CAR by group", "Equal-weighted mean cumulative abnormal return by group, from the first event-window "
                                "observation")

    _draw_all(drawings, figure_dir, n_jobs)

    # ---- pages
    sections_present = {"dcc"} if not dcc_params.empty else set()
    if not forbes.empty:
        sections_present.add("contagion_tests")
    if not granger.empty:
        sections_present.add("granger_in_variance")
    if not car.empty:
        sections_present.add("events")
    if not dcc_virf.empty:
        sections_present.add("virf")
    measures = [study.data.measure, *[v.measure for v in study.robustness if v.measure]]
    bib_keys = method_keys(study.resolved(), measures, sections_present)
    warnings = _collect_warnings(outputs)
    sections = page.sections(study, outputs, made, static_cells, directional, groups, dcc_params, event_facts, job_names)
    at = next((i for i, sec in enumerate(sections) if sec.title == "Robustness"), len(sections))
    sections[at:at] = page.event_sections(study, outputs, made, forbes, shift, group_car, facts, granger)
    embed_figures(sections, root)
    commit = git_commit()
    context = ReportContext(
        title=study.title,
        study_name=study.name,
        run_id=run_id,
        version=__version__,
        commit=commit,
        simulated=simulated,
        question=page.question(study),
        data_facts=page.data_facts(study, main, source_description, simulated),
        data_tables=page.data_tables(study, main),
        data_notes=list(main.info.get("notes", [])),
        sections=sections,
        caveats=page.caveats(study, simulated),
        warnings=warnings,
        references=reference_lines(bib_keys),
        rerun=page.rerun_command(study, simulated, study_ref),
    )
    if "html" in formats:
        write_text(root / "report.html", render_html(context))
    if "md" in formats:
        write_text(root / "report.md", render_markdown(context))

    # ---- citation and references
    write_text(root / "references.bib", references_bib(bib_keys, simulated=simulated))
    write_text(root / "CITATION.cff", citation_cff(title=study.title, study=study.name, run_id=run_id, commit=commit,
                                                   simulated=simulated,
                                                   date_released=str(volatile["started_utc"])[:10]))

    # ---- manifest (last: it lists the other files)
    outputs_sha = {}
    all_files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            digest = file_sha256(path)
            all_files[rel] = digest
            if path.suffix in (".csv", ".parquet", ".json", ".tex"):
                outputs_sha[rel] = digest
    run_block = dict(volatile)
    run_block["files_sha256"] = all_files
    run_block["timings_seconds"] = {**volatile.get("timings_seconds", {}),
                                    "report_seconds": round(time.perf_counter() - t_report, 3),
                                    "total_seconds": round(time.perf_counter() - clock_start, 3)}
    run_block["finished_utc"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    run_block["note"] = ("Volatile fields: everything in this 'run' block differs between runs with the same inputs "
                         "and seed (run id, folder, times, cache hits, hashes of pages and figures); all other "
                         "fields are deterministic.")
    manifest = {
        "contagion_version": __version__,
        "git_commit": commit,
        "study": study.resolved(),
        "simulated": simulated,
        "source": dict(source_description),
        "seed": study.seed,
        "calendar_policy": main.info.get("calendar_policy", {"name": study.data.calendar}),
        "measure": main.info.get("measure", study.data.measure),
        "input_series": {
            ticker: {
                "sha256": hashes[ticker],
                "rows": len(frames[ticker]),
                "first": frames[ticker].index.min().date().isoformat() if len(frames[ticker]) else None,
                "last": frames[ticker].index.max().date().isoformat() if len(frames[ticker]) else None,
            } for ticker in sorted(hashes)
        },
        "panel_input_hashes": main.info.get("input_hashes", {}),
        "jobs": [{"name": job.name, "kind": job.kind, "key": keys[job.name],
                  "info": _jsonable_info(outputs[job.name].info),
                  "unavailable": dict(sorted(outputs[job.name].unavailable.items()))} for job in jobs],
        "packages": package_versions(),
        "platform": {"python": platform.python_version(), "implementation": platform.python_implementation()},
        "warnings": warnings,
        "outputs_sha256": outputs_sha,
        "volatile_keys": list(VOLATILE_KEYS),
        "run": run_block,
    }
    if simulated:
        manifest["data_note"] = SIMULATED_NOTE
    write_json(manifest, root / "manifest.json")
    fsync_tree(root)
    return warnings


def _draw_one(draw: Callable[[], Any], folder: Path, name: str) -> None:
    figs.save_figure(draw(), folder, name)


def _draw_all(drawings: Sequence[tuple[Callable[[], Any], str]], folder: Path, n_jobs: int) -> None:
    """Draw and save the figures, in ``n_jobs`` forked processes when there is more than one.

    Each figure is independent and deterministic, so the files are the same either way.
    """
    if n_jobs <= 1 or len(drawings) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for draw, name in drawings:
            _draw_one(draw, folder, name)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(drawings)), mp_context=context) as pool:
        futures = [pool.submit(_draw_one, draw, folder, name) for draw, name in drawings]
        for future in futures:
            future.result()


def _jsonable_info(info: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(info.items()) if k not in ("quality", "input_hashes")}


def _collect_warnings(outputs: Mapping[str, JobOutput]) -> list[str]:
    out = []
    for name, output in outputs.items():
        for warning in output.warnings:
            out.append(f"[{name}] {warning}")
        for section, why in sorted(output.unavailable.items()):
            out.append(f"[{name}] {section}: {why}")
    return list(dict.fromkeys(out))
