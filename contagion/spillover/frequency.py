r"""Frequency connectedness (Baruník and Křehlík 2018): the DY table split into frequency bands.

``docs/frequency.md`` has the formulas, the conventions against frequencyConnectedness and
ConnectednessApproach and the measured agreement. In short:

- ``horizon`` H is the number of MA terms h = 0..H-1 and the DFT length (frequencyConnectedness's
  ``n.ahead = 100`` is ``horizon = 101`` here; so is ConnectednessApproach's frequency ``nfore = 100``).
- Bands are given as periods in observations (days for daily data), ``bands=[(2, 8), (8, None)]``, or as
  decreasing cut points in radians as frequencyConnectedness's ``partition``, ``(pi + 1e-5, pi / 4, 0)``.
  A period p is the frequency :math:`\omega = 2\pi/p`; bands are half-open, :math:`[\omega_{low},
  \omega_{high})`, and must cover every DFT bin, including :math:`\omega = \pi` (hence ``pi + 1e-5``).
- ``grid="exact"`` gives bin k its DFT frequency :math:`2\pi k / H`; ``grid="frequencyConnectedness"``
  uses the R packages' labels :math:`k\pi/\lfloor H/2 \rfloor`, which differ for odd H.

References
----------
.. [1] Baruník, J. and Křehlík, T. (2018). Measuring the frequency dynamics of financial connectedness and
   systemic risk. Journal of Financial Econometrics, 16(2), 271-296.
.. [2] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
from collections.abc import Sequence
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from contagion._compat import SeedLike
from contagion._typing import BoolArray, Float64Array
from contagion.errors import SpecificationError
from contagion.spillover._band_options import BandOptions, estimation_data, warn_explosive
from contagion.spillover._bands import BAND_METHODS, coef_draws
from contagion.spillover._frequency_kernels import FrequencyGrid, band_bins, bin_frequencies, frequency_fevd
from contagion.spillover._utility import (
    ConnectednessKind,
    Progress,
    VARResultsLike,
    check_horizon,
    check_int,
    check_kind,
    fit_static_var,
    validate_data,
)
from contagion.spillover.frequency_results import (
    FrequencyBand,
    FrequencyConnectednessResult,
    RollingFrequencyConnectednessResult,
)
from contagion.spillover.rolling import fit_windows, plan_windows
from contagion.var.fevd import ma_coefficients

__all__ = ["DEFAULT_BANDS", "frequency_bands", "frequency_connectedness"]

logger = logging.getLogger(__name__)

#: Default bands for daily data: within a trading week (2-5 days), a week to a month (5-20 days), longer.
DEFAULT_BANDS: tuple[tuple[float, float | None], ...] = ((2.0, 5.0), (5.0, 20.0), (20.0, None))
_DRAW_BYTES = 64 * 2**20  # memory budget of one batch of bootstrap draws in the frequency kernel
_TOP = math.pi + 1e-5  # first cut point that keeps omega = pi inside a half-open band (frequencyConnectedness)
_HINT = ("Bands are half-open [omega_low, omega_high) and must cover [0, pi]: start the first band at period 2 "
         "(or a partition at pi + 1e-5, which keeps omega = pi) and end the last at None (infinite period, "
         "omega = 0).")


def _fmt(period: float) -> str:
    return "inf" if math.isinf(period) else f"{period:.4g}"


def _check_period(value: Any, where: str, allow_none: bool) -> float:
    if value is None and allow_none:
        return math.inf
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or value <= 0:
        extra = " or None (infinite period)" if allow_none else ""
        raise SpecificationError(
            f"bands: {where} must be a positive number of observations (days){extra}, got {value!r}."
        )
    return float(value)


def _edges_from_periods(bands: Any) -> tuple[Float64Array, list[float]]:
    """Decreasing cut points (radians) and the band periods' lower ends from ``[(low, high), ...]``."""
    if isinstance(bands, (str, bytes)) or not isinstance(bands, Sequence) or not bands:
        raise SpecificationError(f"bands must be a non-empty list of (period_low, period_high) pairs, got {bands!r}.")
    pairs = []
    for b, pair in enumerate(bands):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise SpecificationError(f"bands[{b}] must be a (period_low, period_high) pair, got {pair!r}.")
        low = _check_period(pair[0], f"bands[{b}][0] (period_low)", allow_none=False)
        high = _check_period(pair[1], f"bands[{b}][1] (period_high)", allow_none=True)
        if not high > low:
            raise SpecificationError(f"bands[{b}] = {tuple(pair)!r}: period_high must exceed period_low.")
        pairs.append((low, high))
    pairs.sort()
    for (_, high), (low, _) in itertools.pairwise(pairs):
        if math.isinf(high) or not math.isclose(high, low, rel_tol=1e-12):
            what = "are in no band (a gap)" if high < low else "are in two bands (an overlap)"
            span = f"{_fmt(min(high, low))} to {_fmt(max(high, low))}"
            raise SpecificationError(
                f"bands {[(lo, None if math.isinf(hi) else hi) for lo, hi in pairs]}: periods {span} days {what}; "
                f"each band must start where the previous one ends. {_HINT}"
            )
    edges = [_TOP if low <= 2.0 else 2.0 * math.pi / low for low, _ in pairs]
    edges.append(0.0 if math.isinf(pairs[-1][1]) else 2.0 * math.pi / pairs[-1][1])
    return np.asarray(edges), [max(low, 2.0) for low, _ in pairs]


def _edges_from_partition(partition: Any) -> Float64Array:
    try:
        edges = np.asarray(partition, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecificationError(f"partition must be a sequence of numbers (radians), got {partition!r}.") from None
    if edges.ndim != 1 or edges.size < 2 or not np.isfinite(edges).all() or (edges < 0).any():
        raise SpecificationError(
            f"partition must hold at least two finite, non-negative cut points in radians, got {partition!r}; "
            "e.g. (pi + 1e-5, pi / 4, 0)."
        )
    bad = np.flatnonzero(np.diff(edges) >= 0)
    if bad.size:
        raise SpecificationError(
            f"partition {list(edges)} must be strictly decreasing (frequencyConnectedness order, high to low "
            f"frequency), but partition[{bad[0]}] = {edges[bad[0]]} <= partition[{bad[0] + 1}] = "
            f"{edges[bad[0] + 1]}. {_HINT}"
        )
    return edges


def _check_coverage(bins: BoolArray, horizon: int, grid: FrequencyGrid, edges: Float64Array) -> None:
    omega = bin_frequencies(horizon, grid)
    missing = np.flatnonzero(~bins.any(axis=0) & (np.arange(horizon) <= horizon // 2))
    if not missing.size:
        return
    runs = np.split(missing, np.flatnonzero(np.diff(missing) > 1) + 1)
    parts = []
    for run in runs:
        a, b = int(run[0]), int(run[-1])
        periods = sorted(2 * math.pi / omega[k] if omega[k] else math.inf for k in (a, b))
        span = (f"k={a} (omega={omega[a]:.4f}, period {_fmt(periods[0])} days)" if a == b else
                f"k={a}..{b} (omega={omega[a]:.4f}..{omega[b]:.4f}, periods {_fmt(periods[0])}..{_fmt(periods[1])} days)")
        parts.append(span)
    raise SpecificationError(
        f"the bands (cut points {np.round(edges, 6).tolist()} rad) leave DFT bins of horizon {horizon} "
        f"(grid {grid!r}) in no band: {', '.join(parts)}. {_HINT}"
    )


def frequency_bands(
    horizon: int, bands: Any = None, partition: Any = None, grid: FrequencyGrid = "exact"
) -> tuple[tuple[FrequencyBand, ...], BoolArray]:
    """Validated bands and their DFT-bin membership (n_bands, horizon) for one horizon and grid.

    Exactly one of ``bands`` (periods) and ``partition`` (radians) may be given; neither means
    :data:`DEFAULT_BANDS`. Raises ``SpecificationError`` for negative periods, gaps, overlaps, non-decreasing
    cut points, DFT bins in no band and bands that hold no bin.
    """
    if bands is not None and partition is not None:
        raise SpecificationError(
            "pass either bands (periods in days, e.g. [(2, 8), (8, None)]) or partition (cut points in radians, "
            "e.g. (pi + 1e-5, pi / 4, 0)), not both."
        )
    if partition is not None:
        edges = _edges_from_partition(partition)
        lows = [2.0 * math.pi / min(e, math.pi) if e > 0 else math.inf for e in edges[:-1]]
    else:
        edges, lows = _edges_from_periods(DEFAULT_BANDS if bands is None else bands)
    bins = band_bins(horizon, edges, grid)
    _check_coverage(bins, horizon, grid, edges)
    result = []
    for d in range(len(edges) - 1):
        high = 2.0 * math.pi / edges[d + 1] if edges[d + 1] > 0 else math.inf
        label = f"{_fmt(lows[d])}-{_fmt(high)} days"
        if not bins[d].any():
            raise SpecificationError(
                f"band {label} (omega in [{edges[d + 1]:.4f}, {edges[d]:.4f}) rad) holds no DFT bin at horizon "
                f"{horizon}: the bins are 2 pi / {horizon} = {2 * math.pi / horizon:.4f} rad apart. Widen the band "
                "or increase horizon."
            )
        result.append(FrequencyBand(label=label, period_low=lows[d], period_high=high,
                                    omega_low=float(edges[d + 1]), omega_high=float(min(edges[d], math.pi)),
                                    n_bins=int(bins[d].sum())))
    if len({b.label for b in result}) < len(result):
        raise SpecificationError(f"bands {[b.label for b in result]} are too close to label apart; widen them.")
    return tuple(result), bins


def _band_tables(coefs: Float64Array, sigma: Float64Array, horizon: int, bins: BoolArray,
                 kind: ConnectednessKind) -> Float64Array:
    """Absolute band tables in percent (..., n_bands, N, N) from VAR slopes (..., p, N, N) and sigma."""
    ma = ma_coefficients(coefs, horizon)
    if kind == "cholesky":
        # orthogonalised shocks: Psi_k P with P = chol(Sigma) and unit shock variances (BK2018, Section 2)
        ma = ma @ np.linalg.cholesky(sigma)[..., None, :, :]
        sigma = np.broadcast_to(np.eye(sigma.shape[-1]), sigma.shape)
    return 100.0 * frequency_fevd(ma, sigma, bins)


@overload
def frequency_connectedness(
    data: pd.DataFrame | VARResultsLike,
    lags: int = ...,
    horizon: int = ...,
    bands: Sequence[tuple[float, float | None]] | None = ...,
    partition: Sequence[float] | None = ...,
    kind: ConnectednessKind = ...,
    grid: FrequencyGrid = ...,
    rolling: None = ...,
    step: int = ...,
    progress: Progress | None = ...,
    *,
    intervals: Literal["bootstrap", "wild"] | None = ...,
    reps: int = ...,
    level: float = ...,
    seed: SeedLike = ...,
) -> FrequencyConnectednessResult: ...


@overload
def frequency_connectedness(
    data: pd.DataFrame | VARResultsLike,
    lags: int = ...,
    horizon: int = ...,
    bands: Sequence[tuple[float, float | None]] | None = ...,
    partition: Sequence[float] | None = ...,
    kind: ConnectednessKind = ...,
    grid: FrequencyGrid = ...,
    *,
    rolling: int,
    step: int = ...,
    progress: Progress | None = ...,
    intervals: None = ...,
    reps: int = ...,
    level: float = ...,
    seed: SeedLike = ...,
) -> RollingFrequencyConnectednessResult: ...


def frequency_connectedness(
    data: pd.DataFrame | VARResultsLike,
    lags: int = 4,
    horizon: int = 100,
    bands: Sequence[tuple[float, float | None]] | None = None,
    partition: Sequence[float] | None = None,
    kind: ConnectednessKind = "generalized",
    grid: FrequencyGrid = "exact",
    rolling: int | None = None,
    step: int = 1,
    progress: Progress | None = None,
    *,
    intervals: Literal["bootstrap", "wild"] | None = None,
    reps: int = 1000,
    level: float = 0.95,
    seed: SeedLike = None,
) -> FrequencyConnectednessResult | RollingFrequencyConnectednessResult:
    r"""Frequency connectedness of a VAR: the Diebold-Yilmaz table split into frequency bands.

    With :math:`\Psi_k = \sum_{h=0}^{H-1} A_h e^{-2\pi i k h / H}` (the DFT of the MA coefficients),

    .. math::

        (\tilde\theta_d)_{ij} = \frac{\sum_{k \in d} \sigma_{jj}^{-1} |(\Psi_k \Sigma)_{ij}|^2}
                                     {\sum_{k=0}^{H-1} \sum_m \sigma_{mm}^{-1} |(\Psi_k \Sigma)_{im}|^2},
        \qquad \sum_d \tilde\theta_d = \tilde\theta(H)

    (BK2018 eqs. 10-13, absolute band table; by Parseval the bands of a partition sum to the row-normalised
    generalized FEVD of DY2012 eq. 2 with the same H). The within-band table is
    :math:`N \tilde\theta_d / \sum_{ij} (\tilde\theta_d)_{ij}` (BK2018 eq. 15).

    Parameters
    ----------
    data : DataFrame or VARResults
        As :func:`~contagion.spillover.static.connectedness` (OLS VAR with intercept, ML covariance), or a
        fitted VARResults (then ``lags`` is ignored; not with ``rolling``).
    lags : int
        VAR lag order p.
    horizon : int
        Number of MA terms H, h = 0..H-1, which is also the DFT length (>= 2). frequencyConnectedness
        ``n.ahead`` and ConnectednessApproach's frequency ``nfore`` are ``horizon - 1``: their
        ``n.ahead = 100`` is ``horizon = 101``.
    bands : list of (period_low, period_high), optional
        Periods in observations (days), ``None`` for an infinite upper period, e.g. ``[(2, 8), (8, None)]``
        (a period p is :math:`\omega = 2\pi/p`; a first band starting at a period <= 2 includes
        :math:`\omega = \pi`). Default :data:`DEFAULT_BANDS`: 2-5, 5-20 and 20-inf days.
    partition : sequence of float, optional
        Instead of ``bands``: decreasing cut points in radians, exactly frequencyConnectedness's
        ``partition``, e.g. ``(pi + 1e-5, pi / 4, 0)``; band d is ``[partition[d + 1], partition[d])``.
    kind : {"generalized", "cholesky"}
        Generalized (order-invariant) or orthogonalised shocks (frequencyConnectedness ``spilloverBK09``).
    grid : {"exact", "frequencyConnectedness"}
        Frequency of DFT bin k: :math:`2\pi k/H` (exact) or the R packages' :math:`k\pi/\lfloor H/2\rfloor`,
        needed to reproduce them for odd H when a cut point falls between the two labels.
    rolling : int, optional
        Window length in data rows including the ``lags`` lag rows (as
        :func:`~contagion.spillover.rolling.rolling_connectedness`): estimates every window at once.
    step : int
        Rows between window starts (rolling only).
    progress : callable(done, total), optional
        Called after each batch of windows (rolling only), or of bootstrap draws.
    intervals : {"bootstrap", "wild"}, optional
        Bootstrap intervals on every band measure (not to be confused with ``bands``, the frequency bands):
        the VAR is re-estimated on ``reps`` residual (``"bootstrap"``, recommended) or wild bootstrap samples
        exactly as :func:`~contagion.spillover.static.connectedness` ``(bands=...)`` does with the same seed,
        and every draw's band tables are computed in batches. ``.intervals`` (basic bootstrap intervals),
        ``.band(label).intervals``, ``.total_result.intervals``. Static only (not with ``rolling``).
    reps, level, seed
        Number of draws, coverage in (0, 1), seed (the integer used is kept in ``result.seed``).

    Returns
    -------
    FrequencyConnectednessResult or RollingFrequencyConnectednessResult
        ``.absolute[label]`` / ``.within[label]`` (a ConnectednessResult, or RollingConnectednessResult, per
        band), ``.total_result`` (the DY table), ``.tci``, ``.tci_within``, ``.summary()``, ``.to_frame()``,
        ``.plot()``.

    Raises
    ------
    SpecificationError
        Both or malformed ``bands`` / ``partition``, bands that leave a DFT bin uncovered (gaps, overlaps,
        not reaching 0 or pi), a band without bins, ``horizon < 2``, unknown ``kind`` or ``grid``, bad
        ``rolling`` / ``step``; plus everything :func:`~contagion.spillover.static.connectedness` raises.

    Examples
    --------
    >>> import math, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(400, 3)), columns=["A", "B", "C"])
    >>> res = frequency_connectedness(df, lags=1, horizon=50, bands=[(2, 8), (8, None)])
    >>> list(res.tci.index)
    ['2-8 days', '8-inf days']
    >>> bool(np.isclose(res.tci.sum(), res.total_result.total))
    True
    """
    horizon = check_horizon(horizon)
    if horizon < 2:
        raise SpecificationError(
            f"horizon must be >= 2 for a frequency decomposition (it is the DFT length; horizon = 1 has the single "
            f"frequency 0), got horizon={horizon}."
        )
    kind = check_kind(kind)
    if grid not in ("exact", "frequencyConnectedness"):
        raise SpecificationError(f"grid must be 'exact' or 'frequencyConnectedness', got grid={grid!r}.")
    spec, bins = frequency_bands(horizon, bands, partition, grid)
    options = None if intervals is None else _interval_options(intervals, reps, level, seed, rolling)
    if rolling is not None:
        return _rolling(data, lags, horizon, kind, grid, spec, bins, rolling, step, progress)
    fit = fit_static_var(data, lags)
    values = _band_tables(fit.coefs, fit.sigma, horizon, bins, kind)
    result = FrequencyConnectednessResult(
        names=fit.names, bands=spec, values=values, kind=kind, horizon=horizon, grid=grid,
        n_lags=fit.n_lags, n_obs=fit.n_obs, start=fit.start, end=fit.end,
    )
    if options is None:
        return result
    y, exog = estimation_data(data)
    return _with_intervals(result, y, bins, options, progress, exog)


def _interval_options(intervals: Any, reps: Any, level: Any, seed: SeedLike, rolling: Any) -> BandOptions:
    if intervals not in BAND_METHODS:
        raise SpecificationError(
            f"intervals must be None, 'bootstrap' or 'wild' (the bootstrap scheme; the frequency bands are "
            f"bands=), got intervals={intervals!r}."
        )
    if rolling is not None:
        raise SpecificationError(
            "intervals= is offered for the static decomposition only, not with rolling=; bootstrap a window with "
            "frequency_connectedness(data.iloc[start:end], intervals='bootstrap')."
        )
    return BandOptions.build(intervals, reps, level, seed)


def _with_intervals(result: FrequencyConnectednessResult, y: Float64Array, bins: BoolArray, options: BandOptions,
                    progress: Progress | None, exog: Float64Array | None = None) -> FrequencyConnectednessResult:
    """``result`` with bootstrap draws of its band tables: :func:`_bands.coef_draws`, then the kernel in batches."""
    n_lags = result.n_lags if result.n_lags is not None else 1
    coefs, sigma, n_explosive = coef_draws(y, n_lags, method=options.method, reps=options.reps,
                                           rng=np.random.default_rng(options.seed), progress=progress, exog=exog)
    n_vars = len(result.names)
    chunk = max(1, _DRAW_BYTES // (64 * result.horizon * n_vars * n_vars))
    draws = np.concatenate([_band_tables(coefs[b:b + chunk], sigma[b:b + chunk], result.horizon, bins,
                                         check_kind(result.kind)) for b in range(0, options.reps, chunk)])
    warn_explosive(n_explosive, options.reps, result.n_lags, stacklevel=4)
    return dataclasses.replace(result, draws=draws, interval_method=options.method, level=options.level,
                               reps=options.reps, seed=options.seed, n_explosive=n_explosive)


def _rolling(data: Any, lags: Any, horizon: int, kind: ConnectednessKind, grid: FrequencyGrid,
             spec: tuple[FrequencyBand, ...], bins: BoolArray, window: Any, step: Any,
             progress: Progress | None) -> RollingFrequencyConnectednessResult:
    if isinstance(data, VARResultsLike) and not isinstance(data, pd.DataFrame):
        raise SpecificationError("rolling= needs the data (a DataFrame), not a fitted VARResults.")
    values, names, index = validate_data(data)
    n_lags = check_int("lags", lags, 1)
    starts, ends = plan_windows(values.shape, n_lags, window, step)
    n_vars = values.shape[1]
    tables, explosive = fit_windows(
        values, index, n_lags, int(window), starts,
        lambda coefs, sigma: _band_tables(coefs, sigma, horizon, bins, kind),
        bytes_per_window=64 * horizon * n_vars * n_vars, progress=progress, stacklevel=3,
    )
    logger.debug("rolling frequency connectedness: %d windows of %d rows, VAR(%d), H=%d, %d bands",
                 len(starts), window, n_lags, horizon, len(spec))
    return RollingFrequencyConnectednessResult(
        names=names, index=index[ends], bands=spec, values=tables, kind=kind, horizon=horizon, grid=grid,
        n_lags=n_lags, window=int(window), step=int(step), explosive=explosive,
    )
