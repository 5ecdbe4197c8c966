r"""TVP-VAR connectedness (Antonakakis, Chatziantoniou and Gabauer 2020) as ConnectednessApproach 1.0.4.

The Kalman filter with forgetting factors is :func:`contagion.spillover._tvp_kernels.tvp_var_filter`; the
choices copied from the R code are listed in :func:`tvp_connectedness` and ``docs/connectedness.md``.

References
----------
.. [1] Antonakakis, N., Chatziantoniou, I. and Gabauer, D. (2020). Refined measures of dynamic
   connectedness based on time-varying parameter vector autoregressions. Journal of Risk and Financial
   Management, 13(4), 84.
.. [2] Koop, G. and Korobilis, D. (2014). A new index of financial conditions. European Economic Review,
   71, 101-116.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion._compat import SeedLike
from contagion.errors import SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover import _tvp_kernels as _tvp
from contagion.spillover._dynamic_bands import (
    TVP_BAND_METHODS,
    DateBandOptions,
    resolve_band_dates,
    tvp_date_bands,
)
from contagion.spillover._utility import (
    ConnectednessKind,
    Progress,
    check_horizon,
    check_int,
    check_kind,
    check_sigma,
    fevd_tables,
    validate_data,
)
from contagion.spillover.rolling_results import RollingConnectednessResult

__all__ = ["TVPPrior", "tvp_connectedness"]

TVPPrior = Literal["bayes", "minnesota", "uninformative"]

_CHUNK = 1024  # at most this many dates per batched FEVD call


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
    *,
    bands: Literal["filter"] | None = None,
    band_dates: Sequence[Any] | None = None,
    reps: int = 1000,
    level: float = 0.95,
    seed: SeedLike = None,
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
    bands : {"filter"}, optional
        Credible intervals of the filtered estimate at ``band_dates``: ``reps`` draws of the coefficient
        vector from the filter's :math:`N(\beta_{t|t}, S_{t|t})`, each turned into a table with
        :math:`Q_t` fixed; equal-tailed percentile intervals in ``.intervals``. They carry the filter's
        coefficient uncertainty only, not that of :math:`Q_t`, the prior or the forgetting factors
        (docs/connectedness.md, "Intervals over time"). ``"bootstrap"`` / ``"wild"`` are refused.
    band_dates : list of dates, optional
        Dates of the index that get intervals; required with ``bands``.
    reps, level, seed
        Draws per date, coverage and seed (date k draws with ``seed=band_draws.date_seeds[k]``).

    Returns
    -------
    RollingConnectednessResult
        One table per date (``method == "tvp"``, ``window`` None); ``.intervals`` with ``bands``.
    """
    values, names, index = validate_data(data)
    n_lags = check_int("lags", lags, 1)
    horizon = check_horizon(horizon)
    kind = check_kind(kind)
    n_obs, n_vars = values.shape
    options = _band_options(bands, band_dates, reps, level, seed)
    if options is not None:
        resolve_band_dates(index, options.dates)  # a bad date fails before the filter runs
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
        size = n_obs if prior_window is None else check_int("prior_window", prior_window, 1) - n_lags
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
    positions = None if options is None else resolve_band_dates(index, options.dates)
    if positions is None:
        coefs, q = _tvp.tvp_var_filter(demeaned, n_lags, b0, v0, q0, float(kappa1), float(kappa2))
    else:
        coefs, q, covs = _tvp.tvp_var_filter_cov(demeaned, n_lags, b0, v0, q0, float(kappa1), float(kappa2),
                                                 positions)
    check_sigma(q, lambda t: f"the TVP-VAR error covariance at {index[t]}")
    if progress is not None:
        progress(0, n_obs)
    tables = np.empty((n_obs, n_vars, n_vars))
    for begin in range(0, n_obs, _CHUNK):
        stop = min(begin + _CHUNK, n_obs)
        tables[begin:stop] = fevd_tables(coefs[begin:stop], q[begin:stop], horizon, kind)
        if progress is not None:
            progress(stop, n_obs)
    explosive = ~_conn_kernels.is_stable(coefs)
    band_draws = None
    if options is not None and positions is not None:
        band_draws = tvp_date_bands(index, tables, coefs[positions], q[positions], covs, positions,
                                    horizon=horizon, kind=kind, options=options)
    tvp_options = {
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
        options=tvp_options,
        explosive=explosive,
        band_draws=band_draws,
    )


def _band_options(bands: str | None, band_dates: Any, reps: Any, level: Any,
                  seed: SeedLike) -> DateBandOptions | None:
    """Validated ``bands=`` options of :func:`tvp_connectedness` (None without bands)."""
    if bands is None:
        if band_dates is not None:
            raise SpecificationError("band_dates= needs bands='filter' (the TVP-VAR's filter draws).")
        return None
    return DateBandOptions.build(bands, TVP_BAND_METHODS, band_dates, reps, level, seed, "tvp_connectedness")
