r"""Diebold-Yilmaz connectedness: static, rolling-window and TVP-VAR (Antonakakis, Chatziantoniou and
Gabauer 2020), reproducing the R packages ConnectednessApproach and frequencyConnectedness.

Conventions (``docs/connectedness.md`` has the detail and the R correspondence):

- ``horizon`` H is the number of MA terms, h = 0..H-1 (DY2012 and ConnectednessApproach ``nfore = H``;
  frequencyConnectedness's ``n.ahead`` sums h = 0..n.ahead, so ``n.ahead = H - 1`` matches).
- Tables are in percent, rows *receive*: ``table.loc[i, j]`` is the share of i's H-step forecast-error
  variance caused by shocks in j. TO / FROM / NET are undivided sums (DY2012 Table 2, ConnectednessApproach);
  frequencyConnectedness divides them by N.
- The VAR is OLS with an intercept and :math:`\Sigma = E'E/T_{\mathrm{eff}}` (ConnectednessApproach); the
  generalized table does not depend on that scaling.
- Rolling ``window`` counts data rows *including* the p lag rows: ``window = 200`` reproduces
  frequencyConnectedness ``spilloverRollingDY12(window = 200)``, ``window = 196`` reproduces
  ConnectednessApproach ``window.size = 200`` (it uses ``window.size - nlag`` rows) for a VAR(4).

References
----------
.. [1] Diebold, F. X. and Yilmaz, K. (2009). Measuring financial asset return and volatility spillovers,
   with application to global equity markets. Economic Journal, 119(534), 158-171.
.. [2] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
.. [3] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
.. [4] Antonakakis, N., Chatziantoniou, I. and Gabauer, D. (2020). Refined measures of dynamic
   connectedness based on time-varying parameter vector autoregressions. Journal of Risk and Financial
   Management, 13(4), 84.
.. [5] Chatziantoniou, I. and Gabauer, D. (2021). EMU risk-synchronisation and financial fragility through
   the prism of dynamic connectedness. Quarterly Review of Economics and Finance, 79, 1-14.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from contagion._typing import Float64Array
from contagion._validation import check_columns
from contagion.errors import ContagionWarning, DataError, EstimationError, SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover import _tvp_kernels as _tvp
from contagion.spillover.results import (
    ConnectednessResult,
    GroupConnectedness,
    RollingConnectednessResult,
)
from contagion.var import fevd as _fevd_kernels

__all__ = [
    "ConnectednessResult",
    "GroupConnectedness",
    "RollingConnectednessResult",
    "VARResultsLike",
    "connectedness",
    "rolling_connectedness",
    "tvp_connectedness",
]

logger = logging.getLogger(__name__)

ConnectednessKind = Literal["generalized", "cholesky"]
TVPPrior = Literal["bayes", "minnesota", "uninformative"]
Progress = Callable[[int, int], None]


@runtime_checkable
class VARResultsLike(Protocol):
    """What :func:`connectedness` reads from a fitted VAR (``contagion.VARResults`` satisfies it)."""

    @property
    def coefs(self) -> Any: ...  # (p, N, N), coefs[l - 1] = Phi_l

    @property
    def sigma_u_ml(self) -> Any: ...  # (N, N), E'E / T

    @property
    def names(self) -> Any: ...  # N variable names


_CHUNK = 1024  # at most this many windows / dates per batched call
_BATCH_BYTES = 64 * 2**20  # memory budget of one batch of rolling windows


# ---------------------------------------------------------------------------------------------------------
# validation
def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SpecificationError(f"{name} must be an integer >= {minimum}, got {name}={value!r}.")
    return int(value)


def _check_kind(kind: str) -> ConnectednessKind:
    if kind not in ("generalized", "cholesky"):
        raise SpecificationError(f"kind must be 'generalized' or 'cholesky', got kind={kind!r}.")
    return "generalized" if kind == "generalized" else "cholesky"


def _check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise SpecificationError(
            f"horizon must be an integer >= 1 (the number of MA terms h = 0..H-1), got horizon={horizon!r}."
        )
    return int(horizon)


def _validate_data(data: Any) -> tuple[Float64Array, tuple[str, ...], pd.Index]:
    """DataFrame (date x variable, numeric, finite, unique column names, >= 2 non-constant columns)."""
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise DataError(f"data must be 2-D (dates x variables), got an array of shape {data.shape}.")
        data = pd.DataFrame(data, columns=[f"y{k + 1}" for k in range(data.shape[1])])
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"data must be a pandas DataFrame (dates x variables) or a fitted VARResults, got {type(data).__name__}."
        )
    names = check_columns(data, "connectedness data")
    if len(names) < 2:
        raise DataError(f"connectedness needs at least 2 variables, got {len(names)} ({list(names)}).")
    values = data.to_numpy(dtype=np.float64, copy=True)
    finite = np.isfinite(values)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        count = int((~finite).sum())
        raise DataError(
            f"{names[col]} has a missing or infinite value at {data.index[row]!r} ({count} non-finite cells in "
            "total); drop or fill them before estimating (connectedness never drops rows silently)."
        )
    constant = [names[k] for k in range(len(names)) if np.ptp(values[:, k]) == 0.0]
    if constant:
        raise DataError(
            f"constant columns {constant}: their residual variance is zero and the covariance is singular; "
            "drop them."
        )
    return np.ascontiguousarray(values), names, data.index


def _min_rows(n_vars: int, n_lags: int) -> int:
    """Data rows for a VAR(p) with intercept whose ML covariance is nonsingular: p + (N p + 1) + N."""
    return n_lags + (n_vars * n_lags + 1) + n_vars


def _companion_radius(coefs: Float64Array) -> Float64Array:
    """Largest |eigenvalue| of the companion matrix, batched over leading axes."""
    n_lags, n_vars = coefs.shape[-3], coefs.shape[-1]
    top = np.concatenate([coefs[..., lag, :, :] for lag in range(n_lags)], axis=-1)  # (..., N, Np)
    if n_lags == 1:
        companion = top
    else:
        lower = np.broadcast_to(
            np.eye(n_vars * (n_lags - 1), n_vars * n_lags),
            (*coefs.shape[:-3], n_vars * (n_lags - 1), n_vars * n_lags),
        )
        companion = np.concatenate([top, lower], axis=-2)
    return np.asarray(np.abs(np.linalg.eigvals(companion)).max(axis=-1), dtype=np.float64)


def _window_label(index: pd.Index, starts: Any, ends: Any, w: int) -> str:
    return f"the window {index[starts[w]]} .. {index[ends[w]]}"


def _tables(coefs: Float64Array, sigma: Float64Array, horizon: int, kind: str) -> Float64Array:
    """Percent FEVD tables (..., N, N) from VAR slopes (..., p, N, N) and covariances (..., N, N)."""
    ma = _fevd_kernels.ma_coefficients(coefs, horizon)
    if kind == "generalized":
        theta = _fevd_kernels.generalized_fevd(ma, sigma)
    else:
        theta = _fevd_kernels.cholesky_fevd(ma, sigma)
    return 100.0 * theta


def _check_sigma(sigma: Float64Array, where: Callable[[int], str]) -> None:
    """Positive-definite covariance(s), else EstimationError naming the window."""
    flat = sigma.reshape(-1, sigma.shape[-2], sigma.shape[-1])
    finite = np.asarray(np.isfinite(flat).all(axis=(1, 2)), dtype=bool)
    flat = np.where(finite[:, None, None], flat, np.eye(flat.shape[-1]))
    diag = np.diagonal(flat, axis1=1, axis2=2)
    positive = (diag > 0).all(axis=1) & finite
    scale = np.sqrt(np.where(diag > 0, diag, 1.0))
    corr = flat / (scale[:, :, None] * scale[:, None, :])  # scale-free: rescaling a variable changes nothing
    eig_min = np.linalg.eigvalsh(corr)[:, 0]
    bad = np.flatnonzero(~(positive & (eig_min > 1e-10)))
    if bad.size:
        raise EstimationError(
            f"the residual covariance is singular (or not positive definite) in {where(int(bad[0]))}"
            f"{f' and {bad.size - 1} other windows' if bad.size > 1 else ''}; a variable is (nearly) a "
            "linear combination of the others there. Drop it or use a longer window."
        )


# ---------------------------------------------------------------------------------------------------------
# static
def connectedness(
    data: pd.DataFrame | VARResultsLike,
    lags: int = 4,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
) -> ConnectednessResult:
    r"""Static Diebold-Yilmaz connectedness table of a VAR.

    .. math::

        \tilde\theta_{ij}(H) = 100\,\frac{\theta_{ij}(H)}{\sum_j \theta_{ij}(H)}, \qquad
        \theta_{ij}(H) = \frac{\sigma_{jj}^{-1} \sum_{h=0}^{H-1} (e_i' A_h \Sigma e_j)^2}
                              {\sum_{h=0}^{H-1} e_i' A_h \Sigma A_h' e_i}

    (DY2012 eqs. 2-3, generalized; the Cholesky variant of DY2009 replaces :math:`\Sigma e_j
    \sigma_{jj}^{-1/2}` by the j-th column of the Cholesky factor and depends on the column order).

    Parameters
    ----------
    data : DataFrame or VARResults
        A date x variable frame (float columns, no NaN): an OLS VAR(``lags``) with intercept is fitted,
        :math:`\Sigma = E'E/(T-p)` as in ConnectednessApproach. Or a fitted ``VARResults`` (its ``coefs``,
        ``sigma_u_ml`` and ``names`` are used; ``lags`` is then ignored).
    lags : int
        VAR lag order p (default 4, as DY2012).
    horizon : int
        Number of MA terms H, h = 0..H-1 (DY2012; ConnectednessApproach ``nfore = H``;
        frequencyConnectedness ``n.ahead = H - 1``).
    kind : {"generalized", "cholesky"}
        Pesaran-Shin generalized FEVD (order-invariant, default) or orthogonalised (Cholesky, DY2009).

    Returns
    -------
    ConnectednessResult
        ``.table`` (percent, rows receive), ``.total``, ``.corrected_total``, ``.to``, ``.from_``, ``.net``,
        ``.pairwise_net``, ``.npt``, ``.groups(mapping)``, ``.summary()``, ``.to_frame()``, ``.plot()``.

    Raises
    ------
    DataError
        NaNs, non-numeric, duplicate or constant columns, fewer than two variables.
    SpecificationError
        ``horizon < 1``, ``lags < 1``, unknown ``kind``, too few observations for the lags.
    EstimationError
        Singular residual covariance, or an explosive VAR (companion eigenvalue modulus >= 1), for which a
        variance decomposition is meaningless.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["A", "B", "C"])
    >>> res = connectedness(df, lags=1, horizon=10)
    >>> bool(np.allclose(res.table.sum(axis=1), 100.0))
    True
    """
    horizon = _check_horizon(horizon)
    kind = _check_kind(kind)
    start = end = None
    if isinstance(data, VARResultsLike) and not isinstance(data, pd.DataFrame):
        coefs = np.asarray(data.coefs, dtype=np.float64)
        sigma = np.asarray(data.sigma_u_ml, dtype=np.float64)
        names = tuple(str(n) for n in data.names)
        n_lags = int(coefs.shape[0])
        n_obs = getattr(data, "n_obs", None)
        index = getattr(data, "index", None)
        if index is not None and len(index):
            start, end = index[0], index[-1]
        if coefs.ndim != 3 or coefs.shape[1:] != (len(names), len(names)) or sigma.shape != coefs.shape[1:]:
            raise SpecificationError(
                f"VARResults has coefs of shape {coefs.shape} and sigma_u_ml of shape {sigma.shape}; expected "
                f"(p, N, N) and (N, N) with N = {len(names)} names."
            )
        if len(names) < 2:
            raise DataError("connectedness needs at least 2 variables.")
    else:
        values, names, index = _validate_data(data)
        n_lags = _check_int("lags", lags, 1)
        need = _min_rows(len(names), n_lags)
        if values.shape[0] < need:
            raise SpecificationError(
                f"too few observations: {values.shape[0]} rows for a VAR({n_lags}) with {len(names)} variables; "
                f"it needs at least {need} rows (p = {n_lags} lag rows + {len(names) * n_lags + 1} parameters per "
                f"equation + {len(names)} for a nonsingular covariance). Use fewer lags or more data."
            )
        try:
            coefs, _, sigma, _ = _conn_kernels.var_ols(values, n_lags)
        except np.linalg.LinAlgError:
            raise EstimationError(
                f"the lagged regressors of the VAR({n_lags}) are exactly collinear (a variable is a linear "
                "combination of the others); drop it."
            ) from None
        n_obs = values.shape[0] - n_lags
        if len(index):
            start, end = index[n_lags], index[-1]
    _check_sigma(sigma, lambda _: "the full sample")
    radius = float(_companion_radius(coefs))
    if not radius < 1.0:
        raise EstimationError(
            f"the VAR({n_lags}) is not stable (largest companion eigenvalue modulus {radius:.4f} >= 1); its "
            "forecast-error variance decomposition is not defined. Difference the data or use fewer lags."
        )
    table = _tables(coefs, sigma, horizon, kind)
    return ConnectednessResult(
        names=names,
        values=table,
        kind=kind,
        horizon=horizon,
        n_lags=n_lags,
        n_obs=n_obs,
        start=start,
        end=end,
    )


# ---------------------------------------------------------------------------------------------------------
# rolling
def rolling_connectedness(
    data: pd.DataFrame,
    window: int = 200,
    lags: int = 4,
    horizon: int = 10,
    step: int = 1,
    kind: ConnectednessKind = "generalized",
    progress: Progress | None = None,
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
    values, names, index = _validate_data(data)
    n_lags = _check_int("lags", lags, 1)
    horizon = _check_horizon(horizon)
    kind = _check_kind(kind)
    step = _check_int("step", step, 1)
    window = _check_int("window", window, 1)
    n_obs, n_vars = values.shape
    need = _min_rows(n_vars, n_lags)
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
    ends = starts + window - 1
    n_windows = len(starts)
    # windows per batch: bounded by memory (Gram matrices and MA terms of the batch, ~64 MB)
    width = n_vars * n_lags + 1 + n_vars
    per_window = 8 * (width * width + (horizon + 2) * n_vars * n_vars)
    chunk = int(max(1, min(_CHUNK, _BATCH_BYTES // per_window)))
    tables = np.empty((n_windows, n_vars, n_vars))
    explosive = np.zeros(n_windows, dtype=bool)
    first_bad: tuple[int, float] | None = None
    for begin in range(0, n_windows, chunk):
        stop = min(begin + chunk, n_windows)
        coefs, sigma = _conn_kernels.rolling_var_ols(values, n_lags, window, starts[begin:stop])
        _check_sigma(sigma, functools.partial(_window_label, index, starts[begin:stop], ends[begin:stop]))
        unstable = ~_conn_kernels.is_stable(coefs)
        if first_bad is None and unstable.any():
            k = int(np.flatnonzero(unstable)[0])
            first_bad = (begin + k, float(_companion_radius(coefs[k])))
        explosive[begin:stop] = unstable
        tables[begin:stop] = _tables(coefs, sigma, horizon, kind)
        if progress is not None:
            progress(stop, n_windows)
    if first_bad is not None:
        first, radius = first_bad
        warnings.warn(
            f"{int(explosive.sum())} of {n_windows} rolling windows have an unstable VAR({n_lags}) (first ending "
            f"{index[ends[first]]}, companion modulus {radius:.4f}); they are flagged in `.explosive`.",
            ContagionWarning,
            stacklevel=2,
        )
    logger.debug(
        "rolling connectedness: %d windows of %d rows, VAR(%d), H=%d", n_windows, window, n_lags, horizon
    )
    return RollingConnectednessResult(
        names=names,
        index=index[ends],
        values=tables,
        kind=kind,
        horizon=horizon,
        method="rolling",
        n_lags=n_lags,
        window=window,
        step=step,
        explosive=explosive,
    )


# ---------------------------------------------------------------------------------------------------------
# TVP-VAR
def tvp_connectedness(
    data: pd.DataFrame,
    lags: int = 1,
    horizon: int = 10,
    kappa1: float = 0.99,
    kappa2: float = 0.99,
    prior: TVPPrior = "bayes",
    prior_window: int | None = 200,
    kind: ConnectednessKind = "generalized",
    gamma: float = 0.01,
    progress: Progress | None = None,
) -> RollingConnectednessResult:
    r"""TVP-VAR connectedness (Antonakakis, Chatziantoniou and Gabauer 2020) as ConnectednessApproach
    1.0.4 computes it (``ConnectednessApproach(x, model = "TVP-VAR", window.size = prior_window)``).

    Kalman filter with forgetting factors (Koop and Korobilis 2014), no smoother:

    .. math::

        \beta_{t|t-1} = \beta_{t-1|t-1}, \quad \Sigma_{t|t-1} = \Sigma_{t-1|t-1}/\kappa_1, \quad
        Q_t = \kappa_2 Q_{t-1} + (1-\kappa_2)\,\varepsilon_t\varepsilon_t'

    with :math:`\varepsilon_t = y_t - B_{t-1} z_t` computed from the previous update, then the usual
    update with measurement covariance :math:`Q_t`. The GFEVD at each date uses :math:`(B_t, Q_t)`.

    Choices copied from ``R/TVPVAR.R`` and ``R/BayesPrior.R`` (each is documented in
    ``docs/connectedness.md``):

    1. The data are demeaned **once with the full-sample mean** (``scale(x, TRUE, FALSE)``) and the VAR has
       no intercept: look-ahead, every date's estimate uses the mean of future data.
    2. ``prior="bayes"``: OLS with intercept on the *undemeaned* data, regressand rows p+1 .. W-p with
       W = ``prior_window`` (ConnectednessApproach passes ``window.size - nlag`` to ``BayesPrior``, which
       drops another ``nlag``); prior mean = slopes, prior variance = the slope block of
       ``ginv(sum Z'Z)``, initial Q = SSE / (W - 2p). Look-ahead: the first W rows inform the prior of
       every date, including the first. ``prior_window=None`` uses the whole sample (R's default).
       ``"minnesota"``: zero mean, variance ``gamma / lag^2``; ``"uninformative"``: zero mean, variance 4;
       both start from Q = cov(data) over the full sample (look-ahead).
    3. Dates 1..p+1 update Q with ``0.1 * y_t y_t'`` (the EWMA start), later dates with the residual outer
       product; the coefficient update starts at date p+1.
    4. When the companion matrix of an update has an eigenvalue of modulus > 1, the previous coefficients
       are kept for that date and the state mean is replaced by **0.99 times the previous state mean** (an
       ad hoc shrink); the next residual still uses the unshrunk update, as in the R code.
    5. Every date is reported, including the first p+1 that only carry the prior.

    Parameters
    ----------
    data : DataFrame
        Date x variable frame, float, no NaN.
    lags : int
        TVP-VAR lag order (ConnectednessApproach ``nlag``; the paper uses 1).
    horizon : int
        Number of MA terms H, h = 0..H-1 (ConnectednessApproach ``nfore``; the paper uses 12 for monthly data).
    kappa1, kappa2 : float in (0, 1)
        Forgetting factor of the coefficient covariance and decay of the EWMA error covariance (package
        defaults 0.99, 0.99; the paper uses 0.99, 0.96).
    prior : {"bayes", "minnesota", "uninformative"}
    prior_window : int or None
        ConnectednessApproach ``window.size``: rows that inform the Bayes prior (see choice 2).
    kind : {"generalized", "cholesky"}
    gamma : float
        Minnesota prior variance scale (ConnectednessApproach's front-end default 0.01).
    progress : callable(done, total), optional

    Returns
    -------
    RollingConnectednessResult
        One table per date (``method == "tvp"``, ``window`` None).
    """
    values, names, index = _validate_data(data)
    n_lags = _check_int("lags", lags, 1)
    horizon = _check_horizon(horizon)
    kind = _check_kind(kind)
    n_obs, n_vars = values.shape
    for name, kappa in (("kappa1", kappa1), ("kappa2", kappa2)):
        if not 0.0 < float(kappa) < 1.0:
            raise SpecificationError(f"{name} must lie strictly between 0 and 1, got {name}={kappa!r}.")
    if prior not in ("bayes", "minnesota", "uninformative"):
        raise SpecificationError(
            f"prior must be 'bayes', 'minnesota' or 'uninformative', got prior={prior!r}."
        )
    if n_obs < n_lags + 2:
        raise SpecificationError(f"too few observations ({n_obs}) for a TVP-VAR({n_lags}).")
    if prior == "bayes":
        size = n_obs if prior_window is None else _check_int("prior_window", prior_window, 1) - n_lags
        if prior_window is not None and prior_window > n_obs:
            raise SpecificationError(
                f"prior_window={prior_window} is longer than the sample ({n_obs} rows); use a smaller value."
            )
        need = n_lags + (n_vars * n_lags + 1) + n_vars  # regressand rows size - p must exceed the parameters
        if size - n_lags < need - n_lags:
            raise SpecificationError(
                f"prior_window={prior_window} is too short for the Bayes prior of a TVP-VAR({n_lags}) with {n_vars} "
                f"variables: it leaves {size - n_lags} regression rows (prior_window - 2 * lags) but needs at "
                f"least {need - n_lags}. Increase prior_window."
            )
        b0, v0, q0 = _tvp.bayes_prior(values, n_lags, size)
    elif prior == "minnesota":
        if not gamma > 0:
            raise SpecificationError(f"gamma must be positive, got gamma={gamma!r}.")
        b0, v0 = _tvp.minnesota_prior(n_vars, n_lags, float(gamma))
        q0 = np.cov(values, rowvar=False)
    else:
        b0, v0 = _tvp.uninformative_prior(n_vars, n_lags)
        q0 = np.cov(values, rowvar=False)
    demeaned = values - values.mean(axis=0)
    coefs, q = _tvp.tvp_var_filter(demeaned, n_lags, b0, v0, q0, float(kappa1), float(kappa2))
    _check_sigma(q, lambda t: f"the TVP-VAR error covariance at {index[t]}")
    if progress is not None:
        progress(0, n_obs)
    tables = np.empty((n_obs, n_vars, n_vars))
    for begin in range(0, n_obs, _CHUNK):
        stop = min(begin + _CHUNK, n_obs)
        tables[begin:stop] = _tables(coefs[begin:stop], q[begin:stop], horizon, kind)
        if progress is not None:
            progress(stop, n_obs)
    explosive = ~_conn_kernels.is_stable(coefs)
    options = {
        "kappa1": float(kappa1),
        "kappa2": float(kappa2),
        "prior": prior,
        "prior_window": prior_window,
        "gamma": float(gamma) if prior == "minnesota" else None,
    }
    return RollingConnectednessResult(
        names=names,
        index=index,
        values=tables,
        kind=kind,
        horizon=horizon,
        method="tvp",
        n_lags=n_lags,
        window=None,
        step=1,
        options=options,
        explosive=explosive,
    )
