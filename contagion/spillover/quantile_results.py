"""Frozen results of quantile connectedness: one quantile, several quantiles, and their rolling versions.

Tables are in percent, rows *receive* (as :mod:`contagion.spillover.results`). A tau-by-measure table puts
the quantile levels in rows and TCI / TO / FROM / NET in columns: how tail dependence is reported (Ando,
Greenwood-Nimmo and Shin 2022, Figures 2-4; Chatziantoniou, Gabauer and Stenfors 2021, Figure 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion.errors import SpecificationError
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.rolling_results import RollingConnectednessResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["QuantileConnectednessResult", "QuantileConnectednessTable", "RollingQuantileConnectednessResult"]


@dataclass(frozen=True, kw_only=True)
class QuantileConnectednessTable(ConnectednessResult):
    """Connectedness of the quantile VAR at one level ``tau`` (a :class:`ConnectednessResult`).

    Attributes
    ----------
    tau : float
        Quantile level in (0, 1).
    companion_modulus : float or None
        Largest companion eigenvalue modulus of the quantile VAR (None for an average of tables).
    """

    tau: float = 0.5
    companion_modulus: float | None = None

    @property
    def explosive(self) -> bool:
        """Whether the quantile VAR is unstable (companion modulus >= 1); its table is kept (finite H)."""
        return self.companion_modulus is not None and not self.companion_modulus < 1.0

    def summary(self) -> Summary:
        """As :meth:`ConnectednessResult.summary` (same DY-layout main table), titled with the quantile level."""
        base = super().summary()
        title = f"Quantile connectedness at tau = {self.tau:g} ({self.kind} FEVD, percent, rows receive)"
        header = (
            f"quantile VAR({self.n_lags}) at tau = {self.tau:g}, horizon {self.horizon} = MA terms "
            f"0..{self.horizon - 1}",
            *base.header[1:],
        )
        notes = []
        if self.explosive:
            notes.append(
                f"the quantile VAR is not stable (companion modulus {self.companion_modulus:.4f} >= 1)"
            )
        text = "\n".join([title, *header[:-1], self.to_string(), *(f"note: {n}" for n in notes)])
        return Summary(title, header=header, tables=base.tables, notes=tuple(notes), text=text)

    def to_frame(self) -> pd.DataFrame:
        """:meth:`ConnectednessResult.to_frame` with a leading ``tau`` column."""
        frame = super().to_frame()
        frame.insert(0, "tau", self.tau)
        return frame

    def __repr__(self) -> str:
        return (
            f"QuantileConnectednessTable(tau={self.tau:g}, kind={self.kind!r}, horizon={self.horizon}, "
            f"n_lags={self.n_lags}, names={list(self.names)}, total={self.total:.4f})"
        )


def _find_tau(taus: tuple[float, ...], tau: float) -> int:
    for k, level in enumerate(taus):
        if math.isclose(level, float(tau), rel_tol=0.0, abs_tol=1e-12):
            return k
    raise SpecificationError(f"at(tau={tau!r}): no result at that quantile; levels are {list(taus)}.")


def _tau_frame(taus: tuple[float, ...], names: tuple[str, ...], rows: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        np.asarray(rows), index=pd.Index(taus, name="tau"), columns=pd.Index(names, name="variable")
    )


@dataclass(frozen=True, kw_only=True)
class QuantileConnectednessResult(SummaryReprMixin):
    """Static connectedness of quantile VARs at several levels: one table per tau and the tau-by-measure table.

    Attributes
    ----------
    results : tuple of QuantileConnectednessTable
        One per level, in the order given.
    """

    results: tuple[QuantileConnectednessTable, ...]

    def __post_init__(self) -> None:
        if not self.results:
            raise SpecificationError("QuantileConnectednessResult needs at least one quantile result.")
        object.__setattr__(self, "results", tuple(self.results))

    @property
    def taus(self) -> tuple[float, ...]:
        return tuple(r.tau for r in self.results)

    @property
    def names(self) -> tuple[str, ...]:
        return self.results[0].names

    def at(self, tau: float) -> QuantileConnectednessTable:
        """The result at one quantile level."""
        return self.results[_find_tau(self.taus, tau)]

    @cached_property
    def total(self) -> pd.Series:
        """TCI (percent) by quantile level."""
        return pd.Series([r.total for r in self.results], index=pd.Index(self.taus, name="tau"), name="total")

    @cached_property
    def corrected_total(self) -> pd.Series:
        """Corrected TCI = TCI * N / (N - 1) by quantile level."""
        values = [r.corrected_total for r in self.results]
        return pd.Series(values, index=pd.Index(self.taus, name="tau"), name="corrected_total")

    @cached_property
    def to(self) -> pd.DataFrame:
        """TO others, tau x variable (undivided, as DY2012 Table 2)."""
        return _tau_frame(self.taus, self.names, [r.to.to_numpy() for r in self.results])

    @cached_property
    def from_(self) -> pd.DataFrame:
        """FROM others, tau x variable."""
        return _tau_frame(self.taus, self.names, [r.from_.to_numpy() for r in self.results])

    @cached_property
    def net(self) -> pd.DataFrame:
        """NET = TO - FROM, tau x variable (positive: net transmitter at that quantile)."""
        return _tau_frame(self.taus, self.names, [r.net.to_numpy() for r in self.results])

    @cached_property
    def explosive(self) -> pd.Series:
        """Whether the quantile VAR of each level is unstable."""
        return pd.Series(
            [r.explosive for r in self.results], index=pd.Index(self.taus, name="tau"), name="explosive"
        )

    @cached_property
    def measures(self) -> pd.DataFrame:
        """The tau-by-measure table: rows tau, columns (measure, variable) for TCI, cTCI, NET, TO, FROM."""
        parts = {
            ("TCI", ""): self.total,
            ("cTCI", ""): self.corrected_total,
            **{("NET", v): self.net[v] for v in self.names},
            **{("TO", v): self.to[v] for v in self.names},
            **{("FROM", v): self.from_[v] for v in self.names},
        }
        frame = pd.DataFrame(parts)
        frame.columns = pd.MultiIndex.from_tuples(list(parts), names=["measure", "variable"])
        frame.index.name = "tau"
        return frame

    def summary(self) -> Summary:
        """Options; main table: tau x (TCI, cTCI, NET per variable); then TO and FROM by quantile."""
        first = self.results[0]
        title = f"Quantile connectedness at {len(self.taus)} quantiles ({first.kind} FEVD, percent)"
        header = [
            f"quantile VAR({first.n_lags}), horizon {first.horizon} = MA terms 0..{first.horizon - 1}",
            f"sample {first.start} .. {first.end}, {first.n_obs} observations",
            f"TCI from {self.total.min():.2f}% (tau = {self.total.idxmin():g}) to {self.total.max():.2f}% "
            f"(tau = {self.total.idxmax():g})",
        ]
        main = pd.concat(
            [self.total.rename("TCI"), self.corrected_total.rename("cTCI"), self.net.add_prefix("NET ")],
            axis=1,
        )
        notes = [f"tau = {t:g}: unstable quantile VAR (flagged)" for t, e in self.explosive.items() if e]
        tables = (
            ("TCI and NET by quantile", main),
            ("TO by quantile", self.to),
            ("FROM by quantile", self.from_),
        )
        return Summary(title, header=tuple(header), tables=tables, notes=tuple(notes))

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: ``tau, measure, variable, other, value`` (each level's :meth:`to_frame`)."""
        return pd.concat([r.to_frame() for r in self.results], ignore_index=True)

    def plot(self, ax: Any = None) -> Figure:
        """TCI across tau (left) and NET by variable across tau (right)."""
        from matplotlib.figure import Figure

        order = np.argsort(self.taus)
        taus = np.asarray(self.taus)[order]
        if ax is not None:
            fig: Figure = ax.figure
            ax.plot(taus, self.total.to_numpy()[order], marker="o", color="black")
            ax.set_xlabel("quantile tau")
            ax.set_ylabel("TCI (%)")
            return fig
        fig = Figure(figsize=(10.0, 4.0))
        left, right = fig.subplots(1, 2)
        left.plot(taus, self.total.to_numpy()[order], marker="o", color="black")
        left.set_xlabel("quantile tau")
        left.set_ylabel("TCI (%)")
        left.set_title("total connectedness by quantile")
        for name in self.names:
            right.plot(taus, self.net[name].to_numpy()[order], marker=".", label=str(name))
        right.axhline(0.0, color="black", lw=0.5)
        right.set_xlabel("quantile tau")
        right.set_ylabel("NET (%)")
        right.set_title("net connectedness by quantile")
        right.legend(fontsize=7, ncol=min(len(self.names), 4))
        return fig


def _stack(
    results: tuple[RollingConnectednessResult, ...],
    taus: tuple[float, ...],
    get: Callable[[RollingConnectednessResult], pd.DataFrame],
) -> pd.DataFrame:
    return pd.concat(
        {t: get(r) for t, r in zip(taus, results, strict=True)}, axis=1, names=["tau", "variable"]
    )


@dataclass(frozen=True, kw_only=True)
class RollingQuantileConnectednessResult(SummaryReprMixin):
    """Rolling-window quantile connectedness at several levels: one :class:`RollingConnectednessResult` per tau.

    Attributes
    ----------
    results : tuple of RollingConnectednessResult
        One per level (``method="quantile"``, ``options["tau"]``), sharing names and window dates.
    """

    results: tuple[RollingConnectednessResult, ...]

    def __post_init__(self) -> None:
        if not self.results:
            raise SpecificationError("RollingQuantileConnectednessResult needs at least one quantile result.")
        object.__setattr__(self, "results", tuple(self.results))

    @property
    def taus(self) -> tuple[float, ...]:
        return tuple(float(r.options["tau"]) for r in self.results)

    @property
    def names(self) -> tuple[str, ...]:
        return self.results[0].names

    @property
    def index(self) -> pd.Index:
        return self.results[0].index

    def at(self, tau: float) -> RollingConnectednessResult:
        """The rolling result at one quantile level."""
        return self.results[_find_tau(self.taus, tau)]

    @cached_property
    def total(self) -> pd.DataFrame:
        """TCI paths: dates x tau."""
        return pd.DataFrame({t: r.total for t, r in zip(self.taus, self.results, strict=True)}).rename_axis(
            columns="tau"
        )

    @cached_property
    def corrected_total(self) -> pd.DataFrame:
        """Corrected TCI paths: dates x tau."""
        return pd.DataFrame(
            {t: r.corrected_total for t, r in zip(self.taus, self.results, strict=True)}
        ).rename_axis(columns="tau")

    @cached_property
    def to(self) -> pd.DataFrame:
        """TO others: dates x (tau, variable)."""
        return _stack(self.results, self.taus, lambda r: r.to)

    @cached_property
    def from_(self) -> pd.DataFrame:
        """FROM others: dates x (tau, variable)."""
        return _stack(self.results, self.taus, lambda r: r.from_)

    @cached_property
    def net(self) -> pd.DataFrame:
        """NET: dates x (tau, variable)."""
        return _stack(self.results, self.taus, lambda r: r.net)

    @cached_property
    def explosive(self) -> pd.DataFrame:
        """Unstable quantile VARs: dates x tau (bool)."""
        data = {t: np.asarray(r.explosive) for t, r in zip(self.taus, self.results, strict=True)}
        return pd.DataFrame(data, index=self.index).rename_axis(columns="tau")

    def mean_result(self) -> QuantileConnectednessResult:
        """The per-tau averages of the window tables (ConnectednessApproach's ``TABLE`` of each level)."""
        tables = tuple(
            QuantileConnectednessTable(
                names=r.names,
                values=r.values.mean(axis=0),
                kind=r.kind,
                horizon=r.horizon,
                n_lags=r.n_lags,
                start=r.index[0],
                end=r.index[-1],
                tau=t,
            )
            for t, r in zip(self.taus, self.results, strict=True)
        )
        return QuantileConnectednessResult(results=tables)

    def summary(self) -> Summary:
        """Windows and options; main table: TCI mean / min / max and unstable windows by tau; then mean NET."""
        first = self.results[0]
        title = f"Rolling quantile connectedness at {len(self.taus)} quantiles ({first.kind} FEVD, percent)"
        header = (
            f"sample {self.index[0]} .. {self.index[-1]}, {len(self.index)} windows",
            f"window {first.window} rows (incl. {first.n_lags} lag rows), step {first.step}, quantile "
            f"VAR({first.n_lags}), horizon {first.horizon} = MA terms 0..{first.horizon - 1}",
        )
        tci = self.total
        main = pd.DataFrame(
            {
                "TCI mean": tci.mean(),
                "TCI min": tci.min(),
                "TCI max": tci.max(),
                "cTCI mean": self.corrected_total.mean(),
                "unstable windows": self.explosive.sum().astype(np.int64),
            }
        )
        main.index.name = "tau"
        net = self.net.mean().unstack("variable").reindex(columns=list(self.names))
        notes = []
        if int(self.explosive.to_numpy().sum()):
            notes.append("unstable quantile VAR windows are kept and flagged in .explosive")
        tables = (("TCI by quantile", main), ("mean NET by quantile", net))
        return Summary(title, header=header, tables=tables, notes=tuple(notes))

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: ``date, tau, measure, variable, value`` (each level's :meth:`to_frame`)."""
        frames = []
        for t, r in zip(self.taus, self.results, strict=True):
            frame = r.to_frame()
            frame.insert(1, "tau", t)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def plot(self, kind: Literal["total", "surface"] = "total", ax: Any = None) -> Figure:
        """``"total"``: the TCI path of each tau; ``"surface"``: TCI over dates x tau (filled contour)."""
        from matplotlib.figure import Figure

        fig: Figure
        if ax is None:
            fig = Figure(figsize=(9.0, 4.5))
            ax = fig.add_subplot(1, 1, 1)
        else:
            fig = ax.figure
        order = np.argsort(self.taus)
        if kind == "total":
            for k in order:
                ax.plot(self.index, self.total.iloc[:, k].to_numpy(), lw=0.9, label=f"tau = {self.taus[k]:g}")
            ax.set_ylabel("TCI (%)")
            ax.legend(fontsize=8)
        elif kind == "surface":
            taus = np.asarray(self.taus)[order]
            if len(taus) < 2:
                raise SpecificationError("plot(kind='surface') needs at least two quantile levels.")
            image = ax.contourf(
                self.index, taus, self.total.to_numpy()[:, order].T, levels=20, cmap="viridis"
            )
            ax.set_ylabel("quantile tau")
            fig.colorbar(image, ax=ax, label="TCI (%)")
        else:
            raise SpecificationError(f"plot(kind={kind!r}): kind must be 'total' or 'surface'.")
        ax.set_title("rolling quantile connectedness")
        fig.autofmt_xdate()
        return fig
