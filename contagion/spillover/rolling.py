r"""Rolling-window Diebold-Yilmaz connectedness: one OLS VAR per window, all windows estimated at once.

Conventions as :mod:`contagion.spillover.static` (``docs/connectedness.md``, "Rolling windows: what
``window`` means"): ``window`` counts data rows *including* the p lag rows, each window is dated by its last
row, ``horizon`` H is the number of MA terms h = 0..H-1.

References
----------
.. [1] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion._compat import SeedLike
from contagion._typing import BoolArray, Float64Array, IntArray
from contagion.errors import ContagionWarning, SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover._bands import BAND_METHODS
from contagion.spillover._dynamic_bands import DateBandOptions, resolve_band_dates, rolling_date_bands
from contagion.spillover._utility import (
    ConnectednessKind,
    Progress,
    check_horizon,
    check_int,
    check_kind,
    check_sigma,
    companion_radius,
    fevd_tables,
    min_rows,
    validate_data,
    window_label,
)
from contagion.spillover.rolling_results import RollingConnectednessResult
from contagion.var._penalised import penalised_var_windows
from contagion.var.estimation import check_estimator

__all__ = ["WindowFitter", "fit_windows", "plan_windows", "rolling_connectedness", "window_fitter"]

logger = logging.getLogger(__name__)

_CHUNK = 1024  # at most this many windows per batched call
_BATCH_BYTES = 64 * 2**20  # memory budget of one batch of rolling windows


def rolling_connectedness(
    data: pd.DataFrame,
    window: int = 200,
    lags: int = 4,
    horizon: int = 10,
    step: int = 1,
    kind: ConnectednessKind = "generalized",
    progress: Progress | None = None,
    *,
    estimator: str = "ols",
    penalty: float | str | None = None,
    l1_ratio: float = 0.5,
    bands: Literal["bootstrap", "wild"] | None = None,
    band_dates: Sequence[Any] | None = None,
    reps: int = 1000,
    level: float = 0.95,
    seed: SeedLike = None,
) -> RollingConnectednessResult:
    r"""Diebold-Yilmaz connectedness of rolling-window VARs, estimated for all windows at once.

    Window w holds ``window`` consecutive data rows, *including* the p rows that only serve as lags, so
    each VAR has ``window - lags`` regression observations; it is dated by its last row. Windows start at
    rows 0, ``step``, 2 ``step``, ... while they fit in the sample.

    Mapping to the R packages (verified on dy2012, VAR(4), H = 10):

    - ``window = 200`` reproduces frequencyConnectedness ``spilloverRollingDY12(window = 200, n.ahead = 9)``
      (2572 windows);
    - ``window = 196`` reproduces ConnectednessApproach ``window.size = 200`` (it uses
      ``window.size - nlag`` rows per window; 2576 windows), i.e. pass ``window = window.size - lags``.

    Estimation: the Gram matrices of all windows come from cumulative cross-products, one batched solve
    gives every window's OLS coefficients and ML covariance :math:`E'E/(\text{window} - p)`, then batched
    MA coefficients and FEVDs (no per-window loop).

    Parameters
    ----------
    data : DataFrame
        Date x variable frame, float, no NaN.
    window : int
        Data rows per window including the ``lags`` lag rows; at least ``lags + N * lags + 1 + N``.
    lags, horizon, kind
        As in :func:`connectedness` (horizon = MA terms h = 0..H-1).
    step : int
        Distance in rows between consecutive window starts.
    progress : callable(done, total), optional
        Called after each batch of windows.
    estimator : {"ols", "lasso", "ridge", "elastic_net"}
        Penalised VARs for networks too large for OLS (Demirer, Diebold, Liu and Yilmaz 2018):
        :func:`contagion.var._penalised.penalised_var_windows`, every window's Gram from running sums and
        scikit-learn's coordinate descent per equation; Sigma = E'E / (window - p) as for OLS.
    penalty : float >= 0, "bic" or "cv", optional
        The penalty of the standardised lag coefficients (docs/var.md): one value for every window, or chosen
        per window and equation by BIC (the default for penalised estimators) or rolling-origin
        cross-validation inside the window (slow: 5 folds x 50 penalties per window). A value chosen once
        on the full sample, ``VAR(df, estimator="lasso").fit().penalty``, is the fast choice.
    l1_ratio : float in (0, 1]
        Elastic-net mixing (1 = lasso).
    bands : {"bootstrap", "wild"}, optional
        Intervals at the windows dated ``band_dates``: each window's VAR is bootstrapped as
        :func:`connectedness` bootstraps a sample (OLS only), the draws' tables in one batch
        (:mod:`contagion.spillover._dynamic_bands`); ``.intervals``, ``.at(date).intervals``.
    band_dates : list of dates, optional
        Window end dates (values of the result's index) that get intervals; required with ``bands``.
    reps, level, seed
        Draws per date, coverage, and the seed; window k draws with ``seed=band_draws.date_seeds[k]``,
        the same draws as ``connectedness(window rows, bands=bands, reps=reps, seed=that seed)``.

    Returns
    -------
    RollingConnectednessResult
        ``.total`` (Series by window end date), ``.to`` / ``.from_`` / ``.net`` (DataFrames),
        ``.pairwise_net``, ``.mean_table()``, ``.at(date)``, ``.plot()``, ``.to_frame()``;
        ``.explosive`` flags windows with an unstable VAR (also warned about, not dropped).

    Raises
    ------
    DataError, SpecificationError, EstimationError
        As :func:`connectedness`; also ``window`` too short for the number of parameters or longer than
        the sample, and a singular covariance in some window (named by its dates).
    """
    values, names, index = validate_data(data)
    n_lags = check_int("lags", lags, 1)
    horizon = check_horizon(horizon)
    kind = check_kind(kind)
    starts, ends = plan_windows(values.shape, n_lags, window, step)
    n_vars = values.shape[1]
    fitter = window_fitter(estimator, penalty, l1_ratio)
    options = _band_options(bands, band_dates, reps, level, seed, estimator)
    if options is not None:
        resolve_band_dates(index[ends], options.dates)  # a bad date fails before the windows are fitted
    tables, explosive = fit_windows(
        values, index, n_lags, window, starts,
        lambda coefs, sigma: fevd_tables(coefs, sigma, horizon, kind),
        bytes_per_window=8 * (horizon + 2) * n_vars * n_vars, progress=progress, stacklevel=2, fitter=fitter,
    )
    logger.debug(
        "rolling connectedness: %d windows of %d rows, VAR(%d), H=%d", len(starts), window, n_lags, horizon
    )
    band_draws = None
    if options is not None:
        band_draws = rolling_date_bands(values, index[ends], tables, starts=starts, window=int(window),
                                        n_lags=n_lags, horizon=horizon, kind=kind, options=options)
    return RollingConnectednessResult(
        names=names,
        index=index[ends],
        values=tables,
        kind=kind,
        horizon=horizon,
        method="rolling",
        n_lags=n_lags,
        window=int(window),
        step=int(step),
        explosive=explosive,
        options={} if estimator == "ols" else {
            "estimator": estimator, "penalty": "bic" if penalty is None else penalty,
            "l1_ratio": {"lasso": 1.0, "ridge": 0.0}.get(estimator, l1_ratio)},
        band_draws=band_draws,
    )


def _band_options(bands: str | None, band_dates: Any, reps: Any, level: Any, seed: SeedLike,
                  estimator: str) -> DateBandOptions | None:
    """Validated ``bands=`` options of :func:`rolling_connectedness` (None without bands)."""
    if bands is None:
        if band_dates is not None:
            raise SpecificationError(
                "band_dates= needs bands='bootstrap' or 'wild' (which bootstrap to run at those dates)."
            )
        return None
    if estimator != "ols":
        raise SpecificationError(
            f"bands={bands!r} re-estimates each chosen window by OLS, so it is offered for estimator='ols' only, "
            f"got estimator={estimator!r}."
        )
    return DateBandOptions.build(bands, BAND_METHODS, band_dates, reps, level, seed, "rolling_connectedness")


WindowFitter = Callable[[Float64Array, int, int, IntArray], tuple[Float64Array, Float64Array]]


def window_fitter(estimator: str, penalty: float | str | None, l1_ratio: float) -> WindowFitter:
    """The batched estimator of rolling windows: OLS (:func:`rolling_var_ols`) or a penalised VAR (validated)."""
    check_estimator(estimator, penalty, l1_ratio)
    if estimator == "ols":
        return _conn_kernels.rolling_var_ols
    chosen = "bic" if penalty is None else penalty

    def fit(values: Float64Array, n_lags: int, window: int, starts: IntArray) -> tuple[Float64Array, Float64Array]:
        result = penalised_var_windows(values, n_lags, window, starts, estimator, chosen, l1_ratio)
        return result.coefs, result.sigma

    return fit


def plan_windows(shape: tuple[int, ...], n_lags: int, window: Any, step: Any) -> tuple[IntArray, IntArray]:
    """First and last data row of every rolling window; checks ``window`` and ``step`` against the sample.

    ``shape`` is (n_obs, N) of the data; ``window`` counts data rows including the ``n_lags`` lag rows.
    """
    step = check_int("step", step, 1)
    window = check_int("window", window, 1)
    n_obs, n_vars = shape
    need = min_rows(n_vars, n_lags)
    if window < need:
        raise SpecificationError(
            f"window={window} is too short for a VAR({n_lags}) with {n_vars} variables: each window needs at "
            f"least {need} data rows ({n_lags} lag rows + {n_vars * n_lags + 1} parameters per equation + "
            f"{n_vars} for a nonsingular covariance). Increase window or reduce lags."
        )
    if window > n_obs:
        raise SpecificationError(
            f"window={window} is longer than the sample ({n_obs} rows); use a smaller window."
        )
    starts = np.arange(0, n_obs - window + 1, step, dtype=np.int64)
    return starts, starts + window - 1


def fit_windows(
    values: Float64Array,
    index: pd.Index,
    n_lags: int,
    window: int,
    starts: IntArray,
    measure: Callable[[Float64Array, Float64Array], Float64Array],
    *,
    bytes_per_window: int,
    progress: Progress | None = None,
    stacklevel: int = 2,
    fitter: WindowFitter | None = None,
) -> tuple[Float64Array, BoolArray]:
    """OLS VARs of all windows in memory-bounded batches, each batch passed to ``measure(coefs, sigma)``.

    ``measure`` maps a batch of slopes (W, p, N, N) and ML covariances (W, N, N) to (W, ...) results, which
    are stacked over all windows. ``bytes_per_window`` is what ``measure`` needs per window beyond the Gram
    matrices (it sets the batch size, ~64 MB a batch). Singular covariances raise ``EstimationError`` naming
    the window; unstable VARs are flagged in the returned mask and warned about (``stacklevel`` counted from
    the point of view of the caller of this function, as in ``warnings.warn``). ``fitter`` estimates a batch
    of windows (default: OLS, :func:`contagion.spillover._kernels.rolling_var_ols`; see :func:`window_fitter`).
    """
    n_windows, n_vars = len(starts), values.shape[1]
    ends = starts + window - 1
    width = n_vars * n_lags + 1 + n_vars
    per_window = 8 * width * width + bytes_per_window
    chunk = int(max(1, min(_CHUNK, _BATCH_BYTES // per_window)))
    batches: list[Float64Array] = []
    explosive = np.zeros(n_windows, dtype=bool)
    first_bad: tuple[int, float] | None = None
    for begin in range(0, n_windows, chunk):
        stop = min(begin + chunk, n_windows)
        coefs, sigma = (fitter or _conn_kernels.rolling_var_ols)(values, n_lags, window, starts[begin:stop])
        check_sigma(sigma, functools.partial(window_label, index, starts[begin:stop], ends[begin:stop]))
        unstable = ~_conn_kernels.is_stable(coefs)
        if first_bad is None and unstable.any():
            k = int(np.flatnonzero(unstable)[0])
            first_bad = (begin + k, float(companion_radius(coefs[k])))
        explosive[begin:stop] = unstable
        batches.append(measure(coefs, sigma))
        if progress is not None:
            progress(stop, n_windows)
    if first_bad is not None:
        first, radius = first_bad
        warnings.warn(
            f"{int(explosive.sum())} of {n_windows} rolling windows have an unstable VAR({n_lags}) (first ending "
            f"{index[ends[first]]}, companion modulus {radius:.4f}); they are flagged in `.explosive`.",
            ContagionWarning,
            stacklevel=stacklevel + 1,
        )
    return np.concatenate(batches, axis=0), explosive
