"""Matplotlib figures for connectedness results (heatmap, net-pairwise network, dynamic TCI / NET)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def _figure(ax: Any, size: tuple[float, float]) -> tuple[Figure, Any]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size)
    return fig, fig.add_subplot(1, 1, 1)


def heatmap(table: pd.DataFrame, ax: Any = None, title: str = "") -> Figure:
    """Annotated heatmap of a percent table (rows receive); the diagonal is shown but not coloured."""
    n = table.shape[0]
    fig, ax = _figure(ax, (1.2 + 0.7 * n, 1.0 + 0.6 * n))
    values = table.to_numpy(dtype=float)
    off = values.copy()
    np.fill_diagonal(off, np.nan)
    image = ax.imshow(off, cmap="Reds", vmin=0.0)
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                f"{values[i, j]:.1f}",
                ha="center",
                va="center",
                fontsize=8,
                color="grey" if i == j else "black",
            )
    ax.set_xticks(range(n), [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(n), [str(c) for c in table.index])
    ax.set_xlabel("shock from (transmitter)")
    ax.set_ylabel("variance of (receiver)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="% of forecast-error variance")
    return fig


def network(pairwise_net: pd.DataFrame, net: pd.Series, ax: Any = None, threshold: float = 0.0) -> Figure:
    """Nodes on a circle; arrow i -> j when i net-transmits more than ``threshold`` to j."""
    names = [str(c) for c in pairwise_net.index]
    n = len(names)
    fig, ax = _figure(ax, (6.0, 6.0))
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = np.column_stack([np.cos(angle), np.sin(angle)])
    values = pairwise_net.to_numpy(dtype=float)
    largest = max(float(np.max(values)), 1e-12)
    for i in range(n):
        for j in range(n):
            if values[i, j] > threshold:
                ax.annotate(
                    "",
                    xy=pos[j] * 0.9,
                    xytext=pos[i] * 0.9,
                    arrowprops={
                        "arrowstyle": "-|>",
                        "lw": 0.5 + 4.0 * values[i, j] / largest,
                        "color": "0.35",
                        "alpha": 0.8,
                        "shrinkA": 12,
                        "shrinkB": 12,
                    },
                )
    net_values = net.to_numpy(dtype=float)
    scale = max(float(np.max(np.abs(net_values))), 1e-12)
    colours = ["tab:red" if v > 0 else "tab:blue" for v in net_values]
    ax.scatter(
        pos[:, 0] * 0.9,
        pos[:, 1] * 0.9,
        s=200 + 1200 * np.abs(net_values) / scale,
        c=colours,
        alpha=0.85,
        zorder=3,
    )
    for k, name in enumerate(names):
        ax.text(
            pos[k, 0] * 1.12,
            pos[k, 1] * 1.12,
            f"{name}\n{net_values[k]:+.1f}",
            ha="center",
            va="center",
            fontsize=9,
        )
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.35, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("net pairwise spillovers (red: net transmitter)")
    return fig


def dynamic_total(total: pd.Series, net: pd.DataFrame, ax: Any = None, title: str = "") -> Figure:
    """TCI over time (top) and NET by variable (bottom)."""
    if ax is not None:
        fig: Figure = ax.figure
        ax.plot(total.index, total.to_numpy(), color="black", lw=1.0)
        ax.set_ylabel("TCI (%)")
        ax.set_title(title)
        return fig
    fig = Figure(figsize=(9.0, 6.0))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.fill_between(total.index, 0.0, total.to_numpy(), color="0.7")
    top.plot(total.index, total.to_numpy(), color="black", lw=0.8)
    top.set_ylabel("TCI (%)")
    top.set_title(title)
    for column in net.columns:
        bottom.plot(net.index, net[column].to_numpy(), lw=0.8, label=str(column))
    bottom.axhline(0.0, color="black", lw=0.5)
    bottom.set_ylabel("NET (%)")
    bottom.legend(ncol=min(len(net.columns), 5), fontsize=7, loc="upper left")
    fig.autofmt_xdate()
    return fig


def dynamic_net(net: pd.DataFrame) -> Figure:
    """One small panel per variable with its NET connectedness (shaded above / below zero)."""
    n = net.shape[1]
    ncols = min(n, 3)
    nrows = int(np.ceil(n / ncols))
    fig = Figure(figsize=(3.2 * ncols, 2.2 * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
    for k, column in enumerate(net.columns):
        values = net[column].to_numpy()
        axes[k].fill_between(net.index, 0.0, values, where=values >= 0, color="tab:red", alpha=0.6)
        axes[k].fill_between(net.index, 0.0, values, where=values < 0, color="tab:blue", alpha=0.6)
        axes[k].axhline(0.0, color="black", lw=0.5)
        axes[k].set_title(str(column), fontsize=9)
    for k in range(n, len(axes)):
        axes[k].axis("off")
    fig.autofmt_xdate()
    return fig
