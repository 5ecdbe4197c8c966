r"""Pure-numpy VAR kernels, batched over a leading axis of draws (bootstrap samples) where it matters.

Shapes follow the house convention: ``coefs`` is ``(..., p, N, N)`` with ``coefs[..., l - 1, :, :]`` =
:math:`\Phi_l`; impulse responses are ``(..., horizon + 1, response, impulse)``. Nothing here imports
pandas. Readable loop twins live in :mod:`tests.reference.var`.

References
----------
.. [1] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer.
.. [2] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
.. [3] Kilian, L. (1998). Small-sample confidence intervals for impulse response functions. Review of
   Economics and Statistics, 80(2), 218-230.
.. [4] Gonçalves, S. and Kilian, L. (2004). Bootstrapping autoregressions with conditional
   heteroskedasticity of unknown form. Journal of Econometrics, 123(1), 89-120.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from contagion._typing import Float64Array, Float64Array1D, Float64Array2D, Float64Array3D
from contagion.var._ols import gram_inverse, lag_design, ols_var, ols_varx, solve_ls
from contagion.var._ols import split_b as _split_b

__all__ = [
    "BootstrapPlan", "bootstrap_coefs", "companion", "companion_eigvals", "gram_inverse", "granger_wald",
    "irf", "irf_generalized", "irf_orthogonal", "kilian_correct", "lag_design", "lag_selection_criteria",
    "max_modulus", "ols_var", "ols_var_sse", "ols_varx", "simulate_var", "solve_ls",
]

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------------------------ companion
def companion(coefs: Float64Array) -> Float64Array:
    r"""Companion matrix of a VAR(p) (Lütkepohl 2005, eq. 2.1.8), batched.

    .. math::

        \mathbf{A} = \begin{pmatrix} \Phi_1 & \cdots & \Phi_{p-1} & \Phi_p \\ I_N & & & 0 \\
        & \ddots & & \vdots \\ & & I_N & 0 \end{pmatrix}

    Parameters
    ----------
    coefs : ndarray of shape (..., p, N, N)

    Returns
    -------
    ndarray of shape (..., N p, N p)
    """
    n_lags, n_vars = coefs.shape[-3], coefs.shape[-1]
    k = n_lags * n_vars
    out = np.zeros((*coefs.shape[:-3], k, k))
    out[..., :n_vars, :] = np.concatenate([coefs[..., lag, :, :] for lag in range(n_lags)], axis=-1)
    if n_lags > 1:
        out[..., n_vars:, : k - n_vars] = np.eye(k - n_vars)
    return out


def companion_eigvals(coefs: Float64Array) -> Float64Array:
    """Eigenvalues of the companion matrix, sorted by decreasing modulus (..., N p), complex.

    The VAR is stable (stationary) iff all have modulus < 1 (Lütkepohl 2005, eq. 2.1.12); these are the
    values whose moduli ``vars::roots`` prints.
    """
    eig = np.asarray(np.linalg.eigvals(companion(coefs)), dtype=np.complex128)
    order = np.argsort(-np.abs(eig), axis=-1, kind="stable")
    out: Float64Array = np.take_along_axis(eig, order, axis=-1)  # type: ignore[arg-type]
    return out


def max_modulus(coefs: Float64Array) -> Float64Array:
    """Largest companion-eigenvalue modulus (...,); < 1 means stable."""
    return np.asarray(np.abs(np.linalg.eigvals(companion(coefs))).max(axis=-1), dtype=np.float64)


# ------------------------------------------------------------------------------------------ IRFs
def irf_orthogonal(ma: Float64Array, sigma: Float64Array) -> Float64Array:
    r"""Orthogonalised impulse responses :math:`\Theta_h = A_h P`, :math:`P P' = \Sigma` (lower Cholesky).

    (Lütkepohl 2005, eq. 2.3.27; ``vars::irf(ortho = TRUE)``.) Shapes: ``ma`` (..., H, N, N), ``sigma``
    (..., N, N); returns (..., H, response, impulse). Depends on the column order.
    """
    chol = np.linalg.cholesky(sigma)
    return np.asarray(ma @ chol[..., None, :, :], dtype=np.float64)


def irf_generalized(ma: Float64Array, sigma: Float64Array) -> Float64Array:
    r"""Generalized impulse responses to one-standard-deviation shocks (Pesaran and Shin 1998, eq. 10).

    .. math::

        \psi_j(h) = \sigma_{jj}^{-1/2} A_h \Sigma e_j

    Column j of the result is the response to a shock of one standard deviation
    :math:`\sqrt{\sigma_{jj}}` in variable j, with the other shocks at their conditional expectations. It
    does not depend on the column order, and for j = 1 it equals the first orthogonalised response.
    Shapes: ``ma`` (..., H, N, N), ``sigma`` (..., N, N); returns (..., H, response, impulse).
    """
    scale = 1.0 / np.sqrt(np.diagonal(sigma, axis1=-2, axis2=-1))
    return np.asarray(ma @ (sigma * scale[..., None, :])[..., None, :, :], dtype=np.float64)


def irf(ma: Float64Array, sigma: Float64Array, kind: str) -> Float64Array:
    """Impulse responses of ``kind`` ("orthogonal", "generalized" or "unit" = the MA terms A_h themselves)."""
    if kind == "orthogonal":
        return irf_orthogonal(ma, sigma)
    if kind == "generalized":
        return irf_generalized(ma, sigma)
    shape = np.broadcast_shapes(ma.shape, (*sigma.shape[:-2], 1, 1, 1))
    return np.array(np.broadcast_to(ma, shape), dtype=np.float64)


# ------------------------------------------------------------------------------------- bootstrap
def simulate_var(
    coefs: Float64Array,
    intercept: Float64Array,
    init: Float64Array2D,
    innovations: Float64Array3D,
    deterministic: Float64Array2D | None = None,
) -> Float64Array3D:
    r"""Recursive-design simulation :math:`y^*_t = \nu + \sum_l \Phi_l y^*_{t-l} + u^*_t`, batched over draws.

    One pass over time for all draws (time-major buffer, p small matrix products per step).

    Parameters
    ----------
    coefs : ndarray of shape (p, N, N) or (n_draws, p, N, N)
    intercept : ndarray of shape (N,) or (n_draws, N)
    init : ndarray of shape (p, N)
        Starting values :math:`y_1, \dots, y_p` (the observed first p rows), shared by all draws.
    innovations : ndarray of shape (n_draws, n, N)
    deterministic : ndarray of shape (n, N), optional
        A deterministic term added at every step and shared by all draws: :math:`\Gamma x_t` of a VAR
        with exogenous terms (:func:`ols_varx`). None adds nothing.

    Returns
    -------
    ndarray of shape (n_draws, p + n, N)
    """
    n_draws, n, n_vars = innovations.shape
    n_lags = init.shape[0]
    y = np.empty((n_lags + n, n_draws, n_vars))
    y[:n_lags] = init[:, None, :]
    y[n_lags:] = np.swapaxes(innovations, 0, 1)
    y[n_lags:] += np.asarray(intercept)
    if deterministic is not None:
        y[n_lags:] += deterministic[:, None, :]
    if coefs.ndim == 3:
        phi_t = [np.ascontiguousarray(coefs[lag].T) for lag in range(n_lags)]
        for t in range(n_lags, n_lags + n):
            acc = y[t]
            for lag in range(n_lags):
                acc += y[t - 1 - lag] @ phi_t[lag]
    else:
        phi_b = np.ascontiguousarray(np.swapaxes(coefs, -1, -2))  # (n_draws, p, N, N): Phi_l'
        for t in range(n_lags, n_lags + n):
            acc = y[t]
            for lag in range(n_lags):
                acc += np.einsum("dk,dkn->dn", y[t - 1 - lag], phi_b[:, lag])
    return np.swapaxes(y, 0, 1)


def ols_var_sse(
    y: Float64Array3D, n_lags: int, trend: str = "c", exog: Float64Array2D | None = None
) -> tuple[Float64Array, Float64Array]:
    r"""Batched VAR OLS returning slopes and the residual cross-product only (the bootstrap hot path).

    Each draw is demeaned first (slopes and residuals are unchanged by a constant shift when an
    intercept is estimated), the normal equations :math:`(Z'Z) B = Z'Y` are solved for all draws in
    one batched ``solve``, and :math:`\hat U'\hat U = Y'Y - (Z'Y)'\hat B` (Lütkepohl 2005, eq. 3.2.10).
    ``exog`` (T - p, k), the exogenous terms of the regression rows shared by all draws, is appended to
    the regressors (:func:`ols_varx`); its coefficients are not returned.

    Returns
    -------
    coefs : ndarray of shape (n_draws, p, N, N)
    sse : ndarray of shape (n_draws, N, N)
    """
    n_draws, t_total, n_vars = y.shape
    n = t_total - n_lags
    c = 1 if trend == "c" else 0
    yc = y - y.mean(axis=1, keepdims=True) if c else y
    n_det = c + n_vars * n_lags
    z = np.empty((n_draws, n, n_det + (0 if exog is None else exog.shape[1])))
    if c:
        z[:, :, 0] = 1.0
    for lag in range(1, n_lags + 1):
        z[:, :, c + (lag - 1) * n_vars : c + lag * n_vars] = yc[:, n_lags - lag : t_total - lag]
    if exog is not None:
        z[:, :, n_det:] = exog
    yy = yc[:, n_lags:]
    zt = np.swapaxes(z, 1, 2)
    zy = zt @ yy
    b = np.linalg.solve(zt @ z, zy)
    sse = np.swapaxes(yy, 1, 2) @ yy - np.swapaxes(zy, 1, 2) @ b
    coefs, _ = _split_b(b if exog is None else b[:, :n_det], n_lags, n_vars, trend)
    return coefs, np.asarray(0.5 * (sse + np.swapaxes(sse, 1, 2)), dtype=np.float64)


@dataclass(frozen=True)
class BootstrapPlan:
    """How :func:`bootstrap_coefs` draws: how many, which scheme, in what batches, reporting to whom."""

    n_draws: int
    trend: str = "c"  # "c" (intercept) or "n", as the fitted VAR
    scheme: str = "iid"  # "iid": centred residuals with replacement; "wild": Rademacher weights
    chunk: int = 500  # draws simulated per batch
    progress: Progress | None = None  # called with (done, total) after each batch
    progress_offset: int = 0  # draws already reported by an earlier stage (Kilian)
    progress_total: int | None = None  # total reported (default n_draws)


def _innovations(
    resid: Float64Array2D, n_draws: int, scheme: str, rng: np.random.Generator
) -> Float64Array3D:
    n = resid.shape[0]
    if scheme == "wild":
        # Rademacher weights, one per date and shared by all equations (keeps the cross-correlation)
        eta = rng.choice(np.array([-1.0, 1.0]), size=(n_draws, n))
        return np.asarray(resid[None, :, :] * eta[:, :, None], dtype=np.float64)
    centred = resid - resid.mean(axis=0)
    idx = rng.integers(0, n, size=(n_draws, n))
    return np.asarray(centred[idx], dtype=np.float64)


def bootstrap_coefs(
    y: Float64Array2D,
    coefs: Float64Array3D,
    intercept: Float64Array1D,
    resid: Float64Array2D,
    rng: np.random.Generator,
    plan: BootstrapPlan,
    exog: Float64Array2D | None = None,
    exog_coefs: Float64Array2D | None = None,
) -> tuple[Float64Array, Float64Array]:
    r"""Recursive-design residual bootstrap of a VAR: simulate and re-estimate ``n_draws`` samples in batch.

    Each draw rebuilds :math:`y^*_t = \hat\nu + \sum_l \hat\Phi_l y^*_{t-l} + u^*_t` from the observed
    first p rows, with :math:`u^*_t` drawn with replacement from the centred residuals (``scheme="iid"``)
    or :math:`u^*_t = \eta_t \hat u_t` with Rademacher :math:`\eta_t` (``scheme="wild"``, Gonçalves and
    Kilian 2004), then re-estimates the VAR by stacked least squares over draws (:func:`ols_var`). The
    count, scheme, batch size and progress reporting come from ``plan`` (:class:`BootstrapPlan`).

    With exogenous terms (``exog`` of shape (T, k) aligned with ``y`` and ``exog_coefs`` :math:`\hat\Gamma`
    of shape (N, k)), every simulated path carries the deterministic term :math:`\hat\Gamma x_t` and each
    draw is re-estimated with :math:`x_t` among the regressors (d.o.f. T - p - N p - c - k). Without them
    the computation is the one above, unchanged.

    Returns
    -------
    coefs : ndarray of shape (n_draws, p, N, N)
    sigma_u : ndarray of shape (n_draws, N, N)
        d.o.f.-corrected residual covariance of each draw, SSE / (T - p - N p - c).
    """
    n_lags, n_vars, _ = coefs.shape
    n_draws, chunk, trend = plan.n_draws, plan.chunk, plan.trend
    n = resid.shape[0]
    dof = n - n_vars * n_lags - (1 if trend == "c" else 0)
    x_rows = det = None
    if exog is not None and exog_coefs is not None:
        x_rows = np.ascontiguousarray(exog[n_lags:])
        det = x_rows @ exog_coefs.T
        dof -= exog.shape[1]
    out_coefs = np.empty((n_draws, n_lags, n_vars, n_vars))
    out_sigma = np.empty((n_draws, n_vars, n_vars))
    total = plan.progress_total if plan.progress_total is not None else n_draws
    for start in range(0, n_draws, chunk):
        stop = min(start + chunk, n_draws)
        innov = _innovations(resid, stop - start, plan.scheme, rng)
        ystar = simulate_var(coefs, intercept, y[:n_lags], innov, det)
        # small sub-batches keep the stacked design matrices cache-sized (memory traffic dominates)
        for sub in range(start, stop, 25):
            end = min(sub + 25, stop)
            c_star, sse = ols_var_sse(ystar[sub - start : end - start], n_lags, trend, x_rows)
            out_coefs[sub:end] = c_star
            out_sigma[sub:end] = sse / dof
        if plan.progress is not None:
            plan.progress(plan.progress_offset + stop, total)
    return out_coefs, out_sigma


def kilian_correct(
    coefs: Float64Array, bias: Float64Array3D, step: float = 0.01
) -> tuple[Float64Array, Float64Array1D]:
    r"""Kilian (1998) bias correction with the stationarity adjustment, batched over leading axes.

    .. math::

        \tilde A = \hat A - \delta \hat\Psi, \qquad \delta_1 = 1,\ \delta_{i+1} = \delta_i - 0.01

    until :math:`\tilde A` is stationary (largest companion modulus < 1). An estimate that is itself
    non-stationary is left uncorrected (Kilian 1998, Section 2, step 1), flagged by ``delta = NaN``.

    Parameters
    ----------
    coefs : ndarray of shape (..., p, N, N)
        Estimates :math:`\hat A` (the point estimate or bootstrap draws).
    bias : ndarray of shape (p, N, N)
        :math:`\hat\Psi` = mean of the first-stage bootstrap estimates minus :math:`\hat A`.

    Returns
    -------
    corrected : ndarray of shape (..., p, N, N)
    delta : ndarray of shape (...,)
        Shrink factor used per estimate (1 = full correction, 0 = none needed to stay stationary).
    """
    coefs = np.asarray(coefs, dtype=np.float64)
    batch = coefs.shape[:-3]
    flat = coefs.reshape(-1, *coefs.shape[-3:])
    delta = np.ones(flat.shape[0])
    stable_hat = max_modulus(flat) < 1.0
    delta[~stable_hat] = np.nan
    out = flat.copy()
    todo = np.flatnonzero(stable_hat)
    n_steps = round(1.0 / step)
    for i in range(n_steps + 1):
        if todo.size == 0:
            break
        d = max(1.0 - i * step, 0.0)
        trial = flat[todo] - d * bias
        ok = max_modulus(trial) < 1.0 if d > 0 else np.ones(todo.size, dtype=bool)
        out[todo[ok]] = trial[ok]
        delta[todo[ok]] = d
        todo = todo[~ok]
    return out.reshape(*batch, *coefs.shape[-3:]), delta.reshape(batch)


def mean_preserving_intercept(coefs: Float64Array3D, mean: Float64Array1D) -> Float64Array1D:
    r"""Intercept :math:`\nu = (I - \sum_l \Phi_l)\mu` that keeps the process mean at :math:`\mu`."""
    n_vars = coefs.shape[-1]
    return np.asarray((np.eye(n_vars) - coefs.sum(axis=0)) @ mean, dtype=np.float64)


def var_resid(y: Float64Array2D, coefs: Float64Array3D, intercept: Float64Array1D) -> Float64Array2D:
    """Residuals :math:`y_t - \\nu - \\sum_l \\Phi_l y_{t-l}` of given coefficients on data y (T, N)."""
    n_lags = coefs.shape[0]
    yy, z = lag_design(y, n_lags, "n")
    stacked = np.swapaxes(coefs, -1, -2).reshape(-1, coefs.shape[-1])
    return np.asarray(yy - z @ stacked - intercept, dtype=np.float64)


# ------------------------------------------------------------------------ lag selection, Granger
def lag_selection_criteria(
    y: Float64Array2D, max_lags: int, trend: str = "c", exog: Float64Array2D | None = None
) -> Float64Array2D:
    r"""Information criteria for p = 1..max_lags on a common sample, as ``vars::VARselect``.

    Every candidate uses the same T* = T - max_lags regression rows. With
    :math:`\tilde\Sigma(p) = \hat U'\hat U / T^*`, m = p N² + c N free coefficients, c the number of
    deterministic terms and k = N p + c regressors per equation:

    .. math::

        \mathrm{AIC} = \ln|\tilde\Sigma| + 2m/T^*, \quad
        \mathrm{HQ} = \ln|\tilde\Sigma| + 2 m \ln\ln T^* / T^*, \quad
        \mathrm{SC} = \ln|\tilde\Sigma| + m \ln T^* / T^*, \quad
        \mathrm{FPE} = \left(\frac{T^* + k}{T^* - k}\right)^N |\tilde\Sigma|

    (Lütkepohl 2005, eqs. 4.3.1, 4.3.8, 4.3.9, 4.3.2). Exogenous terms ``exog`` (T, k) enter every
    candidate (c counts them too: m = p N² + (c + k) N, k = N p + c + k).

    Returns
    -------
    ndarray of shape (max_lags, 4)
        Columns AIC, SC (BIC), HQ, FPE; row p - 1 for lag p.
    """
    n_vars = y.shape[1]
    c = 1 if trend == "c" else 0
    yy, z = lag_design(y, max_lags, trend)
    n = yy.shape[0]
    out = np.empty((max_lags, 4))
    for p in range(1, max_lags + 1):
        zp = z[:, : c + n_vars * p]
        if exog is not None:
            zp = np.concatenate([zp, exog[max_lags:]], axis=1)
        b = solve_ls(zp, yy)
        u = yy - zp @ b
        _, logdet = np.linalg.slogdet(np.einsum("ti,tj->ij", u, u) / n)
        m = p * n_vars**2 + (c + (0 if exog is None else exog.shape[1])) * n_vars
        k = zp.shape[1]
        out[p - 1] = (
            logdet + 2.0 * m / n,
            logdet + np.log(n) * m / n,
            logdet + 2.0 * np.log(np.log(n)) * m / n,
            ((n + k) / (n - k)) ** n_vars * np.exp(logdet),
        )
    return out


def granger_wald(
    b: Float64Array2D,
    zz_inv: Float64Array2D,
    sigma_u: Float64Array2D,
    restricted: list[tuple[int, int]],
) -> float:
    r"""Wald statistic :math:`(R\beta)'[R(( Z'Z)^{-1} \otimes \Sigma_u)R']^{-1}(R\beta)` (Lütkepohl 2005, eq. 3.6.5).

    Parameters
    ----------
    b : ndarray of shape (k, N)
        Stacked coefficients (rows: regressors, columns: equations).
    zz_inv : ndarray of shape (k, k)
    sigma_u : ndarray of shape (N, N), d.o.f.-corrected.
    restricted : list of (regressor_row, equation) pairs set to zero under H0.
    """
    n_vars = b.shape[1]
    # beta = vec(B') ordered (regressor, equation): cov = kron(zz_inv, sigma_u)
    idx = np.array([r * n_vars + e for r, e in restricted])
    beta = b.reshape(-1)  # row-major = (regressor, equation)
    cov = np.kron(zz_inv, sigma_u)[np.ix_(idx, idx)]
    rb = beta[idx]
    return float(rb @ np.linalg.solve(cov, rb))
