r"""Quantile connectedness: the Diebold-Yilmaz table of a quantile VAR, at one or several quantiles.

The quantile VAR (White, Kim and Manganelli 2015) of level :math:`\tau` is estimated equation by equation,

.. math::

    y_{it} = c_i(\tau) + \sum_{l=1}^{p} \sum_{j=1}^{N} \Phi_{l,ij}(\tau)\, y_{j,t-l} + u_{it}(\tau),
    \qquad \hat\beta_i(\tau) = \arg\min_\beta \sum_t \rho_\tau(u_{it}), \quad
    \rho_\tau(u) = u\,(\tau - 1\{u < 0\}),

and the connectedness of quantile :math:`\tau` is the generalized FEVD of its slopes
:math:`\Phi_l(\tau)` and of :math:`\Sigma(\tau) = U(\tau)'U(\tau)/(T - p)`, the (not demeaned) quantile
residuals' second moments, with H MA terms h = 0..H-1 (Ando, Greenwood-Nimmo and Shin 2022, Section 2;
ConnectednessApproach's ``QVAR``: ``rq`` per equation with intercept, ``B`` = slopes, ``Q = t(Res) %*% Res /
nrow(Res)``, then ``TimeConnectedness(Phi = B, Sigma = Q, nfore = H)``).

Estimation is exact: :func:`contagion.spillover._quantile_kernels.quantile_regression` is a batched
primal-dual interior point on the LP (the method of quantreg's ``rq(method = "fn")``), run for all windows
and equations of one quantile at once, in memory-bounded chunks. ``docs/quantile.md`` has the detail.

References
----------
.. [1] Ando, T., Greenwood-Nimmo, M. and Shin, Y. (2022). Quantile connectedness: Modeling tail behavior in
   the topology of financial networks. Management Science, 68(4), 2401-2431.
.. [2] White, H., Kim, T.-H. and Manganelli, S. (2015). VAR for VaR: Measuring tail dependence using
   multivariate regression quantiles. Journal of Econometrics, 187(1), 169-188.
.. [3] Chatziantoniou, I., Gabauer, D. and Stenfors, A. (2021). Interest rate swaps and the transmission
   mechanism of monetary policy: A quantile connectedness approach. Economics Letters, 204, 109891.
.. [4] Koenker, R. and Bassett, G. (1978). Regression quantiles. Econometrica, 46(1), 33-50.
.. [5] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
"""

from __future__ import annotations

import functools
import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd

from contagion._typing import Float64Array
from contagion.errors import ContagionWarning, ConvergenceWarning, SpecificationError
from contagion.spillover import _quantile_kernels
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
from contagion.spillover.quantile_results import (
    QuantileConnectednessResult,
    QuantileConnectednessTable,
    RollingQuantileConnectednessResult,
)
from contagion.spillover.rolling_results import RollingConnectednessResult

__all__ = ["quantile_connectedness"]

logger = logging.getLogger(__name__)

_MAX_ITER = 100  # interior-point iterations; 10-20 suffice (quantile_regression's docstring)
_BATCH_BYTES = 32 * 2**20  # memory budget of one chunk of windows (the per-date outer products dominate)
_MAX_CHUNK = 256  # beyond ~250 windows per call the kernel gets slower (cache), measured on N = 6


def check_taus(tau: Any) -> tuple[float, ...]:
    """Each tau a finite number strictly inside (0, 1); a sequence must be non-empty and without repeats."""
    values = [tau] if isinstance(tau, (int, float, np.number)) and not isinstance(tau, bool) else tau
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise SpecificationError(
            f"tau must be a number in (0, 1) or a sequence of them, e.g. tau=[0.05, 0.5, 0.95]; got tau={tau!r}."
        )
    if len(values) == 0:
        raise SpecificationError("tau is empty; pass at least one quantile level in (0, 1), e.g. tau=0.5.")
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise SpecificationError(f"tau must hold numbers in (0, 1); got {value!r} in tau={tau!r}.")
        number = float(value)
        if not (math.isfinite(number) and 0.0 < number < 1.0):
            raise SpecificationError(
                f"tau={number!r} is outside (0, 1): a quantile level must lie strictly between 0 and 1 "
                "(use e.g. 0.05 for the lower tail, 0.95 for the upper tail)."
            )
        out.append(number)
    if len(set(out)) != len(out):
        repeated = sorted({t for t in out if out.count(t) > 1})
        raise SpecificationError(f"tau has repeated levels {repeated}; pass each quantile once.")
    return tuple(out)


@dataclass(frozen=True)
class _Fit:
    """What the windows of one quantile produced (internal)."""

    tables: Float64Array  # (W, N, N) percent
    radius: Float64Array  # (W,) companion modulus
    n_iter: Any  # (W, N) interior-point iterations


def _fit_quantile(
    values: Float64Array,
    starts: Any,
    window: int,
    n_lags: int,
    tau: float,
    horizon: int,
    kind: str,
    where: Any,
    progress: Any,
) -> _Fit:
    """Quantile VARs of all windows ``values[s : s + window]`` at one tau, in memory-bounded chunks."""
    n_vars = values.shape[1]
    n_reg = n_vars * n_lags + 1
    per_window = 8 * window * (n_reg * n_reg + 16 * n_vars)  # outer products + the kernel's (N, T) arrays
    chunk = int(max(1, min(_MAX_CHUNK, _BATCH_BYTES // per_window)))
    n_windows = len(starts)
    tables = np.empty((n_windows, n_vars, n_vars))
    radius = np.empty(n_windows)
    n_iter = np.empty((n_windows, n_vars), dtype=np.int64)
    offsets = np.arange(window)
    for begin in range(0, n_windows, chunk):
        stop = min(begin + chunk, n_windows)
        batch = values[starts[begin:stop, None] + offsets]  # (chunk, window, N), a copy
        coefs, _, sigma, iters = _quantile_kernels.quantile_var(batch, n_lags, tau, max_iter=_MAX_ITER)
        check_sigma(sigma, functools.partial(_shifted, where, begin))
        radius[begin:stop] = companion_radius(coefs)
        n_iter[begin:stop] = iters
        tables[begin:stop] = fevd_tables(coefs, sigma, horizon, kind)
        if progress is not None:
            progress(stop)
    return _Fit(tables=tables, radius=radius, n_iter=n_iter)


def _shifted(where: Callable[[int], str], offset: int, k: int) -> str:
    return where(offset + k)


def _warn_fit(fit: _Fit, tau: float, n_lags: int, label: Any) -> None:
    """Explosive quantile VARs and unconverged LPs are warned about (and flagged), never silently kept."""
    explosive = ~(fit.radius < 1.0)
    if explosive.any():
        first = int(np.flatnonzero(explosive)[0])
        warnings.warn(
            f"tau={tau}: {int(explosive.sum())} of {len(explosive)} quantile VAR({n_lags}) estimates are not "
            f"stable (first: {label(first)}, companion modulus {fit.radius[first]:.4f} >= 1); tail quantile "
            "VARs can be explosive. Their tables (finite horizon) are kept and flagged in `.explosive`.",
            ContagionWarning,
            stacklevel=3,
        )
    stuck = fit.n_iter >= _MAX_ITER
    if stuck.any():
        first = int(np.flatnonzero(stuck.any(axis=1))[0])
        warnings.warn(
            f"tau={tau}: the interior point did not close the duality gap in {_MAX_ITER} iterations for "
            f"{int(stuck.sum())} equation(s) (first: {label(first)}); those coefficients are approximate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if not np.isfinite(fit.tables).all():
        bad = int(np.flatnonzero(~np.isfinite(fit.tables).all(axis=(1, 2)))[0])
        warnings.warn(
            f"tau={tau}: the FEVD table of {label(bad)} is not finite (an explosive quantile VAR overflowed "
            "over the horizon); use a shorter horizon or fewer lags.",
            ContagionWarning,
            stacklevel=3,
        )


def _check_window(window: Any, n_obs: int, n_vars: int, n_lags: int) -> int:
    need = min_rows(n_vars, n_lags)
    if window is None:
        if n_obs < need:
            raise SpecificationError(
                f"too few observations: {n_obs} rows for a quantile VAR({n_lags}) with {n_vars} variables; it "
                f"needs at least {need} rows ({n_lags} lag rows + {n_vars * n_lags + 1} parameters per equation "
                f"+ {n_vars} for a nonsingular covariance). Use fewer lags or more data."
            )
        return n_obs
    size = check_int("window", window, 1)
    if size < need:
        raise SpecificationError(
            f"window={size} is too short for a quantile VAR({n_lags}) with {n_vars} variables: each window "
            f"needs at least {need} data rows ({n_lags} lag rows + {n_vars * n_lags + 1} parameters per "
            f"equation + {n_vars} for a nonsingular covariance); tail quantiles want far more (a few hundred). "
            "Increase window or reduce lags."
        )
    if size > n_obs:
        raise SpecificationError(
            f"window={size} is longer than the sample ({n_obs} rows); use a smaller window."
        )
    return size


@overload
def quantile_connectedness(
    data: pd.DataFrame,
    tau: float = 0.5,
    lags: int = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    window: None = None,
    step: int = 1,
    progress: Progress | None = None,
) -> QuantileConnectednessTable: ...


@overload
def quantile_connectedness(
    data: pd.DataFrame,
    tau: float = 0.5,
    lags: int = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    *,
    window: int,
    step: int = 1,
    progress: Progress | None = None,
) -> RollingConnectednessResult: ...


@overload
def quantile_connectedness(
    data: pd.DataFrame,
    tau: Sequence[float],
    lags: int = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    window: None = None,
    step: int = 1,
    progress: Progress | None = None,
) -> QuantileConnectednessResult: ...


@overload
def quantile_connectedness(
    data: pd.DataFrame,
    tau: Sequence[float],
    lags: int = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    *,
    window: int,
    step: int = 1,
    progress: Progress | None = None,
) -> RollingQuantileConnectednessResult: ...


def quantile_connectedness(
    data: pd.DataFrame,
    tau: float | Sequence[float] = 0.5,
    lags: int = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    window: int | None = None,
    step: int = 1,
    progress: Progress | None = None,
) -> (
    QuantileConnectednessTable
    | RollingConnectednessResult
    | QuantileConnectednessResult
    | RollingQuantileConnectednessResult
):
    r"""Diebold-Yilmaz connectedness of quantile VARs (Ando, Greenwood-Nimmo and Shin 2022).

    .. math::

        \tilde\theta_{ij}(\tau, H) = 100\,\frac{\theta_{ij}(\tau, H)}{\sum_j \theta_{ij}(\tau, H)}, \qquad
        \theta_{ij}(\tau, H) = \frac{\sigma_{jj}(\tau)^{-1} \sum_{h=0}^{H-1}
                                     (e_i' A_h(\tau) \Sigma(\tau) e_j)^2}
                                    {\sum_{h=0}^{H-1} e_i' A_h(\tau) \Sigma(\tau) A_h(\tau)' e_i}

    with :math:`A_h(\tau)` the MA terms of the quantile VAR slopes :math:`\Phi_l(\tau)` and
    :math:`\Sigma(\tau) = U(\tau)'U(\tau)/(T - p)` (Ando et al. 2022, eqs. 2-6; Chatziantoniou, Gabauer and
    Stenfors 2021).

    Parameters
    ----------
    data : DataFrame
        Date x variable frame (float columns, no NaN).
    tau : float or sequence of float
        Quantile level(s), each strictly in (0, 1). One number gives one result; a sequence (even of one
        level) gives the tau-by-measure result. Each level is a separate LP; all windows and equations of a
        level are solved in one batched call.
    lags : int
        Quantile VAR lag order p (default 1, as ConnectednessApproach's examples).
    horizon : int
        Number of MA terms H, h = 0..H-1 (ConnectednessApproach ``nfore = H``).
    kind : {"generalized", "cholesky"}
        Generalized (order-invariant, the papers' choice) or Cholesky FEVD.
    window : int, optional
        Rolling windows of ``window`` data rows *including* the p lag rows (ConnectednessApproach
        ``window.size = window + lags``), dated by their last row. None: one fit on the full sample.
    step : int
        Rows between consecutive window starts.
    progress : callable(done, total), optional
        Called after each chunk of windows (``total`` = windows x quantile levels).

    Returns
    -------
    QuantileConnectednessTable
        One tau, no window: a :class:`ConnectednessResult` with ``tau``, ``companion_modulus``, ``explosive``.
    RollingConnectednessResult
        One tau and ``window``: ``method="quantile"``, ``options={"tau": tau}``, ``explosive`` per window.
    QuantileConnectednessResult
        Several taus, no window: ``.at(tau)``, ``.measures`` (tau x measure), ``.total``, ``.net``, ...
    RollingQuantileConnectednessResult
        Several taus and ``window``: ``.total`` (dates x tau), ``.at(tau)``, ``.mean_result()``, ...

    Raises
    ------
    DataError
        NaNs, non-numeric, duplicate or constant columns, fewer than two variables.
    SpecificationError
        A tau outside (0, 1), an empty or repeated tau, ``lags < 1``, ``horizon < 1``, unknown ``kind``, a
        window too short for the parameters or longer than the sample.
    EstimationError
        A singular residual covariance (named by its window).

    Warns
    -----
    ContagionWarning
        Quantile VARs with a companion eigenvalue of modulus >= 1 (kept, flagged in ``explosive``).
    ConvergenceWarning
        An LP whose duality gap did not close in 100 iterations (not seen in practice).

    Notes
    -----
    At tau = 0.5 the quantile VAR is the least-absolute-deviation VAR; on Gaussian data its slopes are
    :math:`\sqrt{\pi/2}` times noisier than OLS, so the table is close to, not equal to, :func:`connectedness`'s
    (whose :math:`\Sigma` is :math:`E'E/(T-p)` of the OLS residuals).

    References
    ----------
    .. [1] Ando, T., Greenwood-Nimmo, M. and Shin, Y. (2022). Quantile connectedness: Modeling tail behavior
       in the topology of financial networks. Management Science, 68(4), 2401-2431.
    .. [2] Chatziantoniou, I., Gabauer, D. and Stenfors, A. (2021). Interest rate swaps and the transmission
       mechanism of monetary policy: A quantile connectedness approach. Economics Letters, 204, 109891.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.standard_t(5, size=(500, 3)), columns=["A", "B", "C"])
    >>> res = quantile_connectedness(df, tau=[0.05, 0.5, 0.95], horizon=10)
    >>> res.total.index.tolist()
    [0.05, 0.5, 0.95]
    >>> bool(np.allclose(res.at(0.5).table.sum(axis=1), 100.0))
    True
    """
    taus = check_taus(tau)
    values, names, index = validate_data(data)
    n_lags = check_int("lags", lags, 1)
    horizon = check_horizon(horizon)
    kind = check_kind(kind)
    step = check_int("step", step, 1)
    n_obs, n_vars = values.shape
    size = _check_window(window, n_obs, n_vars, n_lags)
    starts = np.arange(0, n_obs - size + 1, step, dtype=np.int64)
    ends = starts + size - 1
    where = functools.partial(window_label, index, starts, ends)
    n_windows = len(starts)
    fits = []
    for k, level in enumerate(taus):
        report = (
            None
            if progress is None
            else functools.partial(_report, progress, k * n_windows, n_windows * len(taus))
        )
        fit = _fit_quantile(values, starts, size, n_lags, level, horizon, kind, where, report)
        label = (lambda _: "the full sample") if window is None else where
        _warn_fit(fit, level, n_lags, label)
        fits.append(fit)
    logger.debug(
        "quantile connectedness: %d windows x %d taus, VAR(%d), H=%d", n_windows, len(taus), n_lags, horizon
    )
    if window is None:
        tables = tuple(
            QuantileConnectednessTable(
                names=names,
                values=fit.tables[0],
                kind=kind,
                horizon=horizon,
                n_lags=n_lags,
                n_obs=n_obs - n_lags,
                start=index[n_lags] if len(index) else None,
                end=index[-1] if len(index) else None,
                tau=level,
                companion_modulus=float(fit.radius[0]),
            )
            for level, fit in zip(taus, fits, strict=True)
        )
        if isinstance(tau, (int, float, np.number)):
            return tables[0]
        return QuantileConnectednessResult(results=tables)
    rolling = tuple(
        RollingConnectednessResult(
            names=names,
            index=index[ends],
            values=fit.tables,
            kind=kind,
            horizon=horizon,
            method="quantile",
            n_lags=n_lags,
            window=size,
            step=step,
            options={"tau": level},
            explosive=~(fit.radius < 1.0),
        )
        for level, fit in zip(taus, fits, strict=True)
    )
    if isinstance(tau, (int, float, np.number)):
        return rolling[0]
    return RollingQuantileConnectednessResult(results=rolling)


def _report(progress: Progress, offset: int, total: int, done: int) -> None:
    progress(offset + done, total)
