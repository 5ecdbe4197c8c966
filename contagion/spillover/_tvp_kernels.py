r"""TVP-VAR Kalman filter with forgetting factors and the priors of ConnectednessApproach (pure numpy).

Reproduces ``R/TVPVAR.R``, ``R/BayesPrior.R``, ``R/MinnesotaPrior.R`` and ``R/UninformativePrior.R`` of
GabauerDavid/ConnectednessApproach 1.0.4, including their ad hoc choices (listed in
:func:`contagion.spillover.static.tvp_connectedness` and ``docs/connectedness.md``). The readable,
line-by-line twin is :mod:`tests.reference.tvp`.

Coefficient vectors use the R layout: element ``l * N**2 + i * N + v`` is the coefficient of variable v at
lag l + 1 in equation i (``R/TVPVAR.R``: ``biga[iii, ((ii-1)*r+1):(ii*r)] = bb[(splace+1):(splace+r)]``).
Internally the filter works equation-major, where the measurement matrix is
:math:`F_t = I_N \otimes z_t'` with :math:`z_t = (y_{t-1}', \dots, y_{t-p}')'`, so every product with
:math:`F_t` is an ``einsum`` instead of a dense (N x N^2 p) multiplication.

References
----------
.. [1] Koop, G. and Korobilis, D. (2014). A new index of financial conditions. European Economic Review,
   71, 101-116.
.. [2] Antonakakis, N., Chatziantoniou, I. and Gabauer, D. (2020). Refined measures of dynamic
   connectedness based on time-varying parameter vector autoregressions. Journal of Risk and Financial
   Management, 13(4), 84.
.. [3] Primiceri, G. E. (2005). Time varying structural vector autoregressions and monetary policy. Review
   of Economic Studies, 72(3), 821-852.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.lapack import dgesv as _dgesv

from contagion._typing import Float64Array, IntArray

__all__ = ["bayes_prior", "minnesota_prior", "tvp_var_filter", "tvp_var_filter_cov", "uninformative_prior"]

#: MASS::ginv's tolerance (singular values below tol * largest are dropped).
GINV_TOL = float(np.sqrt(np.finfo(np.float64).eps))


def _r_to_eq_major(n_vars: int, n_lags: int) -> Float64Array:
    """perm with ``beta_eq_major = beta_r[perm]`` (eq i, lag l, var v) <- (lag l, eq i, var v)."""
    r_index = np.arange(n_lags * n_vars * n_vars).reshape(n_lags, n_vars, n_vars)
    return np.asarray(r_index.transpose(1, 0, 2).ravel())


def bayes_prior(y: Float64Array, n_lags: int, size: int) -> tuple[Float64Array, Float64Array, Float64Array]:
    r"""ConnectednessApproach ``BayesPrior(x, size, nlag)`` (Primiceri 2005 training-sample prior).

    OLS with an intercept on the *undemeaned* data, regressand rows p .. size-1 (0-based; R: p+1 .. size),
    stacked as a SUR system :math:`y_t = Z_t a + e_t` with :math:`Z_t = [I_N, I_N \otimes y_{t-1}', \dots]`.

    Returns
    -------
    bprior : ndarray (N^2 p,)
        OLS slopes in the R layout (intercepts dropped).
    vprior : ndarray (N^2 p, N^2 p)
        Slope block of :math:`\operatorname{ginv}(\sum_t Z_t'Z_t)` (the block of the inverse, not the
        inverse of the block).
    q : ndarray (N, N)
        SSE / (size - p).
    """
    n_vars = y.shape[1]
    rows = np.arange(n_lags, size)
    response = y[rows]
    design = np.column_stack([np.ones(len(rows))] + [y[rows - lag] for lag in range(1, n_lags + 1)])
    n_reg = design.shape[1]
    gram_inv = np.asarray(
        np.linalg.pinv(np.einsum("ti,tj->ij", design, design), rcond=GINV_TOL), dtype=np.float64
    )
    coef = gram_inv @ np.einsum("ti,tj->ij", design, response)  # (1 + Np, N): equation i in column i
    resid = response - design @ coef
    q = np.einsum("ti,tj->ij", resid, resid) / len(rows)
    # full SUR inverse in equation-major order is I_N (x) gram_inv; reorder to R's [intercepts, (lag, eq, var)]
    full = np.asarray(np.kron(np.eye(n_vars), gram_inv), dtype=np.float64)
    slope_r = np.arange(n_lags * n_vars * n_vars).reshape(n_lags, n_vars, n_vars)
    lag, eq, var = np.unravel_index(slope_r.ravel(), slope_r.shape)
    eq_major = eq * n_reg + 1 + lag * n_vars + var
    bprior = coef[1 + lag * n_vars + var, eq]
    vprior = full[np.ix_(eq_major, eq_major)]
    return bprior, vprior, q


def minnesota_prior(n_vars: int, n_lags: int, gamma: float) -> tuple[Float64Array, Float64Array]:
    """ConnectednessApproach ``MinnesotaPrior(gamma, k, nlag)``: zero mean, variance gamma / lag^2."""
    lag = np.repeat(np.arange(1, n_lags + 1), n_vars * n_vars)
    return np.zeros(n_lags * n_vars * n_vars), np.diag(gamma / lag.astype(np.float64) ** 2)


def uninformative_prior(n_vars: int, n_lags: int) -> tuple[Float64Array, Float64Array]:
    """ConnectednessApproach ``UninformativePrior(k, nlag)``: zero mean, variance 4 I."""
    m = n_lags * n_vars * n_vars
    return np.zeros(m), 4.0 * np.eye(m)


def _is_stable(top: Float64Array) -> bool:
    """Whether all eigenvalues of the companion matrix with first block row ``top`` (N x Np) have modulus <= 1.

    Cheap proof first (spectral radius <= ||C^k||^(1/k) in the infinity norm, k = 1, 2, 4, ..., 64), exact
    eigenvalues only when that does not settle it (R: ``max(abs(eigen(B)$values)) <= 1``).
    """
    n_vars, k = top.shape
    if k == n_vars:
        comp = top
    else:
        comp = np.zeros((k, k))
        comp[:n_vars] = top
        comp[n_vars:, : k - n_vars] = np.eye(k - n_vars)
    power = comp
    for _ in range(7):
        if np.abs(power).sum(axis=1).max() < 1.0:
            return True
        power = power @ power
    return bool(np.max(np.abs(np.linalg.eigvals(comp))) <= 1.0)


def tvp_var_filter(
    y: Float64Array,
    n_lags: int,
    bprior: Float64Array,
    vprior: Float64Array,
    q0: Float64Array,
    kappa1: float,
    kappa2: float,
) -> tuple[Float64Array, Float64Array]:
    r"""Forgetting-factor Kalman filter of a TVP-VAR(p) without intercept (``R/TVPVAR.R``).

    For t = 0..T-1 (0-based; R's ``irep = t + 1``):

    .. math::

        Q_t &= \kappa_2 Q_{t-1} + (1-\kappa_2) G_t, \quad
        G_t = \begin{cases} 0.1\, y_t y_t' & 1 \le t \le p \\ \hat e_t \hat e_t',\
              \hat e_t = y_t - \tilde B_{t-1} z_t & t > p \end{cases}, \quad Q_0 = Q_{prior} \\
        \beta_{t|t-1} &= \beta_{t-1|t}, \quad R_t = S_{t-1}/\kappa_1 \quad (t > p;\ \text{prior for } t \le p) \\
        K_t &= R_t F_t' (Q_t + F_t R_t F_t')^{-1}, \quad
        \beta_{t|t} = \beta_{t|t-1} + K_t (y_t - F_t \beta_{t|t-1}), \quad S_t = R_t - K_t F_t R_t
        \quad (t \ge p)

    :math:`\tilde B_{t-1}` is the previous update *before* the stability rule. Stability rule: if the
    companion matrix of :math:`\beta_{t|t}` has an eigenvalue of modulus > 1 (and t > 0), the reported
    coefficients are those of t-1 and the state mean becomes :math:`0.99\,\beta_{t-1|t-1}`.

    Parameters
    ----------
    y : ndarray (T, N)
        Data, already demeaned (ConnectednessApproach uses the full-sample mean).
    bprior, vprior : R-layout prior mean (N^2 p,) and covariance (N^2 p, N^2 p).
    q0 : ndarray (N, N)
        Initial error covariance.

    Returns
    -------
    coefs : ndarray (T, p, N, N)
        Reported VAR slopes at each date.
    q : ndarray (T, N, N)
        EWMA error covariances.
    """
    coefs, q, _ = tvp_var_filter_cov(y, n_lags, bprior, vprior, q0, kappa1, kappa2, np.zeros(0, dtype=np.int64))
    return coefs, q


def tvp_var_filter_cov(
    y: Float64Array,
    n_lags: int,
    bprior: Float64Array,
    vprior: Float64Array,
    q0: Float64Array,
    kappa1: float,
    kappa2: float,
    cov_at: IntArray,
) -> tuple[Float64Array, Float64Array, Float64Array]:
    r""":func:`tvp_var_filter` that also keeps the filtered state covariance at the dates ``cov_at``.

    The covariance kept for date t is :math:`S_t = \operatorname{Var}(\beta_t \mid y_{1..t})` of the
    update (the prior covariance for t < p, where no update runs), in the layout of the returned slopes:
    ``covs[d]`` is the covariance of ``coefs[cov_at[d]].ravel()`` (lag, equation, variable). When the
    stability rule replaces the reported slopes by the previous ones, :math:`S_t` is still the update's.

    Returns
    -------
    coefs, q
        As :func:`tvp_var_filter`.
    covs : ndarray (len(cov_at), N^2 p, N^2 p)
    """
    n_obs, n_vars = y.shape
    k = n_vars * n_lags
    m = n_vars * k
    perm = _r_to_eq_major(n_vars, n_lags)
    b0 = np.asarray(bprior, dtype=np.float64)[perm]
    v0 = np.asarray(vprior, dtype=np.float64)[np.ix_(perm, perm)]
    z = np.zeros((n_obs, k))
    for lag in range(1, n_lags + 1):
        z[n_lags:, (lag - 1) * n_vars : lag * n_vars] = y[n_lags - lag : n_obs - lag]
    coefs_out = np.zeros((n_obs, n_vars, k))
    q_out = np.zeros((n_obs, n_vars, n_vars))
    q = np.asarray(q0, dtype=np.float64).copy()
    b_raw_prev = np.zeros((n_vars, k))
    beta_prev = b0.copy()
    s_prev = np.zeros((m, m))
    cov_at = np.asarray(cov_at, dtype=np.int64)
    keep = {int(t): d for d, t in enumerate(cov_at)}
    covs_eq = np.zeros((len(cov_at), m, m))
    for t in range(n_obs):
        y_t = y[t]
        z_t = z[t]
        if t > 0:
            if t <= n_lags:
                gain_term = 0.1 * (y_t[:, None] * y_t[None, :])
            else:
                resid = y_t - b_raw_prev @ z_t
                gain_term = resid[:, None] * resid[None, :]
            q = kappa2 * q + (1.0 - kappa2) * gain_term
        q_out[t] = q
        if t <= n_lags:
            pred = b0
            cov_pred = v0
        else:
            pred = beta_prev
            cov_pred = s_prev / kappa1
        if t >= n_lags:
            # F_t = I_N (x) z_t' in the equation-major layout: products with F_t are contractions with z_t
            rx = (cov_pred.reshape(m * n_vars, k) @ z_t).reshape(m, n_vars)  # R F'
            fr = (z_t @ cov_pred.reshape(n_vars, k, m)).reshape(n_vars, m)  # F R
            frf = fr.reshape(n_vars, n_vars, k) @ z_t  # F R F'
            _, _, solved, info = _dgesv((q + frf).T, rx.T)  # LAPACK directly: no per-call numpy overhead
            # R F' (Q + F R F')^{-1}; R uses MASS::ginv, equal to the inverse for this positive-definite matrix
            gain = solved.T if info == 0 else rx @ np.linalg.pinv(q + frf, rcond=GINV_TOL)
            innovation = y_t - pred.reshape(n_vars, k) @ z_t
            beta = pred + gain @ innovation
            s_prev = cov_pred - gain @ fr
        else:
            beta = pred.copy()
        if t in keep:
            covs_eq[keep[t]] = v0 if t < n_lags else s_prev
        b_raw = beta.reshape(n_vars, k)
        if t == 0 or _is_stable(b_raw):
            coefs_out[t] = b_raw
        else:
            coefs_out[t] = coefs_out[t - 1]
            beta = 0.99 * beta_prev
        b_raw_prev = b_raw
        beta_prev = beta
    coefs = np.ascontiguousarray(coefs_out.reshape(n_obs, n_vars, n_lags, n_vars).transpose(0, 2, 1, 3))
    # equation-major (eq, lag, var) -> the layout of coefs[t].ravel(), (lag, eq, var)
    order = np.arange(m).reshape(n_vars, n_lags, n_vars).transpose(1, 0, 2).ravel()
    return coefs, q_out, covs_eq[:, order][:, :, order]
