r"""The full DCC likelihood's determinant and quadratic form for large N, in chunks of dates.

For N above :data:`contagion.dcc._kernels.SMALL_N`, :math:`\log|Q_t|` and :math:`w_t'Q_t^{-1}w_t` come from a
batched LAPACK Cholesky. :func:`logdet_quad_packed` unpacks the upper-triangle ("vech") entries of
:math:`Q_t` into full matrices a chunk of dates at a time, so the memory is that of one chunk (4 MB), not
:math:`N^2 T` doubles (800 MB for N = 100, T = 2000 with the copies LAPACK makes). The arithmetic per date is
unchanged, so the terms do not depend on the chunk size. Used by :func:`contagion.dcc._kernels.logdet_quad_q`
(Engle 2002, eq. 29: :math:`\log|R_t| = \log|Q_t| - \sum_i \log q_{ii,t}`,
:math:`z'R_t^{-1}z = (D_t z)'Q_t^{-1}(D_t z)`).

References
----------
.. [1] Engle, R. F. (2002). Dynamic conditional correlation. Journal of Business & Economic Statistics, 20(3),
   339-350.
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from typing import Any, cast

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D

__all__ = ["chol_logdet_quad", "logdet_quad_packed", "single_blas_thread"]


def chol_logdet_quad(r_t: Float64Array3D, w: Float64Array2D) -> tuple[Float64Array1D, Float64Array1D]:
    r""":math:`\log|R_t|` and :math:`w_t'R_t^{-1}w_t` from time-first matrices ``r_t`` (n_obs, n, n), ``w`` (n_obs, n):
    batched LAPACK Cholesky, then forward substitution vectorised over t (loop over the n columns).

    ``numpy.linalg.solve`` on a stack of matrices is avoided: it is orders of magnitude slower here.
    """
    n_obs, n = w.shape
    try:
        lower = np.linalg.cholesky(r_t)
    except np.linalg.LinAlgError:
        nan = np.full(n_obs, np.nan)
        return nan, nan
    y = np.empty((n_obs, n))
    for j in range(n):
        y[:, j] = (w[:, j] - np.einsum("tk,tk->t", lower[:, j, :j], y[:, :j])) / lower[:, j, j]
    diag = np.diagonal(lower, axis1=1, axis2=2)
    return 2.0 * np.log(diag).sum(axis=1), np.einsum("ti,ti->t", y, y)


@functools.cache
def _blas() -> Any:
    """The process's BLAS thread pools (threadpoolctl, imported on first use: it costs ~30 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS and LAPACK run on one thread (restored on exit).

    Many small factorisations or GEMMs gain nothing from BLAS threads, and on a busy machine OpenBLAS's
    threads spin against other processes: a 200 x 200 Cholesky took 14 ms of CPU instead of 0.19 ms.
    """
    return cast(AbstractContextManager[Any], _blas().limit(limits=1, user_api="blas"))


#: float64 entries of one chunk of full matrices (dates x n x n) in :func:`logdet_quad_packed` (4 MB)
_CHUNK_ENTRIES = 2**19


def logdet_quad_packed(q_vech: Float64Array2D, zq: Float64Array2D) -> tuple[Float64Array1D, Float64Array1D]:
    """:func:`chol_logdet_quad` on chunks of dates, each unpacked from the vech entries straight into a
    time-first (dates, n, n) buffer: memory O(n^2) per date of a chunk, never n^2 T (a date whose Q_t is not
    positive definite gives ``nan`` for its whole chunk). BLAS runs on one thread meanwhile."""
    n, n_obs = zq.shape
    i, j = np.triu_indices(n)  # vech order (row-major upper triangle), as _kernels.vech_indices
    lower = j * n + i  # entry (j, i), j >= i: numpy's Cholesky reads the lower triangle only
    chunk = max(1, min(n_obs, _CHUNK_ENTRIES // (n * n)))
    buf = np.zeros((chunk, n * n))  # the strict upper triangle stays 0 (never read)
    logdet, quad = np.empty(n_obs), np.empty(n_obs)
    # one BLAS thread: OpenBLAS threads the factorisation of a single matrix above n ~ 100, which on a busy
    # 2-core machine made each 200 x 200 Cholesky 75 times slower (14 ms instead of 0.19 ms of CPU)
    with single_blas_thread():
        for t0 in range(0, n_obs, chunk):
            t1 = min(n_obs, t0 + chunk)
            full = buf[:t1 - t0]
            full[:, lower] = q_vech[:, t0:t1].T
            logdet[t0:t1], quad[t0:t1] = chol_logdet_quad(full.reshape(-1, n, n), zq[:, t0:t1].T)
    return logdet, quad
