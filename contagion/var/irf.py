r"""Impulse responses of a fitted VAR and their confidence bands.

:func:`impulse_responses` computes the point responses and, on request, one of four bands:

``"asymptotic"``
    Delta method (Lütkepohl 2005, Section 3.7, Prop. 3.6-3.7): estimate ± z·se with the covariance of
    :func:`asymptotic_irf_cov`.
``"bootstrap"``
    Recursive-design residual bootstrap: :math:`y^*_t = \hat\nu + \sum_l \hat\Phi_l y^*_{t-l} + u^*_t`
    from the observed first p rows, :math:`u^*_t` drawn with replacement from the centred OLS residuals.
    The VAR is re-estimated on each :math:`y^*` and the IRF recomputed (with that draw's Σ).
``"wild"``
    As above with :math:`u^*_t = \eta_t \hat u_t`, :math:`\eta_t = \pm 1` with probability 1/2
    (Rademacher), one weight per date shared across equations (Gonçalves and Kilian 2004). Robust to
    conditional heteroskedasticity such as volatility clustering in crypto returns.
``"kilian"``
    Bootstrap-after-bootstrap (Kilian 1998, REStat 80:218-230):

    1. ``reps`` residual-bootstrap draws from :math:`\hat A` give the bias
       :math:`\hat\Psi = \overline{A^*} - \hat A`.
    2. :math:`\tilde A = \hat A - \delta\hat\Psi`, :math:`\delta = 1, 0.99, \dots` until stationary.
    3. ``reps`` new samples are generated from :math:`\tilde A` (intercept chosen to keep the process mean
       implied by :math:`\hat A`; residuals recomputed under :math:`\tilde A` and centred), each
       :math:`\hat A^*` re-estimated and corrected with the same rule, :math:`\tilde A^* = \hat A^* -
       \delta^*\hat\Psi` (a draw that is itself non-stationary is left uncorrected, as in Kilian's
       paper). Percentile intervals of the IRFs of the :math:`\tilde A^*`.

    The bias estimate of step 1 is reused in step 3 (Kilian 1998, Section 2), so the cost is 2 x reps.

Every bootstrap draw is simulated and re-estimated in batch (:func:`contagion.var._kernels.bootstrap_coefs`:
one recursion over time for all draws, stacked least squares over draws); no per-draw model objects.

References
----------
.. [1] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Prop. 3.6-3.7.
.. [2] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
.. [3] Kilian, L. (1998). Small-sample confidence intervals for impulse response functions. Review of
   Economics and Statistics, 80(2), 218-230.
.. [4] Gonçalves, S. and Kilian, L. (2004). Bootstrapping autoregressions with conditional
   heteroskedasticity of unknown form. Journal of Econometrics, 123(1), 89-120.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from contagion._compat import SeedLike, resolve_seed
from contagion._typing import BandMethod, Float64Array, Float64Array1D, Float64Array2D, Float64Array3D
from contagion.errors import SpecificationError
from contagion.var import _kernels as K
from contagion.var._kernels import companion
from contagion.var._utility import check_horizon
from contagion.var.fevd import ma_coefficients
from contagion.var.results import IRFKind, IRFResult

__all__ = [
    "BANDS", "IRFDraws", "IRFOptions", "VARArrays", "asymptotic_irf_cov", "commutation", "duplication",
    "elimination", "impulse_responses", "irf_draws",
]

logger = logging.getLogger(__name__)

#: Band methods of :func:`impulse_responses`; all but "asymptotic" resample.
BANDS: tuple[BandMethod, ...] = ("asymptotic", "bootstrap", "kilian", "wild")
Progress = Callable[[int, int], None]


# ------------------------------------------------------------------------------------- the request
@dataclass(frozen=True)
class IRFOptions:
    """What one :meth:`VARResults.irf <contagion.var.model.VARResults.irf>` call asks for, validated.

    ``seed`` is the integer actually used by the bootstrap (resolved from an int, a Generator or None by
    :func:`contagion._compat.resolve_seed`); None when no resampling band was asked for and no int was given.
    """

    horizon: int
    kind: IRFKind = "orthogonal"
    cumulative: bool = False
    bands: BandMethod | None = None
    reps: int = 1000
    level: float = 0.95
    seed: int | None = None
    progress: Progress | None = None

    @classmethod
    def validated(
        cls,
        horizon: Any,
        kind: Any,
        cumulative: bool,
        bands: Any,
        reps: Any,
        level: Any,
        seed: SeedLike,
        progress: Progress | None,
    ) -> IRFOptions:
        """Check every option (SpecificationError names the option and its value) and resolve the seed."""
        horizon = check_horizon(horizon)
        if kind not in ("orthogonal", "generalized", "unit"):
            raise SpecificationError(
                f"kind must be 'orthogonal', 'generalized' or 'unit', got kind={kind!r}."
            )
        if bands is not None and bands not in BANDS:
            raise SpecificationError(f"bands must be None or one of {list(BANDS)}, got bands={bands!r}.")
        if not 0.0 < float(level) < 1.0:
            raise SpecificationError(f"level must lie strictly between 0 and 1, got level={level!r}.")
        resamples = bands in ("bootstrap", "kilian", "wild")
        if resamples and (isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 2):
            raise SpecificationError(f"reps must be an integer >= 2 for bootstrap bands, got reps={reps!r}.")
        if resamples or not (seed is None or isinstance(seed, np.random.Generator)):
            used: int | None = resolve_seed(seed)
        else:
            used = None  # nothing is drawn: a Generator is left untouched
        return cls(horizon=horizon, kind=kind, cumulative=bool(cumulative), bands=bands, reps=int(reps) if resamples else 0,
                   level=float(level), seed=used, progress=progress)


@dataclass(frozen=True)
class VARArrays:
    """The arrays of a fitted VAR that its impulse responses and their bands need."""

    names: tuple[str, ...]
    y: Float64Array2D  # (T + p, N) estimation data; the first p rows start every bootstrap recursion
    coefs: Float64Array3D  # (p, N, N)
    intercept: Float64Array1D  # (N,)
    resid: Float64Array2D  # (T, N)
    sigma_u: Float64Array2D  # (N, N), d.o.f.-corrected
    trend: str
    n_obs: int
    zz_inv_slopes: Float64Array2D | None = None  # slope block of (Z'Z)^{-1}; needed by "asymptotic" only
    exog: Float64Array2D | None = None  # (T + p, k) exogenous terms aligned with y (None: none)
    exog_coefs: Float64Array2D | None = None  # (N, k) Gamma


def impulse_responses(fit: VARArrays, options: IRFOptions) -> IRFResult:
    """Point responses h = 0..horizon and, if ``options.bands`` is set, their band (the caller checked stability)."""
    ma = ma_coefficients(fit.coefs, options.horizon + 1)
    estimate = K.irf(ma, fit.sigma_u, options.kind)
    if options.cumulative:
        estimate = np.cumsum(estimate, axis=0)
    common: dict[str, Any] = {
        "names": fit.names,
        "kind": options.kind,
        "horizon": options.horizon,
        "cumulative": options.cumulative,
        "estimate": estimate,
        "level": options.level,
        "seed": options.seed,
    }
    if options.bands is None:
        return IRFResult(**common)
    if options.bands == "asymptotic":
        return IRFResult(**common, **_asymptotic_band(fit, options, estimate))
    return IRFResult(**common, **_bootstrap_band(fit, options))


def _asymptotic_band(fit: VARArrays, options: IRFOptions, estimate: Float64Array3D) -> dict[str, Any]:
    """Estimate ± z·se with delta-method standard errors (Lütkepohl 2005, Prop. 3.6/3.7)."""
    if fit.zz_inv_slopes is None:  # pragma: no cover - the model always passes it for asymptotic bands
        raise ValueError("asymptotic bands need zz_inv_slopes")
    horizon, n_vars = options.horizon, len(fit.names)
    cov = asymptotic_irf_cov(
        fit.coefs, fit.sigma_u, fit.zz_inv_slopes, fit.n_obs, horizon, options.kind, options.cumulative
    )
    var = np.diagonal(cov, axis1=-2, axis2=-1)  # vec index = impulse * N + response
    se = np.sqrt(np.maximum(var, 0.0)).reshape(horizon + 1, n_vars, n_vars)
    se = np.swapaxes(se, -1, -2)
    alpha = 1.0 - options.level
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return {"lower": estimate - z * se, "upper": estimate + z * se, "bands": options.bands, "stderr": se}


def _bootstrap_band(fit: VARArrays, options: IRFOptions) -> dict[str, Any]:
    """Percentile band of bootstrap draws (residual, wild or Kilian); the draws are kept."""
    method = options.bands
    if method is None or method == "asymptotic":  # pragma: no cover - dispatched by impulse_responses
        raise ValueError(method)
    rng = np.random.default_rng(options.seed)
    out = irf_draws(fit, horizon=options.horizon, kind=options.kind, method=method, reps=options.reps, rng=rng,
                    progress=options.progress)
    draws = np.cumsum(out.irfs, axis=1) if options.cumulative else out.irfs
    alpha = 1.0 - options.level
    lower, upper = np.quantile(draws, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    if out.n_explosive:
        logger.warning("%d of %d bootstrap draws are not stationary", out.n_explosive, options.reps)
    return {"lower": lower, "upper": upper, "bands": method, "reps": options.reps, "draws": draws,
            "n_explosive": out.n_explosive, "kilian_delta": out.delta}


# ----------------------------------------------------------------------------------- delta method

def duplication(n: int) -> Float64Array2D:
    """Duplication matrix D_n: vec(S) = D_n vech(S) for symmetric S (Lütkepohl 2005, A.12.2)."""
    d = np.zeros((n * n, n * (n + 1) // 2))
    col = 0
    for j in range(n):
        for i in range(j, n):
            d[j * n + i, col] = 1.0
            d[i * n + j, col] = 1.0
            col += 1
    return d


def elimination(n: int) -> Float64Array2D:
    """Elimination matrix L_n: vech(S) = L_n vec(S) (Lütkepohl 2005, A.12.2)."""
    m = np.zeros((n * (n + 1) // 2, n * n))
    row = 0
    for j in range(n):
        for i in range(j, n):
            m[row, j * n + i] = 1.0
            row += 1
    return m


def commutation(n: int) -> Float64Array2D:
    """Commutation matrix K_nn: vec(A') = K_nn vec(A)."""
    k = np.zeros((n * n, n * n))
    for i in range(n):
        for j in range(n):
            k[i * n + j, j * n + i] = 1.0
    return k


def asymptotic_irf_cov(
    coefs: Float64Array3D,
    sigma: Float64Array2D,
    zz_inv_slopes: Float64Array2D,
    n_obs: int,
    horizon: int,
    kind: str,
    cumulative: bool,
) -> Float64Array:
    r"""Delta-method covariance of vec(IRF_h), h = 0..horizon (Lütkepohl 2005, Prop. 3.6 and 3.7).

    With :math:`G_h = \partial \mathrm{vec}(A_h)/\partial \alpha' =
    \sum_{m=0}^{h-1} J (\mathbf{A}')^{h-1-m} \otimes A_m` (eq. 3.7.3), :math:`\Sigma_\alpha =
    [(Z'Z)^{-1}]_{\text{slopes}} \otimes \Sigma_u` and :math:`\Sigma_\sigma = 2 D^+ (\Sigma_u \otimes
    \Sigma_u) D^{+\prime}` (eq. 3.4.18):

    * non-orthogonal (used internally): :math:`G_h \Sigma_\alpha G_h'`;
    * orthogonal :math:`\Theta_h = A_h P`: :math:`C_h \Sigma_\alpha C_h' + \bar C_h \Sigma_\sigma
      \bar C_h' / T`, :math:`C_h = (P' \otimes I) G_h`, :math:`\bar C_h = (I \otimes A_h) H`,
      :math:`H = L'\{L (I + K)(P \otimes I) L'\}^{-1}` (eq. 3.7.8);
    * generalized :math:`\psi_j(h) = \sigma_{jj}^{-1/2} A_h \Sigma e_j`: the same two pieces with the
      Jacobian of :math:`\Sigma e_j \sigma_{jj}^{-1/2}` with respect to vech(Σ) in place of H.

    Cumulative responses use the cumulated Jacobians (eq. 3.7.7/3.7.10). This reproduces
    statsmodels' ``IRAnalysis.cov`` / ``cum_effect_cov`` (which also use the d.o.f.-corrected Σ).

    Returns
    -------
    ndarray of shape (horizon + 1, N*N, N*N)
        Covariance of vec (column-major: impulse-major) of the response matrix at each h.
    """
    n_lags, n_vars, _ = coefs.shape
    k = n_vars
    ma = ma_coefficients(coefs, horizon + 1)
    comp = companion(coefs)
    j_mat = np.zeros((k, k * n_lags))
    j_mat[:, :k] = np.eye(k)
    cov_alpha = np.kron(zz_inv_slopes, sigma)
    dup = duplication(k)
    dup_plus = np.linalg.pinv(dup)
    cov_sigma = 2.0 * dup_plus @ np.kron(sigma, sigma) @ dup_plus.T
    # G_h, h = 0..horizon (G_0 = 0)
    g = np.zeros((horizon + 1, k * k, k * k * n_lags))
    powers = [np.eye(k * n_lags)]
    for _ in range(horizon):
        powers.append(powers[-1] @ comp.T)
    for h in range(1, horizon + 1):
        acc = np.zeros((k * k, k * k * n_lags))
        for m in range(h):
            acc += np.kron(j_mat @ powers[h - 1 - m], ma[m])
        g[h] = acc
    eye = np.eye(k)
    if kind == "unit":  # A_h itself: Sigma does not enter (Lütkepohl 2005, eq. 3.7.5)
        a_jac = g.copy()
        if cumulative:
            a_jac = np.cumsum(a_jac, axis=0)
        return np.asarray(a_jac @ cov_alpha @ np.swapaxes(a_jac, -1, -2), dtype=np.float64)
    if kind == "orthogonal":
        p_chol = np.linalg.cholesky(sigma)
        elim = elimination(k)
        h_mat = elim.T @ np.linalg.inv(
            elim @ (np.eye(k * k) + commutation(k)) @ np.kron(p_chol, eye) @ elim.T
        )
        left = np.kron(p_chol.T, eye)
        sig_jac = h_mat  # d vec(P) / d vech(Sigma)'
    else:  # generalized
        diag = np.diag(sigma)
        impact = sigma / np.sqrt(diag)[None, :]
        left = np.kron(impact.T, eye)
        # d vec(Sigma E) / d vec(Sigma)', with E = diag(sigma_jj^{-1/2}); column j: Sigma e_j s_j^{-1/2}
        jac_vec = np.zeros((k * k, k * k))
        for j in range(k):
            for r in range(k):
                # element (r, j) of Sigma e_j sigma_jj^{-1/2}
                row = j * k + r
                jac_vec[row, j * k + r] += diag[j] ** -0.5  # d sigma_rj
                jac_vec[row, j * k + j] += -0.5 * sigma[r, j] * diag[j] ** -1.5  # d sigma_jj
        sig_jac = jac_vec @ dup
    a_jac = np.einsum("ab,hbc->hac", left, g)  # (h, K^2, K^2 p)
    s_jac = np.einsum("hab,bc->hac", np.stack([np.kron(eye, ma[h]) for h in range(horizon + 1)]), sig_jac)
    if cumulative:
        a_jac = np.cumsum(a_jac, axis=0)
        s_jac = np.cumsum(s_jac, axis=0)
    cov = a_jac @ cov_alpha @ np.swapaxes(a_jac, -1, -2)
    cov += s_jac @ cov_sigma @ np.swapaxes(s_jac, -1, -2) / n_obs
    return np.asarray(cov, dtype=np.float64)


# -------------------------------------------------------------------------------------- bootstrap
@dataclass(frozen=True)
class IRFDraws:
    """Bootstrap IRF draws and diagnostics."""

    irfs: Float64Array  # (reps, horizon + 1, N, N): non-cumulated
    n_explosive: int  # draws whose (corrected) coefficients are not stationary
    bias: Float64Array | None  # Kilian first-stage bias Psi^ (p, N, N)
    delta: float | None  # Kilian shrink factor applied to the point estimate


def _irf(coefs: Float64Array, sigma: Float64Array, horizon: int, kind: str) -> Float64Array:
    return K.irf(ma_coefficients(coefs, horizon + 1), sigma, kind)


def irf_draws(
    fit: VARArrays,
    *,
    horizon: int,
    kind: str,
    method: str,
    reps: int,
    rng: np.random.Generator,
    progress: Callable[[int, int], None] | None = None,
) -> IRFDraws:
    """Bootstrap draws of the IRF of a stable VAR (see the module docstring for the schemes).

    Parameters
    ----------
    fit : VARArrays
        The estimation data ``y`` (its first p rows are the fixed starting values), the point estimates
        (``coefs`` (p, N, N), ``intercept`` (N,), ``resid`` (T - p, N)), the ``trend``, and the exogenous terms
        and their coefficients Gamma (``exog`` (T, k), ``exog_coefs`` (N, k)), if any: every simulated path
        carries Gamma x_t and every draw is re-estimated with them
        (:func:`contagion.var._kernels.bootstrap_coefs`). Kilian's stage 2 keeps Gamma and sets the intercept
        from the mean implied by the estimated intercept.
    method : {"bootstrap", "wild", "kilian"}
    """
    y, coefs, intercept, resid, trend = fit.y, fit.coefs, fit.intercept, fit.resid, fit.trend
    exog, exog_coefs = fit.exog, fit.exog_coefs
    extra: dict[str, Any] = {"exog": exog, "exog_coefs": exog_coefs}
    if method in ("bootstrap", "wild"):
        scheme = "wild" if method == "wild" else "iid"
        plan = K.BootstrapPlan(n_draws=reps, trend=trend, scheme=scheme, progress=progress)
        c_draws, s_draws = K.bootstrap_coefs(y, coefs, intercept, resid, rng, plan, **extra)
        n_explosive = int(np.sum(K.max_modulus(c_draws) >= 1.0))
        return IRFDraws(_irf(c_draws, s_draws, horizon, kind), n_explosive, None, None)
    if method != "kilian":  # pragma: no cover - validated by the caller
        raise ValueError(method)
    # stage 1: bias of the OLS estimator
    stage1 = K.BootstrapPlan(n_draws=reps, trend=trend, scheme="iid", progress=progress, progress_total=2 * reps)
    c1, _ = K.bootstrap_coefs(y, coefs, intercept, resid, rng, stage1, **extra)
    bias = c1.mean(axis=0) - coefs
    a_tilde, delta = K.kilian_correct(coefs, bias)
    if trend == "c":
        n_vars = coefs.shape[-1]
        mean = np.linalg.solve(np.eye(n_vars) - coefs.sum(axis=0), intercept)
        nu_tilde = K.mean_preserving_intercept(a_tilde, mean)
    else:
        nu_tilde = np.zeros_like(intercept)
    resid_tilde = K.var_resid(y, a_tilde, nu_tilde)
    if exog is not None and exog_coefs is not None:
        resid_tilde = resid_tilde - exog[a_tilde.shape[0] :] @ exog_coefs.T
    # stage 2: percentile intervals from bias-corrected draws generated by A~
    stage2 = dataclasses.replace(stage1, progress_offset=reps)
    c2, s2 = K.bootstrap_coefs(y, a_tilde, nu_tilde, resid_tilde, rng, stage2, **extra)
    c2_tilde, _ = K.kilian_correct(c2, bias)
    n_explosive = int(np.sum(K.max_modulus(c2_tilde) >= 1.0))
    return IRFDraws(_irf(c2_tilde, s2, horizon, kind), n_explosive, bias, float(delta))
