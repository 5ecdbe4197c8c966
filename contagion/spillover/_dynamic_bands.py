r"""Intervals on connectedness over time at a chosen subset of dates: rolling windows and the TVP-VAR.

Rolling windows (``bands="bootstrap" | "wild"``): each chosen window's VAR is bootstrapped exactly as
:func:`contagion.spillover.static.connectedness` bootstraps one sample (:func:`contagion.spillover._bands.
coef_draws`: recursive-design residual or wild bootstrap, simulated and re-estimated in one batch per
window), then the FEVD tables of all chosen windows and draws are computed in one batch. Window k draws from
its own generator, seeded with :func:`date_seed` (the run's seed and the window's position in the rolling
index), so ``connectedness(window_rows, bands=..., seed=result.band_draws.date_seeds[k])`` gives the same
draws, and adding a date never changes the draws of another. Intervals: basic bootstrap intervals, as for a
static table.

TVP-VAR (``bands="filter"``): draws :math:`\beta^{(r)} \sim N(\beta_{t|t}, S_{t|t})` of the coefficient
vector from the Kalman filter's Gaussian filtering distribution at date t, each mapped to a GFEVD with the
filter's :math:`Q_t` held fixed; intervals are equal-tailed percentiles of the draws (credible intervals of
the filtered estimate). What this is and is not: ``docs/connectedness.md``, "Intervals over time".

References
----------
.. [1] Davison, A. C. and Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge
   University Press, eq. 5.6.
.. [2] Koop, G. and Korobilis, D. (2013). Large time-varying parameter VARs. Journal of Econometrics,
   177(2), 185-198 (forgetting factors: the filtering distribution :math:`N(\beta_{t|t}, S_{t|t})`).
.. [3] Antonakakis, N., Chatziantoniou, I. and Gabauer, D. (2020). Refined measures of dynamic
   connectedness based on time-varying parameter vector autoregressions. Journal of Risk and Financial
   Management, 13(4), 84.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, resolve_seed
from contagion._typing import Float64Array, IntArray
from contagion.errors import ContagionWarning, SpecificationError
from contagion.spillover import _bands
from contagion.spillover._band_options import EXPLOSIVE_WARN
from contagion.spillover._utility import Progress, check_int, fevd_tables, readonly
from contagion.var._kernels import max_modulus

__all__ = [
    "DateBandOptions",
    "DateBands",
    "date_seed",
    "resolve_band_dates",
    "rolling_date_bands",
    "tvp_date_bands",
]

_FEVD_BATCH = 4000  # draws per batched FEVD call (memory: horizon x N x N doubles per draw)
TVP_BAND_METHODS = ("filter",)


@dataclass(frozen=True)
class DateBandOptions:
    """Validated options of intervals over time: scheme, the chosen dates, draws, coverage and seed."""

    method: str
    dates: tuple[Any, ...]
    reps: int
    level: float
    seed: int

    @classmethod
    def build(cls, method: str, methods: Sequence[str], band_dates: Any, reps: Any, level: Any,
              seed: SeedLike, where: str) -> DateBandOptions:
        """``SpecificationError`` naming the argument at fault (``where`` is the calling function)."""
        if method not in methods:
            allowed = ", ".join(repr(m) for m in methods)
            hint = ("" if "filter" not in methods else
                    " A residual bootstrap of the TVP-VAR would re-run the sequential Kalman filter once per draw "
                    "on each simulated path; the TVP-VAR offers bands='filter' (draws from the filtering "
                    "distribution of its coefficients, docs/connectedness.md).")
            raise SpecificationError(f"{where}: bands must be None or {allowed}, got bands={method!r}.{hint}")
        if band_dates is None or isinstance(band_dates, str) or not isinstance(band_dates, Sequence | pd.Index) \
                or len(band_dates) == 0:
            raise SpecificationError(
                f"{where}: bands={method!r} needs band_dates, a non-empty list of dates of the result's index "
                f"(e.g. band_dates=['2020-03-16', '2021-01-04']), got band_dates={band_dates!r}."
            )
        reps = check_int("reps", reps, 2)
        if isinstance(level, bool) or not isinstance(level, float | int) or not 0.0 < float(level) < 1.0:
            raise SpecificationError(f"level must be in (0, 1) (e.g. 0.95), got level={level!r}.")
        return cls(method=method, dates=tuple(band_dates), reps=reps, level=float(level), seed=resolve_seed(seed))


def resolve_band_dates(index: pd.Index, dates: Sequence[Any]) -> IntArray:
    """Positions of ``dates`` in ``index`` (sorted, unique); ``SpecificationError`` for a date not in it."""
    is_dt = isinstance(index, pd.DatetimeIndex)
    positions = []
    for date in dates:
        try:
            key = pd.Timestamp(date) if is_dt else date
            position = index.get_loc(key)
        except (KeyError, TypeError, ValueError):
            raise SpecificationError(
                f"band_dates: {date!r} is not a date of this result (windows are dated by their last row, from "
                f"{index[0]} to {index[-1]}); pick dates from result.index."
            ) from None
        if not isinstance(position, int | np.integer):
            raise SpecificationError(f"band_dates: {date!r} is not unique in the index.")
        positions.append(int(position))
    return np.unique(np.asarray(positions, dtype=np.int64))


def date_seed(seed: int, position: int) -> int:
    """The integer seed of the draws at one date: a child of ``seed`` keyed by the date's position."""
    state = np.random.SeedSequence(seed, spawn_key=(int(position),)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))  # < 2**63, a valid ``seed=`` for connectedness()


@dataclass(frozen=True, kw_only=True)
class DateBands:
    """Draws of connectedness tables at a chosen subset of dates of a rolling or TVP-VAR result.

    Attributes
    ----------
    dates : pandas.Index
        The chosen dates (sorted), a subset of the result's index.
    positions : ndarray of int
        Their positions in the result's index.
    estimates : ndarray (n_dates, N, N)
        The point-estimate tables at those dates (percent).
    draws : ndarray (n_dates, reps, N, N)
        Draws of the tables (percent).
    method : {"bootstrap", "wild", "filter"}
    interval : {"basic", "percentile"}
        Basic bootstrap intervals (rolling) or equal-tailed percentile intervals of the draws (TVP filter).
    level, reps, seed
        Coverage, draws per date and the run's integer seed.
    date_seeds : tuple of int
        The seed of each date's draws (:func:`date_seed`).
    n_explosive : ndarray of int (n_dates,)
        Draws whose VAR is not stable, per date (kept in the intervals).
    """

    dates: pd.Index
    positions: IntArray
    estimates: Float64Array
    draws: Float64Array
    method: str
    interval: str
    level: float
    reps: int
    seed: int
    date_seeds: tuple[int, ...]
    n_explosive: IntArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimates", readonly(self.estimates))
        object.__setattr__(self, "draws", readonly(self.draws))

    def frame(self, names: tuple[str, ...]) -> pd.DataFrame:
        """``date, measure, receiver, transmitter, estimate, lower, upper, bias`` for every date and measure."""
        frames = []
        for d, date in enumerate(self.dates):
            part = _bands.interval_frame(names, _bands.variable_measures(self.estimates[d]),
                                         _bands.variable_measures(self.draws[d]), self.level,
                                         interval=self.interval)
            part.insert(0, "date", date)
            frames.append(part)
        return pd.concat(frames, ignore_index=True)


def _warn_explosive(n_explosive: IntArray, reps: int, dates: pd.Index, what: str) -> None:
    bad = np.flatnonzero(n_explosive > EXPLOSIVE_WARN * reps)
    if bad.size:
        d = int(bad[0])
        warnings.warn(
            f"{int(n_explosive[d])} of {reps} {what} at {dates[d]} are not stable VARs"
            f"{f' (and more than {EXPLOSIVE_WARN:.0%} at {bad.size - 1} other dates)' if bad.size > 1 else ''}; "
            "their tables are kept in the intervals. The estimate there may be close to a unit root.",
            ContagionWarning, stacklevel=4,
        )


def _batched_tables(coefs: Float64Array, sigma: Float64Array, horizon: int, kind: str) -> Float64Array:
    """FEVD tables of stacked draws (D, R, p, N, N) / (D, R, N, N) in memory-bounded flat batches."""
    lead = coefs.shape[:2]
    flat_c = coefs.reshape(-1, *coefs.shape[2:])
    flat_s = sigma.reshape(-1, *sigma.shape[2:])
    out = np.empty((flat_c.shape[0], coefs.shape[-1], coefs.shape[-1]))
    for begin in range(0, flat_c.shape[0], _FEVD_BATCH):
        stop = min(begin + _FEVD_BATCH, flat_c.shape[0])
        out[begin:stop] = fevd_tables(flat_c[begin:stop], flat_s[begin:stop], horizon, kind)
    return out.reshape(*lead, coefs.shape[-1], coefs.shape[-1])


def rolling_date_bands(values: Float64Array, index: pd.Index, tables: Float64Array, *, starts: IntArray,
                       window: int, n_lags: int, horizon: int, kind: str, options: DateBandOptions,
                       progress: Progress | None = None) -> DateBands:
    """Bootstrap draws of the rolling windows dated ``options.dates`` (``index``: the windows' end dates).

    Window k's VAR is refitted to its rows and bootstrapped with its own generator (:func:`date_seed`); the
    slopes and covariances of all windows' draws are then mapped to tables in one batched FEVD.
    """
    positions = resolve_band_dates(index, options.dates)
    seeds = tuple(date_seed(options.seed, int(p)) for p in positions)
    n_vars = values.shape[1]
    coefs = np.empty((len(positions), options.reps, n_lags, n_vars, n_vars))
    sigma = np.empty((len(positions), options.reps, n_vars, n_vars))
    n_explosive = np.zeros(len(positions), dtype=np.int64)
    for d, (position, seed) in enumerate(zip(positions, seeds, strict=True)):
        rows = values[starts[position]: starts[position] + window]
        coefs[d], sigma[d], n_explosive[d] = _bands.coef_draws(
            rows, n_lags, method=options.method, reps=options.reps, rng=np.random.default_rng(seed))
        if progress is not None:
            progress(d + 1, len(positions))
    dates = index[positions]
    _warn_explosive(n_explosive, options.reps, dates, "bootstrap draws")
    return DateBands(dates=dates, positions=positions, estimates=tables[positions],
                     draws=_batched_tables(coefs, sigma, horizon, kind), method=options.method,
                     interval="basic", level=options.level, reps=options.reps, seed=options.seed,
                     date_seeds=seeds, n_explosive=n_explosive)


def _gaussian_root(cov: Float64Array) -> Float64Array:
    """A square root L of a symmetric PSD covariance (L L' = cov), negative round-off eigenvalues set to 0."""
    vals, vecs = np.linalg.eigh(0.5 * (cov + np.swapaxes(cov, -1, -2)))
    return np.asarray(vecs * np.sqrt(np.clip(vals, 0.0, None))[..., None, :], dtype=np.float64)


def tvp_date_bands(index: pd.Index, tables: Float64Array, coefs: Float64Array, q: Float64Array,
                   covs: Float64Array, positions: IntArray, *, horizon: int, kind: str,
                   options: DateBandOptions) -> DateBands:
    r"""Draws :math:`\beta^{(r)} = \hat\beta_t + L_t z^{(r)}`, :math:`L_t L_t' = S_{t|t}`, with :math:`Q_t` fixed.

    ``coefs`` (n_dates, p, N, N) are the reported slopes at the chosen ``positions``, ``covs`` (n_dates,
    N^2 p, N^2 p) the filtered covariances of ``coefs[d].ravel()`` and ``q`` (n_dates, N, N) the EWMA
    covariances (:func:`contagion.spillover._tvp_kernels.tvp_var_filter_cov`).
    """
    seeds = tuple(date_seed(options.seed, int(p)) for p in positions)
    n_dates, (n_lags, n_vars) = len(positions), coefs.shape[1:3]
    m = n_lags * n_vars * n_vars
    roots = _gaussian_root(covs)
    draws_c = np.empty((n_dates, options.reps, n_lags, n_vars, n_vars))
    for d, seed in enumerate(seeds):
        z = np.random.default_rng(seed).standard_normal((options.reps, m))
        draws_c[d] = (coefs[d].reshape(m) + z @ roots[d].T).reshape(options.reps, n_lags, n_vars, n_vars)
    n_explosive = np.asarray((max_modulus(draws_c) >= 1.0).sum(axis=1), dtype=np.int64)
    dates = index[positions]
    _warn_explosive(n_explosive, options.reps, dates, "filter draws")
    sigma = np.broadcast_to(q[:, None], (n_dates, options.reps, n_vars, n_vars))
    return DateBands(dates=dates, positions=positions, estimates=tables[positions],
                     draws=_batched_tables(draws_c, sigma, horizon, kind), method=options.method,
                     interval="percentile", level=options.level, reps=options.reps, seed=options.seed,
                     date_seeds=seeds, n_explosive=n_explosive)
