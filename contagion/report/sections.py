"""Page content of a run report: the question, data facts, result sections, caveats, rerun command.

Every function turns tidy result tables (and the jobs' facts) into :class:`~contagion.report.render.Section`
objects of plain strings; :mod:`contagion.report.render` escapes and lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from contagion.report import event_sections as event_pages
from contagion.report.inputs import ReportTables
from contagion.report.render import FigureRef, Section, TableView, table_view
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["caveats", "data_facts", "data_tables", "event_sections", "question", "rerun_command", "sections"]


def question(study: Study) -> list[str]:
    paragraphs = [p.strip() for p in study.description.split("\n\n") if p.strip()]
    groups = ", ".join(study.groups)
    paragraphs.append(
        f"How do volatility shocks travel between the groups {groups}? The headline model is a VAR on the log "
        f"volatility of equal-weighted group indices ({study.data.measure} variance), summarised by the "
        f"Diebold-Yilmaz connectedness table and by impulse responses with {study.var.bands} bands."
    )
    return paragraphs


def data_facts(study: Study, main: JobOutput, source: Mapping[str, Any], simulated: bool) -> list[tuple[str, str]]:
    sample = main.info.get("sample", {})
    policy = main.info.get("calendar_policy", {})
    facts = [
        ("Data source", ("SIMULATED demo market: " if simulated else "") + ", ".join(
            f"{k}={v}" for k, v in sorted(source.items()) if not isinstance(v, dict | list))),
        ("Requested sample", f"{study.data.start} to {study.data.end}"),
        ("Estimation sample", f"{sample.get('start')} to {sample.get('end')} ({sample.get('n_obs')} observations)"),
        ("Calendar policy", f"{study.data.calendar}" + (f" ({policy.get('description')})" if policy.get("description") else "")),
        ("Volatility measure", f"{study.data.measure} (log variance)"),
        ("Events", "; ".join(f"{e.name} on {e.date}" for e in study.events) or "none"),
        ("Seed", str(study.seed)),
    ]
    var = main.info.get("var")
    if var:
        facts.append(("VAR", f"{var.get('lag_order')} lags ({study.var.lags}), {var.get('n_obs')} observations, "
                              f"{'stable' if var.get('is_stable') else 'NOT stable'}"))
    return facts


def data_tables(study: Study, main: JobOutput) -> list[TableView]:
    members = main.info.get("members", {})
    rows = []
    for group, tickers in study.groups.items():
        used = members.get(group, [])
        rows.append((group, ", ".join(used), ", ".join(t for t in tickers if t not in used) or "-"))
    frame = pd.DataFrame(rows, columns=["group", "members in the index", "left out"])
    return [table_view(frame, "Universe: equal-weighted group indices after the availability filter")]


def _section_unavailable(outputs: Mapping[str, JobOutput], *needles: str) -> str:
    main = outputs["main"]
    notes = [f"{k}: {v}" for k, v in sorted(main.unavailable.items()) if any(n.lower() in k.lower() for n in needles)]
    return "; ".join(notes)


def sections(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef], t: ReportTables,
             job_names: Sequence[str]) -> list[Section]:
    """The result sections of the page before the event sections: connectedness, impulse responses, asset
    network, DCC, VIRF, the event-day moves and (with robustness jobs) the robustness table."""
    out = [
        _connectedness(study, outputs, made, t),
        _impulse_responses(made),
        _asset_network(study, outputs, made, t.groups),
        _dcc(outputs, made, t.dcc_params),
        _virf(outputs, made),
    ]
    if not t.event_facts.empty:
        out.append(_event_day(study, t.event_facts))
    if len(job_names) > 1:
        out.append(_robustness(study, outputs, t.directional, job_names))
    return out


def _figures(made: Mapping[str, FigureRef], *names: str) -> list[FigureRef]:
    return [made[n] for n in names if n in made]


def _connectedness(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                   t: ReportTables) -> Section:
    static_cells, directional, groups = t.static_cells, t.directional, t.groups
    conn = Section("Connectedness of the group volatility indices")
    total = outputs["main"].info.get("total_connectedness")
    if total is not None:
        conn.text.append(f"Total connectedness: {total:.2f}% of the forecast-error variance of the group volatility "
                         f"indices comes from shocks to other groups (horizon {study.var.horizon}).")
        cells = static_cells[(static_cells["job"] == "main") & (static_cells["model"] == "group_var")]
        order = [g for g in study.groups if g in set(cells["receiver"])]
        dy = cells.pivot(index="receiver", columns="transmitter", values="value").reindex(index=order, columns=order)
        d = directional[(directional["job"] == "main") & (directional["model"] == "group_var")]
        from_others = d[d["measure"] == "from"].set_index("series")["value"]
        dy["FROM others"] = from_others.reindex(order).to_numpy()
        dy.index.name = "receiver \\ transmitter"
        conn.tables.append(table_view(dy, "Connectedness table (percent; row i: share of i's forecast-error "
                                          "variance due to shocks in column j)", index=True))
        wide = d[d["series"] != "TOTAL"].pivot(index="series", columns="measure", values="value")
        wide = wide.reindex([g for g in study.groups if g in wide.index])[["to", "from", "net"]]
        conn.tables.append(table_view(wide, "Directional connectedness (percent): TO others, FROM others, NET",
                                      index=True))
        first = next(iter(study.groups))
        pairs = groups[(groups["job"] == "main") & (groups["model"] == "group_var") & (groups["transmitter"] == first)]
        if len(pairs):
            conn.text.append(
                f"Net pairwise spillovers from {first}: " + "; ".join(
                    f"to {r.receiver} {r.net:+.2f}" for r in pairs.itertuples()) + " (percentage points).")
    else:
        conn.unavailable = _section_unavailable(outputs, "var", "connectedness") or "The VAR was not estimated."
    conn.figures = _figures(made, "connectedness_heatmap", "net_spillover_network", "rolling_total")
    extra = _section_unavailable(outputs, "rolling", "tvp")
    if extra:
        conn.unavailable = (conn.unavailable + "; " if conn.unavailable else "") + extra
    return conn


def _impulse_responses(made: Mapping[str, FigureRef]) -> Section:
    irf = Section("Impulse responses")
    irf.figures = _figures(made, "irf_grid", *[n for n in made if n.startswith("irf_grid_")])
    if not irf.figures:
        irf.unavailable = "Impulse responses were not computed."
    return irf


def _asset_network(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                   groups: pd.DataFrame) -> Section:
    network = Section("Asset-level network")
    assets = outputs["main"].info.get("asset_network", {}).get("assets", [])
    if assets:
        network.text.append(f"VAR on the log volatility of the {len(assets)} assets that cover the whole sample: "
                            + ", ".join(assets) + ".")
    asset_groups = groups[(groups["job"] == "main") & (groups["model"] == "asset_network")]
    if len(asset_groups):
        wide = asset_groups.pivot(index="receiver", columns="transmitter", values="spillover")
        order = [g for g in study.groups if g in wide.index]
        network.tables.append(table_view(wide.reindex(index=order, columns=order),
                                         "Between-group spillovers in the asset network (percent; rows receive)",
                                         index=True))
    network.figures = _figures(made, "connectedness_heatmap_assets")
    network.unavailable = _section_unavailable(outputs, "asset-level")
    return network


def _dcc(outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef], dcc_params: pd.DataFrame) -> Section:
    dcc = Section("DCC-GARCH correlations")
    info = outputs["main"].info.get("dcc", {})
    if info:
        dcc.text.append(f"DCC on daily returns of {', '.join(info.get('assets', []))} from {info.get('start')} to "
                        f"{info.get('end')} ({info.get('n_obs')} observations).")
    if not dcc_params.empty:
        d = dcc_params[dcc_params["asset"] == "dcc"][["parameter", "estimate", "std_error"]]
        dcc.tables.append(table_view(d, "DCC parameters", digits=4))
    dcc.figures = _figures(made, "dcc_correlations")
    dcc.unavailable = _section_unavailable(outputs, "dcc")
    return dcc


def _virf(outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef]) -> Section:
    virf = Section("Volatility impulse responses")
    virf.figures = [made[n] for n in made if n.startswith("virf_paths")]
    virf.unavailable = _section_unavailable(outputs, "virf")
    if not virf.figures and not virf.unavailable:
        virf.unavailable = "No VIRF was computed (no DCC model or no shocks in the study)."
    return virf


def _event_day(study: Study, event_facts: pd.DataFrame) -> Section:
    ev = Section(f"Event: {study.events[0].name} ({study.events[0].date})")
    view = event_facts[["group", "asset", "return_pct", "log_variance_jump"]]
    ev.tables.append(table_view(view, "Event-day aligned log return (%) and log-variance jump",
                                note="Log-variance jump: event-day log variance minus its mean over the 60 "
                                     "previous observations."))
    return ev


def _robustness(study: Study, outputs: Mapping[str, JobOutput], directional: pd.DataFrame,
                job_names: Sequence[str]) -> Section:
    rob = Section("Robustness")
    rows = []
    first = next(iter(study.groups))
    for name in job_names:
        d = directional[(directional["job"] == name) & (directional["model"] == "group_var")]
        total_row = d[(d["series"] == "TOTAL")]["value"]
        net_row = d[(d["series"] == first) & (d["measure"] == "net")]["value"]
        sample = outputs[name].info.get("sample", {})
        rows.append((name, sample.get("start"), sample.get("end"), sample.get("n_obs"),
                     float(total_row.iloc[0]) if len(total_row) else np.nan,
                     float(net_row.iloc[0]) if len(net_row) else np.nan,
                     "; ".join(outputs[name].unavailable.values())))
    frame = pd.DataFrame(rows, columns=["job", "start", "end", "observations", "total (%)", f"net {first}", "note"])
    rob.tables.append(table_view(frame, "Headline connectedness across the main and robustness jobs"))
    for variant in study.robustness:
        rob.text.append(f"{variant.name}: {variant.description or variant.window}")
    return rob


def event_sections(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                   t: ReportTables) -> list[Section]:
    """The event sections (contagion tests, event study, cross-event comparison, event study across jobs:
    :mod:`contagion.report.event_sections`) and (optionally) the facts table."""
    if not study.events:
        return []
    facts, main = t.facts, outputs["main"]
    out = event_pages.event_sections(study, outputs, made, t)
    if study.facts != "none":
        fx = Section("The DeepSeek story against the data")
        if not facts.empty and "verdict" in facts.columns:
            cols = [c for c in ["claim", "unit", "close_to_close", "aligned_session", "intraday_low", "two_day",
                                "verdict"] if c in facts.columns]
            fx.tables.append(table_view(facts[cols], "Claims of the news story, figures in the unit shown (% moves: "
                                                     "a fall is negative), and the verdict each figure supports"))
            for assumption in main.info.get("facts_assumptions", []):
                fx.text.append(f"Assumption: {assumption}")
        fx.unavailable = _section_unavailable(outputs, "facts")
        out.append(fx)
    return out


def caveats(study: Study, simulated: bool) -> list[str]:
    caveats = [
        "Generalized variance decompositions do not depend on the ordering of the variables, but they attribute "
        "correlated shocks to every variable involved; the shares describe forecast-error variance, not causality.",
        "Crypto trades around the clock while equities trade in exchange sessions; results depend on the calendar "
        f"policy ('{study.data.calendar}'), which the robustness jobs vary.",
        "Young tokens enter their group index when their history starts (availability filter), so group "
        "composition changes over the sample.",
        "DCC correlations and VIRFs are conditional on the fitted GARCH margins; bands reflect simulation "
        "uncertainty given the estimates, not estimation uncertainty of the parameters.",
        "Crypto series from exchange feeds are quoted in USDT rather than USD; the difference is small but not zero.",
    ]
    if simulated:
        caveats.insert(0, "SIMULATED DATA: this is a demo run on a synthetic market; it illustrates the method and "
                          "checks it against a known truth, it says nothing about real markets.")
    return caveats


def rerun_command(study: Study, simulated: bool, study_ref: str | None = None) -> str:
    """The command that reproduces the run (``study_ref``: the built-in name or study file given)."""
    import shlex

    parts = ["contagion", "run", shlex.quote(study_ref or study.name)]
    if simulated:
        parts.append("--demo")
    elif study.data.source == "csv" and study.data.data_dir:
        parts += ["--data-dir", shlex.quote(str(study.data.data_dir))]
    parts += ["--seed", str(study.seed)]
    return " ".join(parts)
