r"""OLS with Newey-West (Bartlett) HAC covariance, batched over regressions (pure numpy).

The correlation-shift test runs one small regression per asset pair; :func:`ols_hac` runs all pairs with the
same number of observations at once. It reproduces ``statsmodels`` ``OLS(y, x).fit(cov_type="HAC",
cov_kwds={"maxlags": L, "use_correction": True})`` (Moore-Penrose solution, the same sandwich and small-sample
factor) without importing statsmodels (about 1 s, most of the test's time on the demo market). The loop
twin is ``ols_hac_loop`` in ``tests/hypothesis/test_hypothesis_hac_kernel.py``.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array2D, Float64Array3D

__all__ = ["ols_hac"]


def ols_hac(y: Float64Array2D, x: Float64Array3D, n_lags: int, *, small_sample: bool = True
            ) -> tuple[Float64Array2D, Float64Array3D]:
    r"""OLS estimates and their Newey-West HAC covariance for a batch of regressions.

    With :math:`X^+` the Moore-Penrose inverse of the design, :math:`\hat\beta = X^+ y`,
    :math:`g_t = x_t \hat u_t` and Bartlett weights :math:`w_l = 1 - l / (L + 1)`,

    .. math::

        \hat S = \sum_t g_t g_t' + \sum_{l=1}^{L} w_l \sum_{t>l} (g_t g_{t-l}' + g_{t-l} g_t'), \qquad
        \widehat{\operatorname{Var}}(\hat\beta) = \frac{n}{n-k} (X'X)^{+} \hat S (X'X)^{+}

    (Newey & West 1987, eq. 2-3; the factor :math:`n / (n - k)` is statsmodels' ``use_correction``).

    Parameters
    ----------
    y : ndarray of shape (n_regressions, n_obs)
        Responses.
    x : ndarray of shape (n_regressions, n_obs, n_regressors)
        Designs.
    n_lags : int
        Truncation lag L >= 0 (0 gives White's heteroskedasticity-robust covariance).
    small_sample : bool
        Multiply by :math:`n / (n - k)`.

    Returns
    -------
    params : ndarray of shape (n_regressions, n_regressors)
    cov : ndarray of shape (n_regressions, n_regressors, n_regressors)

    References
    ----------
    .. [1] Newey, W. K. and West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
       autocorrelation consistent covariance matrix. Econometrica, 55(3), 703-708.
    """
    pinv = np.linalg.pinv(x)  # (B, k, n), as statsmodels' pinv_extended
    params = np.einsum("bkt,bt->bk", pinv, y)
    bread = pinv @ pinv.transpose(0, 2, 1)  # (X'X)^+ = X^+ X^+'
    resid = y - np.einsum("btk,bk->bt", x, params)
    g = x * resid[:, :, None]
    meat = g.transpose(0, 2, 1) @ g
    for lag in range(1, n_lags + 1):
        s = g[:, lag:].transpose(0, 2, 1) @ g[:, :-lag]
        meat += (1.0 - lag / (n_lags + 1.0)) * (s + s.transpose(0, 2, 1))
    cov = bread @ meat @ bread.transpose(0, 2, 1)
    if small_sample:
        n_obs, k = x.shape[1], x.shape[2]
        cov *= n_obs / float(n_obs - k)
    return params, cov
