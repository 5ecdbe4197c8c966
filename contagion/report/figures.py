"""Report figures (matplotlib, Agg), drawn from the tidy result tables and saved deterministically.

A figure is written as the formats asked for, ``<name>.png`` (120 dpi) and/or ``<name>.pdf``, with fixed
metadata: no creation date in the PDF (``CreationDate=None``), only the ``Software`` key in the PNG, fixed fonts
and sizes. A demo run stamps "SIMULATED DATA" on every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

import matplotlib

matplotlib.use("Agg", force=False)

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

#: Resolution of the PNG files (the PDF files are vector graphics).
DPI = 120

#: The file formats :func:`save_figure` writes, in the order it writes them.
FORMATS: tuple[str, ...] = ("png", "pdf")

_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "png": {"dpi": DPI, "metadata": {"Software": "contagion (matplotlib)"}},
    "pdf": {"metadata": {"CreationDate": None, "ModDate": None, "Producer": "contagion (matplotlib)", "Creator": None}},
}

__all__ = [
    "DPI",
    "FORMATS",
    "car_by_group",
    "connectedness_heatmap",
    "dcc_event_correlations",
    "irf_grid",
    "net_spillover_network",
    "rolling_total",
    "save_figure",
    "virf_paths",
]

_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "svg.hashsalt": "contagion",
    "pdf.compression": 6,
    "path.simplify": False,
}


def _rc() -> AbstractContextManager[None]:
    """Context manager applying the report's fixed matplotlib settings."""
    return plt.rc_context(cast(Any, _RC))


def _new(width: float, height: float, simulated: bool, title: str | None = None) -> Figure:
    with _rc():
        fig = Figure(figsize=(width, height), dpi=150)
    if title:
        fig.suptitle(title, fontsize=9)
    if simulated:
        fig.text(0.99, 0.005, "SIMULATED DATA (demo run), not market data", ha="right", va="bottom",
                 fontsize=7, color="#b00020", weight="bold")
    return fig


def save_figure(fig: Figure, folder: Path, name: str, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``name.<format>`` for each of ``formats`` (PNG at :data:`DPI`, PDF) with deterministic metadata.

    Only the formats asked for are rendered (each costs a full draw of the figure); the paths are returned in
    the order of :data:`FORMATS`. An unknown format raises ``ValueError`` before anything is written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown figure format(s) {unknown}; choose from {list(FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with _rc():
        for fmt in (f for f in FORMATS if f in formats):
            path = folder / f"{name}.{fmt}"
            options = _SAVE_OPTIONS[fmt]
            fig.savefig(path, format=fmt, **{**options, "metadata": dict(options["metadata"])})
            paths.append(path)
    return paths


def _ordered(values: Iterable[Any], order: Sequence[str] | None) -> list[str]:
    found = [str(v) for v in dict.fromkeys(values)]
    if not order:
        return found
    return [v for v in order if v in found] + [v for v in found if v not in order]


# Panel grids (irf_grid, virf_paths) fix each panel's limits and ticks once, with numpy, instead of sharing axes
# and leaving the locators and formatters to run at every draw: shared axes make every limit query walk the
# siblings, and the tick machinery runs again for each saved format. The values are the ones matplotlib's
# defaults give (5% margins around the data, MaxNLocator ticks), so the figure looks the same.

_MARGIN = 0.05  # matplotlib's axes.xmargin / axes.ymargin
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)  # the steps of matplotlib's AutoLocator


def _limits(*values: Any) -> tuple[float, float]:
    """Data range of ``values`` (NaN ignored) widened by :data:`_MARGIN` on each side."""
    flat = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values])
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return -_MARGIN, _MARGIN
    lo, hi = float(flat.min()), float(flat.max())
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300):  # one value: a small band around it
        half = _MARGIN * (abs(lo) if lo != 0.0 else 1.0)
        return lo - half, hi + half
    pad = _MARGIN * (hi - lo)
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, nbins: int) -> Any:
    """At most ``nbins + 1`` round tick values inside ``[lo, hi]`` (MaxNLocator's choice, computed once)."""
    values = np.asarray(MaxNLocator(nbins=nbins, steps=list(_STEPS)).tick_values(lo, hi), dtype=float)
    slack = 1e-10 * (hi - lo)
    return values[(values >= lo - slack) & (values <= hi + slack)]


def _fix_axis(ax: Any, which: str, limits: tuple[float, float], nbins: int, labels: bool = True) -> None:
    """Set one axis' limits and tick locations once (no locator runs at draw time); the labels stay
    matplotlib's ScalarFormatter's (plain decimals, or an ``1e-7`` offset for tiny responses)."""
    ticks = _ticks(*limits, nbins)
    if which == "x":
        ax.set_xlim(limits)
        ax.set_xticks(ticks)
        if not labels:
            ax.tick_params(axis="x", labelbottom=False)
    else:
        ax.set_ylim(limits)
        ax.set_yticks(ticks)


def _auto_nbins(axis: Any) -> int:
    """The tick count matplotlib's AutoLocator allows on ``axis`` at its final size (layout must be done)."""
    return int(np.clip(axis.get_tick_space(), 1, 9))


def _band_cells(sub: pd.DataFrame, keys: list[str]) -> dict[Any, tuple[Any, Any, Any, Any]]:
    """``(horizon, estimate, lower, upper)`` arrays of each cell of ``keys``, sorted by horizon, in one pass."""
    sub = sub.sort_values("horizon", kind="mergesort")
    cells: dict[Any, tuple[Any, Any, Any, Any]] = {}
    for key, cell in sub.groupby(keys if len(keys) > 1 else keys[0], sort=False):
        cells[key] = (cell["horizon"].to_numpy(dtype=float), cell["estimate"].to_numpy(dtype=float),
                      cell["lower"].to_numpy(dtype=float), cell["upper"].to_numpy(dtype=float))
    return cells


_EMPTY_CELL = (np.empty(0), np.empty(0), np.empty(0), np.empty(0))


def irf_grid(irf: pd.DataFrame, *, kind: str, title: str, simulated: bool = False,
             order: Sequence[str] | None = None) -> Figure:
    """Grid of impulse responses (rows: responses, columns: impulses) with their bands.

    All panels share the horizon axis (labelled on the bottom row only); each has its own response scale.
    """
    sub = irf[irf["kind"] == kind]
    impulses = _ordered(sub["impulse"], order)
    responses = _ordered(sub["response"], order)
    n_i, n_r = len(impulses), len(responses)
    cells = _band_cells(sub, ["impulse", "response"])
    x_limits = _limits(sub["horizon"].to_numpy(dtype=float))
    with _rc():
        fig = _new(1.45 * n_i + 0.8, 1.05 * n_r + 0.8, simulated, title)
        axes = fig.subplots(n_r, n_i, squeeze=False)
        for c, impulse in enumerate(impulses):
            for r, response in enumerate(responses):
                ax = axes[r][c]
                ax.set_autoscale_on(False)
                h, estimate, lower, upper = cells.get((impulse, response), _EMPTY_CELL)
                band = bool(np.isfinite(lower).any())
                ax.axhline(0.0, color="0.6", lw=0.5)
                if band:
                    ax.fill_between(h, lower, upper, color="#9ecae1", alpha=0.6, lw=0)
                ax.plot(h, estimate, color="#08519c", lw=1.0)
                _fix_axis(ax, "x", x_limits, 4, labels=r == n_r - 1)
                _fix_axis(ax, "y", _limits(estimate, lower, upper, 0.0) if band else _limits(estimate, 0.0), 3)
                if r == 0:
                    ax.set_title(f"shock: {impulse}", y=1.0)  # a fixed y skips the title's overlap search
                if c == 0:
                    ax.set_ylabel(str(response))
                if r == n_r - 1:
                    ax.set_xlabel("horizon")
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.07, top=0.92, wspace=0.45, hspace=0.3)
    return fig


def connectedness_heatmap(static: pd.DataFrame, *, model: str, job: str, title: str,
                          simulated: bool = False, order: Sequence[str] | None = None) -> Figure:
    """Heatmap of the connectedness table (percent; rows receive, columns transmit)."""
    cells = static[(static["model"] == model) & (static["job"] == job)]
    names = _ordered(cells["receiver"], order)
    matrix = cells.pivot(index="receiver", columns="transmitter", values="value").loc[names, names].to_numpy(float)
    n = len(names)
    size = max(3.5, 0.32 * n + 2.0)
    with _rc():
        fig = _new(size + 0.8, size, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        # "none": a PDF embeds the N x N cells as they are instead of a resampled 150-dpi raster (0.06 s and a
        # third of the file for 31 assets); the PNG is pixel for pixel what the default gives (nearest)
        image = ax.imshow(matrix, cmap="viridis", aspect="equal", interpolation="none")
        ax.set_xticks(range(n), labels=names, rotation=90)
        ax.set_yticks(range(n), labels=names)
        ax.set_xlabel("transmitter (shock from)")
        ax.set_ylabel("receiver (variance of)")
        if n <= 12:
            for i in range(n):
                for j in range(n):
                    ax.text(j, i, f"{matrix[i, j]:.1f}", ha="center", va="center", fontsize=6,
                            color="white" if matrix[i, j] < np.nanmax(matrix) * 0.6 else "black")
        fig.colorbar(image, ax=ax, shrink=0.8, label="percent")
        label_inches = 0.06 * max(len(n) for n in names) + 0.45  # rotated tick labels plus the axis label
        fig.subplots_adjust(left=min(0.45, label_inches / (size + 0.8)), bottom=min(0.45, label_inches / size),
                            right=0.95, top=0.92)
    return fig


def net_spillover_network(groups: pd.DataFrame, *, model: str, job: str, title: str,
                          simulated: bool = False, order: Sequence[str] | None = None) -> Figure:
    """Network of net pairwise spillovers: nodes on a circle, an arrow from the net transmitter."""
    sub = groups[(groups["model"] == model) & (groups["job"] == job)]
    names = _ordered([*sub["transmitter"], *sub["receiver"]], order)
    n = len(names)
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    pos = {name: (float(np.cos(a)), float(np.sin(a))) for name, a in zip(names, angle)}
    net_to: dict[tuple[str, str], float] = {}
    for t, rcv, net in zip(sub["transmitter"].astype(str), sub["receiver"].astype(str), sub["net"].astype(float)):
        if t != rcv and net > 0:
            net_to[(t, rcv)] = float(net)
    largest = max(net_to.values(), default=1.0)
    node_net = {name: sum(v for (t, _), v in net_to.items() if t == name)
                - sum(v for (_, rcv), v in net_to.items() if rcv == name) for name in names}
    with _rc():
        fig = _new(5.0, 5.0, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for (t, rcv), value in sorted(net_to.items()):
            x0, y0 = pos[t]
            x1, y1 = pos[rcv]
            ax.annotate("", xy=(x1 * 0.86, y1 * 0.86), xytext=(x0 * 0.86, y0 * 0.86),
                        arrowprops={"arrowstyle": "-|>", "lw": 0.4 + 3.0 * value / largest,
                                    "color": "#444444", "alpha": 0.75, "shrinkA": 8, "shrinkB": 8})
        for name in names:
            x, y = pos[name]
            color = "#d62728" if node_net[name] > 0 else "#1f77b4"
            ax.scatter([x], [y], s=300 + 40 * abs(node_net[name]), color=color, zorder=3)
            ax.text(x * 1.3, y * 1.3, f"{name}\n({node_net[name]:+.1f})", ha="center", va="center", fontsize=7)
        ax.set_xlim(-1.5, 1.5)
        ax.set_ylim(-1.5, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.text(-1.45, -1.45, "red: net transmitter, blue: net receiver; arrow width = net pairwise spillover",
                fontsize=6, color="0.3")
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.93)
    return fig


def rolling_total(rolling: pd.DataFrame, *, events: Sequence[tuple[str, pd.Timestamp]], title: str,
                  simulated: bool = False) -> Figure:
    """Total connectedness over time (rolling window and TVP-VAR), with the events marked."""
    sub = rolling[(rolling["series"] == "TOTAL") & (rolling["measure"] == "total")]
    with _rc():
        fig = _new(7.0, 3.2, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for method, part in sub.groupby("method", sort=True):
            part = part.sort_values("date")
            ax.plot(pd.to_datetime(part["date"]), part["value"].to_numpy(float), lw=1.0,
                    label={"rolling": "rolling window", "tvp": "TVP-VAR"}.get(str(method), str(method)))
        for name, day in events:
            when: Any = pd.Timestamp(day)
            ax.axvline(when, color="#b00020", lw=0.9, ls="--")
            ax.text(when, ax.get_ylim()[1], f" {name}", color="#b00020", va="top", fontsize=7)
        ax.set_ylabel("total connectedness (%)")
        ax.legend(loc="lower left")
        fig.autofmt_xdate()
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.9)
    return fig


def dcc_event_correlations(correlations: pd.DataFrame, *, anchor: str, partners: Sequence[str],
                           event: pd.Timestamp | None, window_days: int, title: str,
                           simulated: bool = False) -> Figure:
    """DCC correlations of ``anchor`` (NVDA) with ``partners`` (BTC, AI tokens) around the event."""
    with _rc():
        fig = _new(7.0, 3.4, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for partner in partners:
            pair = correlations[((correlations["x"] == anchor) & (correlations["y"] == partner))
                                | ((correlations["x"] == partner) & (correlations["y"] == anchor))]
            pair = pair.assign(date=pd.to_datetime(pair["date"])).sort_values("date")
            if event is not None:
                lo = event - pd.Timedelta(days=window_days)
                hi = event + pd.Timedelta(days=window_days)
                pair = pair[(pair["date"] >= lo) & (pair["date"] <= hi)]
            if pair.empty:
                continue
            ax.plot(pair["date"], pair["correlation"].to_numpy(float), lw=1.0, label=f"{anchor} ~ {partner}")
        if event is not None:
            ax.axvline(cast(Any, event), color="#b00020", lw=0.9, ls="--")
        ax.set_ylabel("conditional correlation")
        ax.legend(loc="best", ncol=2)
        fig.autofmt_xdate()
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.9)
    return fig


def virf_paths(virf: pd.DataFrame, *, shock: str, responses: Sequence[str], title: str,
               simulated: bool = False) -> Figure:
    """VIRF paths (with bands) of the selected responses to one shock."""
    sub = virf[virf["shock"] == shock]
    n = max(len(responses), 1)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    cells = _band_cells(sub[sub["response"].isin(list(responses))], ["response"])
    x_limits = _limits(*[cells.get(r, _EMPTY_CELL)[0] for r in responses])
    with _rc():
        fig = _new(2.4 * cols + 0.6, 1.8 * rows + 0.8, simulated, title)
        axes = fig.subplots(rows, cols, squeeze=False)
        y_limits: list[tuple[float, float]] = []
        for k, response in enumerate(responses):
            ax = axes[k // cols][k % cols]
            ax.set_autoscale_on(False)
            h, estimate, lower, upper = cells.get(response, _EMPTY_CELL)
            band = bool(np.isfinite(lower).any())
            if band:
                ax.fill_between(h, lower, upper, color="#fdd0a2", alpha=0.7, lw=0)
            ax.plot(h, estimate, color="#a63603", lw=1.0)
            ax.axhline(0.0, color="0.6", lw=0.5)
            ax.set_title(str(response), y=1.0)  # a fixed y skips the title's overlap search
            y_limits.append(_limits(estimate, lower, upper, 0.0) if band else _limits(estimate, 0.0))
        for k in range(len(responses), rows * cols):
            axes[k // cols][k % cols].axis("off")
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.1, top=0.85, wspace=0.35, hspace=0.45)
        for k, limits in enumerate(y_limits):  # tick counts depend on the panel size: after the layout
            ax = axes[k // cols][k % cols]
            _fix_axis(ax, "x", x_limits, _auto_nbins(ax.xaxis), labels=k // cols == rows - 1)
            _fix_axis(ax, "y", limits, _auto_nbins(ax.yaxis))
    return fig


def car_by_group(car: pd.DataFrame, *, title: str, simulated: bool = False) -> Figure:
    """Cumulative abnormal returns by group (columns ``group``, ``day``, ``car``)."""
    with _rc():
        fig = _new(6.0, 3.2, simulated, title)
        ax = fig.add_subplot(1, 1, 1)
        for group, part in car.groupby("group", sort=True):
            part = part.sort_values("day")
            ax.plot(part["day"].to_numpy(), 100 * part["car"].to_numpy(float), marker="o", ms=2, lw=1.0,
                    label=str(group))
        ax.axvline(0, color="#b00020", lw=0.9, ls="--")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlabel("event time (observations)")
        ax.set_ylabel("CAR (%)")
        ax.legend(loc="best", ncol=2)
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.9)
    return fig
