r"""Batched moving-average coefficients and forecast-error variance decompositions (pure numpy).

Every function broadcasts over leading axes (windows, draws), so a rolling or bootstrap run is one call.
The horizon ``H`` is the number of MA terms summed, h = 0..H-1, as in Diebold and Yilmaz (2012) and
ConnectednessApproach's ``nfore`` (frequencyConnectedness's ``n.ahead = H`` sums h = 0..H instead; see
``docs/connectedness.md``). Readable loop twins live in :mod:`tests.reference.fevd`.

References
----------
.. [1] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
.. [2] Koop, G., Pesaran, M. H. and Potter, S. M. (1996). Impulse response analysis in nonlinear
   multivariate models. Journal of Econometrics, 74(1), 119-147.
.. [3] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
.. [4] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Section 2.3.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array

__all__ = ["cholesky_fevd", "generalized_fevd", "ma_coefficients"]


def ma_coefficients(coefs: Float64Array, horizon: int) -> Float64Array:
    r"""Moving-average (Wold) coefficients :math:`A_0, \dots, A_{H-1}` of a VAR(p).

    .. math::

        A_0 = I_N, \qquad A_h = \sum_{l=1}^{\min(h, p)} \Phi_l A_{h-l}, \quad h = 1, \dots, H-1

    (Lütkepohl 2005, eq. 2.1.22; Diebold-Yilmaz 2012, Section 2).

    Parameters
    ----------
    coefs : ndarray of shape (..., n_lags, n_vars, n_vars)
        VAR slope matrices; ``coefs[..., l - 1, :, :]`` is :math:`\Phi_l`. Leading axes are batch axes.
    horizon : int
        Number of MA terms returned, h = 0..H-1 (Diebold-Yilmaz 2012 / ConnectednessApproach ``nfore``).
        Must be >= 1.

    Returns
    -------
    ndarray of shape (..., horizon, n_vars, n_vars)
        ``out[..., h, :, :]`` is :math:`A_h`; ``out[..., 0, :, :]`` is the identity.

    Raises
    ------
    ValueError
        If ``horizon < 1`` or ``coefs`` is not (..., p, N, N).
    """
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim < 3 or coefs.shape[-1] != coefs.shape[-2]:
        raise ValueError(f"coefs must have shape (..., n_lags, n_vars, n_vars), got {coefs.shape}.")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1 (number of MA terms h = 0..H-1), got {horizon!r}.")
    horizon = int(horizon)
    batch = coefs.shape[:-3]
    n_lags, n_vars = coefs.shape[-3], coefs.shape[-1]
    out = np.zeros((*batch, horizon, n_vars, n_vars))
    out[..., 0, :, :] = np.eye(n_vars)
    for h in range(1, horizon):
        acc = out[..., h, :, :]
        for lag in range(1, min(h, n_lags) + 1):
            acc += coefs[..., lag - 1, :, :] @ out[..., h - lag, :, :]
    return out


def cholesky_fevd(ma: Float64Array, sigma: Float64Array) -> Float64Array:
    r"""Orthogonalised (Cholesky) forecast-error variance decomposition.

    With :math:`P` the lower Cholesky factor of :math:`\Sigma` (:math:`\Sigma = P P'`),

    .. math::

        \theta_{ij}(H) = \frac{\sum_{h=0}^{H-1} (e_i' A_h P e_j)^2}{\sum_{h=0}^{H-1} e_i' A_h \Sigma A_h' e_i}

    (Lütkepohl 2005, eq. 2.3.37; Diebold-Yilmaz 2009). The result depends on the column order.

    Parameters
    ----------
    ma : ndarray of shape (..., horizon, n_vars, n_vars)
        MA coefficients from :func:`ma_coefficients`; all ``horizon`` terms h = 0..H-1 are summed.
    sigma : ndarray of shape (..., n_vars, n_vars)
        Residual covariance (positive definite); broadcast against the batch axes of ``ma``.

    Returns
    -------
    ndarray of shape (..., n_vars, n_vars)
        Row i holds the shares of variable i's H-step forecast-error variance due to shock j; rows sum to 1.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``sigma`` is not positive definite.
    """
    ma = np.asarray(ma, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    chol = np.linalg.cholesky(sigma)
    # orthogonalised responses Psi_h = A_h P, summed squares over h
    psi = ma @ chol[..., None, :, :]
    num = np.einsum("...hij,...hij->...ij", psi, psi)
    return np.asarray(num / num.sum(axis=-1, keepdims=True), dtype=np.float64)


def generalized_fevd(ma: Float64Array, sigma: Float64Array) -> Float64Array:
    r"""Row-normalised generalized forecast-error variance decomposition (Pesaran-Shin 1998; DY2012).

    .. math::

        \theta_{ij}(H) = \frac{\sigma_{jj}^{-1} \sum_{h=0}^{H-1} (e_i' A_h \Sigma e_j)^2}
                               {\sum_{h=0}^{H-1} e_i' A_h \Sigma A_h' e_i},
        \qquad \tilde\theta_{ij}(H) = \frac{\theta_{ij}(H)}{\sum_{j} \theta_{ij}(H)}

    (Diebold-Yilmaz 2012, eqs. 2-3; Pesaran-Shin 1998, eq. 10 with the index corrected to
    :math:`\sigma_{jj}`, the variance of the *shocked* variable, as in frequencyConnectedness ``genFEVD``).

    Parameters
    ----------
    ma : ndarray of shape (..., horizon, n_vars, n_vars)
        MA coefficients from :func:`ma_coefficients`; all ``horizon`` terms h = 0..H-1 are summed.
    sigma : ndarray of shape (..., n_vars, n_vars)
        Residual covariance; its overall scale cancels (df-corrected and ML :math:`\Sigma` give the same table).

    Returns
    -------
    ndarray of shape (..., n_vars, n_vars)
        :math:`\tilde\theta`: row i holds shares of i's forecast-error variance due to shocks in j; rows
        sum to 1.

    Notes
    -----
    The denominator of :math:`\theta_{ij}` does not depend on j, so it cancels in the row normalisation
    and is not computed. With diagonal :math:`\Sigma` the result equals :func:`cholesky_fevd`; permuting
    the variables by P permutes the table to :math:`P \tilde\theta P'`.
    """
    ma = np.asarray(ma, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    a_sigma = ma @ sigma[..., None, :, :]  # (..., H, N, N): e_i' A_h Sigma e_j
    num = np.einsum("...hij,...hij->...ij", a_sigma, a_sigma)
    num = num / np.diagonal(sigma, axis1=-2, axis2=-1)[..., None, :]
    return np.asarray(num / num.sum(axis=-1, keepdims=True), dtype=np.float64)
