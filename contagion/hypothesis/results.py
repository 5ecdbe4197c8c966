"""What the contagion tests return: one frozen result per test, each with ``summary()``, ``to_frame()`` and
``plot()``.

* :class:`ForbesRigobonResult` (:func:`~contagion.hypothesis.forbes_rigobon`),
* :class:`CorrelationShiftResult` (:func:`~contagion.hypothesis.correlation_shift`),
* :class:`GrangerInVarianceResult` (:func:`~contagion.hypothesis.granger_in_variance`).

The test size is ``alpha`` on every result; ``level`` is its deprecated spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from contagion._compat import deprecated_alias
from contagion._summary import Summary, SummaryReprMixin
from contagion.errors import SpecificationError
from contagion.hypothesis._utility import Averaging, table_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CorrelationShiftResult", "ForbesRigobonResult", "GrangerInVarianceResult"]


def _figure(n_panels: int, *, width: float = 7.0, height: float = 2.6) -> tuple[Figure, list[Axes]]:
    """A pyplot-free figure with ``n_panels`` stacked axes (matplotlib is imported only here)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height * n_panels), layout="constrained")
    return fig, [fig.add_subplot(n_panels, 1, i + 1) for i in range(n_panels)]


@dataclass(frozen=True, kw_only=True)
class ForbesRigobonResult(SummaryReprMixin):
    """Forbes-Rigobon contagion test of every market against one source.

    ``table`` holds one row per market: ``market, n_tranquil, n_turmoil, var_source_tranquil,
    var_source_turmoil, delta, rho_tranquil, rho_turmoil, rho_turmoil_adjusted, z_tranquil,
    z_turmoil_adjusted, t_stat, p_value, verdict``. ``delta`` is computed on each pair's complete rows.
    """

    source: str
    tranquil: tuple[pd.Timestamp, pd.Timestamp]
    turmoil: tuple[pd.Timestamp, pd.Timestamp]
    alpha: float
    averaging: Averaging
    policy: str
    table: pd.DataFrame = field(repr=False)

    level = deprecated_alias("alpha", old="level")

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per (source, market) pair."""
        out = self.table.copy()
        out.insert(0, "source", self.source)
        return out

    @property
    def verdicts(self) -> pd.Series:
        """``"contagion"`` or ``"interdependence"`` per market."""
        return self.table.set_index("market")["verdict"].copy()

    def summary(self) -> Summary:
        """Design, then the table (the main table of the :class:`~contagion._summary.Summary`)."""
        head = [
            f"Forbes-Rigobon (2002) contagion test, source {self.source}",
            f"tranquil {self.tranquil[0].date()} .. {self.tranquil[1].date()}, "
            f"turmoil {self.turmoil[0].date()} .. {self.turmoil[1].date()}",
            f"returns: {'two-day rolling averages' if self.averaging == 'two_day' else 'as given'}; "
            f"calendar policy: {self.policy}",
            "H0: adjusted turmoil correlation <= tranquil correlation (one-sided Fisher z); "
            f"'contagion' if p < {self.alpha:g}, else 'interdependence'",
        ]
        cols = ["market", "n_tranquil", "n_turmoil", "delta", "rho_tranquil", "rho_turmoil",
                "rho_turmoil_adjusted", "t_stat", "p_value", "verdict"]
        return table_summary(head[0], head, self.to_frame(), cols)

    def plot(self) -> Figure:
        """Tranquil, turmoil and adjusted turmoil correlation per market (contagion verdicts starred)."""
        fig, (ax,) = _figure(1, height=max(2.6, 0.45 * len(self.table) + 1.2))
        table = self.table
        y = np.arange(len(table))
        height = 0.27
        for shift, column, label in ((-height, "rho_tranquil", "tranquil"),
                                     (0.0, "rho_turmoil", "turmoil"),
                                     (height, "rho_turmoil_adjusted", "turmoil, adjusted")):
            ax.barh(y + shift, table[column].to_numpy(), height=height, label=label)
        labels = [f"{m} *" if v == "contagion" else str(m) for m, v in zip(table["market"], table["verdict"],
                                                                           strict=True)]
        ax.set_yticks(y, labels)
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_xlabel(f"correlation with {self.source}")
        ax.set_title(f"Forbes-Rigobon test (* contagion at alpha = {self.alpha:g})")
        ax.legend(loc="best", fontsize="small")
        return fig


@dataclass(frozen=True, kw_only=True)
class CorrelationShiftResult(SummaryReprMixin):
    """Mean conditional correlation before vs after an event, with Newey-West (HAC) standard errors.

    ``table`` has one row per pair: ``pair, n_pre, n_post, mean_pre, mean_post, shift, long_run_shift,
    se_hac, t_stat, p_value, p_increase, hac_lags, ar_lags, verdict``. ``shift`` is the coefficient of the
    post-event dummy (the impact effect when ``ar_lags > 0``); ``long_run_shift`` divides it by one minus
    the sum of the autoregressive coefficients. ``p_value`` is two-sided, ``p_increase`` one-sided (H1:
    increase). ``series`` holds the correlation paths over the pre and post windows (one column per pair),
    which :meth:`plot` draws.
    """

    event: pd.Timestamp
    pre: tuple[pd.Timestamp, pd.Timestamp]
    post: tuple[pd.Timestamp, pd.Timestamp]
    alpha: float
    table: pd.DataFrame = field(repr=False)
    series: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    level = deprecated_alias("alpha", old="level")

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per pair."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Design, then the table (the main table of the :class:`~contagion._summary.Summary`)."""
        head = [
            "Correlation shift (regression of the conditional correlation on a post-event dummy, "
            "Newey-West HAC standard errors; Chiang, Jeon & Li 2007)",
            f"event {self.event.date()}; pre {self.pre[0].date()} .. {self.pre[1].date()}; "
            f"post {self.post[0].date()} .. {self.post[1].date()}; alpha {self.alpha:g}",
        ]
        cols = ["pair", "n_pre", "n_post", "mean_pre", "mean_post", "shift", "se_hac", "t_stat", "p_value",
                "verdict"]
        return table_summary("Correlation shift", head, self.table, cols)

    def plot(self) -> Figure:
        """The correlation path of each pair, the event date and the pre / post means."""
        if self.series.empty:
            raise SpecificationError("this result holds no correlation paths to plot (it was built without "
                                     "`series`); rerun correlation_shift.")
        table = self.table
        fig, axes = _figure(len(table))
        means = table[["mean_pre", "mean_post"]].to_numpy(dtype=np.float64)
        for i, ax in enumerate(axes):
            pair = str(table["pair"].iloc[i])
            path = self.series[pair]
            ax.plot(path.index, path.to_numpy(), lw=1.0, label=pair)
            ax.plot(pd.DatetimeIndex(self.pre), means[i, [0, 0]], color="tab:red", lw=1.5, label="window means")
            ax.plot(pd.DatetimeIndex(self.post), means[i, [1, 1]], color="tab:red", lw=1.5)
            low, high = ax.get_ylim()
            ax.plot(pd.DatetimeIndex([self.event, self.event]), [low, high], color="0.4", ls="--", lw=0.8,
                    label=f"event {self.event.date()}")
            ax.set_ylim(low, high)
            p_value = float(table["p_value"].to_numpy(dtype=np.float64)[i])
            ax.set_title(f"{pair}: {table['verdict'].iloc[i]} (p = {p_value:.3g})", fontsize="medium")
            ax.set_ylabel("correlation")
            ax.legend(loc="best", fontsize="small")
        return fig


@dataclass(frozen=True, kw_only=True)
class GrangerInVarianceResult(SummaryReprMixin):
    """Cheung-Ng causality-in-variance tests, one row per (cause, effect) in ``table``: ``cause, effect,
    n_obs, lags, statistic, df, p_value, verdict``; ``ccf`` holds ``cause, effect, lag, r``."""

    lags: int
    alpha: float
    standardization: str
    table: pd.DataFrame = field(repr=False)
    ccf: pd.DataFrame = field(repr=False)

    level = deprecated_alias("alpha", old="level")

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per (cause, effect) pair."""
        return self.table.copy()

    def summary(self) -> Summary:
        """The statistic, the options, then the table."""
        head = [
            "Causality in variance (Cheung & Ng 1996): S = T sum_{k=1..M} r_k^2 ~ chi2(M), r_k = corr(effect "
            "z_t^2, cause z_{t-k}^2)",
            f"M = {self.lags}; standardised residuals: {self.standardization}; alpha {self.alpha:g}",
        ]
        return table_summary("Causality in variance (Cheung & Ng 1996)", head, self.table)

    def plot(self) -> Figure:
        """Cross-correlations r_k per (cause, effect) pair, with the pointwise band +-z_{1-alpha/2}/sqrt(T)."""
        from scipy import stats

        fig, axes = _figure(len(self.table))
        z = float(stats.norm.isf(self.alpha / 2.0))
        table = self.table
        n_obs = table["n_obs"].to_numpy(dtype=np.float64)
        p_values = table["p_value"].to_numpy(dtype=np.float64)
        for i, ax in enumerate(axes):
            cause, effect = str(table["cause"].iloc[i]), str(table["effect"].iloc[i])
            sub = self.ccf[(self.ccf["cause"] == cause) & (self.ccf["effect"] == effect)]
            ax.bar(sub["lag"].to_numpy(), sub["r"].to_numpy(), color="tab:blue", width=0.6)
            band = z / float(np.sqrt(n_obs[i]))
            ax.axhline(band, color="0.4", ls="--", lw=0.8)
            ax.axhline(-band, color="0.4", ls="--", lw=0.8)
            ax.axhline(0.0, color="0.6", lw=0.8)
            ax.set_title(f"{cause} -> {effect}: {table['verdict'].iloc[i]} (p = {p_values[i]:.3g})",
                         fontsize="medium")
            ax.set_xlabel("lag k")
            ax.set_ylabel("r_k")
        return fig
