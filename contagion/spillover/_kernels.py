r"""Pure-numpy kernels for Diebold-Yilmaz connectedness: OLS VARs (one sample or many rolling windows)
and the spillover measures of a batch of FEVD tables.

Rolling windows are estimated in one pass from cumulative cross-products of the (globally demeaned)
regressors: the Gram matrices :math:`X_w'X_w`, :math:`X_w'Y_w`, :math:`Y_w'Y_w` of every window are
differences of running sums, then one batched ``solve`` gives all coefficient matrices. The readable twins
are in :mod:`tests.reference.connectedness`.

References
----------
.. [1] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
.. [2] Diebold, F. X. and Yilmaz, K. (2014). On the network topology of variance decompositions: Measuring
   the connectedness of financial firms. Journal of Econometrics, 182(1), 119-134.
.. [3] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Section 3.2.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import BoolArray, Float64Array, IntArray
from contagion.var._ols import window_grams

__all__ = ["lagged_design", "rolling_var_ols", "spillover_measures", "var_ols"]


def lagged_design(y: Float64Array, n_lags: int) -> tuple[Float64Array, Float64Array]:
    r"""Regressand and lag regressors of a VAR(p): rows t = p..T-1.

    Parameters
    ----------
    y : ndarray of shape (n_obs, n_vars)
    n_lags : int
        p >= 1.

    Returns
    -------
    response : ndarray of shape (n_obs - p, n_vars)
        :math:`y_t`.
    lags : ndarray of shape (n_obs - p, n_vars * p)
        :math:`(y_{t-1}', \dots, y_{t-p}')`, lag-major (the column block l-1 holds lag l).
    """
    n_obs = y.shape[0]
    response = y[n_lags:]
    lags = np.concatenate([y[n_lags - lag : n_obs - lag] for lag in range(1, n_lags + 1)], axis=1)
    return response, lags


def _slopes_to_coefs(slopes: Float64Array, n_lags: int, n_vars: int) -> Float64Array:
    """(..., N*p, N) stacked OLS slopes -> (..., p, N, N) with coefs[l-1][i, j] = Phi_l[i, j]."""
    blocks = slopes.reshape(*slopes.shape[:-2], n_lags, n_vars, n_vars)  # (..., lag, regressor j, eq i)
    return np.ascontiguousarray(np.swapaxes(blocks, -1, -2))


def var_ols(y: Float64Array, n_lags: int) -> tuple[Float64Array, Float64Array, Float64Array, Float64Array]:
    r"""OLS VAR(p) with intercept on one sample, equation by equation (Lütkepohl 2005, eq. 3.2.10).

    .. math::

        y_t = c + \sum_{l=1}^{p} \Phi_l y_{t-l} + \varepsilon_t, \qquad
        \hat\Sigma = \hat E'\hat E / (T - p)

    :math:`\hat\Sigma` has no degrees-of-freedom correction, as in ConnectednessApproach ``VAR``.

    Returns
    -------
    coefs : ndarray of shape (p, N, N)
    intercept : ndarray of shape (N,)
    sigma : ndarray of shape (N, N)
        ML residual covariance E'E / (T - p).
    resid : ndarray of shape (T - p, N)
    """
    n_vars = y.shape[1]
    response, lags = lagged_design(y, n_lags)
    # Normal equations on centred, unit-scaled regressors (the intercept is the mean equation): as accurate
    # as a QR solve for these well-conditioned designs and far cheaper than LAPACK's gelsd.
    y_mean = response.mean(axis=0)
    x_mean = lags.mean(axis=0)
    x_c = lags - x_mean
    scale = np.sqrt((x_c**2).mean(axis=0))
    scale[scale == 0.0] = 1.0
    x_s = x_c / scale
    # einsum, not 2-D `A.T @ A`: OpenBLAS's threaded syrk/gemm was 10-100x slower on a busy machine
    gram = np.einsum("ti,tj->ij", x_s, x_s)
    slopes = np.linalg.solve(gram, np.einsum("ti,tj->ij", x_s, response - y_mean)) / scale[:, None]
    intercept = y_mean - x_mean @ slopes
    resid = (response - y_mean) - x_c @ slopes
    sigma = np.einsum("ti,tj->ij", resid, resid) / resid.shape[0]
    return _slopes_to_coefs(slopes, n_lags, n_vars), intercept, sigma, resid


def rolling_var_ols(
    y: Float64Array, n_lags: int, window: int, starts: IntArray
) -> tuple[Float64Array, Float64Array]:
    r"""OLS VAR(p) with intercept on many windows at once, from running cross-products.

    Window w uses data rows ``starts[w] .. starts[w] + window - 1`` (``window`` rows *including* the p
    pre-sample lag rows), hence ``window - p`` regression observations. With
    :math:`z_s = (1, y_{s-1}', \dots, y_{s-p}', y_s')'`, the Gram matrix :math:`G_w = \sum_{s \in w} z_s z_s'`
    of the first window is computed directly and the others by running updates
    :math:`G_w = G_{w-1} + \sum_{\text{rows entering}} z_s z_s' - \sum_{\text{rows leaving}} z_s z_s'`
    (a cumulative sum over the windows), then

    .. math::

        \hat B_w = (X_w'X_w)^{-1} X_w'Y_w, \qquad
        \hat\Sigma_w = \bigl(Y_w'Y_w - Y_w'X_w \hat B_w\bigr) / (\text{window} - p)

    (Lütkepohl 2005, eqs. 3.2.10 and 3.2.19 with the ML divisor). The data are demeaned with their
    full-sample mean first; this leaves slopes and residuals of every window unchanged (the intercept
    absorbs it) and avoids cancellation in the running sums. Memory is O(n_windows (Np + N + 1)^2): callers
    pass chunks of windows.

    Parameters
    ----------
    y : ndarray of shape (n_obs, N)
    n_lags : int
    window : int
        Data rows per window, including the p lag rows.
    starts : ndarray of int, shape (n_windows,)
        First data row of each window, increasing (equally spaced starts use the running update; others are
        computed window by window).

    Returns
    -------
    coefs : ndarray of shape (n_windows, p, N, N)
    sigma : ndarray of shape (n_windows, N, N)
        ML residual covariance of each window. Both are NaN for a window whose regressors are exactly
        collinear.
    """
    n_vars = y.shape[1]
    centred = y - y.mean(axis=0)
    response, lags = lagged_design(centred, n_lags)
    z = np.column_stack([np.ones(response.shape[0]), lags, response])  # (T - p, K + N)
    n_reg = 1 + n_vars * n_lags
    n_rows = window - n_lags  # regression rows per window: z[start : start + n_rows]
    starts = np.asarray(starts, dtype=np.int64)
    gram = window_grams(z, n_rows, starts)
    xtx = gram[:, :n_reg, :n_reg]
    xty = gram[:, :n_reg, n_reg:]
    yty = gram[:, n_reg:, n_reg:]
    try:
        beta: Float64Array = np.asarray(np.linalg.solve(xtx, xty), dtype=np.float64)  # (W, K, N)
    except np.linalg.LinAlgError:
        # some window has collinear regressors: solve window by window, NaN where singular (callers report it)
        beta = np.full(xty.shape, np.nan)
        for w in range(len(starts)):
            try:
                beta[w] = np.linalg.solve(xtx[w], xty[w])
            except np.linalg.LinAlgError:
                continue
    sse = yty - np.swapaxes(xty, -1, -2) @ beta
    sse = 0.5 * (sse + np.swapaxes(sse, -1, -2))
    sigma = sse / float(n_rows)
    return _slopes_to_coefs(beta[:, 1:, :], n_lags, n_vars), sigma


def spillover_measures(table: Float64Array) -> dict[str, Float64Array]:
    r"""Diebold-Yilmaz spillover measures of a batch of (percent) FEVD tables, rows receiving.

    .. math::

        \text{FROM}_i = \sum_{j \ne i} \tilde\theta_{ij}, \quad
        \text{TO}_j = \sum_{i \ne j} \tilde\theta_{ij}, \quad
        \text{NET}_i = \text{TO}_i - \text{FROM}_i, \quad
        S = \frac{1}{N}\sum_{i \ne j} \tilde\theta_{ij}

    (DY2012 eqs. 4-7 without their division by N in the directional measures, as their Table 2 and
    ConnectednessApproach print them); net pairwise
    :math:`\text{NP}_{ij} = \tilde\theta_{ji} - \tilde\theta_{ij}` (DY2012 eq. 8, positive when i net
    transmits to j; ConnectednessApproach's ``NPDC`` is its transpose); ``NPT`` counts the j with
    :math:`\text{NP}_{ij} > 0`; corrected total :math:`S \cdot N/(N-1)` (Chatziantoniou and Gabauer 2021).

    Parameters
    ----------
    table : ndarray of shape (..., N, N)
        Row-normalised FEVD in percent (rows sum to 100).

    Returns
    -------
    dict
        ``from`` / ``to`` / ``net`` / ``npt`` of shape (..., N), ``total`` / ``corrected_total`` of shape
        (...), ``pairwise_net`` of shape (..., N, N).
    """
    n_vars = table.shape[-1]
    own = np.diagonal(table, axis1=-2, axis2=-1)
    from_ = table.sum(axis=-1) - own
    to = table.sum(axis=-2) - own
    total = from_.sum(axis=-1) / n_vars
    pairwise = np.swapaxes(table, -1, -2) - table
    return {
        "from": from_,
        "to": to,
        "net": to - from_,
        "total": total,
        "corrected_total": total * n_vars / (n_vars - 1) if n_vars > 1 else total * np.nan,
        "pairwise_net": pairwise,
        "npt": (pairwise > 0).sum(axis=-1).astype(np.float64),
    }


def companion(coefs: Float64Array) -> Float64Array:
    r"""Companion matrices (..., Np, Np) of VAR slopes (..., p, N, N) (Lütkepohl 2005, eq. 2.1.8)."""
    n_lags, n_vars = coefs.shape[-3], coefs.shape[-1]
    k = n_vars * n_lags
    out = np.zeros((*coefs.shape[:-3], k, k))
    for lag in range(n_lags):
        out[..., :n_vars, lag * n_vars : (lag + 1) * n_vars] = coefs[..., lag, :, :]
    if n_lags > 1:
        out[..., n_vars:, : k - n_vars] = np.eye(k - n_vars)
    return out


def is_stable(coefs: Float64Array, n_squarings: int = 10) -> BoolArray:
    r"""Whether each VAR is stable (all companion eigenvalues inside the unit circle), batched.

    Proof by repeated squaring first: :math:`\rho(C) \le \lVert C^k \rVert_\infty^{1/k}`, so
    :math:`\lVert C^{2^j} \rVert_\infty < 1` for some j proves stability (powers are renormalised and the
    log norm tracked, so nothing overflows). Windows not settled after ``n_squarings`` squarings get an
    exact eigenvalue computation. This is much cheaper than ``eigvals`` on thousands of windows.

    Returns
    -------
    ndarray of bool, shape (...)
    """
    batch = coefs.shape[:-3]
    comp = companion(coefs).reshape(-1, coefs.shape[-1] * coefs.shape[-3], coefs.shape[-1] * coefs.shape[-3])
    stable = np.zeros(comp.shape[0], dtype=bool)
    pending = np.arange(comp.shape[0])
    power = comp
    log_norm = np.zeros(comp.shape[0])
    for _ in range(n_squarings + 1):
        norm = np.abs(power).sum(axis=-1).max(axis=-1)
        with np.errstate(divide="ignore"):
            log_total = log_norm + np.log(norm)
        proved = log_total < 0.0
        stable[pending[proved]] = True
        keep = ~proved & (norm > 0)
        stable[pending[norm == 0]] = True  # nilpotent
        pending, power, log_total = pending[keep], power[keep], log_total[keep]
        if pending.size == 0:
            break
        scaled = power / np.abs(power).sum(axis=-1).max(axis=-1)[:, None, None]
        power = scaled @ scaled
        log_norm = 2.0 * (log_total - np.log(np.abs(scaled).sum(axis=-1).max(axis=-1)))
    if pending.size:
        radius = np.abs(np.linalg.eigvals(comp[pending])).max(axis=-1)
        stable[pending] = radius < 1.0
    return stable.reshape(batch)
