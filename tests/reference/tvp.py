"""Line-by-line readable twin of ``R/TVPVAR.R`` and ``R/BayesPrior.R`` (ConnectednessApproach 1.0.4).

Dense measurement matrices (``Flag``), R's coefficient layout and ``MASS::ginv`` as in the R source; used by
the tests to check the structured filter in :mod:`contagion.spillover._tvp_kernels`. Never on the hot path.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array

__all__ = ["bayes_prior", "tvp_var_filter"]

_TOL = float(np.sqrt(np.finfo(np.float64).eps))


def _ginv(a: Float64Array) -> Float64Array:
    return np.asarray(np.linalg.pinv(a, rcond=_TOL))


def bayes_prior(x: Float64Array, n_lags: int, size: int) -> tuple[Float64Array, Float64Array, Float64Array]:
    """BayesPrior(x, size, nlag): SUR OLS with intercept on rows nlag+1 .. size (1-based)."""
    p = x.shape[1]
    size = size - n_lags
    m = p + n_lags * p * p
    z_blocks = []
    for i in range(n_lags, size + n_lags):  # R: for (i in (nlag+1):(size+nlag))
        ztemp = np.eye(p)
        for j in range(1, n_lags + 1):
            xlag = x[i - j, :]
            xtemp = np.zeros((p, p * p))
            for jj in range(p):
                xtemp[jj, jj * p : (jj + 1) * p] = xlag
            ztemp = np.hstack([ztemp, xtemp])
        z_blocks.append(ztemp)
    yt = x[n_lags : size + n_lags, :]
    vbar = np.zeros((m, m))
    xhy = np.zeros(m)
    for i in range(size):
        vbar = vbar + z_blocks[i].T @ z_blocks[i]
        xhy = xhy + z_blocks[i].T @ yt[i]
    vbar = _ginv(vbar)
    aols = vbar @ xhy
    sse2 = np.zeros((p, p))
    for i in range(size):
        e = yt[i] - z_blocks[i] @ aols
        sse2 = sse2 + np.outer(e, e)
    hbar = sse2 / size
    return aols[p:], vbar[p:, p:], hbar


def tvp_var_filter(
    x: Float64Array,
    n_lags: int,
    bprior: Float64Array,
    vprior: Float64Array,
    q0: Float64Array,
    kappa1: float,
    kappa2: float,
) -> tuple[Float64Array, Float64Array]:
    """TVPVAR(x, configuration = list(l = c(kappa1, kappa2), nlag, prior)) on already demeaned x.

    Returns ``B_t`` as (T, p, N, N) slopes and ``Q_t`` as (T, N, N).
    """
    t_len, r = x.shape
    m = n_lags * r * r
    k = n_lags * r
    # Flag: one r x m block per date; zero for the first nlag dates (R: rbind(matrix(0, k, m), Flagtemp))
    flag = np.zeros((t_len * r, m))
    for t in range(n_lags, t_len):
        ztemp = np.zeros((r, 0))
        for j in range(1, n_lags + 1):
            xtemp = np.kron(np.eye(r), x[t - j, :][None, :])  # t(kronecker(diag(r), xtemp))
            ztemp = np.hstack([ztemp, xtemp])
        flag[t * r : (t + 1) * r, :] = ztemp
    beta_pred = np.zeros((m, t_len))
    beta_update = np.zeros((m, t_len))
    rb_t = np.zeros((m, m, t_len))
    sb_t = np.zeros((m, m, t_len))
    beta_t = np.zeros((k, k, t_len))
    q_t = np.zeros((r, r, t_len))
    big_b = np.zeros((k, k))
    for irep in range(1, t_len + 1):
        c = irep - 1  # 0-based column
        # 1. EWMA covariance
        if irep == 1:
            q_t[:, :, c] = q0
        else:
            if irep <= n_lags + 1:
                gf = 0.1 * np.outer(x[c], x[c])
            else:
                lags = np.concatenate([x[c - j] for j in range(1, n_lags + 1)])
                e = x[c] - lags @ big_b[:r, :k].T
                gf = np.outer(e, e)
            q_t[:, :, c] = kappa2 * q_t[:, :, c - 1] + (1 - kappa2) * gf
        # 2. prediction
        if irep <= n_lags + 1:
            beta_pred[:, c] = bprior
            beta_update[:, c] = beta_pred[:, c]
            rb_t[:, :, c] = vprior
        else:
            beta_pred[:, c] = beta_update[:, c - 1]
            rb_t[:, :, c] = (1 / kappa1) * sb_t[:, :, c - 1]
        # 3. update
        if irep >= n_lags + 1:
            f = flag[c * r : (c + 1) * r, :]
            rx = rb_t[:, :, c] @ f.T
            kv_b = q_t[:, :, c] + f @ rx
            kg = rx @ _ginv(kv_b)
            beta_update[:, c] = beta_pred[:, c] + kg @ (x[c] - f @ beta_pred[:, c])
            sb_t[:, :, c] = rb_t[:, :, c] - kg @ (f @ rb_t[:, :, c])
        # 4. companion matrix and the stability rule
        bb = beta_update[:, c]
        splace = 0
        biga = np.zeros((r, r * n_lags))
        for ii in range(n_lags):
            for iii in range(r):
                biga[iii, ii * r : (ii + 1) * r] = bb[splace : splace + r]
                splace = splace + r
        big_b = np.vstack([biga, np.hstack([np.eye(r * (n_lags - 1)), np.zeros((r * (n_lags - 1), r))])])
        if np.max(np.abs(np.linalg.eigvals(big_b))) <= 1 or irep == 1:
            beta_t[:, :, c] = big_b
        else:
            beta_t[:, :, c] = beta_t[:, :, c - 1]
            beta_update[:, c] = 0.99 * beta_update[:, c - 1]
    b_t = beta_t[:r, :, :]  # (r, k, T)
    coefs = np.zeros((t_len, n_lags, r, r))
    for c in range(t_len):
        for lag in range(n_lags):
            coefs[c, lag] = b_t[:, lag * r : (lag + 1) * r, c]
    return coefs, np.moveaxis(q_t, 2, 0).copy()
