"""The ``figures/`` of a run folder: which figures the data allow, their captions, and drawing them.

:func:`plan_figures` decides what to draw (a :class:`FigurePlan`: deferred drawings and the references the
pages show); :func:`draw_figures` draws and saves them, in forked processes when the run has several.

The study's ``[output] formats`` decide the files: ``png`` and ``pdf`` each write their own files, and when
neither is listed no figure is drawn at all (the pages then name each figure and say it was not written).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from contagion.report import figures as figs
from contagion.report import model_figures as model_figs
from contagion.report.inputs import ReportInputs, ReportTables
from contagion.report.render import FigureRef

__all__ = ["FIGURE_FORMATS", "FigurePlan", "draw_figures", "plan_figures"]

_GROUP_MODEL = "group_var"


#: The figure file formats, in the order they are written.
FIGURE_FORMATS: tuple[str, ...] = ("png", "pdf")


@dataclass
class FigurePlan:
    """Figures to draw (``(draw, file name)``) and the references the pages show, in page order.

    ``formats`` are the figure files to write (a subset of :data:`FIGURE_FORMATS`); when it is empty nothing
    is drawn and each reference says so (``FigureRef.formats == ()``).
    """

    formats: tuple[str, ...]
    drawings: list[tuple[Callable[[], Any], str]] = field(default_factory=list)
    made: dict[str, FigureRef] = field(default_factory=dict)

    def add(self, name: str, draw: Callable[[], Any], title: str, caption: str) -> None:
        if self.formats:
            self.drawings.append((draw, name))
        self.made[name] = FigureRef(file=f"figures/{name}", title=title, caption=caption, formats=self.formats)


def plan_figures(inputs: ReportInputs, t: ReportTables) -> FigurePlan:
    """Every figure the tables allow, in the order the report shows them."""
    plan = FigurePlan(formats=tuple(f for f in FIGURE_FORMATS if f in inputs.formats))
    _plan_var(plan, inputs, t)
    _plan_models(plan, inputs, t)
    _plan_dcc(plan, inputs, t)
    _plan_events(plan, inputs, t)
    return plan


def _plan_var(plan: FigurePlan, inputs: ReportInputs, t: ReportTables) -> None:
    study, sim = inputs.study, inputs.simulated
    var_irf, static_cells, groups, rolling = t.var_irf, t.static_cells, t.groups, t.rolling
    if not var_irf.empty:
        # one grid, for the first IRF kind of the study (every kind is in irf/var_irf.*): a 6 x 6 grid costs
        # seconds to draw twice (PNG and PDF)
        for kind in [k for k in study.var.irf_kinds if k in set(var_irf["kind"])][:1]:
            band = var_irf["band_method"].iloc[0]
            plan.add("irf_grid", partial(figs.irf_grid, var_irf[var_irf["job"] == "main"], kind=kind, simulated=sim,
                                         order=list(study.groups),
                                         title=f"{kind.capitalize()} impulse responses of group log volatility"),
                     f"{kind} impulse responses",
                     f"{kind.capitalize()} impulse responses of the group volatility indices, "
                     f"{study.var.irf_horizon} steps, {band} bands at level {study.var.level}")
    if not static_cells.empty:
        plan.add("connectedness_heatmap", partial(
            figs.connectedness_heatmap, static_cells, model=_GROUP_MODEL, job="main", simulated=sim,
            order=list(study.groups), title="Connectedness of group volatility (percent)"),
            "connectedness heatmap", "Generalized FEVD shares between the group volatility indices (rows receive)")
        if (static_cells["model"] == "asset_network").any():
            plan.add("connectedness_heatmap_assets", partial(
                figs.connectedness_heatmap, static_cells, model="asset_network", job="main", simulated=sim,
                order=list(study.tickers), title="Asset-level connectedness (percent)"),
                "asset-level heatmap", "Generalized FEVD shares between the assets of the network (rows receive)")
    if not groups.empty:
        plan.add("net_spillover_network", partial(
            figs.net_spillover_network, groups, model=_GROUP_MODEL, job="main", simulated=sim,
            order=list(study.groups), title="Net pairwise volatility spillovers"),
            "net spillover network", "Net pairwise spillovers between group volatility indices (arrow: from net "
                                     "transmitter to net receiver)")
    if not rolling.empty:
        events = [(e.name, pd.Timestamp(e.date)) for e in study.events]
        plan.add("rolling_total", partial(figs.rolling_total, rolling[rolling["job"] == "main"], events=events,
                                          simulated=sim, title="Total connectedness over time"),
                 "rolling total connectedness",
                 f"Total connectedness, rolling window of {study.connectedness.rolling_window} observations"
                 + (" and TVP-VAR" if study.connectedness.tvp else "") + ", events marked")


def _plan_models(plan: FigurePlan, inputs: ReportInputs, t: ReportTables) -> None:
    """Figures of the frequency, quantile, DCC-connectedness and penalised-network families (main job)."""
    study, sim = inputs.study, inputs.simulated
    events = [(e.name, pd.Timestamp(e.date)) for e in study.events]
    main = {name: frame[frame["job"] == "main"] if "job" in frame.columns else frame for name, frame in (
        ("frequency_rolling", t.frequency_rolling), ("quantile", t.quantile), ("quantile_rolling", t.quantile_rolling),
        ("dcc", t.dcc_connectedness), ("rolling", t.rolling), ("nodes", t.asset_network_nodes),
        ("edges", t.asset_network_edges))}
    if not main["frequency_rolling"].empty:
        plan.add("frequency_rolling", partial(model_figs.frequency_paths, main["frequency_rolling"], events=events,
                                              simulated=sim, title="Total connectedness by frequency band"),
                 "TCI by frequency band", f"Absolute TCI of each period band (days), rolling window of "
                 f"{study.connectedness.rolling_window} observations, stacked: the top edge is the rolling DY TCI "
                 f"at {study.connectedness.frequency_horizon} MA terms")
    if not main["quantile"].empty:
        plan.add("quantile_tci", partial(model_figs.quantile_tci, main["quantile"], main["quantile_rolling"],
                                         simulated=sim, title="Total connectedness across quantiles"),
                 "TCI by quantile", "TCI of the quantile VARs of the group indices across tau"
                 + (f"; right: rolling windows of {study.connectedness.quantile_window} observations"
                    if not main["quantile_rolling"].empty else ""))
    if not main["dcc"].empty:
        plan.add("tci_paths", partial(model_figs.tci_paths, main["rolling"], main["dcc"], events=events,
                                      simulated=sim, title="Total connectedness: rolling VAR, TVP-VAR and DCC-GARCH"),
                 "TCI paths", "TCI of the rolling-window and TVP-VAR connectedness of the group volatility indices "
                              "and of the DCC-GARCH connectedness of the DCC assets' returns (a different system)")
    if not main["nodes"].empty:
        estimator = study.connectedness.asset_network_estimator
        plan.add("asset_network", partial(model_figs.asset_network_graph, main["nodes"], main["edges"],
                                          order=list(study.groups), simulated=sim,
                                          title=f"Asset network ({estimator.replace('_', ' ')} VAR)"),
                 "asset network", f"Net pairwise spillovers between the {len(main['nodes'])} assets of the network "
                                  f"({estimator.replace('_', ' ')} VAR), assets grouped and coloured by group")


def _plan_dcc(plan: FigurePlan, inputs: ReportInputs, t: ReportTables) -> None:
    study, sim = inputs.study, inputs.simulated
    dcc_corr, dcc_virf = t.dcc_correlations, t.dcc_virf
    if not dcc_corr.empty:
        event = pd.Timestamp(study.events[0].date) if study.events else None
        assets = inputs.main.info.get("dcc", {}).get("assets", [])
        anchor = "NVDA" if "NVDA" in assets else (assets[0] if assets else "")
        partners = [a for a in assets if a != anchor and (a.startswith("BTC") or study.group_of.get(a) == "ai_token")]
        partners = partners or [a for a in assets if a != anchor]
        plan.add("dcc_correlations", partial(
            figs.dcc_event_correlations, dcc_corr, anchor=anchor, partners=partners, event=event,
            window_days=study.dcc.window_days, simulated=sim, title=f"DCC correlations of {anchor} around the event"),
            "DCC correlations", f"Conditional correlations of {anchor} with {', '.join(partners)}, "
                                f"{study.dcc.window_days} days either side of the event")
    if not dcc_virf.empty:
        for k, shock in enumerate(dict.fromkeys(dcc_virf["shock"])):
            responses = _virf_responses(dcc_virf, shock)
            name = "virf_paths" if k == 0 else f"virf_paths_{k + 1}"
            plan.add(name, partial(figs.virf_paths, dcc_virf, shock=shock, responses=responses, simulated=sim,
                                   title=f"VIRF: {shock}"),
                     f"VIRF {shock}", f"Volatility impulse responses to '{shock}' with {study.virf.level:.0%} bands")


def _plan_events(plan: FigurePlan, inputs: ReportInputs, t: ReportTables) -> None:
    study, abnormal = inputs.study, t.abnormal
    if abnormal.empty or "abnormal" not in abnormal.columns:
        return
    ar = abnormal[abnormal["group"].notna() & (abnormal["job"] == "main") & (abnormal["event"] == t.headline_event)]
    curve = (ar.groupby(["group", "tau"])["abnormal"].mean().groupby(level=0).cumsum()
             .rename("car").reset_index().rename(columns={"tau": "day"}))
    plan.add("car_by_group", partial(figs.car_by_group, curve, simulated=inputs.simulated,
                                     title=f"Cumulative abnormal returns by group: {study.events[0].name}"),
             "CAR by group", "Equal-weighted mean cumulative abnormal return by group, from the first event-window "
                             "observation")


def _virf_responses(virf: pd.DataFrame, shock: str, limit: int = 6) -> list[str]:
    """Variance responses (not covariances or correlations) of one shock, NVDA and BTC first."""
    names = list(dict.fromkeys(virf.loc[virf["shock"] == shock, "response"]))
    variances = [n for n in names if not any(mark in n for mark in ("~", ",", "corr", "cov"))]
    chosen = variances or names
    chosen.sort(key=lambda n: (0 if "NVDA" in n else 1 if "BTC" in n else 2, names.index(n)))
    return chosen[:limit]


def _draw_one(draw: Callable[[], Any], folder: Path, name: str, formats: tuple[str, ...]) -> None:
    """Draw one figure and write only ``formats``.

    A figure is a few hundred thousand objects in reference cycles, so its garbage is left to the cyclic
    collector, whose full collections walk the whole heap of the run (data, results, tables: 0.1-0.3 s each,
    a few per report, landing on whichever figure happens to be drawing). The heap that exists before the
    drawing is frozen (``gc.freeze``) for its duration, so any collection then, and the one that frees the
    figure at the end, visits only the figure's own objects; it is thawed afterwards. Only the cost changes:
    nothing is collected that would not be, and the files do not depend on it.
    """
    gc.freeze()
    try:
        figs.save_figure(draw(), folder, name, formats=formats)
        gc.collect()
    finally:
        gc.unfreeze()


def draw_figures(drawings: Sequence[tuple[Callable[[], Any], str]], folder: Path, n_jobs: int,
                 formats: tuple[str, ...] = FIGURE_FORMATS) -> None:
    """Draw and save the figures as ``formats``, in ``n_jobs`` forked processes when there is more than one.

    Each figure is independent and deterministic, so the files are the same either way. Nothing is drawn
    when ``formats`` is empty.
    """
    if not formats or not drawings:
        return
    if n_jobs <= 1 or len(drawings) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for draw, name in drawings:
            _draw_one(draw, folder, name, formats)
        return
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(drawings)), mp_context=context) as pool:
        futures = [pool.submit(_draw_one, draw, folder, name, formats) for draw, name in drawings]
        for future in futures:
            future.result()
