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
from contagion.report.model_sections import asset_network_section, model_sections
from contagion.report.render import FigureRef, Section, TableView, table_view
from contagion.report.section_extras import (
    band_caption,
    change_sections,
    describe_sections,
    interval_cells,
    pair_bounds,
    total_bounds,
    virf_statement,
)
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
    scale = main.info.get("variance_scale", {})
    if scale:
        facts.append(("Multi-day bars", str(scale.get("description", scale.get("rule")))))
    seasonal = main.info.get("seasonal_adjustment", {}).get("rule", "none")
    if seasonal != "none":
        facts.append(("Seasonal adjustment", "each group index minus its day-of-week mean (plus its overall mean) "
                                             "before the VAR"))
    var = main.info.get("var")
    if var:
        facts.append(("VAR", f"{var.get('lag_order')} lags ({lag_note(var, study.var.lags)}), {var.get('n_obs')} "
                             f"observations, {'stable' if var.get('is_stable') else 'NOT stable'}"))
    facts.append(("Impulse-response bands", bands_note(study)))
    return facts


_BANDS = {
    "wild": "wild bootstrap (Rademacher weights per date; Goncalves and Kilian 2004), robust to ARCH errors",
    "bootstrap": "iid residual bootstrap (covers about 0.80 under ARCH errors in docs/var.md; 'wild' is safer)",
    "kilian": "Kilian bootstrap-after-bootstrap (bias-corrected)",
    "asymptotic": "asymptotic (delta method)",
    "none": "none",
}


def bands_note(study: Study) -> str:
    """Which impulse-response bands the run used, in words."""
    text = _BANDS.get(study.var.bands, study.var.bands)
    if study.var.bands in ("none", "asymptotic"):
        return text
    return f"{text}; {study.var.draws} draws, {study.var.level:.0%} level"


def lag_note(var: Mapping[str, Any], rule: object) -> str:
    """How the lag order was chosen; says so when the criterion chose the largest order searched."""
    choice = var.get("lag_choice") or {}
    if not choice:
        return f"set to {rule}" if isinstance(rule, int) else str(rule)
    names = {"aic": "AIC", "bic": "BIC", "hqic": "HQ"}
    picked = names.get(str(rule), str(rule))
    others = ", ".join(f"{names[k]} {v}" for k, v in choice.items() if k != rule and k in names)
    text = f"chosen by {picked} over 1..{var.get('max_lags')}; {others}"
    if var.get("at_max_lags"):
        text += (f"; {picked} chose the largest order searched (max_lags = {var.get('max_lags')}), so the search "
                 "may be cut short")
    return text


def data_tables(study: Study, main: JobOutput) -> list[TableView]:
    """The universe (membership) table of the main job and, under ``membership = "varying"``, every change of
    composition with its date."""
    members = main.info.get("members", {})
    membership = main.info.get("membership", {})
    records = membership.get("table", [])
    rows = []
    for group, tickers in study.groups.items():
        used = members.get(group, [])
        reasons = {r["ticker"]: r.get("reason", "") for r in records if r.get("group") == group}
        left = [f"{t} ({reasons[t]})" if reasons.get(t) else t for t in tickers if t not in used]
        rows.append((group, ", ".join(used), "; ".join(left) or "-"))
    frame = pd.DataFrame(rows, columns=["group", "members in the index", "left out (why)"])
    rule = membership.get("rule", "varying")
    sample = membership.get("sample", [None, None])
    note = (f"Membership '{rule}': " + (
        f"only members whose data cover the estimation sample ({sample[0]} to {sample[1]}, within "
        f"{membership.get('tolerance_sessions')} sessions) enter, so no index changes composition."
        if rule == "fixed" else "a member enters its group index when its data start and leaves when they end; "
        "the table below lists every change.")) if membership else ""
    out = [table_view(frame, "Universe: members of the equal-weighted group indices", note=note)]
    changes = membership.get("changes", [])
    if changes:
        change_frame = pd.DataFrame(changes)[["date", "group", "ticker", "change"]]
        out.append(table_view(change_frame, "Changes of group composition inside the estimation sample"))
    return out


def _section_unavailable(outputs: Mapping[str, JobOutput], *needles: str) -> str:
    main = outputs["main"]
    notes = [f"{k}: {v}" for k, v in sorted(main.unavailable.items()) if any(n.lower() in k.lower() for n in needles)]
    return "; ".join(notes)


def sections(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef], t: ReportTables,
             job_names: Sequence[str]) -> list[Section]:
    """The result sections of the page before the event sections: connectedness (and the frequency, quantile
    and DCC-GARCH connectedness the study switches on), impulse responses, asset network, DCC, VIRF, the
    event-day moves and (with robustness jobs) the robustness table."""
    out = [
        *describe_sections(t.describe),
        _connectedness(study, outputs, made, t),
        *change_sections(study, t.change),
        *model_sections(study, outputs, made, t),
        _impulse_responses(study, made),
        asset_network_section(study, outputs, made, t),
        _dcc(outputs, made, t.dcc_params),
        _virf(study, outputs, made),
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
        conn.text.append(f"Total connectedness: {total:.2f}%{total_bounds(directional, 'TOTAL', 'total')} of the "
                         f"forecast-error variance of the group volatility indices comes from shocks to other groups "
                         f"(horizon {study.var.horizon}).")
        cells = static_cells[(static_cells["job"] == "main") & (static_cells["model"] == "group_var")]
        order = [g for g in study.groups if g in set(cells["receiver"])]
        dy = cells.pivot(index="receiver", columns="transmitter", values="value").reindex(index=order, columns=order)
        d = directional[(directional["job"] == "main") & (directional["model"] == "group_var")]
        from_others = d[d["measure"] == "from"].set_index("series")["value"]
        dy["FROM others"] = from_others.reindex(order).to_numpy()
        dy.index.name = "receiver \\ transmitter"
        conn.tables.append(table_view(dy, "Connectedness table (percent; row i: share of i's forecast-error "
                                          "variance due to shocks in column j)", index=True))
        wide = interval_cells(d[d["series"] != "TOTAL"], "series", "measure", "value")
        wide = wide.reindex([g for g in study.groups if g in wide.index])[["to", "from", "net"]]
        conn.tables.append(table_view(wide, "Directional connectedness (percent): TO others, FROM others, NET",
                                      index=True, note=band_caption(outputs)))
        first = next(iter(study.groups))
        pairs = groups[(groups["job"] == "main") & (groups["model"] == "group_var") & (groups["transmitter"] == first)]
        if len(pairs):
            conn.text.append(
                f"Net pairwise spillovers from {first}: " + "; ".join(
                    f"to {r.receiver} {r.net:+.2f}{pair_bounds(r)}" for r in pairs.itertuples())
                + " (percentage points).")
    else:
        conn.unavailable = _section_unavailable(outputs, "var", "connectedness") or "The VAR was not estimated."
    conn.figures = _figures(made, "connectedness_heatmap", "net_spillover_network", "rolling_total")
    extra = _section_unavailable(outputs, "rolling", "tvp")
    if extra:
        conn.unavailable = (conn.unavailable + "; " if conn.unavailable else "") + extra
    return conn


def _impulse_responses(study: Study, made: Mapping[str, FigureRef]) -> Section:
    irf = Section("Impulse responses")
    irf.text.append(f"Bands: {bands_note(study)}.")
    irf.figures = _figures(made, "irf_grid", *[n for n in made if n.startswith("irf_grid_")])
    if not irf.figures:
        irf.unavailable = "Impulse responses were not computed."
    return irf


def _dcc(outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef], dcc_params: pd.DataFrame) -> Section:
    dcc = Section("DCC-GARCH correlations")
    info = outputs["main"].info.get("dcc", {})
    if info:
        dcc.text.append(f"DCC on daily returns of {', '.join(info.get('assets', []))} from {info.get('start')} to "
                        f"{info.get('end')} ({info.get('n_obs')} observations).")
    if not dcc_params.empty:
        d = dcc_params[dcc_params["asset"] == "dcc"][["parameter", "estimate", "std_error"]]
        dcc.tables.append(table_view(d, "DCC parameters", digits=4))
        margins, bound = margin_table(dcc_params)
        if len(margins):
            dcc.tables.append(table_view(margins, "GARCH(1,1) margins: estimates (standard errors)", note=(
                "'on bound': the estimate sits on its zero bound (or the cap), where the QML standard error is "
                "not defined.") if bound else ""))
        if bound:
            dcc.text.append("Parameters on a bound: " + "; ".join(bound) + ". With alpha on its bound a margin's "
                            "conditional variance does not respond to shocks (its VIRF is zero); with beta on its "
                            "bound it has no persistence (a shock fades after one step).")
    dcc.figures = _figures(made, "dcc_correlations")
    dcc.unavailable = _section_unavailable(outputs, "dcc")
    return dcc


def margin_table(dcc_params: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The margins' estimates as text cells (``"on bound (0)"`` for an estimate on its bound, never a plain
    "0.0000") and the list of ``"ASSET parameter"`` on a bound, DCC parameters included."""
    flags = dcc_params["on_bound"] if "on_bound" in dcc_params.columns else pd.Series(False, index=dcc_params.index)
    flags = flags.astype(str).str.lower().isin(("true", "1"))
    bound = [f"{r.asset} {r.parameter}" for r, f in zip(dcc_params.itertuples(), flags, strict=True) if f]
    uni = dcc_params[dcc_params["asset"] != "dcc"]
    order = ["mu", "omega", "alpha", "beta"]
    found = list(dict.fromkeys(uni["parameter"]))
    parameters = [p for p in order if p in found] + [p for p in found if p not in order]
    rows = []
    for asset in dict.fromkeys(uni["asset"]):
        row: dict[str, str] = {"asset": str(asset)}
        for parameter in parameters:
            cell = uni[(uni["asset"] == asset) & (uni["parameter"] == parameter)]
            if not len(cell):
                row[parameter] = ""
                continue
            est, se = float(cell["estimate"].iloc[0]), float(cell["std_error"].iloc[0])
            if bool(flags[cell.index[0]]):
                row[parameter] = f"on bound ({est:.3g})"
            else:
                row[parameter] = f"{est:.4g}" + (f" ({se:.2g})" if np.isfinite(se) else "")
        rows.append(row)
    return pd.DataFrame(rows), bound


def _virf(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef]) -> Section:
    virf = Section("Volatility impulse responses")
    if study.dcc.enabled and study.virf.shocks:
        virf.text.extend(virf_statement(study))
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
    main = outputs["main"].info
    variants = {v.name: v for v in study.robustness}
    for name in job_names:
        d = directional[(directional["job"] == name) & (directional["model"] == "group_var")]
        total_row = d[(d["series"] == "TOTAL")]["value"]
        net_row = d[(d["series"] == first) & (d["measure"] == "net")]["value"]
        info = outputs[name].info
        sample = info.get("sample", {})
        var = info.get("var", {})
        lags = var.get("lag_order")
        variant = variants.get(name)
        how = ("main's" if variant is not None and variant.lags is None else
               str(variant.lags if variant is not None else study.var.lags))
        notes = [] if name == "main" else robustness_changes(main, info)
        notes += list(outputs[name].unavailable.values())
        rows.append((name, sample.get("start"), sample.get("end"), sample.get("n_obs"),
                     f"{lags} ({how})" if lags is not None else "-",
                     float(total_row.iloc[0]) if len(total_row) else np.nan,
                     float(net_row.iloc[0]) if len(net_row) else np.nan, "; ".join(notes) or "-"))
    frame = pd.DataFrame(rows, columns=["job", "start", "end", "observations", "lags", "total (%)", f"net {first}",
                                        "note"])
    rob.tables.append(table_view(frame, "Headline connectedness across the main and robustness jobs",
                                 note="Lags: the lag order of each job's VAR; a robustness job uses the main job's "
                                      "order unless the study sets its own. Note: every change of sample or "
                                      "group composition against the main job."))
    for variant in study.robustness:
        rob.text.append(f"{variant.name}: {variant.description or variant.window}")
    return rob


def robustness_changes(main: Mapping[str, Any], info: Mapping[str, Any]) -> list[str]:
    """Plain notes on how a robustness job's sample and group composition differ from the main job's."""
    notes = []
    a, b = main.get("sample", {}), info.get("sample", {})
    if (a.get("start"), a.get("end")) != (b.get("start"), b.get("end")):
        notes.append(f"sample {b.get('start')} to {b.get('end')} (main: {a.get('start')} to {a.get('end')})")
    ma, mb = main.get("members", {}), info.get("members", {})
    for group in ma:
        added = [t for t in mb.get(group, []) if t not in ma[group]]
        dropped = [t for t in ma[group] if t not in mb.get(group, [])]
        if added or dropped:
            change = ", ".join([*(f"+{t}" for t in added), *(f"-{t}" for t in dropped)])
            notes.append(f"{group} composition {change}")
    return notes


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
        ("Each group index keeps the members that cover the whole estimation sample (fixed membership); "
         "members that enter or leave during it (young tokens) are left out and named in the data section."
         if study.data.membership == "fixed" else
         "Members enter their group index when their history starts (varying membership), so the composition "
         "of a group changes over the sample; the data section lists every change."),
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
