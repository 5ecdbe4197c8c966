r"""Pure-numpy kernels for frequency connectedness (Baruník and Křehlík 2018), batched over windows.

The generalized FEVD is decomposed over the Fourier frequencies of the MA (Wold) coefficients: with
:math:`\Psi(e^{-i\omega}) = \sum_{h=0}^{H-1} A_h e^{-i\omega h}` evaluated on the DFT grid
:math:`\omega_k = 2\pi k / H`, :math:`k = 0, \dots, H-1` (Parseval makes the frequency pieces add up to the
time-domain table exactly), the share of variable i's forecast-error variance due to shocks in j that falls
in band d is

.. math::

    (\tilde\theta_d)_{ij} = \frac{\sum_{k \in d} |(\Psi_k \Sigma)_{ij}|^2 / \sigma_{jj}}
                                 {\sum_{k} \sum_{m} |(\Psi_k \Sigma)_{im}|^2 / \sigma_{mm}}

(Baruník and Křehlík 2018, eqs. 10-13: the spectral GFEVD weighted by the frequency share of i's variance,
which makes the band tables of a partition sum to the generalized FEVD of horizon H). A band contains a bin
and its conjugate (frequencies :math:`\omega_k` and :math:`2\pi - \omega_k`), so bands are given on
:math:`[0, \pi]`.

The readable twin, a line-by-line transcription of frequencyConnectedness's ``fftGenFEVD`` and
``getPartition``, is :mod:`tests.reference.frequency`.

References
----------
.. [1] Baruník, J. and Křehlík, T. (2018). Measuring the frequency dynamics of financial connectedness and
   systemic risk. Journal of Financial Econometrics, 16(2), 271-296.
.. [2] Stiassny, A. (1996). A spectral decomposition for structural VAR models. Empirical Economics, 21(4),
   535-555.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from contagion._typing import BoolArray, Float64Array

__all__ = ["FrequencyGrid", "band_bins", "bin_frequencies", "frequency_fevd"]

FrequencyGrid = Literal["exact", "frequencyConnectedness"]


def bin_frequencies(horizon: int, grid: FrequencyGrid = "exact") -> Float64Array:
    r"""Frequency in :math:`[0, \pi]` that each of the ``horizon`` DFT bins represents.

    Bin k stands for :math:`\omega_k = 2\pi k / H` when :math:`k \le H/2` and for its conjugate
    :math:`2\pi - \omega_{H-k}` otherwise (the spectrum of a real series is symmetric).

    With ``grid="frequencyConnectedness"`` bin k is labelled :math:`k\pi / \lfloor H/2 \rfloor`, as
    frequencyConnectedness's ``getIndeces`` (and ConnectednessApproach, which calls it) does: the same as the
    exact grid for even H, slightly stretched for odd H (bin k of H = 101 is labelled :math:`k\pi/50` instead
    of :math:`2\pi k/101`), which can move a bin next to a band edge into the neighbouring band.
    """
    k = np.arange(horizon, dtype=np.float64)
    folded = np.minimum(k, horizon - k)
    if grid == "frequencyConnectedness":
        half = horizon // 2
        return folded * np.pi / half if half > 0 else np.zeros(horizon)
    return 2.0 * np.pi * folded / horizon


def band_bins(horizon: int, edges: Float64Array, grid: FrequencyGrid = "exact") -> BoolArray:
    r"""Which DFT bins fall in each band of a partition of :math:`[0, \pi]`.

    Parameters
    ----------
    horizon : int
        Number of MA terms H (= number of DFT bins).
    edges : ndarray of shape (n_bands + 1,)
        Decreasing cut points in radians, as frequencyConnectedness's ``partition``: band d holds the
        frequencies :math:`\omega` with ``edges[d + 1] <= omega < edges[d]`` (so the first edge must exceed
        :math:`\pi`, e.g. ``pi + 1e-5``, for :math:`\omega = \pi` to be included).
    grid : {"exact", "frequencyConnectedness"}
        Frequency labels of the bins (:func:`bin_frequencies`).

    Returns
    -------
    ndarray of bool, shape (n_bands, horizon)
    """
    omega = bin_frequencies(horizon, grid)
    upper = np.asarray(edges[:-1], dtype=np.float64)[:, None]
    lower = np.asarray(edges[1:], dtype=np.float64)[:, None]
    return (omega[None, :] >= lower) & (omega[None, :] < upper)


def frequency_fevd(ma: Float64Array, sigma: Float64Array, bins: BoolArray) -> Float64Array:
    r"""Absolute band tables of the generalized FEVD (fractions; a partition's bands sum to the GFEVD).

    Parameters
    ----------
    ma : ndarray of shape (..., horizon, n_vars, n_vars)
        MA coefficients :math:`A_0 .. A_{H-1}` (:func:`contagion.var.fevd.ma_coefficients`).
    sigma : ndarray of shape (..., n_vars, n_vars)
        Residual covariance (its scale cancels).
    bins : ndarray of bool, shape (n_bands, horizon)
        Band membership of the DFT bins (:func:`band_bins`). The row normalisation runs over the bins of
        all bands together, as frequencyConnectedness's ``range``.

    Returns
    -------
    ndarray of shape (..., n_bands, n_vars, n_vars)
        ``out[..., d, i, j]``: fraction of i's forecast-error variance due to shocks in j, at frequencies of
        band d. Summed over d (for a partition covering every bin) it equals
        :func:`contagion.var.fevd.generalized_fevd` of the same ``ma`` and ``sigma``.
    """
    ma = np.asarray(ma, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    psi = np.fft.fft(ma, axis=-3)                                    # (..., H, N, N): Psi_k
    psi_sigma = psi @ sigma[..., None, :, :].astype(np.complex128)   # (Psi_k Sigma)_ij
    power = psi_sigma.real**2 + psi_sigma.imag**2
    power = power / np.diagonal(sigma, axis1=-2, axis2=-1)[..., None, None, :]
    in_range = bins.any(axis=0)
    total = power[..., in_range, :, :].sum(axis=(-3, -1))            # (..., N): row totals over the range
    bands = np.einsum("dk,...kij->...dij", bins.astype(np.float64), power)
    out: Float64Array = bands / total[..., None, :, None]
    return out
