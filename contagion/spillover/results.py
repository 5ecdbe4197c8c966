"""Frozen result objects of the connectedness estimators (static, group/block, rolling and TVP-VAR).

All tables are in percent, rows *receive*: ``table.loc[i, j]`` is the share of i's H-step forecast-error
variance due to shocks in j (Diebold and Yilmaz 2012, Table 2 layout). Horizon H means MA terms h = 0..H-1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._typing import Float64Array
from contagion.errors import SpecificationError
from contagion.spillover import _kernels as _conn_kernels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ConnectednessResult", "GroupConnectedness", "RollingConnectednessResult"]


def _readonly(array: Float64Array) -> Float64Array:
    out = np.array(array, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


def _parse_groups(
    mapping: Mapping[str, str] | Mapping[str, Sequence[str]], names: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """Accept ``{variable: group}`` or ``{group: [variables]}``; every variable must be in exactly one group."""
    if not mapping:
        raise SpecificationError(
            "groups(mapping): the mapping is empty; pass {variable: group} or {group: [variables]}."
        )
    members: dict[str, list[str]] = {}
    values = list(mapping.values())
    if all(isinstance(v, str) for v in values):
        for variable, group in mapping.items():
            members.setdefault(str(group), []).append(str(variable))
    elif all(isinstance(v, Sequence) and not isinstance(v, str) for v in values):
        for group, variables in mapping.items():
            members[str(group)] = [str(v) for v in variables]
    else:
        raise SpecificationError(
            "groups(mapping): pass either {variable: group} (all values strings) or {group: [variables]}."
        )
    seen: dict[str, str] = {}
    for group, variables in members.items():
        for variable in variables:
            if variable not in names:
                raise SpecificationError(
                    f"groups(mapping): {variable!r} (group {group!r}) is not a variable of this result; "
                    f"variables are {list(names)}."
                )
            if variable in seen:
                raise SpecificationError(
                    f"groups(mapping): {variable!r} is in both group {seen[variable]!r} and {group!r}."
                )
            seen[variable] = group
    missing = [n for n in names if n not in seen]
    if missing:
        raise SpecificationError(
            f"groups(mapping): variables {missing} belong to no group; assign every variable to a group."
        )
    return {g: tuple(v) for g, v in members.items() if v}


def _group_matrix(groups: dict[str, tuple[str, ...]], names: tuple[str, ...]) -> Float64Array:
    """(G, N) indicator: row g has ones at the columns of the members of group g."""
    indicator = np.zeros((len(groups), len(names)))
    for g, variables in enumerate(groups.values()):
        for variable in variables:
            indicator[g, names.index(variable)] = 1.0
    return indicator


@dataclass(frozen=True, kw_only=True)
class GroupConnectedness:
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

    def summary(self) -> pd.DataFrame:
        """The group table with FROM column and TO / NET rows (DY layout)."""
        out = self.table.copy()
        out["FROM"] = self.from_
        out.loc["TO"] = [*self.to.to_numpy(), self.to.sum()]
        out.loc["NET"] = [*self.net.to_numpy(), np.nan]
        out.loc["WITHIN"] = [*self.within.to_numpy(), np.nan]
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: columns ``measure, group, other, value``."""
        rows: list[dict[str, Any]] = []
        for a, ga in enumerate(self.groups):
            for b, gb in enumerate(self.groups):
                rows.append({"measure": "table", "group": ga, "other": gb, "value": float(self.values[a, b])})
        for measure, series in (
            ("to", self.to),
            ("from", self.from_),
            ("net", self.net),
            ("within", self.within),
        ):
            for g, v in series.items():
                rows.append({"measure": measure, "group": g, "other": None, "value": float(v)})
        return pd.DataFrame(rows)


@dataclass(frozen=True, kw_only=True)
class ConnectednessResult:
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
    """

    names: tuple[str, ...]
    values: Float64Array
    kind: str
    horizon: int
    n_lags: int | None = None
    n_obs: int | None = None
    start: Any = None
    end: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _readonly(self.values))

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
            ``.between_total + .within_total == self.total``.
        """
        members = _parse_groups(mapping, self.names)
        indicator = _group_matrix(members, self.names)
        values = indicator @ self.values @ indicator.T
        own = indicator @ np.diag(self.values)
        return GroupConnectedness(
            groups=tuple(members), members=members, values=values, own=own, n_vars=len(self.names)
        )

    def summary(self) -> pd.DataFrame:
        """The DY2012 / ConnectednessApproach table layout as a DataFrame.

        Rows: the variables (receiving), then ``TO`` (column sums of off-diagonal cells; its ``FROM`` cell
        holds sum(TO)), ``Inc.Own`` (TO + own share), ``NET`` (its ``FROM`` cell holds the TCI) and ``NPT``.
        Columns: the variables (transmitting) and ``FROM``.
        """
        out = self.table.copy()
        out.index.name = None
        out.columns.name = None
        out["FROM"] = self.from_
        out.loc["TO"] = [*self.to.to_numpy(), self.to.sum()]
        out.loc["Inc.Own"] = [*(self.to.to_numpy() + np.diag(self.values)), np.nan]
        out.loc["NET"] = [*self.net.to_numpy(), self.total]
        out.loc["NPT"] = [*self.npt.to_numpy().astype(np.float64), np.nan]
        return out

    def to_string(self, digits: int = 2) -> str:
        """Printable DY table (``summary()`` rounded), with TCI and corrected TCI below."""
        body = self.summary().round(digits).to_string(na_rep="")
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
        return pd.concat(frames, ignore_index=True)

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


@dataclass(frozen=True, kw_only=True)
class RollingConnectednessResult:
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _readonly(self.values))
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
        """The connectedness table of one window (by its last date) or TVP date."""
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
        )

    def groups(self, mapping: Mapping[str, str] | Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """Group TO / FROM / NET / WITHIN over time: columns MultiIndex (measure, group)."""
        members = _parse_groups(mapping, self.names)
        indicator = _group_matrix(members, self.names)
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
