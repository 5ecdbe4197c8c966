r"""Vector autoregressions: OLS fit, lag selection, stability, Granger tests, impulse responses with bands, FEVD.

.. math::

    y_t = \nu + \sum_{l=1}^{p} \Phi_l y_{t-l} + u_t, \qquad u_t \sim (0, \Sigma_u)

Conventions (they decide whether numbers match R's ``vars``; see ``docs/var.md``):

* ``sigma_u`` is the d.o.f.-corrected :math:`\hat U'\hat U / (T - Np - 1)` (``vars``, statsmodels
  ``sigma_u``); ``sigma_u_ml`` is :math:`\hat U'\hat U / T` (ConnectednessApproach, statsmodels
  ``sigma_u_mle``), T being the number of regression rows (``n_obs``).
* Impulse responses: ``horizon = H`` returns h = 0..H (H + 1 rows), like ``vars::irf(n.ahead = H)``.
  Orthogonalised responses use the Cholesky factor of ``sigma_u``; generalized responses use
  :math:`\sigma_{jj}^{-1/2} A_h \Sigma_u e_j` with the same ``sigma_u`` (one-s.d. shocks).
* FEVD: ``horizon = H`` sums the MA terms h = 0..H-1 (Diebold-Yilmaz 2012, ConnectednessApproach
  ``nfore``, and the row ``H`` of ``vars::fevd``).

References
----------
.. [1] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer.
.. [2] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
.. [3] Kilian, L. (1998). Small-sample confidence intervals for impulse response functions. Review of
   Economics and Statistics, 80(2), 218-230.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from contagion._compat import SeedLike
from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import (
    BandMethod,
    FEVDKind,
    Float64Array,
    Float64Array1D,
    Float64Array2D,
    Float64Array3D,
    Trend,
)
from contagion.errors import EstimationError, SpecificationError
from contagion.var import _kernels as K
from contagion.var._tables import CoefficientTables
from contagion.var._utility import (
    check_horizon,
    check_rows,
    check_spec,
    lag_table,
    validate_data,
)
from contagion.var.estimation import Estimator, check_estimator, estimate
from contagion.var.exog import check_exog_rank, validate_exog
from contagion.var.fevd import cholesky_fevd, generalized_fevd, ma_coefficients
from contagion.var.irf import IRFOptions, VARArrays, impulse_responses
from contagion.var.results import GrangerResult, IRFKind, IRFResult  # re-exported

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["VAR", "GrangerResult", "IRFResult", "VARResults"]

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------- model
@dataclass(frozen=True, eq=False, repr=False)
class VAR:
    r"""A VAR(p) with intercept estimated by equation-by-equation OLS.

    .. math::

        y_t = \nu + \sum_{l=1}^{p} \Phi_l y_{t-l} + u_t

    Parameters
    ----------
    data : DataFrame of shape (T, N)
        One numeric column per variable, rows in time order (normally a DatetimeIndex named ``date``).
        No missing values, no constant or duplicate columns.
    lags : int or {"aic", "bic", "hqic"}, default "aic"
        The lag order p, or the information criterion minimised over p = 1..``max_lags`` on a common
        sample (as ``vars::VARselect`` / ``vars::VAR(lag.max=, ic=)``); the chosen p is then re-estimated
        on the full sample.
    max_lags : int, default 10
        Largest lag order considered by the criteria (and shown in ``lag_selection``).
    trend : {"c", "n"}, default "c"
        With ("c") or without ("n") intercept.
    exog : DataFrame of shape (T, k), optional
        Deterministic exogenous terms :math:`x_t` in every equation, :math:`y_t = \nu + \sum_l \Phi_l
        y_{t-l} + \Gamma x_t + u_t` (day-of-week or event dummies: :func:`contagion.var.exog.day_of_week_dummies`,
        :func:`~contagion.var.exog.event_dummies`), indexed by dates covering every date of ``data``
        (extra dates are ignored). Estimated with the lags and the intercept; they shift the conditional
        mean only, so IRFs, FEVD and connectedness keep their definitions (MA terms of the lag polynomial).
    estimator : {"ols", "lasso", "ridge", "elastic_net"}, default "ols"
        Penalised VARs (Demirer et al. 2018) penalise the standardised lag coefficients equation by equation;
        intercept and ``exog`` are unpenalised (:mod:`contagion.var.estimation`).
    penalty : None, float >= 0, "cv" or "bic"
        The λ of a penalised estimator (standardised units, the same in every equation; 0 = OLS), or chosen
        per equation by rolling-origin cross-validation ("cv", the default) or BIC over a grid. None with OLS.
    l1_ratio : float in (0, 1], default 0.5
        The elastic-net mixing :math:`\alpha` (``estimator="elastic_net"`` only).

    Raises
    ------
    DataError
        Non-numeric, duplicate, constant or non-finite columns; too few rows for the lags (the message
        states the minimum, p + N p + 1 + N with an intercept).
    SpecificationError
        Invalid ``lags``, ``max_lags`` or ``trend``; ``penalty`` < 0 or with OLS; ``l1_ratio`` outside
        (0, 1]; ``exog`` columns collinear with the intercept (e.g. a full set of weekday dummies).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> y = pd.DataFrame(rng.standard_normal((200, 2)), columns=["a", "b"])
    >>> res = VAR(y, lags=1).fit()
    >>> res.coefs.shape
    (1, 2, 2)
    """

    data: pd.DataFrame
    lags: int | str = "aic"
    max_lags: int = 10
    trend: Trend = "c"
    exog: pd.DataFrame | None = None
    estimator: Estimator = "ols"
    penalty: float | str | None = None
    l1_ratio: float = 0.5

    def __post_init__(self) -> None:
        check_spec(self.lags, self.max_lags, self.trend)
        check_estimator(self.estimator, self.penalty, self.l1_ratio)
        object.__setattr__(self, "data", validate_data(self.data))
        object.__setattr__(self, "exog", validate_exog(self.exog, self.data, self.trend))

    def __repr__(self) -> str:
        extra = "" if self.exog is None else f", exog={list(self.exog.columns)}"
        if self.estimator != "ols":
            extra += f", estimator={self.estimator!r}, penalty={self.penalty!r}"
        return (
            f"VAR(lags={self.lags!r}, max_lags={self.max_lags}, trend={self.trend!r}, "
            f"variables={list(self.data.columns)}, n_rows={len(self.data)}{extra})"
        )

    def select_order(self) -> pd.DataFrame:
        """Information criteria for p = 1..max_lags (see :attr:`VARResults.lag_selection`); OLS, with ``exog``."""
        return lag_table(self.data, int(self.max_lags), self.trend, self.exog)

    def fit(self) -> VARResults:
        """Estimate the VAR (OLS, or the penalised ``estimator``) and return frozen :class:`VARResults`.

        Raises
        ------
        DataError
            Too few observations for the lag order (the message gives the minimum).
        EstimationError
            The residual covariance is singular (linearly dependent columns).
        """
        y = self.data.to_numpy()
        n_vars = y.shape[1]
        table: pd.DataFrame | None = None
        if isinstance(self.lags, str):
            table = self.select_order()
            n_lags = int(table.attrs["selected"][self.lags.lower()])
            logger.info("VAR lag order %d selected by %s (max_lags=%d)", n_lags, self.lags, self.max_lags)
        else:
            n_lags = int(self.lags)
        x = None
        if self.exog is not None:
            x = self.exog.to_numpy()
            where = f"the regression sample of the VAR({n_lags})"
            check_exog_rank(x[n_lags:], [str(c) for c in self.exog.columns], self.trend, where)
        if self.estimator == "ols":
            check_rows(y.shape[0], n_vars, n_lags, self.trend, 0 if x is None else x.shape[1])
        fit = estimate(y, n_lags, self.trend, list(self.data.columns), x, self.estimator, self.penalty, self.l1_ratio)
        return VARResults(
            model=self,
            coefs=fit.coefs,
            intercept=fit.intercept,
            sigma_u=fit.sigma_u,
            sigma_u_ml=fit.sigma_u_ml,
            resid=fit.resid,
            names=tuple(self.data.columns),
            index=self.data.index[n_lags:],
            n_lags=n_lags,
            n_obs=fit.resid.shape[0],
            lag_table=table,
            exog_coefs=fit.exog_coefs,
            penalty=fit.penalty,
            penalty_path=fit.penalty_path,
        )


# ------------------------------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False, repr=False)
class VARResults(CoefficientTables, SummaryReprMixin):
    r"""What one VAR fit produced. Never mutated; derived values are cached.

    Attributes
    ----------
    model : VAR
        The specification (with the validated data).
    coefs : ndarray of shape (p, N, N)
        ``coefs[l - 1]`` is :math:`\Phi_l`; ``coefs[l - 1, i, j]`` is the effect of :math:`y_{j,t-l}` in
        equation i (``vars::Acoef``).
    intercept : ndarray of shape (N,)
    sigma_u : ndarray of shape (N, N)
        d.o.f.-corrected residual covariance :math:`\hat U'\hat U / (T - Np - 1)` (vars, statsmodels).
    sigma_u_ml : ndarray of shape (N, N)
        Maximum-likelihood residual covariance :math:`\hat U'\hat U / T` (ConnectednessApproach).
    resid : ndarray of shape (T, N)
        OLS residuals, T = ``n_obs`` = number of data rows minus p.
    names : tuple of str
    index : pandas Index
        Dates of the regression sample (the data index without its first p rows).
    n_lags, n_obs : int
    exog_coefs : ndarray of shape (N, k) or None
        :math:`\Gamma`: ``exog_coefs[i, m]`` is the effect of exogenous term m in equation i.
    penalty : ndarray of shape (N,) or None
        Penalised estimators: the λ used in each equation (standardised units; chosen by "cv"/"bic" or
        given). ``sigma_u`` and ``sigma_u_ml`` are then both :math:`\hat U'\hat U / T`.
    penalty_path : DataFrame or None
        The criterion over the grid when the penalty was chosen (equation, penalty, criterion, df, method).
    """

    model: VAR
    coefs: Float64Array3D
    intercept: Float64Array1D
    sigma_u: Float64Array2D
    sigma_u_ml: Float64Array2D
    resid: Float64Array2D
    names: tuple[str, ...]
    index: pd.Index
    n_lags: int
    n_obs: int
    lag_table: pd.DataFrame | None = field(default=None, repr=False)
    exog_coefs: Float64Array2D | None = None
    penalty: Float64Array1D | None = None
    penalty_path: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for arr in (self.coefs, self.intercept, self.sigma_u, self.sigma_u_ml, self.resid, self.exog_coefs,
                    self.penalty):
            if arr is not None:
                arr.flags.writeable = False

    def __repr__(self) -> str:
        return (
            f"VARResults(VAR({self.n_lags}), variables={list(self.names)}, n_obs={self.n_obs}, "
            f"stable={self.is_stable})"
        )

    # ---------------------------------------------------------------- basic properties
    @property
    def n_vars(self) -> int:
        """Number of variables N."""
        return len(self.names)

    @property
    def lag_order(self) -> int:
        """The lag order p used (chosen by the criterion when ``lags`` was a criterion name)."""
        return self.n_lags

    @cached_property
    def lag_selection(self) -> pd.DataFrame:
        r"""AIC, BIC (SC), HQ and FPE for p = 1..max_lags on a common sample, as ``vars::VARselect``.

        All candidates use the last T - max_lags rows; :math:`\tilde\Sigma = \hat U'\hat U / T^*` (ML).
        ``attrs["selected"]`` maps each criterion to its minimising lag. Index ``lags``, columns
        ``aic, bic, hqic, fpe`` (= ``AIC(n), SC(n), HQ(n), FPE(n)`` of VARselect).
        """
        if self.lag_table is not None:
            return self.lag_table
        return self.model.select_order()

    @property
    def sigma(self) -> pd.DataFrame:
        """Residual covariance, d.o.f.-corrected (``sigma_u``: SSE / (T - Np - 1)), labelled.

        This is the Σ of ``vars`` and statsmodels and the one used by :meth:`irf`. The ML version
        (SSE / T, used by ConnectednessApproach) is :attr:`sigma_ml`; the FEVD does not depend on the
        choice, impulse-response magnitudes do (by :math:`\\sqrt{T / (T - Np - 1)}`).
        """
        return pd.DataFrame(self.sigma_u, index=list(self.names), columns=list(self.names))

    @property
    def sigma_ml(self) -> pd.DataFrame:
        """Maximum-likelihood residual covariance SSE / T, labelled."""
        return pd.DataFrame(self.sigma_u_ml, index=list(self.names), columns=list(self.names))

    @cached_property
    def roots(self) -> Float64Array:
        """Companion-matrix eigenvalues (complex, by decreasing modulus); ``vars::roots`` prints their moduli.

        The VAR is stable iff every modulus is below 1 (Lütkepohl 2005, eq. 2.1.12).
        """
        out = K.companion_eigvals(self.coefs)
        out.flags.writeable = False
        return out

    @cached_property
    def is_stable(self) -> bool:
        """True if all companion eigenvalues have modulus < 1."""
        return bool(np.abs(self.roots).max() < 1.0)

    def summary(self) -> Summary:
        """Sample, lag order, stability; tables: coefficients (:meth:`to_frame`) and Σ (d.o.f.-corrected)."""
        trend = "intercept" if self.model.trend == "c" else "no deterministic terms"
        header = [f"{self.n_vars} variables, {self.n_obs} observations, sample {self.index[0]} .. {self.index[-1]}"]
        if isinstance(self.model.lags, str):
            header.append(f"lag order chosen by {self.model.lags.upper()} over 1..{self.model.max_lags}")
        header.append(f"stable: {self.is_stable} (largest companion root modulus {np.abs(self.roots).max():.4f})")
        if self.exog_names:
            header.append(f"exogenous terms (mean shifts only; IRFs/FEVD from the lags): {', '.join(self.exog_names)}")
        if self.penalty is not None:
            how = self.model.penalty if isinstance(self.model.penalty, str) else "given"
            header.append(
                f"estimator {self.estimator} (penalty {how}: {np.min(self.penalty):.4g}..{np.max(self.penalty):.4g}, "
                f"standardised lag coefficients), {self.n_nonzero} of {self.coefs.size} lag coefficients nonzero; "
                "Sigma = U'U/T"
            )
        tables = (("coefficients", self.to_frame()), ("residual covariance (d.o.f.-corrected)", self.sigma))
        return Summary(f"VAR({self.n_lags}) with {trend}", header=tuple(header), tables=tables)

    def plot(self, kind: Literal["fitted", "residuals"] = "fitted") -> Figure:
        """One panel per variable over the regression sample: data and fitted values, or the residuals."""
        from contagion.var import plots

        if kind not in ("fitted", "residuals"):
            raise SpecificationError(f"plot(kind={kind!r}): kind must be 'fitted' or 'residuals'.")
        observed = self.model.data.to_numpy()[self.n_lags :]
        return plots.equation_panels(self.names, self.index, observed, self.resid, kind)

    # ---------------------------------------------------------------- IRF / FEVD
    def _require_stable(self, what: str) -> None:
        if not self.is_stable:
            raise EstimationError(
                f"the VAR({self.n_lags}) on {list(self.names)} is not stable (largest companion root modulus "
                f"{np.abs(self.roots).max():.4f} >= 1), so its {what} do not die out and are not "
                "meaningful; difference or detrend the data (e.g. use returns or log-variances, not price levels)."
            )

    def irf(
        self,
        horizon: int = 20,
        kind: IRFKind = "orthogonal",
        cumulative: bool = False,
        bands: BandMethod | None = None,
        reps: int = 1000,
        level: float = 0.95,
        seed: SeedLike = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> IRFResult:
        r"""Impulse responses for h = 0..``horizon`` (``horizon + 1`` rows, like ``vars::irf(n.ahead=)``).

        .. math::

            \text{orthogonal: } \Theta_h = A_h P,\ PP' = \Sigma_u; \qquad
            \text{generalized: } \psi_j(h) = \sigma_{jj}^{-1/2} A_h \Sigma_u e_j

        with :math:`A_h` the MA coefficients and :math:`\Sigma_u` the d.o.f.-corrected covariance
        (``sigma_u``). Orthogonal responses are to one-s.d. orthogonalised shocks in the column order of
        the data (as ``vars``); generalized responses (Pesaran and Shin 1998, eq. 10) are to a one-s.d.
        shock in variable j, invariant to the order, and equal the orthogonal ones for the first
        variable. Using ``sigma_u_ml`` instead would scale every response by
        :math:`\sqrt{(T - Np - 1)/T}`.

        Parameters
        ----------
        horizon : int, default 20
            Last horizon; responses for h = 0..horizon. (The FEVD's ``horizon`` counts MA terms
            h = 0..H-1 instead, see :meth:`fevd`.)
        kind : {"orthogonal", "generalized", "unit"}
            ``"unit"`` gives the non-orthogonalised responses :math:`A_h` to a unit shock in
            :math:`u_j` (``vars::irf(ortho = FALSE)``).
        cumulative : bool
            Cumulated responses :math:`\sum_{s \le h}`; bootstrap bands then come from cumulated draws.
        bands : {None, "asymptotic", "bootstrap", "kilian", "wild"}
            ``"asymptotic"``: delta method (Lütkepohl 2005, Prop. 3.6/3.7), estimate ± z·se.
            ``"bootstrap"``: recursive-design residual bootstrap, percentile intervals.
            ``"kilian"``: bootstrap-after-bootstrap bias correction (Kilian 1998) with 0.01 shrink steps
            in both stages, percentile intervals. ``"wild"``: as bootstrap with Rademacher weights.
            See :mod:`contagion.var.irf`.
        reps : int, default 1000
            Bootstrap replications (Kilian: per stage, so 2 x reps fits).
        level : float, default 0.95
        seed : int, numpy.random.Generator or None
            Seed of the bootstrap (resolved by :func:`contagion._compat.resolve_seed`; the integer used is
            ``IRFResult.seed``); the same int gives identical bands.
        progress : callable(done, total), optional
            Called after each batch of bootstrap draws.

        Raises
        ------
        SpecificationError
            Invalid option values (horizon < 1, unknown kind or bands, reps < 2, level outside (0, 1)).
        EstimationError
            The VAR is not stable (responses would not die out).
        """
        options = IRFOptions.validated(horizon, kind, cumulative, bands, reps, level, seed, progress)
        self._require_stable("impulse responses")
        if options.bands is not None:
            self._require_ols("IRF bands")
        zz_slopes = None
        if options.bands == "asymptotic":
            c = 1 if self.model.trend == "c" else 0
            end = c + self.n_vars * self.n_lags  # the lag block (exogenous terms follow it)
            zz_slopes = self._design[1][c:end, c:end]
        x = None if self.model.exog is None else self.model.exog.to_numpy()
        fit = VARArrays(names=self.names, y=self.model.data.to_numpy(), coefs=self.coefs,
                        intercept=self.intercept, resid=self.resid, sigma_u=self.sigma_u,
                        trend=self.model.trend, n_obs=self.n_obs, zz_inv_slopes=zz_slopes,
                        exog=x, exog_coefs=self.exog_coefs)
        return impulse_responses(fit, options)

    def fevd(self, horizon: int = 10, kind: FEVDKind = "cholesky") -> pd.DataFrame:
        r"""Forecast-error variance decomposition in percent, summing MA terms h = 0..H-1.

        .. math::

            \theta_{ij}(H) = \frac{\sum_{h=0}^{H-1} (e_i' A_h P e_j)^2}{\sum_{h=0}^{H-1} e_i' A_h \Sigma_u A_h' e_i}
            \ (\text{cholesky}), \qquad
            \tilde\theta_{ij}(H) \propto \sigma_{jj}^{-1}\sum_{h=0}^{H-1} (e_i' A_h \Sigma_u e_j)^2
            \ (\text{generalized, rows normalised})

        (Lütkepohl 2005, eq. 2.3.37; Pesaran and Shin 1998; Diebold and Yilmaz 2012, eqs. 2-3). The
        horizon H counts MA terms h = 0..H-1, so ``horizon=10`` equals row 10 of ``vars::fevd(n.ahead=10)``
        and ConnectednessApproach's ``nfore=10``. Computed by
        :mod:`contagion.var.fevd`.

        Parameters
        ----------
        horizon : int, default 10
            Number of MA terms H (h = 0..H-1); ``horizon=1`` is the impact decomposition.
        kind : {"cholesky", "generalized"}
            Cholesky depends on the column order; generalized does not (Pesaran-Shin, rows normalised).

        Returns
        -------
        DataFrame of shape (N, N)
            Rows: the variable whose forecast-error variance is decomposed (``variance_of``); columns:
            the shock (``shock_from``). Percent; each row sums to 100.

        Raises
        ------
        SpecificationError
            ``horizon < 1`` or unknown ``kind``.
        EstimationError
            The VAR is not stable.
        """
        horizon = check_horizon(horizon)
        if kind not in ("cholesky", "generalized"):
            raise SpecificationError(f"kind must be 'cholesky' or 'generalized', got kind={kind!r}.")
        self._require_stable("forecast-error variance decompositions")
        ma = ma_coefficients(self.coefs, horizon)
        table = cholesky_fevd(ma, self.sigma_u) if kind == "cholesky" else generalized_fevd(ma, self.sigma_u)
        return pd.DataFrame(
            100.0 * table,
            index=pd.Index(list(self.names), name="variance_of"),
            columns=pd.Index(list(self.names), name="shock_from"),
        )
