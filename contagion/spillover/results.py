"""Frozen results of static connectedness: the variable-level table and its group (block) aggregation.

Rolling-window and TVP-VAR results are in :mod:`contagion.spillover.rolling_results`.

All tables are in percent, rows *receive*: ``table.loc[i, j]`` is the share of i's H-step forecast-error
variance due to shocks in j (Diebold and Yilmaz 2012, Table 2 layout). Horizon H means MA terms h = 0..H-1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import Float64Array
from contagion.errors import SpecificationError
from contagion.spillover import _bands
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover._utility import group_matrix, parse_groups, readonly

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ConnectednessResult", "GroupConnectedness"]


@dataclass(frozen=True, kw_only=True)
class GroupConnectedness(SummaryReprMixin):
    r"""Block (group) connectedness: the N x N table summed over blocks of variables.

    ``values[g, h]`` = :math:`\sum_{i \in g} \sum_{j \in h} \tilde\theta_{ij}` (percent points of the
    variable-level table, rows receive), so row g sums to 100 times the size of g.

    - ``to[g]`` = spillovers from the members of g to variables outside g; ``from_[g]`` = received by g
      from outside g; ``net = to - from_`` (sums to 0).
    - ``within[g]`` = spillovers among different members of g (off-diagonal cells inside the block).
    - ``between_total`` = sum(from_) / N and ``within_total`` = sum(within) / N split the total
      connectedness index: ``between_total + within_total == total``.
    """

    groups: tuple[str, ...]
    members: Mapping[str, tuple[str, ...]]
    values: Float64Array
    own: Float64Array  # (G,) sum of the members' own-variance shares
    n_vars: int
    variable_table: Float64Array | None = None  # (N, N) the variable-level table it was built from
    variable_draws: Float64Array | None = None  # (reps, N, N) bootstrap draws of that table, if any
    indicator: Float64Array | None = None  # (G, N) 0/1 membership
    level: float = 0.95

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """Bootstrap intervals of the group measures: ``measure, receiver, transmitter, estimate, lower, upper``.

        Measures: ``table``, ``to``, ``from``, ``net``, ``pairwise_net``, ``within``, ``between_total``,
        ``within_total``, computed on every draw of the variable table (basic bootstrap intervals).
        """
        if self.variable_draws is None or self.variable_table is None or self.indicator is None:
            raise SpecificationError(
                "these group measures have no bootstrap draws; fit the table with connectedness(..., "
                "bands='bootstrap' or 'wild') and call .groups(mapping) on that result."
            )
        return _bands.interval_frame(self.groups, _bands.group_measures(self.variable_table, self.indicator),
                                     _bands.group_measures(self.variable_draws, self.indicator), self.level)

    @cached_property
    def table(self) -> pd.DataFrame:
        """G x G table (rows receive), percent points of the variable-level table."""
        return pd.DataFrame(
            self.values, index=pd.Index(self.groups, name="to"), columns=pd.Index(self.groups, name="from")
        )

    @cached_property
    def shares(self) -> pd.DataFrame:
        """G x G table divided by group size: row g is the average member's variance split, sums to 100."""
        sizes = np.array([len(self.members[g]) for g in self.groups], dtype=np.float64)
        return self.table.div(sizes, axis=0)

    @cached_property
    def to(self) -> pd.Series:
        """Spillovers transmitted by each group to variables outside it."""
        diag = np.diag(self.values)
        return pd.Series(self.values.sum(axis=0) - diag, index=pd.Index(self.groups), name="to")

    @cached_property
    def from_(self) -> pd.Series:
        """Spillovers received by each group from variables outside it."""
        diag = np.diag(self.values)
        return pd.Series(self.values.sum(axis=1) - diag, index=pd.Index(self.groups), name="from")

    @cached_property
    def net(self) -> pd.Series:
        """TO minus FROM by group (sums to 0)."""
        return (self.to - self.from_).rename("net")

    @cached_property
    def within(self) -> pd.Series:
        """Spillovers among different members of the same group."""
        return pd.Series(np.diag(self.values) - self.own, index=pd.Index(self.groups), name="within")

    @property
    def between_total(self) -> float:
        """Between-group part of the total connectedness index, sum(from_) / N."""
        return float(self.from_.sum() / self.n_vars)

    @property
    def within_total(self) -> float:
        """Within-group part of the total connectedness index, sum(within) / N."""
        return float(self.within.sum() / self.n_vars)

    @cached_property
    def pairwise_net(self) -> pd.DataFrame:
        """``[g, h]`` = net spillover from group g to group h (positive: g net-transmits to h)."""
        return pd.DataFrame(
            self.values.T - self.values, index=pd.Index(self.groups), columns=pd.Index(self.groups)
        )

    def _dy_table(self) -> pd.DataFrame:
        out = self.table.copy()
        out["FROM"] = self.from_
        out.loc["TO"] = [*self.to.to_numpy(), self.to.sum()]
        out.loc["NET"] = [*self.net.to_numpy(), np.nan]
        out.loc["WITHIN"] = [*self.within.to_numpy(), np.nan]
        return out

    def summary(self) -> Summary:
        """Groups and members; main table: the group table with FROM column and TO / NET / WITHIN rows (DY layout)."""
        split = (
            f"between-group {self.between_total:.2f}% + within-group {self.within_total:.2f}% "
            f"= TCI {self.between_total + self.within_total:.2f}%"
        )
        header = (*(f"{g}: {', '.join(self.members[g])}" for g in self.groups), split)
        return Summary(
            f"Group connectedness ({len(self.groups)} groups of {self.n_vars} variables, percent, rows receive)",
            header=header,
            tables=(("group table", self._dy_table()),),
        )

    def plot(self, ax: Any = None) -> Figure:
        """Heatmap of the group table (rows receive)."""
        from contagion.spillover import plots as _conn_plots

        return _conn_plots.heatmap(self.table, ax=ax, title="group connectedness (percent points)")

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: columns ``measure, group, other, value`` (and ``lower, upper`` with bootstrap draws)."""
        bounds = self._bounds()
        rows: list[dict[str, Any]] = []
        for a, ga in enumerate(self.groups):
            for b, gb in enumerate(self.groups):
                row = {"measure": "table", "group": ga, "other": gb, "value": float(self.values[a, b])}
                if bounds:
                    row |= {"lower": float(bounds["table"][0][a, b]), "upper": float(bounds["table"][1][a, b])}
                rows.append(row)
        for measure, series in (
            ("to", self.to),
            ("from", self.from_),
            ("net", self.net),
            ("within", self.within),
        ):
            for g, (name, v) in enumerate(series.items()):
                row = {"measure": measure, "group": name, "other": None, "value": float(v)}
                if bounds:
                    row |= {"lower": float(bounds[measure][0][g]), "upper": float(bounds[measure][1][g])}
                rows.append(row)
        return pd.DataFrame(rows)

    def _bounds(self) -> dict[str, tuple[Float64Array, Float64Array]]:
        """Interval bounds of each group measure (empty without bootstrap draws)."""
        if self.variable_draws is None or self.variable_table is None or self.indicator is None:
            return {}
        estimate = _bands.group_measures(self.variable_table, self.indicator)
        draws = _bands.group_measures(self.variable_draws, self.indicator)
        return {k: _bands.basic_interval(estimate[k], draws[k], self.level, k in _bands.NONNEGATIVE)
                for k in ("table", "to", "from", "net", "within")}


@dataclass(frozen=True, kw_only=True)
class ConnectednessResult(SummaryReprMixin):
    """Static Diebold-Yilmaz connectedness of one VAR.

    Attributes
    ----------
    names : tuple of str
        Variable names (the table's row and column order).
    values : ndarray of shape (N, N)
        FEVD table in percent, rows receive (rows sum to 100).
    kind : {"generalized", "cholesky"}
    horizon : int
        Number of MA terms, h = 0..H-1 (DY2012; ConnectednessApproach ``nfore``). frequencyConnectedness's
        ``n.ahead`` equals ``horizon - 1``.
    n_lags, n_obs : int or None
        VAR lag order and regression observations (None when unknown).
    start, end : Timestamp or None
        First and last date of the regression sample.
    draws : ndarray of shape (reps, N, N) or None
        Bootstrap draws of the table (percent), when fitted with ``bands=``; every interval
        (:attr:`intervals`, :meth:`to_frame`, :meth:`groups`) is computed from them.
    bands : {"bootstrap", "wild"} or None
        The bootstrap scheme of the draws.
    level : float
        Coverage of the intervals.
    reps, seed, n_explosive : int
        Number of draws, the integer seed used, and the draws whose re-estimated VAR is not stable.
    """

    names: tuple[str, ...]
    values: Float64Array
    kind: str
    horizon: int
    n_lags: int | None = None
    n_obs: int | None = None
    start: Any = None
    end: Any = None
    draws: Float64Array | None = None
    bands: str | None = None
    level: float = 0.95
    reps: int = 0
    seed: int | None = None
    n_explosive: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", readonly(self.values))
        if self.draws is not None:
            object.__setattr__(self, "draws", readonly(self.draws))

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """Bootstrap intervals of every measure: ``measure, receiver, transmitter, estimate, lower, upper``.

        Measures: ``total``, ``corrected_total``, ``to``, ``from``, ``net``, ``pairwise_net``, ``table``;
        basic bootstrap intervals at coverage :attr:`level` (:func:`contagion.spillover._bands.basic_interval`).
        For group measures use ``groups(mapping).intervals``.

        Raises
        ------
        SpecificationError
            The result was fitted without ``bands=``.
        """
        draws = self._require_draws()
        return _bands.interval_frame(self.names, _bands.variable_measures(self.values),
                                     _bands.variable_measures(draws), self.level)

    def _require_draws(self) -> Float64Array:
        if self.draws is None:
            raise SpecificationError(
                "this connectedness result has no bootstrap draws; fit it with "
                "connectedness(..., bands='bootstrap' or 'wild', reps=1000) to get intervals."
            )
        return self.draws

    def _bounds(self, key: str) -> tuple[Float64Array, Float64Array]:
        """Interval bounds of one measure (same shape as the measure)."""
        draws = _bands.variable_measures(self._require_draws())[key]
        estimate = _bands.variable_measures(self.values)[key]
        return _bands.basic_interval(estimate, draws, self.level, key in _bands.NONNEGATIVE)

    @cached_property
    def _measures(self) -> dict[str, Float64Array]:
        return _conn_kernels.spillover_measures(self.values)

    @cached_property
    def table(self) -> pd.DataFrame:
        """N x N table in percent; ``table.loc[i, j]``: share of i's forecast-error variance from shocks in j."""
        return pd.DataFrame(
            np.array(self.values),
            index=pd.Index(self.names, name="to"),
            columns=pd.Index(self.names, name="from"),
        )

    @property
    def total(self) -> float:
        """Total connectedness index TCI (percent): mean of FROM = mean of TO (DY2012 eq. 4)."""
        return float(self._measures["total"])

    @property
    def corrected_total(self) -> float:
        """Corrected TCI = TCI * N / (N - 1) (Chatziantoniou and Gabauer 2021), in [0, 100]."""
        return float(self._measures["corrected_total"])

    def _series(self, key: str, name: str) -> pd.Series:
        return pd.Series(self._measures[key], index=pd.Index(self.names), name=name)

    @cached_property
    def to(self) -> pd.Series:
        """TO others: column sums of the off-diagonal cells (undivided, as DY2012 Table 2)."""
        return self._series("to", "to")

    @cached_property
    def from_(self) -> pd.Series:
        """FROM others: row sums of the off-diagonal cells (undivided, as DY2012 Table 2)."""
        return self._series("from", "from")

    @cached_property
    def net(self) -> pd.Series:
        """NET = TO - FROM (positive: net transmitter). Sums to 0."""
        return self._series("net", "net")

    @cached_property
    def npt(self) -> pd.Series:
        """Number of other variables that each variable net-transmits to (ConnectednessApproach NPT)."""
        return self._series("npt", "npt").astype(np.int64)

    @cached_property
    def pairwise_net(self) -> pd.DataFrame:
        """``[i, j]`` = table[j, i] - table[i, j]: net spillover from i to j (DY2012 eq. 8, positive: i transmits).

        Rows sum to NET. ConnectednessApproach's ``NPDC`` is the transpose (``NPDC = CT - t(CT)``).
        """
        return pd.DataFrame(
            self._measures["pairwise_net"],
            index=pd.Index(self.names, name="from"),
            columns=pd.Index(self.names, name="to"),
        )

    def groups(self, mapping: Mapping[str, str] | Mapping[str, Sequence[str]]) -> GroupConnectedness:
        """Block connectedness: within- and between-group spillovers.

        Parameters
        ----------
        mapping : {variable: group} or {group: [variables]}
            Every variable in exactly one group, e.g. ``{"AI equities": ["NVDA", "MSFT"], "AI tokens":
            ["FET", "RENDER"], "crypto": ["BTC", "ETH"]}``.

        Returns
        -------
        GroupConnectedness
            ``.table`` (group x group, rows receive), ``.to``, ``.from_``, ``.net``, ``.within``,
            ``.between_total + .within_total == self.total``; with bootstrap draws also ``.intervals``
            (the group measures of every draw of the variable table).
        """
        members = parse_groups(mapping, self.names)
        indicator = group_matrix(members, self.names)
        values = indicator @ self.values @ indicator.T
        own = indicator @ np.diag(self.values)
        return GroupConnectedness(
            groups=tuple(members), members=members, values=values, own=own, n_vars=len(self.names),
            variable_table=self.values, variable_draws=self.draws, indicator=indicator, level=self.level,
        )

    def _dy_table(self) -> pd.DataFrame:
        """The DY2012 / ConnectednessApproach layout (see :meth:`summary`)."""
        out = self.table.copy()
        out.index.name = None
        out.columns.name = None
        out["FROM"] = self.from_
        out.loc["TO"] = [*self.to.to_numpy(), self.to.sum()]
        out.loc["Inc.Own"] = [*(self.to.to_numpy() + np.diag(self.values)), np.nan]
        out.loc["NET"] = [*self.net.to_numpy(), self.total]
        out.loc["NPT"] = [*self.npt.to_numpy().astype(np.float64), np.nan]
        return out

    def summary(self) -> Summary:
        """Options and sample; main table (``summary().to_frame()``): the DY2012 / ConnectednessApproach layout.

        Rows: the variables (receiving), then ``TO`` (column sums of off-diagonal cells; its ``FROM`` cell
        holds sum(TO)), ``Inc.Own`` (TO + own share), ``NET`` (its ``FROM`` cell holds the TCI) and ``NPT``.
        Columns: the variables (transmitting) and ``FROM``. The printed text is :meth:`to_string`.
        """
        title = f"Diebold-Yilmaz connectedness ({self.kind} FEVD, percent, rows receive)"
        header = [f"VAR({self.n_lags}), horizon {self.horizon} = MA terms 0..{self.horizon - 1}"]
        if self.start is not None or self.end is not None:
            header.append(f"sample {self.start} .. {self.end}" + (f", {self.n_obs} observations" if self.n_obs else ""))
        header.append(f"TCI {self.total:.2f}%, corrected TCI {self.corrected_total:.2f}%")
        text = "\n".join([title, *header[:-1], self.to_string()])
        return Summary(title, header=tuple(header), tables=(("connectedness table", self._dy_table()),), text=text)

    def to_string(self, digits: int = 2) -> str:
        """Printable DY table (the main table of :meth:`summary`, rounded), with TCI and corrected TCI below."""
        body = self._dy_table().round(digits).to_string(na_rep="")
        return (
            f"{body}\nTCI {self.total:.{digits}f}%   corrected TCI {self.corrected_total:.{digits}f}%   "
            f"({self.kind} FEVD, horizon {self.horizon} = MA terms 0..{self.horizon - 1})"
        )

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return (
            f"ConnectednessResult(kind={self.kind!r}, horizon={self.horizon}, n_lags={self.n_lags}, "
            f"names={list(self.names)}, total={self.total:.4f})"
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame with columns ``measure, variable, other, value``.

        ``measure == "table"``: variable = receiver, other = transmitter; ``"pairwise_net"``: net from
        variable to other; ``"to" / "from" / "net" / "npt"``: one row per variable; ``"total"`` and
        ``"corrected_total"``: one row with variable None.
        """
        n = len(self.names)
        names = np.asarray(self.names, dtype=object)
        receiver, transmitter = np.indices((n, n)).reshape(2, -1)
        frames = [
            pd.DataFrame(
                {
                    "measure": "table",
                    "variable": names[receiver],
                    "other": names[transmitter],
                    "value": self.values.ravel(),
                }
            ),
            pd.DataFrame(
                {
                    "measure": "pairwise_net",
                    "variable": names[receiver],
                    "other": names[transmitter],
                    "value": self._measures["pairwise_net"].ravel(),
                }
            ),
        ]
        for key in ("to", "from", "net", "npt"):
            frames.append(
                pd.DataFrame({"measure": key, "variable": names, "other": None, "value": self._measures[key]})
            )
        frames.append(
            pd.DataFrame(
                {
                    "measure": ["total", "corrected_total"],
                    "variable": None,
                    "other": None,
                    "value": [self.total, self.corrected_total],
                }
            )
        )
        if self.draws is not None:
            self._attach_bounds(frames)
        return pd.concat(frames, ignore_index=True)

    def _attach_bounds(self, frames: list[pd.DataFrame]) -> None:
        """Add ``lower`` / ``upper`` columns to the blocks of :meth:`to_frame` (NPT, a count, gets none)."""
        n = len(self.names)
        for frame, key in zip(frames, ("table", "pairwise_net", "to", "from", "net", "npt", "total"), strict=True):
            if key == "npt":
                lower = upper = np.full(n, np.nan)
            elif key == "total":
                (lo1, up1), (lo2, up2) = self._bounds("total"), self._bounds("corrected_total")
                lower, upper = np.r_[lo1, lo2], np.r_[up1, up2]
            else:
                lower, upper = self._bounds(key)
            frame["lower"] = np.ravel(lower)
            frame["upper"] = np.ravel(upper)

    def plot(
        self, kind: Literal["heatmap", "network"] = "heatmap", ax: Any = None, threshold: float = 0.0
    ) -> Figure:
        """Heatmap of the table, or network of net pairwise spillovers (matplotlib only).

        Parameters
        ----------
        kind : {"heatmap", "network"}
            ``"network"`` draws an arrow i -> j when ``pairwise_net[i, j] > threshold``, width proportional
            to its size; node colour: net transmitter (red) or receiver (blue), node size by |NET|.
        ax : matplotlib Axes, optional
        threshold : float
            Minimum net pairwise spillover (percent points) drawn in the network plot.
        """
        from contagion.spillover import plots as _conn_plots

        if kind == "heatmap":
            return _conn_plots.heatmap(self.table, ax=ax, title=f"{self.kind} FEVD (%), TCI {self.total:.2f}")
        if kind == "network":
            return _conn_plots.network(self.pairwise_net, self.net, ax=ax, threshold=threshold)
        raise SpecificationError(f"plot(kind={kind!r}): kind must be 'heatmap' or 'network'.")
