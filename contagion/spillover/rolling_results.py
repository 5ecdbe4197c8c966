"""Frozen results of connectedness over time: rolling-window VARs and the TVP-VAR.

Tables are in percent, rows *receive* (Diebold and Yilmaz 2012, Table 2 layout); one table per date,
dated by the last data row of its window (or the TVP-VAR date). Horizon H means MA terms h = 0..H-1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import Float64Array
from contagion.errors import SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover._dynamic_bands import DateBands
from contagion.spillover._utility import group_matrix, parse_groups, readonly
from contagion.spillover.results import ConnectednessResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RollingConnectednessResult"]

#: How each estimation method is named in summaries.
_METHOD_LABELS = {"rolling": "rolling-window VAR", "tvp": "TVP-VAR", "quantile": "rolling quantile VAR",
                  "dcc": "DCC-GARCH"}


@dataclass(frozen=True, kw_only=True)
class RollingConnectednessResult(SummaryReprMixin):
    """Connectedness over time: rolling-window VARs or a TVP-VAR.

    Attributes
    ----------
    names : tuple of str
    index : pandas.Index
        One date per estimate: the last data row of each rolling window, or each row for the TVP-VAR.
    values : ndarray of shape (n_dates, N, N)
        FEVD tables in percent, rows receive.
    kind, horizon
        As in :class:`ConnectednessResult` (horizon = MA terms h = 0..H-1).
    method : {"rolling", "tvp"}
    n_lags : int
    window : int or None
        Data rows per rolling window *including* the p lag rows (None for the TVP-VAR).
    step : int
    options : dict
        Everything else that defines the estimate (TVP forgetting factors, prior, ...).
    explosive : ndarray of bool, shape (n_dates,)
        Windows whose VAR has a companion eigenvalue of modulus >= 1 (flagged, not dropped).
    band_draws : DateBands or None
        Draws of the tables at the dates chosen with ``band_dates=`` (``bands=`` of
        :func:`~contagion.spillover.rolling.rolling_connectedness` or
        :func:`~contagion.spillover.tvp.tvp_connectedness`); :attr:`intervals` is built from them.
    """

    names: tuple[str, ...]
    index: pd.Index
    values: Float64Array
    kind: str
    horizon: int
    method: str
    n_lags: int
    window: int | None = None
    step: int = 1
    options: Mapping[str, Any] = field(default_factory=dict)
    explosive: Any = None
    band_draws: DateBands | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", readonly(self.values))
        flags = (
            np.zeros(self.values.shape[0], dtype=bool)
            if self.explosive is None
            else np.asarray(self.explosive, dtype=bool).copy()
        )
        flags.flags.writeable = False
        object.__setattr__(self, "explosive", flags)

    @cached_property
    def _measures(self) -> dict[str, Float64Array]:
        return _conn_kernels.spillover_measures(self.values)

    def __repr__(self) -> str:
        span = f"{self.index[0]} .. {self.index[-1]}" if len(self.index) else "empty"
        return (
            f"RollingConnectednessResult(method={self.method!r}, kind={self.kind!r}, horizon={self.horizon}, "
            f"n_lags={self.n_lags}, window={self.window}, n_dates={len(self.index)} ({span}), "
            f"names={list(self.names)})"
        )

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """Intervals at the chosen dates: ``date, measure, receiver, transmitter, estimate, lower, upper, bias``.

        Measures as :attr:`ConnectednessResult.intervals` (``total``, ``corrected_total``, ``to``, ``from``,
        ``net``, ``pairwise_net``, ``table``). Rolling windows: basic bootstrap intervals of each window's
        VAR; TVP-VAR (``bands="filter"``): equal-tailed percentile intervals of the filter draws
        (docs/connectedness.md, "Intervals over time").

        Raises
        ------
        SpecificationError
            The result was estimated without ``bands=`` and ``band_dates=``.
        """
        if self.band_draws is None:
            raise SpecificationError(
                "this result has no interval draws; estimate it with bands= and band_dates= (rolling: "
                "bands='bootstrap' or 'wild'; TVP-VAR: bands='filter'), e.g. rolling_connectedness(df, "
                "bands='bootstrap', band_dates=[df.index[-1]], reps=1000)."
            )
        return self.band_draws.frame(self.names)

    def _frame(self, key: str) -> pd.DataFrame:
        return pd.DataFrame(self._measures[key], index=self.index, columns=pd.Index(self.names))

    @cached_property
    def total(self) -> pd.Series:
        """Total connectedness index (percent) of each window, indexed by the window's last date."""
        return pd.Series(self._measures["total"], index=self.index, name="total")

    @cached_property
    def corrected_total(self) -> pd.Series:
        """Corrected TCI = TCI * N / (N - 1) of each window."""
        return pd.Series(self._measures["corrected_total"], index=self.index, name="corrected_total")

    @cached_property
    def to(self) -> pd.DataFrame:
        """TO others (dates x variables), undivided as in ConnectednessApproach."""
        return self._frame("to")

    @cached_property
    def from_(self) -> pd.DataFrame:
        """FROM others (dates x variables), undivided as in ConnectednessApproach."""
        return self._frame("from")

    @cached_property
    def net(self) -> pd.DataFrame:
        """NET = TO - FROM (dates x variables)."""
        return self._frame("net")

    @cached_property
    def npt(self) -> pd.DataFrame:
        """Number of others each variable net-transmits to (dates x variables)."""
        return self._frame("npt").astype(np.int64)

    @cached_property
    def pairwise_net(self) -> pd.DataFrame:
        """Net pairwise spillovers over time, one column ``"A->B"`` per pair (A before B in ``names``).

        Positive: A net-transmits to B (table[B, A] - table[A, B]).
        """
        n = len(self.names)
        i, j = np.triu_indices(n, k=1)
        data = self._measures["pairwise_net"][:, i, j]
        columns = [f"{self.names[a]}->{self.names[b]}" for a, b in zip(i, j)]
        return pd.DataFrame(data, index=self.index, columns=pd.Index(columns))

    def mean_table(self) -> pd.DataFrame:
        """Average of the per-date tables (ConnectednessApproach's ``TABLE`` of a dynamic run)."""
        return self.mean_result().table

    def mean_result(self) -> ConnectednessResult:
        """The averaged table as a :class:`ConnectednessResult` (its TCI is the mean of the TCI series)."""
        return ConnectednessResult(
            names=self.names,
            values=self.values.mean(axis=0),
            kind=self.kind,
            horizon=self.horizon,
            n_lags=self.n_lags,
            start=self.index[0],
            end=self.index[-1],
        )

    def at(self, date: Any) -> ConnectednessResult:
        """The connectedness table of one window (by its last date) or TVP date.

        A rolling window chosen in ``band_dates`` keeps its bootstrap draws, so ``at(date).intervals`` and
        ``at(date).groups(mapping).intervals`` work there.
        """
        try:
            position = self.index.get_loc(
                pd.Timestamp(date) if isinstance(self.index, pd.DatetimeIndex) else date
            )
        except KeyError:
            raise SpecificationError(
                f"at({date!r}): no estimate dated {date!r}; dates run from {self.index[0]} to {self.index[-1]}."
            ) from None
        if not isinstance(position, (int, np.integer)):
            raise SpecificationError(f"at({date!r}): the date is not unique in the index.")
        return ConnectednessResult(
            names=self.names,
            values=self.values[position],
            kind=self.kind,
            horizon=self.horizon,
            n_lags=self.n_lags,
            end=self.index[position],
            **self._draws_at(int(position)),
        )

    def _draws_at(self, position: int) -> dict[str, Any]:
        """Bootstrap draws of a rolling window chosen in ``band_dates`` (TVP filter draws stay in ``intervals``:
        their intervals are percentile, not the basic intervals of a ConnectednessResult)."""
        bands = self.band_draws
        if bands is None or bands.interval != "basic" or position not in bands.positions:
            return {}
        d = int(np.flatnonzero(bands.positions == position)[0])
        return {"draws": bands.draws[d], "bands": bands.method, "level": bands.level, "reps": bands.reps,
                "seed": bands.date_seeds[d], "n_explosive": int(bands.n_explosive[d])}

    def groups(self, mapping: Mapping[str, str] | Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """Group TO / FROM / NET / WITHIN over time: columns MultiIndex (measure, group)."""
        members = parse_groups(mapping, self.names)
        indicator = group_matrix(members, self.names)
        blocks = np.einsum("gi,tij,hj->tgh", indicator, self.values, indicator)
        own = np.einsum("gi,ti->tg", indicator, np.diagonal(self.values, axis1=1, axis2=2))
        diag = np.diagonal(blocks, axis1=1, axis2=2)
        to = blocks.sum(axis=1) - diag
        from_ = blocks.sum(axis=2) - diag
        parts = {"to": to, "from": from_, "net": to - from_, "within": diag - own}
        frames = {
            k: pd.DataFrame(v, index=self.index, columns=pd.Index(tuple(members))) for k, v in parts.items()
        }
        return pd.concat(frames, axis=1, names=["measure", "group"])

    def summary(self) -> Summary:
        """Sample, windows, TCI mean / min / max with their dates; main table: mean TO / FROM / NET per variable."""
        method = _METHOD_LABELS.get(self.method, self.method)
        title = f"Dynamic connectedness: {method} ({self.kind} FEVD, percent)"
        n_dates = len(self.index)
        header = [f"sample {self.index[0]} .. {self.index[-1]}, {n_dates} "
                  + ("windows" if self.window is not None else "dates")]
        opts = ", ".join(f"{k}={v}" for k, v in self.options.items() if v is not None)
        if self.window is not None:
            header.append(f"window {self.window} rows (incl. {self.n_lags} lag rows), step {self.step}, "
                          f"{method}({self.n_lags}), horizon {self.horizon} = MA terms 0..{self.horizon - 1}"
                          + (f"; {opts}" if opts else ""))
        else:
            header.append(f"{method}({self.n_lags}), horizon {self.horizon} = MA terms 0..{self.horizon - 1}"
                          + (f"; {opts}" if opts else ""))
        tci = self.total
        header.append(f"TCI mean {tci.mean():.2f}%, min {tci.min():.2f}% ({tci.idxmin()}), "
                      f"max {tci.max():.2f}% ({tci.idxmax()})")
        means = pd.DataFrame({"to": self.to.mean(), "from": self.from_.mean(), "net": self.net.mean()})
        means.index.name = "variable"
        total = pd.DataFrame(
            {"value": [tci.mean(), tci.min(), tci.max()], "date": [None, tci.idxmin(), tci.idxmax()]},
            index=pd.Index(["mean", "min", "max"], name="TCI"),
        )
        notes = []
        n_explosive = int(np.sum(self.explosive))
        if n_explosive:
            notes.append(f"{n_explosive} of {n_dates} estimates have an unstable VAR (flagged in .explosive)")
        if self.band_draws is not None:
            b = self.band_draws
            notes.append(f"{100 * b.level:g}% {b.interval} intervals ({b.method}, {b.reps} draws) at {len(b.dates)} "
                         "dates in .intervals")
        tables = (("mean directional connectedness", means), ("total connectedness index", total))
        return Summary(title, header=tuple(header), tables=tables, notes=tuple(notes))

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: columns ``date, measure, variable, value`` (total, corrected_total, to, from, net)."""
        frames = [
            pd.DataFrame(
                {"date": self.index, "measure": "total", "variable": None, "value": self._measures["total"]}
            ),
            pd.DataFrame(
                {
                    "date": self.index,
                    "measure": "corrected_total",
                    "variable": None,
                    "value": self._measures["corrected_total"],
                }
            ),
        ]
        n_dates, n = len(self.index), len(self.names)
        for key in ("to", "from", "net"):
            frames.append(
                pd.DataFrame(
                    {
                        "date": np.repeat(np.asarray(self.index), n),
                        "measure": key,
                        "variable": np.tile(np.asarray(self.names, dtype=object), n_dates),
                        "value": self._measures[key].ravel(),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def plot(self, kind: Literal["total", "net"] = "total", ax: Any = None) -> Figure:
        """Time-series plot: ``"total"`` (TCI with the NET panel below) or ``"net"`` (one panel per variable)."""
        from contagion.spillover import plots as _conn_plots

        if kind == "total":
            return _conn_plots.dynamic_total(
                self.total, self.net, ax=ax, title=f"{self.method} {self.kind} connectedness"
            )
        if kind == "net":
            return _conn_plots.dynamic_net(self.net)
        raise SpecificationError(f"plot(kind={kind!r}): kind must be 'total' or 'net'.")
