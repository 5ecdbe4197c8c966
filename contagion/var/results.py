"""Result objects of a VAR other than ``VARResults``: impulse responses and Granger tests.

Both are frozen; arrays are read-only. Made by :meth:`contagion.var.model.VARResults.irf` (through
:mod:`contagion.var.irf`) and :meth:`~contagion.var.model.VARResults.granger`; re-exported by
:mod:`contagion.var.model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import BandMethod, Float64Array, Float64Array3D

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["GrangerResult", "IRFKind", "IRFResult"]

#: IRF kinds: the two of the issue plus "unit" (non-orthogonalised A_h, ``vars::irf(ortho = FALSE)``).
IRFKind = Literal["orthogonal", "generalized", "unit"]


@dataclass(frozen=True, eq=False)
class GrangerResult(SummaryReprMixin):
    """Wald / F test that the lags of ``cause`` do not enter the equations of ``effect``.

    ``statistic`` is the F form (Wald / number of restrictions) with ``df = (q, N (T - Np - 1))``, as
    ``vars::causality`` and statsmodels ``test_causality(kind="f")``; ``wald`` is the chi-square form.
    """

    cause: tuple[str, ...]
    effect: tuple[str, ...]
    statistic: float
    df: tuple[int, int]
    pvalue: float
    wald: float
    wald_pvalue: float

    def to_frame(self) -> pd.DataFrame:
        """One row: cause, effect, F statistic, df, p-values."""
        return pd.DataFrame(
            [
                {
                    "cause": ", ".join(self.cause),
                    "effect": ", ".join(self.effect),
                    "F": self.statistic,
                    "df1": self.df[0],
                    "df2": self.df[1],
                    "pvalue": self.pvalue,
                    "wald": self.wald,
                    "wald_pvalue": self.wald_pvalue,
                }
            ]
        )

    def summary(self) -> Summary:
        """The test as text (``vars::causality`` layout); its table is :meth:`to_frame`."""
        text = (
            f"Granger causality: H0 = {', '.join(self.cause)} do not Granger-cause {', '.join(self.effect)}\n"
            f"F-Test = {self.statistic:.4f}, df1 = {self.df[0]}, df2 = {self.df[1]}, p-value = {self.pvalue:.4g}\n"
            f"Wald chi2 = {self.wald:.4f}, df = {self.df[0]}, p-value = {self.wald_pvalue:.4g}"
        )
        return Summary("Granger causality", tables=(("test", self.to_frame()),), text=text)

    def __str__(self) -> str:
        return self.summary().as_text()


@dataclass(frozen=True, eq=False)
class IRFResult(SummaryReprMixin):
    r"""Impulse responses of a VAR, with optional confidence bands. Immutable.

    Arrays are ``(horizon + 1, response, impulse)``: ``estimate[h, i, j]`` is the response of variable i,
    h periods after a shock to j (h = 0..horizon, like ``vars::irf(n.ahead = horizon)``).

    Attributes
    ----------
    names : tuple of str
    kind : {"orthogonal", "generalized"}
    horizon : int
    cumulative : bool
    estimate : ndarray of shape (horizon + 1, N, N)
        Point estimate from the OLS fit (never bias-corrected, also with ``bands="kilian"``).
    lower, upper : ndarray of shape (horizon + 1, N, N) or None
        Band limits at ``level``; None without bands.
    bands : {None, "asymptotic", "bootstrap", "kilian", "wild"}
    level : float
    reps : int
        Bootstrap replications (per stage for Kilian); 0 for asymptotic or no bands.
    seed : int or None
    draws : ndarray of shape (reps, horizon + 1, N, N) or None
        Bootstrap draws of the (cumulated if ``cumulative``) responses, for other quantiles.
    stderr : ndarray of shape (horizon + 1, N, N) or None
        Delta-method standard errors (``bands="asymptotic"`` only).
    n_explosive : int
        Bootstrap draws whose (corrected) coefficients are not stationary (kept in the percentiles).
    kilian_delta : float or None
        Shrink factor of the Kilian correction applied to the point estimate (1 = full correction).
    """

    names: tuple[str, ...]
    kind: IRFKind
    horizon: int
    cumulative: bool
    estimate: Float64Array3D
    lower: Float64Array3D | None = None
    upper: Float64Array3D | None = None
    bands: BandMethod | None = None
    level: float = 0.95
    reps: int = 0
    seed: int | None = None
    draws: Float64Array | None = field(default=None, repr=False)
    stderr: Float64Array3D | None = field(default=None, repr=False)
    n_explosive: int = 0
    kilian_delta: float | None = None

    def __post_init__(self) -> None:
        for arr in (self.estimate, self.lower, self.upper, self.draws, self.stderr):
            if arr is not None:
                arr.flags.writeable = False

    def to_frame(self) -> pd.DataFrame:
        """Long form: one row per (impulse, response, horizon) with ``estimate, lower, upper``.

        ``lower`` and ``upper`` are NaN when the result has no bands (``bands=None``).
        """
        h, i, j = np.indices(self.estimate.shape)  # (horizon, response, impulse)
        order = np.lexsort((h.ravel(), i.ravel(), j.ravel()))  # impulse, response, horizon
        names = np.asarray(self.names, dtype=object)
        nan = np.full(self.estimate.size, np.nan)
        lower = self.lower.ravel() if self.lower is not None else nan
        upper = self.upper.ravel() if self.upper is not None else nan
        frame = pd.DataFrame(
            {
                "impulse": names[j.ravel()[order]],
                "response": names[i.ravel()[order]],
                "horizon": h.ravel()[order],
                "estimate": self.estimate.ravel()[order],
                "lower": lower[order],
                "upper": upper[order],
            }
        )
        return frame

    def summary(self) -> Summary:
        """Method, scaling and the responses at a few horizons (that table is the main one)."""
        kind = {
            "orthogonal": "orthogonalised (Cholesky of the d.o.f.-corrected Sigma_u, column order matters)",
            "generalized": "generalized (Pesaran-Shin, one-s.d. shock: sigma_jj^-1/2 A_h Sigma_u e_j; order-invariant)",
            "unit": "non-orthogonalised (unit shock in u_j: the MA coefficients A_h)",
        }[self.kind]
        band = (
            "none"
            if self.bands is None
            else f"{self.bands}, level {self.level:g}"
            + (f", {self.reps} replications, seed {self.seed}" if self.reps else "")
        )
        lines = [
            f"Impulse responses: {kind}",
            f"{'Cumulative' if self.cumulative else 'Non-cumulative'}, h = 0..{self.horizon}; bands: {band}",
        ]
        notes = []
        if self.n_explosive:
            notes.append(f"{self.n_explosive} bootstrap draws were non-stationary")
            lines.append(f"warning: {notes[-1]}")
        frame = self.to_frame()
        show = sorted({0, 1, min(5, self.horizon), self.horizon})
        frame = frame[frame["horizon"].isin(show)].reset_index(drop=True)
        lines.append(frame.to_string(index=False, float_format=lambda v: f"{v: .5g}"))
        caption = f"responses at h = {', '.join(map(str, show))}"
        return Summary(lines[0], header=tuple(lines[1:2]), tables=((caption, frame),), notes=tuple(notes),
                       text="\n".join(lines))

    def plot(self, *, figsize: tuple[float, float] | None = None) -> Figure:
        """Grid of responses (rows) to impulses (columns) with shaded bands; returns the Figure."""
        import matplotlib.pyplot as plt

        n = len(self.names)
        size = figsize or (2.4 * n + 1.0, 1.9 * n + 0.8)
        fig, axes = plt.subplots(n, n, figsize=size, sharex=True, squeeze=False)
        hh = np.arange(self.horizon + 1)
        for i in range(n):
            for j in range(n):
                ax = axes[i, j]
                ax.axhline(0.0, color="0.6", lw=0.8)
                if self.lower is not None and self.upper is not None:
                    ax.fill_between(
                        hh, self.lower[:, i, j], self.upper[:, i, j], color="C0", alpha=0.25, lw=0
                    )
                ax.plot(hh, self.estimate[:, i, j], color="C0", lw=1.4)
                if i == 0:
                    ax.set_title(f"shock: {self.names[j]}", fontsize=9)
                if j == 0:
                    ax.set_ylabel(self.names[i], fontsize=9)
                if i == n - 1:
                    ax.set_xlabel("horizon")
                ax.tick_params(labelsize=7)
        title = f"{'Cumulative ' if self.cumulative else ''}{self.kind} impulse responses"
        if self.bands is not None:
            title += f" ({self.bands} {100 * self.level:g}% bands)"
        fig.suptitle(title, fontsize=10)
        fig.tight_layout()
        return fig
