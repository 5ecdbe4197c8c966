"""Page content of the model families beyond the headline VAR: the short-run / long-run table (frequency
bands), connectedness in the tails (quantile VARs), DCC-GARCH connectedness beside the rolling and TVP-VAR
paths, and the full asset network (OLS or penalised VAR).

The wide tables here (:func:`frequency_wide`, :func:`quantile_wide`, :func:`network_top`) serve the pages and
the LaTeX tables alike; :mod:`contagion.report.render` escapes and lays the sections out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from contagion.report.inputs import ReportTables
from contagion.report.render import FigureRef, Section, table_view
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["asset_network_section", "dcc_connectedness_section", "frequency_section", "frequency_wide",
           "model_sections", "network_top", "quantile_section", "quantile_wide"]


def _unavailable(outputs: Mapping[str, JobOutput], *needles: str) -> str:
    main = outputs["main"]
    return "; ".join(f"{k}: {v}" for k, v in sorted(main.unavailable.items())
                     if any(n.lower() in k.lower() for n in needles))


def _main(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["job"] == "main"] if not frame.empty and "job" in frame.columns else frame


def _figures(made: Mapping[str, FigureRef], *names: str) -> list[FigureRef]:
    return [made[n] for n in names if n in made]


# ---------------------------------------------------------------------- wide tables (pages and LaTeX)
def frequency_wide(frequency: pd.DataFrame, order: Sequence[str], convention: str) -> pd.DataFrame:
    """Rows TCI and NET per group, columns the bands in period order (and ``total`` for ``"absolute"``)."""
    sub = _main(frequency)
    sub = sub[(sub["convention"] == convention) & sub["measure"].isin(["TCI", "NET"])]
    if sub.empty:
        return pd.DataFrame()
    bands = list(dict.fromkeys(sub.sort_values("period_low", kind="mergesort")["band"]))
    bands = [b for b in bands if b != "total"] + (["total"] if "total" in bands else [])
    sub = sub.assign(row=[("TCI" if m == "TCI" else f"NET {s}") for m, s in zip(sub["measure"], sub["series"],
                                                                                strict=True)])
    rows = ["TCI"] + [f"NET {g}" for g in order if f"NET {g}" in set(sub["row"])]
    wide = sub.pivot(index="row", columns="band", values="value").reindex(index=rows, columns=bands)
    wide.index.name = "measure"
    wide.columns.name = None
    return wide


def quantile_wide(quantile: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Rows tau; columns TCI, cTCI and NET per group (the tau-by-measure table)."""
    sub = _main(quantile)
    if sub.empty:
        return pd.DataFrame()
    total = sub[sub["series"] == "TOTAL"].pivot(index="tau", columns="measure", values="value")
    net = sub[sub["measure"] == "NET"].pivot(index="tau", columns="series", values="value")
    net = net[[g for g in order if g in net.columns]].add_prefix("NET ")
    wide = pd.concat([total.reindex(columns=["TCI", "cTCI"]), net], axis=1).sort_index()
    wide.columns.name = None
    return wide


def network_top(nodes: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """The ``k`` largest net transmitters and the ``k`` largest net receivers of the asset network."""
    sub = _main(nodes)
    if sub.empty:
        return pd.DataFrame()
    sub = sub.sort_values("rank", kind="mergesort")
    top = sub.head(k).assign(role="transmitter")
    bottom = sub.tail(min(k, max(len(sub) - k, 0))).iloc[::-1].assign(role="receiver")
    out = pd.concat([top, bottom], ignore_index=True)
    return out[["role", "rank", "asset", "group", "to", "from", "net"]]


# ---------------------------------------------------------------------- sections
def model_sections(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                   t: ReportTables) -> list[Section]:
    """The sections of the families the study switched on, in page order (after the group connectedness)."""
    conn = study.connectedness
    out = []
    if conn.frequency:
        out.append(frequency_section(study, outputs, made, t))
    if conn.quantile:
        out.append(quantile_section(study, outputs, made, t))
    if conn.dcc_connectedness:
        out.append(dcc_connectedness_section(study, outputs, made, t))
    return out


def frequency_section(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                      t: ReportTables) -> Section:
    sec = Section("Short run and long run: connectedness by frequency band")
    info = outputs["main"].info.get("frequency", {})
    order = list(study.groups)
    absolute = frequency_wide(t.frequency, order, "absolute")
    if not absolute.empty:
        tci = info.get("tci", {})
        parts = " + ".join(f"{v:.2f} ({k})" for k, v in tci.items())
        sec.text.append(
            f"Barunik-Krehlik (2018) decomposition of the headline VAR at {info.get('horizon')} MA terms: the "
            f"absolute band TCIs add up to the Diebold-Yilmaz TCI at that horizon, {info.get('total', math.nan):.2f}"
            f"% = {parts}. Bands are periods in observations (days; a period p is the frequency 2 pi / p).")
        sec.tables.append(table_view(absolute, "TCI and NET by period band, absolute (percent; the bands sum to "
                                               "'total')", index=True))
        within = frequency_wide(t.frequency, order, "within")
        sec.tables.append(table_view(within, "TCI and NET by period band, within (each band's table rescaled to "
                                             "sum to 100 N: the share of the band's variance that is spillover)",
                                     index=True))
    sec.figures = _figures(made, "frequency_rolling")
    sec.unavailable = _unavailable(outputs, "frequency bands")
    return sec


def quantile_section(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                     t: ReportTables) -> Section:
    sec = Section("Connectedness in the tails: quantile VARs")
    info = outputs["main"].info.get("quantile", {})
    wide = quantile_wide(t.quantile, list(study.groups))
    if not wide.empty:
        sec.text.append(
            f"Quantile VAR({info.get('lags')}) of the group indices at tau = "
            f"{', '.join(f'{x:g}' for x in info.get('taus', []))} (Ando, Greenwood-Nimmo and Shin 2022), "
            f"generalized FEVD at {info.get('horizon')} MA terms; intercept only (no weekday terms). Sigma(tau) "
            "is the second-moment matrix of the quantile residuals, not demeaned (ConnectednessApproach), so tail "
            "quantiles show more connectedness even when the dynamics are the same at every quantile "
            "(docs/quantile.md).")
        if info.get("explosive"):
            sec.text.append("Unstable quantile VAR (kept, flagged) at tau = "
                            + ", ".join(f"{x:g}" for x in info["explosive"]) + ".")
        windows = {k: v for k, v in (info.get("explosive_windows") or {}).items() if v}
        if windows:
            sec.text.append(f"Rolling windows ({info.get('window')} observations, every {info.get('step')} rows, "
                            f"{info.get('n_windows')} windows) with an unstable quantile VAR, kept and flagged in "
                            "connectedness/quantile_rolling (column explosive): "
                            + ", ".join(f"tau = {k}: {v}" for k, v in windows.items()) + ".")
        sec.tables.append(table_view(wide, "TCI, corrected TCI and NET by quantile level (percent)", index=True))
    sec.figures = _figures(made, "quantile_tci")
    sec.unavailable = _unavailable(outputs, "quantile VAR")
    return sec


def dcc_connectedness_section(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                              t: ReportTables) -> Section:
    sec = Section("DCC-GARCH connectedness")
    info = outputs["main"].info.get("dcc_connectedness", {})
    if info:
        sec.text.append(
            f"Generalized volatility FEVD of the study's DCC-GARCH fit (Gabauer 2020), convention "
            f"'{info.get('convention')}', {info.get('horizon')} steps, on the returns of "
            f"{', '.join(info.get('assets', []))}: mean TCI {info.get('tci_mean', math.nan):.2f}% (range "
            f"{info.get('tci_min', math.nan):.2f} to {info.get('tci_max', math.nan):.2f}) over "
            f"{info.get('n_dates')} dates. This is a different system from the group volatility VAR: a DCC-GARCH "
            "has no volatility spillover in its variance equations, so its table measures co-movement of "
            "conditional covariances, and it depends on the units of the returns (decimal log returns here; "
            "docs/dcc-connectedness.md).")
        for flag in info.get("flags", []):
            sec.text.append(f"Flag: {flag}.")
    dcc = _main(t.dcc_connectedness)
    if not dcc.empty:
        mean = dcc[dcc["series"] != "TOTAL"].groupby(["series", "measure"])["value"].mean().unstack("measure")
        mean = mean.reindex(columns=[c for c in ("to", "from", "net") if c in mean.columns])
        order = [a for a in info.get("assets", []) if a in mean.index]
        sec.tables.append(table_view(mean.reindex(order or list(mean.index)),
                                     "Mean TO, FROM and NET over the dates (percent)", index=True))
    sec.figures = _figures(made, "tci_paths")
    sec.unavailable = _unavailable(outputs, "volatility FEVD")
    return sec


def asset_network_section(study: Study, outputs: Mapping[str, JobOutput], made: Mapping[str, FigureRef],
                          t: ReportTables) -> Section:
    """The asset-level network: its sample, estimator and penalty, the between-group table and the top net
    transmitters and receivers."""
    network = Section("Asset-level network")
    info: Mapping[str, Any] = outputs["main"].info.get("asset_network", {})
    assets = info.get("assets", [])
    if assets:
        network.text.append(_network_text(info))
    groups = t.groups
    asset_groups = groups[(groups["job"] == "main") & (groups["model"] == "asset_network")]
    if len(asset_groups):
        wide = asset_groups.pivot(index="receiver", columns="transmitter", values="spillover")
        order = [g for g in study.groups if g in wide.index]
        network.tables.append(table_view(wide.reindex(index=order, columns=order),
                                         "Between-group spillovers in the asset network (percent; rows receive)",
                                         index=True))
    top = network_top(t.asset_network_nodes)
    if not top.empty:
        network.tables.append(table_view(top, "Largest net transmitters and receivers of the asset network "
                                              "(percent; rank 1 = largest NET)"))
    network.figures = _figures(made, "asset_network", "connectedness_heatmap_assets")
    network.unavailable = _unavailable(outputs, "asset-level")
    return network


def _network_text(info: Mapping[str, Any]) -> str:
    assets = info.get("assets", [])
    estimator = str(info.get("estimator", "ols"))
    text = (f"VAR({info.get('lags')}) on the log volatility of the {len(assets)} assets with data from "
            f"{info.get('start')} to {info.get('end')} ({info.get('n_obs')} observations): {', '.join(assets)}.")
    if estimator == "ols":
        text += " Estimated by OLS."
    else:
        text += (f" Estimated by the {estimator.replace('_', ' ')} (Demirer, Diebold, Liu and Yilmaz 2018), "
                 f"penalty chosen once on the sample by {str(info.get('penalty_rule', '')).upper()} per equation "
                 f"(median {info.get('penalty_median', math.nan):.3g}, range {info.get('penalty_min', math.nan):.3g}"
                 f" to {info.get('penalty_max', math.nan):.3g}, standardised units); {info.get('n_nonzero')} of "
                 f"{info.get('n_coefficients')} lag coefficients are nonzero.")
    filled = info.get("filled") or {}
    if filled:
        text += " Interior gaps filled by interpolation: " + ", ".join(f"{k} ({v})" for k, v in filled.items()) + "."
    if info.get("left_out"):
        text += " Left out (data do not cover the network sample): " + ", ".join(info["left_out"]) + "."
    return text
