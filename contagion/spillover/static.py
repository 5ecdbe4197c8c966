r"""Static Diebold-Yilmaz connectedness of one VAR, reproducing the R packages ConnectednessApproach and
frequencyConnectedness. Rolling windows are :mod:`contagion.spillover.rolling`, the TVP-VAR (Antonakakis,
Chatziantoniou and Gabauer 2020) is :mod:`contagion.spillover.tvp`; both are re-exported here.

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

from typing import Literal

import pandas as pd

from contagion._compat import SeedLike
from contagion.spillover._band_options import BandOptions, estimation_data, with_bands
from contagion.spillover._utility import (
    ConnectednessKind,
    Progress,
    VARResultsLike,
    check_horizon,
    check_kind,
    fevd_tables,
    fit_static_var,
)
from contagion.spillover.results import ConnectednessResult, GroupConnectedness
from contagion.spillover.rolling import rolling_connectedness  # re-exported: imported from here today
from contagion.spillover.rolling_results import RollingConnectednessResult
from contagion.spillover.tvp import tvp_connectedness  # re-exported: imported from here today

__all__ = [
    "ConnectednessResult",
    "GroupConnectedness",
    "RollingConnectednessResult",
    "VARResultsLike",
    "connectedness",
    "rolling_connectedness",
    "tvp_connectedness",
]


def connectedness(
    data: pd.DataFrame | VARResultsLike,
    lags: int = 4,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    *,
    bands: Literal["bootstrap", "wild"] | None = None,
    reps: int = 1000,
    level: float = 0.95,
    seed: SeedLike = None,
    progress: Progress | None = None,
) -> ConnectednessResult:
    r"""Static Diebold-Yilmaz connectedness table of a VAR, optionally with bootstrap intervals.

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
    bands : {"bootstrap", "wild"}, optional
        Intervals on every measure from ``reps`` bootstrap re-estimations of the VAR, batched
        (:mod:`contagion.spillover._bands`): ``"bootstrap"`` resamples the centred residuals (recursive
        design), ``"wild"`` multiplies them by Rademacher signs (robust to conditional heteroskedasticity
        in the coefficients, but its residual covariance barely varies across draws, since
        :math:`\eta_t^2 = 1`, so TCI intervals come out too narrow: docs/connectedness.md, "Intervals").
        Basic bootstrap intervals (:func:`~contagion.spillover._bands.basic_interval`).
    reps : int
        Number of bootstrap draws (default 1000).
    level : float
        Coverage of the intervals, in (0, 1).
    seed : int, numpy Generator or None
        Seed of the draws; the integer used is kept in ``result.seed``.
    progress : callable(done, total), optional
        Called as the draws complete.

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
    horizon = check_horizon(horizon)
    kind = check_kind(kind)
    fit = fit_static_var(data, lags)
    table = fevd_tables(fit.coefs, fit.sigma, horizon, kind)
    result = ConnectednessResult(
        names=fit.names,
        values=table,
        kind=kind,
        horizon=horizon,
        n_lags=fit.n_lags,
        n_obs=fit.n_obs,
        start=fit.start,
        end=fit.end,
    )
    if bands is None:
        return result
    y, exog = estimation_data(data)
    return with_bands(result, y, BandOptions.build(bands, reps, level, seed), progress, exog=exog)

