"""The ``tables/*.tex`` files of a run folder (written when the study's formats include ``tex``).

Each table is drawn from the tidy tables as written (:class:`~contagion.report.inputs.ReportTables`) by a
builder of :mod:`contagion.report.tables`; a table whose data are missing is not written.
"""

from __future__ import annotations

from pathlib import Path

from contagion.report import tables as tex
from contagion.report.files import write_text
from contagion.report.inputs import ReportInputs, ReportTables
from contagion.report.model_sections import frequency_wide, network_top, quantile_wide

__all__ = ["latex_tables", "write_latex_tables"]

_GROUP_MODEL = "group_var"


def write_latex_tables(root: Path, inputs: ReportInputs, t: ReportTables) -> list[str]:
    """Write the LaTeX tables; returns the files written (relative to ``root``)."""
    if "tex" not in inputs.formats:
        return []
    written = []
    for name, text in latex_tables(inputs, t).items():
        write_text(root / "tables" / f"{name}.tex", text)
        written.append(f"tables/{name}.tex")
    return written


def latex_tables(inputs: ReportInputs, t: ReportTables) -> dict[str, str]:
    """The LaTeX source of every table the data allow, by file name (without ``.tex``)."""
    study, sim = inputs.study, inputs.simulated
    out = _connectedness_tables(inputs, t)
    if not t.dcc_params.empty:
        out["dcc_parameters"] = tex.dcc_parameter_table(t.dcc_params, caption="DCC-GARCH parameter estimates",
                                                        label="tab:dcc", simulated=sim)
    if not t.event_facts.empty:
        out["event_figures"] = tex.event_table(t.event_facts, label="tab:event", simulated=sim,
                                               caption=f"{study.events[0].name} ({study.events[0].date}): "
                                                       "event-day moves")
    out.update(_event_tables(inputs, t))
    out.update(_model_tables(inputs, t))
    job_names = inputs.job_names
    if len(job_names) > 1 and not t.directional.empty:
        source_group = next(iter(study.groups))
        out["robustness"] = tex.robustness_table(t.directional, job_names, source_group=source_group,
                                                 caption="Robustness: total connectedness and net spillover "
                                                         f"of {source_group} across jobs",
                                                 label="tab:robustness", simulated=sim)
    return out


def _connectedness_tables(inputs: ReportInputs, t: ReportTables) -> dict[str, str]:
    study, sim = inputs.study, inputs.simulated
    static_cells, directional, groups = t.static_cells, t.directional, t.groups
    out: dict[str, str] = {}
    if not static_cells.empty:
        out["dy_table"] = tex.dy_table(static_cells, directional, model=_GROUP_MODEL, job="main",
                                       caption="Connectedness of the group volatility indices (Diebold-Yilmaz)",
                                       label="tab:dy", simulated=sim, horizon=study.var.horizon)
        if (static_cells["model"] == "asset_network").any():
            out["dy_table_assets"] = tex.dy_table(static_cells, directional, model="asset_network", job="main",
                                                  caption="Asset-level connectedness (the asset network)",
                                                  label="tab:dy-assets", simulated=sim, horizon=study.var.horizon)
    if not groups.empty:
        model = "asset_network" if (groups["model"] == "asset_network").any() else _GROUP_MODEL
        out["group_spillovers"] = tex.group_spillover_table(
            groups, model=model, job="main", label="tab:groups", simulated=sim,
            caption="Between-group volatility spillovers" + (" (asset-level network)" if model == "asset_network" else ""))
    return out


def _event_tables(inputs: ReportInputs, t: ReportTables) -> dict[str, str]:
    sim = inputs.simulated
    forbes, group_car, facts = t.forbes, t.group_car, t.facts
    out: dict[str, str] = {}
    if not forbes.empty and "rho_turmoil_adjusted" in forbes.columns:
        out["forbes_rigobon"] = tex.simple_table(
            forbes, ["market", "group", "rho_tranquil", "rho_turmoil", "rho_turmoil_adjusted", "t_stat", "p_value",
                     "verdict"],
            caption=f"Forbes-Rigobon test, source {forbes['source'].iloc[0]}", label="tab:forbes-rigobon",
            simulated=sim, notes="Heteroskedasticity-adjusted turmoil correlation versus tranquil correlation, "
                                 "one-sided Fisher z test (Forbes and Rigobon 2002).")
    if not group_car.empty:
        out["event_study"] = tex.simple_table(
            group_car, ["group", "window", "n_assets", "mean_car", "t_cross", "t_bmp"],
            caption="Event study: mean cumulative abnormal returns by group", label="tab:event-study",
            simulated=sim, digits=4, notes="t_cross: cross-sectional t; t_bmp: Boehmer, Musumeci and Poulsen "
                                          "(1991) standardised t.")
    if not facts.empty and "verdict" in facts.columns:
        out["deepseek_facts"] = tex.simple_table(
            facts, ["claim", "close_to_close", "aligned_session", "intraday_low", "two_day", "verdict"],
            caption="The DeepSeek story against the data", label="tab:facts", simulated=sim,
            notes="Percent moves (a fall is negative); group claims show the median across the group.")
    return out


def _model_tables(inputs: ReportInputs, t: ReportTables) -> dict[str, str]:
    """Frequency bands (short / long run), quantile levels and the asset network's top transmitters."""
    study, sim = inputs.study, inputs.simulated
    order = list(study.groups)
    out: dict[str, str] = {}
    absolute = frequency_wide(t.frequency, order, "absolute")
    if not absolute.empty:
        within = frequency_wide(t.frequency, order, "within")
        wide = absolute.add_prefix("abs. ").join(within.add_prefix("within "), how="left").reset_index()
        horizon = study.connectedness.frequency_horizon
        out["frequency_bands"] = tex.simple_table(
            wide, list(wide.columns), caption="Connectedness by period band (days): short run and long run",
            label="tab:frequency", simulated=sim, digits=2,
            notes=f"Barunik-Krehlik (2018) bands of the group VAR at {horizon} MA terms, percent. Absolute: the "
                  "band tables sum to the Diebold-Yilmaz table (total); within: each band table rescaled to sum "
                  "to 100 N.")
    quantile = quantile_wide(t.quantile, order)
    if not quantile.empty:
        out["quantile_connectedness"] = tex.simple_table(
            quantile.reset_index(), ["tau", *quantile.columns], caption="Connectedness across quantiles",
            label="tab:quantile", simulated=sim, digits=2,
            notes="Quantile VARs of the group indices (Ando, Greenwood-Nimmo and Shin 2022), generalized FEVD, "
                  "percent; cTCI = TCI N / (N - 1).")
    top = network_top(t.asset_network_nodes)
    if not top.empty:
        estimator = study.connectedness.asset_network_estimator.replace("_", " ")
        out["asset_network_top"] = tex.simple_table(
            top, list(top.columns), caption=f"Largest net transmitters and receivers of the asset network "
                                            f"({estimator} VAR)",
            label="tab:asset-network", simulated=sim, digits=2,
            notes="TO, FROM and NET in percent; rank 1 is the largest NET.")
    return out
