r"""Pure-numpy kernels of the DCC-GARCH volatility FEVD (Gabauer 2020), batched over dates.

The recursion is the one of ConnectednessApproach 1.0.4 ``R/VFEVD.R`` (docs/dcc-connectedness.md, eq. 1-6),
written for a leading axis of dates: every array carries all dates at once and the only loop runs over the
forecast steps k = 1..H. The readable twin, one date and one matrix product at a time as in the R code, is
:mod:`tests.reference.vfevd`.

For date t, with :math:`H_t` the fitted conditional covariance, :math:`\bar Q` the DCC target, GARCH(1,1)
parameters :math:`\alpha_i, \beta_i` and DCC parameters :math:`a, b`, the *shocked* path (a unit innovation,
:math:`\varepsilon_{i,t}^2 = 1`, in every asset) is

.. math::

    h^{s}_{i,1} = \alpha_i + \beta_i H_{t,ii}, \qquad
    Q^{s}_1 = (1-a-b)\bar Q + a\,\mathrm{diag}(h^{s}_1) + b\,H_t,

    h^{s}_{i,k} = \beta_i h^{s}_{i,k-1}, \qquad Q^{s}_k = (1-a-b)\bar Q + (a+b)\,Q^{s}_{k-1} \quad (k \ge 2),

    H^{s}_k = D_k R_k D_k, \qquad D_k = \mathrm{diag}(h^{s}_k)^{1/2}, \qquad
    R_k = \mathrm{diag}(Q^{s}_k)^{-1/2} Q^{s}_k\, \mathrm{diag}(Q^{s}_k)^{-1/2},

with :math:`H^s_0 = H_t`. The *unshocked* path drops the :math:`\alpha` and :math:`a` terms of step 1. The
response is :math:`\Psi_k = H^s_k - H^0_k` (``difference=True``, ConnectednessApproach's
``standardize = TRUE``) or :math:`\Psi_k = H^s_k` (``difference=False``, its default), k = 0..H, and the
table is

.. math::

    \tilde\theta_{ij} = \frac{\sum_{k=0}^{H} \Psi_{k,ij}^2}{\sum_{l}\sum_{k=0}^{H} \Psi_{k,il}^2}.

References
----------
.. [1] Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of volatility
   transmission mechanisms. Journal of Forecasting, 39(5), 788-796.
.. [2] Gabauer, D. (2022). ConnectednessApproach, R package version 1.0.4, ``R/VFEVD.R``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from contagion._typing import Float64Array

__all__ = ["vfevd_responses", "vfevd_tables"]


def _path_steps(
    cov: Float64Array, qbar: Float64Array, alpha: Float64Array, beta: Float64Array, a: float, b: float,
    horizon: int, shocked: bool,
) -> Iterator[Float64Array]:
    """Forecasts :math:`H_k`, k = 1..horizon, of one path (shocked or not) for every date: (n_dates, N, N)."""
    var0 = np.diagonal(cov, axis1=-2, axis2=-1)
    h = beta * var0 + (alpha if shocked else 0.0)
    q = (1.0 - a - b) * qbar + b * cov
    if shocked:
        idx = np.arange(cov.shape[-1])
        q[..., idx, idx] += a * h
    for k in range(1, horizon + 1):
        if k > 1:
            h = beta * h
            q = (1.0 - a - b) * qbar + (a + b) * q
        w = np.sqrt(h / np.diagonal(q, axis1=-2, axis2=-1))  # D_k diag(Q_k)^{-1/2}
        yield w[..., :, None] * q * w[..., None, :]


def _response_steps(
    cov: Float64Array, qbar: Float64Array, alpha: Float64Array, beta: Float64Array, a: float, b: float,
    horizon: int, difference: bool,
) -> Iterator[Float64Array]:
    """Responses :math:`\\Psi_k`, k = 0..horizon (eq. 5 of docs/dcc-connectedness.md), each (n_dates, N, N)."""
    yield np.zeros_like(cov) if difference else cov
    shocked = _path_steps(cov, qbar, alpha, beta, a, b, horizon, True)
    if not difference:
        yield from shocked
        return
    calm = _path_steps(cov, qbar, alpha, beta, a, b, horizon, False)
    for h_s, h_0 in zip(shocked, calm, strict=True):
        yield h_s - h_0


def vfevd_responses(
    cov: Float64Array, qbar: Float64Array, alpha: Float64Array, beta: Float64Array, a: float, b: float,
    horizon: int, difference: bool,
) -> Float64Array:
    r"""Volatility impulse responses :math:`\Psi_k` of every date, k = 0..horizon.

    Parameters
    ----------
    cov : ndarray of shape (n_dates, N, N)
        Conditional covariances :math:`H_t` (units of the returns, squared).
    qbar : ndarray of shape (N, N)
        DCC target :math:`\bar Q`.
    alpha, beta : ndarray of shape (N,)
        GARCH(1,1) parameters of the margins.
    a, b : float
        DCC parameters.
    horizon : int
        Forecast steps H >= 1.
    difference : bool
        Shocked minus unshocked forecast (True) or the shocked forecast itself (False).

    Returns
    -------
    ndarray of shape (n_dates, horizon + 1, N, N)
        ``out[t, k]`` is :math:`\Psi_k` of date t (``out[t, 0]`` is 0, or :math:`H_t` when not differenced).
    """
    steps = list(_response_steps(cov, qbar, alpha, beta, a, b, horizon, difference))
    return np.stack(steps, axis=1)


def vfevd_tables(
    cov: Float64Array, qbar: Float64Array, alpha: Float64Array, beta: Float64Array, a: float, b: float,
    horizon: int, difference: bool,
) -> Float64Array:
    r"""Row-normalised VFEVD tables :math:`\tilde\theta` of every date (fractions; rows sum to 1).

    Same parameters as :func:`vfevd_responses`; the responses are accumulated step by step and never stored,
    so memory is O(n_dates N^2). A row whose responses are all zero (an asset with alpha = 0 whose
    covariances with the others do not move either, e.g. uncorrelated and a = 0) is NaN.

    Returns
    -------
    ndarray of shape (n_dates, N, N)
    """
    num = np.zeros_like(cov)
    for psi in _response_steps(cov, qbar, alpha, beta, a, b, horizon, difference):
        num += psi * psi
    # R: fevd = t(num) / rowSums(num), num symmetric; then divided by its row sums once more (a no-op)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: Float64Array = num / num.sum(axis=-1, keepdims=True)
    return out
