"""What an event study returns: :class:`EventStudyResult` (tidy AR, CAR and group tables, summary, plot)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion.data._frame import describe_policy
from contagion.errors import SpecificationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["EventStudyResult"]


@dataclass(frozen=True, kw_only=True)
class EventStudyResult(SummaryReprMixin):
    """Abnormal returns, CARs and group averages of one event study (tidy frames).

    * ``abnormal_returns``: one row per (event, ticker, session): ``event, event_date, ticker, date, tau,
      actual, expected, abnormal, ar_variance, standardized``.
    * ``car``: one row per (event, ticker, window): ``event, event_date, ticker, window, tau_start,
      tau_end, date_start, date_end, n_sessions, car, car_variance, scar, t_stat, p_value, model,
      benchmark`` (+ ``abnormal_volatility`` when a range-variance panel was given), ``overlapping_events``.
      ``t_stat`` is the time-series t of the single CAR (= ``scar``), with ``dof`` of the estimation
      residual variance.
    * ``group_car``: one row per (event, group, window): ``n_assets, mean_car, sd_car, t_cross, p_cross,
      mean_scar, sd_scar, t_bmp, p_bmp, mean_residual_corr, t_bmp_kp, p_bmp_kp`` (+
      ``mean_abnormal_volatility``), ``overlapping_events``; ``t_bmp_kp`` is the BMP t adjusted for the
      cross-correlation of abnormal returns (Kolari & Pynnonen 2010). Every p-value is two-sided against
      t(N - 1). With a single asset the cross-sectional statistics are undefined and reported as NaN next
      to ``n_assets = 1``.
    * ``estimation``: one row per (event, ticker): the fitted normal-return model, ``benchmark_members``
      (the members of the crypto index of that event, when it is the benchmark) and
      ``estimation_overlapping_events``.

    ``overlapping_events`` names (``"name (date)"``, ``"; "``-joined) every other studied or context event
    whose first session falls inside the window; empty when the window is clean.
    """

    policy: str
    estimation_window: tuple[int, int]
    windows: tuple[tuple[int, int], ...]
    groups: Mapping[str, tuple[str, ...]]
    abnormal_returns: pd.DataFrame = field(repr=False)
    car: pd.DataFrame = field(repr=False)
    group_car: pd.DataFrame = field(repr=False)
    estimation: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-asset CAR table (tidy)."""
        return self.car.copy()

    def summary(self) -> Summary:
        """Design and the group CAR table (the main table; the per-asset CARs and the fits follow)."""
        head = [
            "Event study (abnormal returns; sessions = rows of the aligned panel)",
            f"calendar: {describe_policy(self.policy)}",
            f"estimation window {list(self.estimation_window)}, event windows "
            + ", ".join(f"[{a},{b}]" for a, b in self.windows),
            "normal-return models: " + self._models_text(),
            "t_cross: cross-sectional t of mean CAR; t_bmp: Boehmer-Musumeci-Poulsen (1991) standardised t; "
            "t_bmp_kp: t_bmp adjusted for cross-correlation (Kolari-Pynnonen 2010)",
            "",
        ]
        cols = ["event", "group", "window", "n_assets", "mean_car", "t_cross", "p_cross", "t_bmp", "p_bmp",
                "t_bmp_kp", "p_bmp_kp"]
        if "mean_abnormal_volatility" in self.group_car.columns:
            cols.append("mean_abnormal_volatility")
        body = self.group_car[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}")
        body += "".join(f"\nwindow {ev} {win} contains another event: {flag}" for ev, win, flag in
                        self._flags())
        tables = (("group CAR", self.group_car.copy()), ("CAR", self.car.copy()),
                  ("estimation", self.estimation.copy()))
        return Summary(head[0], header=tuple(head[1:-1]), tables=tables, text="\n".join(head) + body)

    def _flags(self) -> list[tuple[str, str, str]]:
        """(event, window, other events) of every window that contains another event."""
        if "overlapping_events" not in self.group_car.columns:
            return []
        flagged = self.group_car[self.group_car["overlapping_events"].astype(bool)]
        return list(dict.fromkeys(zip(flagged["event"], flagged["window"], flagged["overlapping_events"],
                                      strict=True)))

    def _models_text(self) -> str:
        est = self.estimation.drop_duplicates(["ticker", "model", "benchmark"])
        parts = []
        for (model, bench), sub in est.groupby(["model", "benchmark"], dropna=False, sort=False):
            against = f" vs {bench}" if isinstance(bench, str) else ""
            parts.append(f"{model}{against} ({len(sub)} assets)")
        return ", ".join(parts)

    def plot(self, *, event: str | None = None) -> Figure:
        """Figure of the mean cumulative abnormal return by group around each event.

        The curve for a group is the cumulative sum, from the first event-window session, of the group's
        equal-weighted mean AR. Returns a :class:`matplotlib.figure.Figure` (no pyplot state is touched).
        """
        from matplotlib.figure import Figure

        ar = self.abnormal_returns
        known = [str(e) for e in dict.fromkeys(ar["event"])]
        if event is not None and event not in known:
            raise SpecificationError(f"event {event!r} is not in this study; known: {', '.join(known)}.")
        events = [event] if event is not None else known
        fig = Figure(figsize=(6.0 * len(events), 4.0), layout="constrained")
        axes = fig.subplots(1, len(events), squeeze=False)[0]
        for ax, ev in zip(axes, events, strict=True):
            sub = ar[ar["event"] == ev]
            for group, members in self.groups.items():
                g = sub[sub["ticker"].isin(members)]
                if g.empty:
                    continue
                mean_ar = g.groupby("tau")["abnormal"].mean().sort_index()
                ax.plot(mean_ar.index, 100.0 * mean_ar.cumsum(), marker="o", label=f"{group} (n={len(members)})")
            ax.axhline(0.0, color="0.6", linewidth=0.8)
            ax.axvline(0.0, color="0.6", linewidth=0.8, linestyle="--")
            date0 = sub["event_date"].iloc[0]
            ax.set_title(f"{ev} (day 0 = {pd.Timestamp(date0).date()})")
            ax.set_xlabel(f"sessions relative to the event ({self.policy} calendar)")
            ax.set_ylabel("mean cumulative abnormal return (%)")
            ax.legend(fontsize="small")
        return fig
