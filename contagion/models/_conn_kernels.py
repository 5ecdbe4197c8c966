r"""Pure-numpy kernels for Diebold-Yilmaz connectedness: OLS VARs (one sample or many rolling windows)
and the spillover measures of a batch of FEVD tables.

Rolling windows are estimated in one pass from cumulative cross-products of the (globally demeaned)
regressors: the Gram matrices :math:`X_w'X_w`, :math:`X_w'Y_w`, :math:`Y_w'Y_w` of every window are
differences of running sums, then one batched ``solve`` gives all coefficient matrices. The readable twins
are in :mod:`contagion.models._conn_reference`.

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

from contagion._typing import Float64Array, IntArray

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
    slopes = np.linalg.solve(x_s.T @ x_s, x_s.T @ (response - y_mean)) / scale[:, None]
    intercept = y_mean - x_mean @ slopes
    resid = (response - y_mean) - x_c @ slopes
    sigma = resid.T @ resid / resid.shape[0]
    return _slopes_to_coefs(slopes, n_lags, n_vars), intercept, sigma, resid


def rolling_var_ols(
    y: Float64Array, n_lags: int, window: int, starts: IntArray
) -> tuple[Float64Array, Float64Array]:
    r"""OLS VAR(p) with intercept on many windows at once, from cumulative cross-products.

    Window w uses data rows ``starts[w] .. starts[w] + window - 1`` (``window`` rows *including* the p
    pre-sample lag rows), hence ``window - p`` regression observations. With
    :math:`S_t = \sum_{s \le t} z_s z_s'` for :math:`z_s = (1, y_{s-1}', \dots, y_{s-p}', y_s')'`,
    the window's Gram matrix is :math:`S_{end} - S_{start-1}`, and

    .. math::

        \hat B_w = (X_w'X_w)^{-1} X_w'Y_w, \qquad
        \hat\Sigma_w = \bigl(Y_w'Y_w - Y_w'X_w \hat B_w\bigr) / (\text{window} - p)

    (Lütkepohl 2005, eqs. 3.2.10 and 3.2.19 with the ML divisor). The data are demeaned with their
    full-sample mean first; this leaves slopes and residuals of every window unchanged (the intercept
    absorbs it) and avoids cancellation in the running sums.

    Parameters
    ----------
    y : ndarray of shape (n_obs, N)
    n_lags : int
    window : int
        Data rows per window, including the p lag rows.
    starts : ndarray of int, shape (n_windows,)
        First data row of each window.

    Returns
    -------
    coefs : ndarray of shape (n_windows, p, N, N)
    sigma : ndarray of shape (n_windows, N, N)
        ML residual covariance of each window.
    """
    n_vars = y.shape[1]
    centred = y - y.mean(axis=0)
    response, lags = lagged_design(centred, n_lags)
    z = np.column_stack([np.ones(response.shape[0]), lags, response])  # (T - p, K + N)
    n_reg = 1 + n_vars * n_lags
    cum = np.zeros((z.shape[0] + 1, z.shape[1], z.shape[1]))
    np.cumsum(z[:, :, None] * z[:, None, :], axis=0, out=cum[1:])
    # regression rows of window w (indices into `response`): starts[w] .. starts[w] + window - p - 1
    gram = cum[starts + window - n_lags] - cum[starts]
    xtx = gram[:, :n_reg, :n_reg]
    xty = gram[:, :n_reg, n_reg:]
    yty = gram[:, n_reg:, n_reg:]
    beta = np.linalg.solve(xtx, xty)  # (W, K, N)
    sse = yty - np.swapaxes(xty, -1, -2) @ beta
    sse = 0.5 * (sse + np.swapaxes(sse, -1, -2))
    sigma = sse / float(window - n_lags)
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
