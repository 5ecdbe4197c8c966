"""Matplotlib figures for fitted VARs (one panel per equation). Imported lazily by ``VARResults.plot``."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from contagion._typing import Float64Array2D

__all__ = ["equation_panels"]


def equation_panels(
    names: tuple[str, ...],
    index: pd.Index,
    observed: Float64Array2D,
    resid: Float64Array2D,
    kind: Literal["fitted", "residuals"],
) -> Figure:
    """Panel i: variable i's data and fitted values (``observed - resid``), or its residuals around zero."""
    n = len(names)
    fig = Figure(figsize=(8.0, 1.8 * n + 0.8))
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    x = index if len(index) == observed.shape[0] else np.arange(observed.shape[0])
    for i, ax in enumerate(axes):
        if kind == "fitted":
            ax.plot(x, observed[:, i], color="0.55", lw=0.8, label="data")
            ax.plot(x, observed[:, i] - resid[:, i], color="C0", lw=1.0, label="fitted")
        else:
            ax.axhline(0.0, color="0.6", lw=0.8)
            ax.plot(x, resid[:, i], color="C3", lw=0.8, label="residual")
        ax.set_ylabel(names[i], fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper right", frameon=False)
    fig.suptitle("VAR fitted values" if kind == "fitted" else "VAR residuals", fontsize=10)
    fig.tight_layout()
    return fig
