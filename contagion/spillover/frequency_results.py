r"""Frozen results of frequency connectedness (Baruník and Křehlík 2018): one table per frequency band.

Two conventions, both as :class:`~contagion.spillover.results.ConnectednessResult` objects (percent, rows
receive):

- ``"absolute"``: :math:`100\,\tilde\theta_d`, the band's share of the horizon-H forecast-error variance
  (BK2018 eq. 12). The bands of a partition sum to the Diebold-Yilmaz table of the same horizon
  (:attr:`FrequencyConnectednessResult.total_result`), so the band TCIs add up to the DY TCI.
- ``"within"``: the band table rescaled to sum to N, :math:`100\,N\,\tilde\theta_d / \sum_{ij}
  (\tilde\theta_d)_{ij}` (BK2018 eq. 15; ConnectednessApproach's ``scenario = "WTH"``), whose TCI is
  :math:`100\,(\sum_{ij} (\tilde\theta_d)_{ij} - \operatorname{tr}\tilde\theta_d) / \sum_{ij}
  (\tilde\theta_d)_{ij}`, the connectedness *within* the band.

TO / FROM / NET are undivided sums, as ConnectednessApproach (frequencyConnectedness divides them by N).
Bands are labelled by their periods :math:`2\pi/\omega` in observations ("2-8 days" for
:math:`[\pi/4, \pi]`); the R packages print :math:`\pi/\omega` ("1-4 days") for the same band.

References
----------
.. [1] Baruník, J. and Křehlík, T. (2018). Measuring the frequency dynamics of financial connectedness and
   systemic risk. Journal of Financial Econometrics, 16(2), 271-296.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import Float64Array
from contagion.errors import SpecificationError
from contagion.spillover._utility import readonly
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.rolling_results import RollingConnectednessResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FrequencyBand",
    "FrequencyConnectednessResult",
    "RollingFrequencyConnectednessResult",
    "within_tables",
]

Convention = Literal["absolute", "within"]
_BAND_COLUMNS = ("convention", "band", "period_low", "period_high", "omega_low", "omega_high")


@dataclass(frozen=True)
class FrequencyBand:
    r"""One frequency band: periods in observations (days for daily data) and frequencies in radians.

    The band holds the DFT bins with ``omega_low <= omega < omega_high``, and :math:`\omega = \pi` when
    ``omega_high == pi`` (the first band of a partition whose first edge exceeds :math:`\pi`).
    ``period_low = 2 pi / omega_high`` (at least 2, the Nyquist period), ``period_high = 2 pi / omega_low``
    (``inf`` for the band that holds :math:`\omega = 0`).
    """

    label: str
    period_low: float
    period_high: float
    omega_low: float
    omega_high: float
    n_bins: int

    def columns(self, convention: str) -> dict[str, Any]:
        return {"convention": convention, "band": self.label, "period_low": self.period_low,
                "period_high": self.period_high, "omega_low": self.omega_low, "omega_high": self.omega_high}


def within_tables(values: Float64Array) -> Float64Array:
    """Within-band tables (percent) from absolute ones (..., N, N): each rescaled to sum to 100 N."""
    n_vars = values.shape[-1]
    total = values.sum(axis=(-2, -1), keepdims=True)
    out: Float64Array = 100.0 * n_vars * values / total
    return out


def _measure_rows(results: Mapping[str, ConnectednessResult], total: ConnectednessResult | None) -> pd.DataFrame:
    """Rows (measure, variable): TCI, TO, FROM, NET; one column per band (and ``total``)."""
    columns = dict(results)
    if total is not None:
        columns["total"] = total
    data: dict[str, pd.Series] = {}
    for label, res in columns.items():
        parts = [pd.Series([res.total], index=pd.MultiIndex.from_tuples([("TCI", "all")]))]
        for measure, series in (("TO", res.to), ("FROM", res.from_), ("NET", res.net)):
            parts.append(pd.Series(series.to_numpy(), index=pd.MultiIndex.from_product([[measure], res.names])))
        data[label] = pd.concat(parts)
    out = pd.DataFrame(data)
    out.index.names = ["measure", "variable"]
    out.columns.name = "band"
    return out


def _tidy(parts: list[tuple[FrequencyBand, str, pd.DataFrame]]) -> pd.DataFrame:
    frames = []
    for band, convention, frame in parts:
        frame = frame.copy()
        for position, (key, value) in enumerate(band.columns(convention).items()):
            frame.insert(position, key, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _band_lines(bands: tuple[FrequencyBand, ...], horizon: int) -> list[str]:
    return [f"band {b.label}: omega in [{b.omega_low:.4f}, {b.omega_high:.4f}"
            + ("]" if b.omega_high == np.pi else ")") + f" rad, {b.n_bins} of {horizon} DFT bins" for b in bands]


@dataclass(frozen=True, kw_only=True)
class FrequencyConnectednessResult(SummaryReprMixin):
    """Frequency connectedness of one VAR: a connectedness table per frequency band.

    Attributes
    ----------
    names : tuple of str
    bands : tuple of FrequencyBand
        From high frequency (short periods) to low frequency (long periods).
    values : ndarray of shape (n_bands, N, N)
        Absolute band tables in percent, rows receive; they sum over bands to the DY table.
    kind, horizon, n_lags, n_obs, start, end
        As :class:`ConnectednessResult`; ``horizon`` H = MA terms h = 0..H-1 = DFT length
        (frequencyConnectedness ``n.ahead = H - 1``).
    grid : {"exact", "frequencyConnectedness"}
        Frequencies assigned to the DFT bins (``docs/frequency.md``).
    draws : ndarray of shape (reps, n_bands, N, N) or None
        Bootstrap draws of the absolute band tables (``intervals=``); every interval is computed from them.
    interval_method : {"bootstrap", "wild"} or None
        The bootstrap scheme of the draws.
    level, reps, seed, n_explosive
        Coverage, number of draws, the integer seed and the draws whose VAR is not stable.
    """

    names: tuple[str, ...]
    bands: tuple[FrequencyBand, ...]
    values: Float64Array
    kind: str
    horizon: int
    grid: str
    n_lags: int | None = None
    n_obs: int | None = None
    start: Any = None
    end: Any = None
    draws: Float64Array | None = None
    interval_method: str | None = None
    level: float = 0.95
    reps: int = 0
    seed: int | None = None
    n_explosive: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", readonly(self.values))
        if self.draws is not None:
            object.__setattr__(self, "draws", readonly(self.draws))

    @property
    def labels(self) -> tuple[str, ...]:
        """Band labels, e.g. ``("2-8 days", "8-inf days")``."""
        return tuple(b.label for b in self.bands)

    def _result(self, values: Float64Array, draws: Float64Array | None = None) -> ConnectednessResult:
        extra: dict[str, Any] = {} if draws is None else {
            "draws": draws, "bands": self.interval_method, "level": self.level, "reps": self.reps,
            "seed": self.seed, "n_explosive": self.n_explosive}
        return ConnectednessResult(names=self.names, values=values, kind=self.kind, horizon=self.horizon,
                                   n_lags=self.n_lags, n_obs=self.n_obs, start=self.start, end=self.end, **extra)

    @cached_property
    def absolute(self) -> dict[str, ConnectednessResult]:
        """Band label -> absolute band table (percent of the total forecast-error variance)."""
        draws = self.draws
        return {b.label: self._result(self.values[d], None if draws is None else draws[:, d])
                for d, b in enumerate(self.bands)}

    @cached_property
    def within(self) -> dict[str, ConnectednessResult]:
        """Band label -> within-band table (rescaled to sum to 100 N; ConnectednessApproach ``WTH``)."""
        tables = within_tables(self.values)
        draws = None if self.draws is None else within_tables(self.draws)
        return {b.label: self._result(tables[d], None if draws is None else draws[:, d])
                for d, b in enumerate(self.bands)}

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """Bootstrap intervals by band: ``convention, band, measure, receiver, transmitter, estimate, lower,
        upper, bias``.

        For each convention (``absolute``, ``within``) and band, the rows of
        :attr:`ConnectednessResult.intervals` of that band's table computed on every draw (basic bootstrap
        intervals); band ``"total"`` (absolute) is the DY table, the sum of the bands, on the same draws.

        Raises
        ------
        SpecificationError
            The result was estimated without ``intervals=``.
        """
        if self.draws is None:
            raise SpecificationError(
                "this frequency result has no bootstrap draws; estimate it with frequency_connectedness(..., "
                "intervals='bootstrap', reps=1000) (intervals= is the bootstrap; bands= are the frequency bands)."
            )
        parts = [(conv, label, res.intervals) for conv in ("absolute", "within")
                 for label, res in self._convention(conv).items()]
        parts.append(("absolute", "total", self.total_result.intervals))
        frames = [frame.assign(convention=conv, band=label) for conv, label, frame in parts]
        out = pd.concat(frames, ignore_index=True)
        return out[["convention", "band", *frames[0].columns[:-2]]]

    def band(self, label: str, convention: Convention = "absolute") -> ConnectednessResult:
        """The table of one band in one convention."""
        results = self._convention(convention)
        if label not in results:
            raise SpecificationError(f"band({label!r}): no such band; bands are {list(self.labels)}.")
        return results[label]

    def _convention(self, convention: str) -> dict[str, ConnectednessResult]:
        if convention == "absolute":
            return self.absolute
        if convention == "within":
            return self.within
        raise SpecificationError(f"convention must be 'absolute' or 'within', got convention={convention!r}.")

    @cached_property
    def total_result(self) -> ConnectednessResult:
        """The Diebold-Yilmaz table of the same horizon: the sum of the absolute band tables."""
        return self._result(self.values.sum(axis=0), None if self.draws is None else self.draws.sum(axis=1))

    @property
    def total_table(self) -> pd.DataFrame:
        """DY table (percent) of the same horizon, the sum of the absolute band tables."""
        return self.total_result.table

    @cached_property
    def tci(self) -> pd.Series:
        """Absolute TCI by band (percent); sums to the DY TCI."""
        return pd.Series({k: r.total for k, r in self.absolute.items()}, name="tci").rename_axis("band")

    @cached_property
    def tci_within(self) -> pd.Series:
        """Within-band TCI by band, 100 (sum - trace) / sum of the band table."""
        return pd.Series({k: r.total for k, r in self.within.items()}, name="tci_within").rename_axis("band")

    def by_band(self, measure: Literal["to", "from", "net"] = "net",
                convention: Convention = "absolute") -> pd.DataFrame:
        """TO, FROM or NET (undivided, percent) as a variable x band frame."""
        if measure not in ("to", "from", "net"):
            raise SpecificationError(f"measure must be 'to', 'from' or 'net', got measure={measure!r}.")
        attribute = "from_" if measure == "from" else measure
        frame = pd.DataFrame({k: getattr(r, attribute) for k, r in self._convention(convention).items()})
        frame.columns.name = "band"
        return frame

    def summary(self) -> Summary:
        """Options, bands and the short-run / long-run table: TCI, TO, FROM, NET per band (both conventions)."""
        title = f"Frequency connectedness, Barunik-Krehlik 2018 ({self.kind} FEVD, percent, rows receive)"
        header = [f"VAR({self.n_lags}), horizon {self.horizon} = MA terms 0..{self.horizon - 1} = DFT length "
                  f"(frequencyConnectedness n.ahead = {self.horizon - 1}), grid {self.grid!r}"]
        if self.start is not None or self.end is not None:
            header.append(f"sample {self.start} .. {self.end}" + (f", {self.n_obs} observations" if self.n_obs else ""))
        header.extend(_band_lines(self.bands, self.horizon))
        parts = " + ".join(f"{v:.2f}% ({k})" for k, v in self.tci.items())
        header.append(f"TCI {self.total_result.total:.2f}% = {parts}")
        tables = (("absolute: band tables sum to the total (DY) table",
                   _measure_rows(self.absolute, self.total_result)),
                  ("within: each band table rescaled to sum to N", _measure_rows(self.within, None)))
        notes = ("TO / FROM / NET are undivided sums (ConnectednessApproach); frequencyConnectedness divides by N.",
                 "band periods are 2 pi / omega; the R packages print pi / omega (half the period).")
        return Summary(title, header=tuple(header), tables=tables, notes=notes)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: ``convention, band, period_low, period_high, omega_low, omega_high, measure,
        variable, other, value`` (the rows of :meth:`ConnectednessResult.to_frame` for every band)."""
        parts = [(b, conv, self._convention(conv)[b.label].to_frame())
                 for conv in ("absolute", "within") for b in self.bands]
        return _tidy(parts)

    def plot(self, kind: Literal["net", "tci"] = "net", ax: Any = None) -> Figure:
        """``"net"``: NET per variable as bars grouped by band (absolute); ``"tci"``: TCI by band, both
        conventions side by side."""
        from matplotlib.figure import Figure

        if kind not in ("net", "tci"):
            raise SpecificationError(f"plot(kind={kind!r}): kind must be 'net' or 'tci'.")
        if ax is None:
            fig = Figure(figsize=(7.0, 4.0))
            ax = fig.add_subplot(1, 1, 1)
        else:
            fig = ax.figure
        frame = (self.by_band("net") if kind == "net"
                 else pd.DataFrame({"absolute": self.tci, "within": self.tci_within}))
        width = 0.8 / frame.shape[1]
        x = np.arange(frame.shape[0])
        for c, column in enumerate(frame.columns):
            ax.bar(x + (c - (frame.shape[1] - 1) / 2) * width, frame[column].to_numpy(), width, label=str(column))
        ax.set_xticks(x, [str(i) for i in frame.index])
        ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_ylabel("NET (percent points)" if kind == "net" else "TCI (percent)")
        ax.set_title(f"frequency connectedness ({self.kind}), horizon {self.horizon}")
        ax.legend(title="band" if kind == "net" else "convention", fontsize=8)
        return fig


@dataclass(frozen=True, kw_only=True)
class RollingFrequencyConnectednessResult(SummaryReprMixin):
    """Frequency connectedness of rolling-window VARs: per band a :class:`RollingConnectednessResult`.

    Attributes
    ----------
    names, bands, kind, horizon, grid
        As :class:`FrequencyConnectednessResult`.
    index : pandas.Index
        The last data row of each window.
    values : ndarray of shape (n_windows, n_bands, N, N)
        Absolute band tables in percent.
    n_lags, window, step, explosive
        As :class:`RollingConnectednessResult` (``window`` counts data rows including the lag rows).
    """

    names: tuple[str, ...]
    index: pd.Index
    bands: tuple[FrequencyBand, ...]
    values: Float64Array
    kind: str
    horizon: int
    grid: str
    n_lags: int
    window: int
    step: int = 1
    explosive: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", readonly(self.values))
        flags = np.zeros(len(self.index), dtype=bool) if self.explosive is None else np.array(self.explosive, bool)
        flags.flags.writeable = False
        object.__setattr__(self, "explosive", flags)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(b.label for b in self.bands)

    def _rolling(self, values: Float64Array, options: dict[str, Any]) -> RollingConnectednessResult:
        return RollingConnectednessResult(
            names=self.names, index=self.index, values=values, kind=self.kind, horizon=self.horizon,
            method="rolling", n_lags=self.n_lags, window=self.window, step=self.step, options=options,
            explosive=self.explosive,
        )

    @cached_property
    def absolute(self) -> dict[str, RollingConnectednessResult]:
        """Band label -> rolling absolute band tables."""
        return {b.label: self._rolling(self.values[:, d], {"band": b.label, "convention": "absolute"})
                for d, b in enumerate(self.bands)}

    @cached_property
    def within(self) -> dict[str, RollingConnectednessResult]:
        """Band label -> rolling within-band tables."""
        tables = within_tables(self.values)
        return {b.label: self._rolling(tables[:, d], {"band": b.label, "convention": "within"})
                for d, b in enumerate(self.bands)}

    def _convention(self, convention: str) -> dict[str, RollingConnectednessResult]:
        if convention not in ("absolute", "within"):
            raise SpecificationError(f"convention must be 'absolute' or 'within', got convention={convention!r}.")
        return self.absolute if convention == "absolute" else self.within

    @cached_property
    def total_result(self) -> RollingConnectednessResult:
        """Rolling DY tables of the same horizon (sum of the absolute band tables)."""
        return self._rolling(self.values.sum(axis=1), {"band": "total", "convention": "absolute"})

    def _tci(self, convention: str) -> pd.DataFrame:
        frame = pd.DataFrame({k: r.total for k, r in self._convention(convention).items()})
        frame.columns.name = "band"
        return frame

    @cached_property
    def tci(self) -> pd.DataFrame:
        """Absolute TCI (date x band); rows sum to the rolling DY TCI."""
        return self._tci("absolute")

    @cached_property
    def tci_within(self) -> pd.DataFrame:
        """Within-band TCI (date x band)."""
        return self._tci("within")

    def at(self, date: Any) -> FrequencyConnectednessResult:
        """The band tables of one window, by its last date."""
        key = pd.Timestamp(date) if isinstance(self.index, pd.DatetimeIndex) else date
        position = int(self.index.get_indexer(pd.Index([key]))[0])
        if position < 0:
            raise SpecificationError(
                f"at({date!r}): no window ends on {date!r}; windows end from {self.index[0]} to {self.index[-1]}."
            )
        return FrequencyConnectednessResult(names=self.names, bands=self.bands, values=self.values[position],
                                            kind=self.kind, horizon=self.horizon, grid=self.grid,
                                            n_lags=self.n_lags, n_obs=self.window - self.n_lags,
                                            end=self.index[position])

    def summary(self) -> Summary:
        """Windows, bands; tables: TCI mean / min / max by band (both conventions), mean NET by band."""
        title = f"Rolling frequency connectedness, Barunik-Krehlik 2018 ({self.kind} FEVD, percent)"
        header = [f"sample {self.index[0]} .. {self.index[-1]}, {len(self.index)} windows of {self.window} rows "
                  f"(incl. {self.n_lags} lag rows), step {self.step}",
                  f"VAR({self.n_lags}), horizon {self.horizon} = MA terms 0..{self.horizon - 1} = DFT length, "
                  f"grid {self.grid!r}", *_band_lines(self.bands, self.horizon)]
        stats = {}
        for name, frame in (("absolute", self.tci.assign(total=self.total_result.total)),
                            ("within", self.tci_within)):
            for stat in ("mean", "min", "max"):
                stats[(name, stat)] = getattr(frame, stat)()
        tci = pd.DataFrame(stats).T
        tci.index.names = ["convention", "statistic"]
        net = pd.DataFrame({k: r.net.mean() for k, r in self.absolute.items()})
        net.columns.name = "band"
        notes = []
        if int(np.sum(self.explosive)):
            notes.append(f"{int(np.sum(self.explosive))} of {len(self.index)} windows have an unstable VAR "
                         "(flagged in .explosive)")
        return Summary(title, header=tuple(header), notes=tuple(notes),
                       tables=(("TCI by band", tci), ("mean NET by band (absolute)", net)))

    def to_frame(self) -> pd.DataFrame:
        """Tidy long frame: ``convention, band, period_low, period_high, omega_low, omega_high, date, measure,
        variable, value`` (the rows of :meth:`RollingConnectednessResult.to_frame` for every band)."""
        parts = [(b, conv, self._convention(conv)[b.label].to_frame())
                 for conv in ("absolute", "within") for b in self.bands]
        return _tidy(parts)

    def plot(self, convention: Convention = "absolute", ax: Any = None) -> Figure:
        """TCI by band over time: stacked areas for ``"absolute"`` (the top edge is the DY TCI), lines for
        ``"within"``."""
        from matplotlib.figure import Figure

        frame = self._tci(convention)
        if ax is None:
            fig = Figure(figsize=(9.0, 4.0))
            ax = fig.add_subplot(1, 1, 1)
        else:
            fig = ax.figure
        x = np.asarray(frame.index)
        if convention == "absolute":
            ax.stackplot(x, frame.to_numpy().T, labels=[str(c) for c in frame.columns], alpha=0.8)
        else:
            for column in frame.columns:
                ax.plot(x, frame[column].to_numpy(), lw=1.0, label=str(column))
        ax.set_ylabel(f"TCI, {convention} (percent)")
        ax.set_title(f"rolling frequency connectedness, window {self.window}, horizon {self.horizon}")
        ax.legend(title="band", fontsize=8)
        return fig
