"""Figures of the model families beyond the headline VAR: the TCI paths side by side (rolling, TVP-VAR,
DCC-GARCH), TCI by frequency band over time, TCI across quantiles, and the full asset network.

Drawn from the tidy tables as written, with the settings of :mod:`contagion.report.figures` (fixed fonts,
deterministic files, "SIMULATED DATA" on a demo run).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from contagion.report.figures import _new, _ordered, _rc

__all__ = ["asset_network_graph", "frequency_paths", "quantile_tci", "tci_paths"]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf")


def _mark_events(ax: Any, events: Sequence[tuple[str, pd.Timestamp]]) -> None:
    for name, day in events:
        when: Any = pd.Timestamp(day)
        ax.axvline(when, color="#b00020", lw=0.9, ls="--")
        ax.text(when, ax.get_ylim()[1], f" {name}", color="#b00020", va="top", fontsize=7)


def tci_paths(rolling: pd.DataFrame, dcc: pd.DataFrame, *, events: Sequence[tuple[str, pd.Timestamp]], title: str,
              simulated: bool = False) -> Figure:
    """The rolling-window and TVP-VAR TCI of the group indices and the DCC-GARCH TCI of the DCC assets."""
    labels = {"rolling": "rolling-window VAR (group volatility)", "tvp": "TVP-VAR (group volatility)",
              "dcc": "DCC-GARCH (returns of the DCC assets)"}
    frames = [f for f in (rolling, dcc) if not f.empty]
    sub = pd.concat(frames, ignore_index=True) if frames else rolling
    sub = sub[(sub["series"] == "TOTAL") & (sub["measure"] == "total")]
    with _rc():
        fig = _new(7.0, 3.2, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for method in [m for m in ("rolling", "tvp", "dcc") if m in set(sub["method"])]:
            part = sub[sub["method"] == method].sort_values("date")
            ax.plot(pd.to_datetime(part["date"]), part["value"].to_numpy(float), lw=1.0, label=labels[method])
        _mark_events(ax, events)
        ax.set_ylabel("total connectedness index (%)")
        ax.legend(loc="lower left")
        fig.autofmt_xdate()
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.9)
    return fig


def frequency_paths(rolling: pd.DataFrame, *, events: Sequence[tuple[str, pd.Timestamp]], title: str,
                    simulated: bool = False) -> Figure:
    """Absolute TCI by frequency band over time, stacked: the top edge is the rolling DY TCI."""
    sub = rolling[rolling["convention"] == "absolute"]
    wide = sub.pivot(index="date", columns="band", values="value").sort_index()
    bands = list(dict.fromkeys(sub["band"]))
    wide = wide[bands]
    with _rc():
        fig = _new(7.0, 3.2, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        ax.stackplot(pd.to_datetime(wide.index), *[wide[b].to_numpy(float) for b in bands], labels=bands,
                     colors=_PALETTE[: len(bands)], alpha=0.8)
        _mark_events(ax, events)
        ax.set_ylabel("total connectedness index (%)")
        ax.legend(loc="upper left", title="period band")
        fig.autofmt_xdate()
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.9)
    return fig


def quantile_tci(static: pd.DataFrame, rolling: pd.DataFrame, *, title: str, simulated: bool = False) -> Figure:
    """TCI across quantile levels (left) and, when rolling windows were estimated, the TCI path of each level."""
    tci = static[(static["measure"] == "TCI") & (static["series"] == "TOTAL")].sort_values("tau")
    with _rc():
        fig = _new(7.0 if not rolling.empty else 3.8, 3.2, simulated, title)
        axes = fig.subplots(1, 2 if not rolling.empty else 1, squeeze=False)[0]
        ax = axes[0]
        ax.plot(tci["tau"].to_numpy(float), tci["value"].to_numpy(float), marker="o", color="#08519c", lw=1.0)
        ax.set_xlabel("quantile level tau")
        ax.set_ylabel("total connectedness index (%)")
        ax.set_xlim(0.0, 1.0)
        if not rolling.empty:
            ax = axes[1]
            levels = rolling["tau"].to_numpy(dtype=float)
            for k, tau in enumerate(sorted(set(levels.tolist()))):
                part = rolling[levels == tau].sort_values("date")
                ax.plot(pd.to_datetime(part["date"]), part["value"].to_numpy(float), lw=1.0,
                        color=_PALETTE[k % len(_PALETTE)], label=f"tau = {tau:g}")
            ax.legend(loc="lower left")
            ax.set_ylabel("rolling TCI (%)")
            for label in ax.get_xticklabels():
                label.set_rotation(30)
                label.set_ha("right")
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.2, top=0.88, wspace=0.3)
    return fig


def asset_network_graph(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str, order: Sequence[str] | None = None,
                        top: int = 40, simulated: bool = False) -> Figure:
    """Assets on a circle in group order, coloured by group, sized by |NET|; arrows for the ``top`` largest net
    pairwise spillovers (from the net transmitter of the pair)."""
    nodes = nodes.copy()
    groups = _ordered(nodes["group"], order)
    nodes["_g"] = nodes["group"].map({g: k for k, g in enumerate(groups)})
    nodes = nodes.sort_values(["_g", "rank"], kind="mergesort")
    names = [str(a) for a in nodes["asset"]]
    n = len(names)
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    pos = {name: (float(np.cos(a)), float(np.sin(a))) for name, a in zip(names, angle, strict=True)}
    net = dict(zip(names, nodes["net"].astype(float), strict=True))
    colour = {name: _PALETTE[int(g) % len(_PALETTE)] for name, g in zip(names, nodes["_g"], strict=True)}
    links = edges[(edges["net"] > 0) & edges["transmitter"].isin(names) & edges["receiver"].isin(names)]
    links = links.sort_values(["net", "transmitter", "receiver"], ascending=[False, True, True]).head(top)
    largest = float(links["net"].max()) if len(links) else 1.0
    scale = max((abs(v) for v in net.values()), default=1.0) or 1.0
    with _rc():
        fig = _new(6.5, 6.5, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for source, target, value in zip(links["transmitter"].astype(str), links["receiver"].astype(str),
                                         links["net"].to_numpy(dtype=float), strict=True):
            (x0, y0), (x1, y1) = pos[source], pos[target]
            ax.annotate("", xy=(x1 * 0.9, y1 * 0.9), xytext=(x0 * 0.9, y0 * 0.9),
                        arrowprops={"arrowstyle": "-|>", "lw": 0.3 + 2.0 * float(value) / largest,
                                    "color": "#444444", "alpha": 0.6, "shrinkA": 5, "shrinkB": 5})
        for name in names:
            x, y = pos[name]
            ax.scatter([x], [y], s=40 + 260 * abs(net[name]) / scale, color=colour[name], zorder=3,
                       edgecolors="black" if net[name] > 0 else "none", linewidths=0.8)
            ax.text(x * 1.13, y * 1.13, name, ha="center", va="center", fontsize=6)
        for k, group in enumerate(groups):
            ax.scatter([], [], color=_PALETTE[k % len(_PALETTE)], label=group)
        ax.legend(loc="lower right", fontsize=6, frameon=False)
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.text(-1.28, -1.28, f"node size: |NET|, black edge: net transmitter; arrows: the {len(links)} largest net "
                              "pairwise spillovers", fontsize=6, color="0.3")
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.94)
    return fig
