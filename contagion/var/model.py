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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._compat import SeedLike
from contagion._summary import Summary
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
from contagion.var._utility import (
    check_horizon,
    check_rows,
    check_spec,
    granger_positions,
    lag_table,
    validate_data,
)
from contagion.var.fevd import cholesky_fevd, generalized_fevd, ma_coefficients
from contagion.var.irf import IRFOptions, VARArrays, impulse_responses
from contagion.var.results import GrangerResult, IRFKind, IRFResult

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

    Raises
    ------
    DataError
        Non-numeric, duplicate, constant or non-finite columns; too few rows for the lags (the message
        states the minimum, p + N p + 1 + N with an intercept).
    SpecificationError
        Invalid ``lags``, ``max_lags`` or ``trend``.

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

    def __post_init__(self) -> None:
        check_spec(self.lags, self.max_lags, self.trend)
        object.__setattr__(self, "data", validate_data(self.data))

    def __repr__(self) -> str:
        return (
            f"VAR(lags={self.lags!r}, max_lags={self.max_lags}, trend={self.trend!r}, "
            f"variables={list(self.data.columns)}, n_rows={len(self.data)})"
        )

    def select_order(self) -> pd.DataFrame:
        """Information criteria for p = 1..max_lags (see :attr:`VARResults.lag_selection`)."""
        return lag_table(self.data, int(self.max_lags), self.trend)

    def fit(self) -> VARResults:
        """Estimate the VAR by OLS and return frozen :class:`VARResults`.

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
        check_rows(y.shape[0], n_vars, n_lags, self.trend)
        singular = (
            f"the residual covariance of the VAR({n_lags}) on {list(self.data.columns)} is singular: "
            "some columns are (nearly) linear combinations of others; drop one of them."
        )
        try:
            coefs, intercept, resid = K.ols_var(y, n_lags, self.trend)
        except np.linalg.LinAlgError:
            raise EstimationError(singular) from None
        n_obs = resid.shape[0]
        n_regressors = n_vars * n_lags + (1 if self.trend == "c" else 0)
        sse = np.einsum("ti,tj->ij", resid, resid)  # einsum: BLAS syrk stalls under thread contention
        sigma_u = sse / (n_obs - n_regressors)
        scale = np.sqrt(np.diag(sigma_u))
        corr_eig = np.linalg.eigvalsh(sigma_u / np.outer(scale, scale)) if np.all(scale > 0) else np.zeros(1)
        if corr_eig.min() < 1e-10:
            raise EstimationError(singular)
        return VARResults(
            model=self,
            coefs=coefs,
            intercept=intercept,
            sigma_u=sigma_u,
            sigma_u_ml=sse / n_obs,
            resid=resid,
            names=tuple(self.data.columns),
            index=self.data.index[n_lags:],
            n_lags=n_lags,
            n_obs=n_obs,
            lag_table=table,
        )


# ------------------------------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False, repr=False)
class VARResults:
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

    def __post_init__(self) -> None:
        for arr in (self.coefs, self.intercept, self.sigma_u, self.sigma_u_ml, self.resid):
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

    @cached_property
    def _design(self) -> tuple[Float64Array2D, Float64Array2D]:
        """Stacked coefficients B (k, N) and (Z'Z)^{-1} (k, k), regressors (const, lag 1, ..., lag p)."""
        y = self.model.data.to_numpy()
        _, z = K.lag_design(y, self.n_lags, self.model.trend)
        zz_inv = K.gram_inverse(z)
        blocks = [self.coefs[lag].T for lag in range(self.n_lags)]
        if self.model.trend == "c":
            blocks.insert(0, self.intercept[None, :])
        return np.concatenate(blocks, axis=0), zz_inv

    def _regressor_names(self) -> list[str]:
        names = [f"{n}.l{lag}" for lag in range(1, self.n_lags + 1) for n in self.names]
        return (["const"] if self.model.trend == "c" else []) + names

    # ---------------------------------------------------------------- tables
    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients: one row per (equation, regressor) with std. error, t and p-value.

        Standard errors from :math:`(Z'Z)^{-1} \\otimes \\Sigma_u` (d.o.f.-corrected), t-tests with
        T - Np - 1 degrees of freedom, as ``summary(vars::VAR(...))``.
        """
        b, zz_inv = self._design
        se = np.sqrt(np.outer(np.diag(zz_inv), np.diag(self.sigma_u)))
        dof = self.n_obs - b.shape[0]
        t = b / se
        p = 2.0 * stats.t.sf(np.abs(t), dof)
        regs = self._regressor_names()
        lag = [0] * (1 if self.model.trend == "c" else 0) + [
            lag for lag in range(1, self.n_lags + 1) for _ in self.names
        ]
        rows = []
        for e, eq in enumerate(self.names):
            for r, reg in enumerate(regs):
                rows.append((eq, reg, lag[r], b[r, e], se[r, e], t[r, e], p[r, e]))
        return pd.DataFrame(
            rows, columns=["equation", "regressor", "lag", "coefficient", "std_error", "t", "pvalue"]
        )

    def summary(self) -> Summary:
        """Sample, lag order, stability; tables: coefficients (:meth:`to_frame`) and Σ (d.o.f.-corrected)."""
        trend = "intercept" if self.model.trend == "c" else "no deterministic terms"
        header = [f"{self.n_vars} variables, {self.n_obs} observations, sample {self.index[0]} .. {self.index[-1]}"]
        if isinstance(self.model.lags, str):
            header.append(f"lag order chosen by {self.model.lags.upper()} over 1..{self.model.max_lags}")
        header.append(f"stable: {self.is_stable} (largest companion root modulus {np.abs(self.roots).max():.4f})")
        tables = (("coefficients", self.to_frame()), ("residual covariance (d.o.f.-corrected)", self.sigma))
        return Summary(f"VAR({self.n_lags}) with {trend}", header=tuple(header), tables=tables)

    def plot(self, kind: Literal["fitted", "residuals"] = "fitted") -> Figure:
        """One panel per variable over the regression sample: data and fitted values, or the residuals."""
        from contagion.var import plots

        if kind not in ("fitted", "residuals"):
            raise SpecificationError(f"plot(kind={kind!r}): kind must be 'fitted' or 'residuals'.")
        observed = self.model.data.to_numpy()[self.n_lags :]
        return plots.equation_panels(self.names, self.index, observed, self.resid, kind)

    # ---------------------------------------------------------------- Granger
    def granger(self, cause: str | Sequence[str], effect: str | Sequence[str] | None = None) -> GrangerResult:
        r"""Granger-causality test: do the lags of ``cause`` help predict ``effect``?

        Wald test of :math:`\Phi_{l, ij} = 0` for every lag l, effect i and cause j (Lütkepohl 2005,
        eq. 3.6.5), reported as F = Wald / q with df (q, N (T - Np - 1)) like ``vars::causality`` and
        statsmodels ``test_causality(kind="f")``; the chi-square form is in ``wald``. Both arguments
        accept a group of variables.

        Parameters
        ----------
        cause : str or sequence of str
        effect : str or sequence of str, optional
            Default: every variable not in ``cause`` (the ``vars::causality`` convention).
        """
        ci, ei = granger_positions(self.names, cause, effect)
        b, zz_inv = self._design
        c = 1 if self.model.trend == "c" else 0
        restricted = [(c + lag * self.n_vars + j, i) for lag in range(self.n_lags) for j in ci for i in ei]
        wald = K.granger_wald(b, zz_inv, self.sigma_u, restricted)
        q = len(restricted)
        df2 = self.n_vars * (self.n_obs - b.shape[0])
        f = wald / q
        return GrangerResult(
            cause=tuple(self.names[i] for i in ci),
            effect=tuple(self.names[i] for i in ei),
            statistic=f,
            df=(q, df2),
            pvalue=float(stats.f.sf(f, q, df2)),
            wald=wald,
            wald_pvalue=float(stats.chi2.sf(wald, q)),
        )

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
        zz_slopes = None
        if options.bands == "asymptotic":
            c = 1 if self.model.trend == "c" else 0
            zz_slopes = self._design[1][c:, c:]
        fit = VARArrays(names=self.names, y=self.model.data.to_numpy(), coefs=self.coefs,
                        intercept=self.intercept, resid=self.resid, sigma_u=self.sigma_u,
                        trend=self.model.trend, n_obs=self.n_obs, zz_inv_slopes=zz_slopes)
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
