r"""Vectorised DCC correlation recursion and likelihoods (pure numpy/scipy; no pandas, no JIT).

The DCC recursion (Engle 2002, eq. 26) and its asymmetric form (Cappiello, Engle & Sheppard 2006, eq. 9)

.. math::

    Q_t = (1 - a - b)\bar Q - g \bar N + a z_{t-1} z_{t-1}' + g n_{t-1} n_{t-1}' + b Q_{t-1}, \qquad
    n_t = \min(z_t, 0)

is, entry by entry, a first-order linear filter along time with pole ``b``. The kernels run it on the
:math:`M = N(N+1)/2` upper-triangle ("vech") entries at once (:func:`~contagion.dcc._filter_kernels.ar1_filter`)
and evaluate the likelihood with Choleskys vectorised over dates or batched. The loop twin: :mod:`tests.reference.dcc`.

Conventions (rmgarch; docs/conventions.md, "DCC recursion and pre-sample padding"): :math:`Q_0 = \bar Q`; the pre-sample
:math:`z_0` is a constant ``pad`` (rmgarch's optimiser uses 0, its final filter -- ``rcor()``, ``likelihood()``
-- uses 1); :math:`\bar Q` = ``cov(z)`` with the ``n - 1`` denominator; :math:`\bar N = T^{-1} \sum n_t n_t'`.

References
----------
.. [1] Engle, R. F. (2002). Dynamic conditional correlation. Journal of Business & Economic Statistics, 20(3),
   339-350.
.. [2] Cappiello, L., Engle, R. F. and Sheppard, K. (2006). Asymmetric dynamics in the correlations of global
   equity and bond returns. Journal of Financial Econometrics, 4(4), 537-572.
.. [3] Engle, R. F., Shephard, N. and Sheppard, K. (2008). Fitting vast dimensional time-varying covariance
   models. NYU Working Paper FIN-08-009 (composite likelihood).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D, IntArray
from contagion.dcc._filter_kernels import TIME_FIRST_ROWS, ar1_filter, time_first
from contagion.dcc._packed_kernels import chol_logdet_quad, logdet_quad_packed

LOG2PI = float(np.log(2.0 * np.pi))


def sum_log_rows(x: Float64Array2D, block: int = 16) -> Float64Array1D:
    r""":math:`\sum_t \log x_{nt}` per row, taking one log per ``block`` values (:func:`_log_prod` over blocks of
    ``block`` entries spaced evenly along the row; numpy's float64 log is ~10 ns a value without AVX-512)."""
    n, m = x.shape
    head = m // block * block
    blocks = x[:, :head].reshape(n, block, head // block).transpose(1, 0, 2).reshape(block, -1)
    out: Float64Array1D = _log_prod(blocks).reshape(n, -1).sum(axis=1)
    if head < m:
        with np.errstate(invalid="ignore", divide="ignore"):
            out += np.log(x[:, head:]).sum(axis=1)
    return out


def vech_indices(n: int) -> tuple[IntArray, IntArray]:
    """Row and column indices of the upper triangle (diagonal included), row-major."""
    i, j = np.triu_indices(n)
    return i.astype(np.int64), j.astype(np.int64)


def outer_products(
    z: Float64Array2D, rows: IntArray, cols: IntArray, pad: float, *, asymmetric: bool = True,
    time_first: bool = False,
) -> tuple[Float64Array2D, Float64Array2D]:
    """Lagged products :math:`z_{t-1,i} z_{t-1,j}` and :math:`n_{t-1,i} n_{t-1,j}` in time-last layout.

    Returns two arrays of shape (n_entries, n_obs); column t holds the products of observation t - 1 (column 0
    the pre-sample ``pad`` values). They do not depend on the DCC parameters, so an optimiser computes them once.
    Without ``asymmetric`` (plain DCC, g = 0) the second array is empty, shape (0, n_obs). ``time_first``:
    the same values stored in Fortran order (each date's entries contiguous), the layout in which
    :func:`ar1_filter` runs its date-by-date loop and the large-N Cholesky reads a date's matrix.
    """
    n_obs = z.shape[0]
    if time_first:
        zl = np.empty((n_obs, z.shape[1]))
        zl[0] = pad
        zl[1:] = z[:-1]
        zz_t = np.empty((n_obs, rows.size))  # C-contiguous: numpy may return the gathered columns transposed
        np.multiply(zl[:, rows], zl[:, cols], out=zz_t)
        if not asymmetric:
            return zz_t.T, np.empty((0, n_obs))
        nl = np.minimum(zl, 0.0)
        nn_t = np.empty_like(zz_t)
        np.multiply(nl[:, rows], nl[:, cols], out=nn_t)
        return zz_t.T, nn_t.T
    zt = np.empty((z.shape[1], n_obs))
    zt[:, 0] = pad
    zt[:, 1:] = z[:-1].T
    if not asymmetric:
        return zt[rows] * zt[cols], np.empty((0, n_obs))
    nt = np.minimum(zt, 0.0)
    return zt[rows] * zt[cols], nt[rows] * nt[cols]


def dcc_q_filter(
    zz: Float64Array2D,
    qbar: Float64Array1D,
    a: float,
    b: float,
    *,
    g: float = 0.0,
    nn: Float64Array2D | None = None,
    nbar: Float64Array1D | None = None,
) -> Float64Array2D:
    r"""Entries of :math:`Q_t`, t = 1..T, as a first-order linear filter along time (pole ``b``).

    Parameters
    ----------
    zz, nn : ndarray of shape (n_entries, n_obs)
        Lagged outer products from :func:`outer_products` (they carry the pre-sample padding).
    qbar, nbar : ndarray of shape (n_entries,)
        :math:`\bar Q` and :math:`\bar N` at the same entries.
    a, b, g : float
        DCC news, persistence and asymmetry parameters (``g = 0``: plain DCC).

    Returns
    -------
    ndarray of shape (n_entries, n_obs)
        Column t is the Q matrix *for* observation t (it uses z up to t - 1), with :math:`Q_0 = \bar Q`.
    """
    const = (1.0 - a - b) * qbar
    u = a * zz
    if g != 0.0 and nn is not None and nbar is not None:
        const = const - g * nbar
        u += g * nn
    u += const[:, None]
    return ar1_filter(u, b, b * qbar, overwrite=True)


def dcc_q_parts(
    zz: Float64Array2D, qbar: Float64Array1D, b: float, *, nn: Float64Array2D | None = None,
    nbar: Float64Array1D | None = None,
) -> Float64Array2D:
    r"""The parts of :math:`Q_t` that depend on ``b`` only: :math:`Q_t = \bar Q + a\,Y_t + g\,W_t` with

    .. math::

        Y_t = (z_{t-1}z_{t-1}' - \bar Q) + b\,Y_{t-1}, \qquad W_t = (n_{t-1}n_{t-1}' - \bar N) + b\,W_{t-1},
        \qquad Y_0 = W_0 = 0,

    which is :func:`dcc_q_filter` rearranged (Engle 2002, eq. 26; Cappiello, Engle & Sheppard 2006, eq. 9):
    :math:`Q_t` is linear in ``a`` and ``g`` for a given ``b``. An optimiser that varies ``a`` or ``g`` at a
    fixed ``b`` (finite differences) filters once and combines with :func:`dcc_q_combine`.

    Returns
    -------
    ndarray of shape (n_entries, n_obs), or (2 n_entries, n_obs) with ``W`` stacked below ``Y`` when ``nn`` and
    ``nbar`` are given.
    """
    m = zz.shape[0]
    stacked = nn is not None and nbar is not None
    # the layout of zz (time-last C, or time-first Fortran from prepare) is kept, so is ar1_filter's path
    u = np.empty((2 * m if stacked else m, zz.shape[1]), order="F" if time_first(zz) else "C")
    np.subtract(zz, qbar[:, None], out=u[:m])
    if stacked:
        assert nn is not None and nbar is not None
        np.subtract(nn, nbar[:, None], out=u[m:])
    return ar1_filter(u, b, np.zeros(u.shape[0]), overwrite=True)


def dcc_q_combine(
    parts: Float64Array2D, qbar: Float64Array1D, a: float, g: float = 0.0, *, out: Float64Array2D | None = None
) -> Float64Array2D:
    r""":math:`Q_t = \bar Q + a Y_t + g W_t` from the output of :func:`dcc_q_parts` (into ``out`` if given)."""
    m = qbar.shape[0]
    q = np.multiply(parts[:m], a, out=out)
    if parts.shape[0] > m and g != 0.0:
        q += g * parts[m:]
    q += qbar[:, None]
    return q


def unvech(q_vech: Float64Array2D, n: int) -> Float64Array3D:
    """Full symmetric matrices (n, n, n_obs) from upper-triangle entries (n(n+1)/2, n_obs) (time-last layout)."""
    i, j = vech_indices(n)
    full = np.empty((n, n, q_vech.shape[1]))
    full[i, j] = q_vech
    full[j, i] = q_vech
    return full


def correlation_from_q(q_vech: Float64Array2D, n: int) -> Float64Array2D:
    r""":math:`R_t = \mathrm{diag}(Q_t)^{-1/2} Q_t \mathrm{diag}(Q_t)^{-1/2}` on vech entries (Engle 2002, eq. 27)."""
    i, j = vech_indices(n)
    diag_pos = np.flatnonzero(i == j)
    d = np.sqrt(q_vech[diag_pos])  # (n, T)
    out: Float64Array2D = q_vech / (d[i] * d[j])
    return out


#: above this dimension numpy's batched LAPACK Cholesky beats the one vectorised over time (T = 2000, ms per
#: evaluation, vectorised / LAPACK: N = 31 4.6 / 6.4, 50 17.2 / 20.0, 64 31.7 / 67.9, 72 54 / 36; docs/dcc.md)
SMALL_N = 64
#: float64 entries of the vectorised Cholesky's scratch (n x n x dates): longer samples go in chunks of dates
VECTORISED_ENTRIES = 2**23


def vectorised_chunk(n: int, n_obs: int) -> int:
    """Dates per chunk of :func:`logdet_quad_q`'s vectorised Cholesky (scratch <= :data:`VECTORISED_ENTRIES`)."""
    return max(1, min(n_obs, VECTORISED_ENTRIES // (n * n)))


def _logdet_quad_lapack(r_full: Float64Array3D, zt: Float64Array2D) -> tuple[Float64Array1D, Float64Array1D]:
    """Large n: batched LAPACK Cholesky on (n, n, n_obs) matrices (:func:`chol_logdet_quad` on a time-first copy)."""
    return chol_logdet_quad(np.ascontiguousarray(np.moveaxis(r_full, 2, 0)), zt.T)


def logdet_quad(r_full: Float64Array3D, zt: Float64Array2D) -> tuple[Float64Array1D, Float64Array1D]:
    r"""Batched :math:`\log|R_t|` and :math:`z_t' R_t^{-1} z_t`; ``nan`` where :math:`R_t` is not positive definite.

    ``r_full`` has shape (n, n, n_obs) and ``zt`` (n, n_obs) (time last). For small n a left-looking Cholesky
    vectorised over t (a loop over the n columns, never over time) with the forward substitution
    :math:`y = L^{-1} z` folded in; otherwise LAPACK through ``numpy.linalg``.
    """
    n, _, n_obs = r_full.shape
    if n > SMALL_N:
        return _logdet_quad_lapack(r_full, zt)
    lower = np.zeros((n, n, n_obs))
    y = np.empty((n, n_obs))
    logdet = np.zeros(n_obs)
    ok = np.ones(n_obs, dtype=bool)
    for j in range(n):
        lj = lower[j, :j]
        s = r_full[j, j] - (lj * lj).sum(axis=0)
        ok &= s > 0.0
        d = np.sqrt(np.where(s > 0.0, s, 1.0))
        lower[j, j] = d
        logdet += np.log(d)
        if j + 1 < n:
            lower[j + 1:, j] = (r_full[j + 1:, j] - (lower[j + 1:, :j] * lj[None]).sum(axis=1)) / d
        y[j] = (zt[j] - (lj * y[:j]).sum(axis=0)) / d
    quad = (y * y).sum(axis=0)
    return np.where(ok, 2.0 * logdet, np.nan), np.where(ok, quad, np.nan)


def mvnormal_dcc_loglik(zt: Float64Array2D, r_full: Float64Array3D) -> Float64Array1D:
    r"""Per-observation DCC term of the Gaussian likelihood (Engle 2002, eq. 29, correlation part).

    .. math::

        \ell^C_t = -\tfrac12 \left(\log|R_t| + z_t' R_t^{-1} z_t - z_t' z_t\right)

    ``zt`` has shape (n, n_obs), ``r_full`` (n, n, n_obs). Returns ``-inf`` where :math:`R_t` is not positive
    definite.
    """
    logdet, quad = logdet_quad(r_full, zt)
    ll = -0.5 * (logdet + quad - (zt * zt).sum(axis=0))
    out: Float64Array1D = np.where(np.isnan(ll), -np.inf, ll)
    return out


def mvt_dcc_loglik(zt: Float64Array2D, r_full: Float64Array3D, nu: float) -> Float64Array1D:
    r"""Per-observation DCC term for a standardised multivariate Student-t joint distribution.

    The density of :math:`z_t` has covariance :math:`R_t` (scale :math:`R_t (\nu - 2)/\nu`); the term is its log
    minus the log of the standard normal density of :math:`z_t`, so that the total log-likelihood is the sum
    of the Gaussian univariate log-likelihoods plus this term (rmgarch's convention, which for ``nu -> inf``
    reduces to :func:`mvnormal_dcc_loglik`).

    .. math::

        \ell^C_t = \log\Gamma(\tfrac{\nu+N}{2}) - \log\Gamma(\tfrac{\nu}{2}) - \tfrac N2 \log(\pi(\nu-2))
        - \tfrac12 \log|R_t| - \tfrac{\nu+N}{2}\log\left(1 + \frac{z_t'R_t^{-1}z_t}{\nu-2}\right)
        + \tfrac12 (N \log 2\pi + z_t'z_t)
    """
    n = zt.shape[0]
    logdet, quad = logdet_quad(r_full, zt)
    const = gammaln(0.5 * (nu + n)) - gammaln(0.5 * nu) - 0.5 * n * np.log(np.pi * (nu - 2.0))
    ll = (const - 0.5 * logdet - 0.5 * (nu + n) * np.log1p(quad / (nu - 2.0))
          + 0.5 * (n * LOG2PI + (zt * zt).sum(axis=0)))
    out: Float64Array1D = np.where(np.isnan(ll), -np.inf, ll)
    return out


def pair_dcc_loglik(
    zi: Float64Array2D, zj: Float64Array2D, qii: Float64Array2D, qjj: Float64Array2D, qij: Float64Array2D,
    nu: float | None = None,
) -> Float64Array2D:
    r"""Bivariate DCC terms for many pairs at once, in closed form (composite likelihood; Engle, Shephard &
    Sheppard 2008, eq. 10).

    With :math:`\rho_t = q_{ij,t}/\sqrt{q_{ii,t} q_{jj,t}}`, the Gaussian term is
    :math:`-\tfrac12[\log(1-\rho^2) + (z_i^2 + z_j^2 - 2\rho z_i z_j)/(1-\rho^2) - z_i^2 - z_j^2]`.

    Parameters
    ----------
    zi, zj, qii, qjj, qij : ndarray of shape (n_pairs, n_obs)
    nu : float or None
        Student-t degrees of freedom (None: normal).

    Returns
    -------
    ndarray of shape (n_pairs, n_obs); ``-inf`` where :math:`|\rho_t| \ge 1`.
    """
    return _pair_terms(zi * zi + zj * zj, zi * zj, qii * qjj, qij, nu)


def _pair_terms(
    zz: Float64Array2D, zprod: Float64Array2D, qiiqjj: Float64Array2D, qij: Float64Array2D, nu: float | None,
    *, summed: bool = False,
) -> Float64Array2D:
    """:func:`pair_dcc_loglik` from :math:`z_i^2 + z_j^2`, :math:`z_i z_j` (parameter-free, precomputed by
    :func:`prepare`) and :math:`q_{ii} q_{jj}`; ``summed``: the sum over pairs, shape (1, n_obs)."""
    rho = qij / np.sqrt(qiiqjj)
    one_m = 1.0 - rho * rho
    bad = one_m <= 0.0
    one_m = np.where(bad, 1.0, one_m)
    quad = (zz - 2.0 * rho * zprod) / one_m
    if nu is None and summed:
        ll1 = -0.5 * (_log_prod(one_m) + (quad - zz).sum(axis=0))
        out1: Float64Array2D = np.where(bad.any(axis=0), -np.inf, ll1)[None, :]
        return out1
    if nu is None:
        ll = -0.5 * (np.log(one_m) + quad - zz)
    else:
        const = gammaln(0.5 * (nu + 2)) - gammaln(0.5 * nu) - np.log(np.pi * (nu - 2.0))
        ll = const - 0.5 * np.log(one_m) - 0.5 * (nu + 2) * np.log1p(quad / (nu - 2.0)) + 0.5 * (2 * LOG2PI + zz)
    out: Float64Array2D = np.where(bad, -np.inf, ll)
    return out.sum(axis=0, keepdims=True) if summed else out


@dataclass(frozen=True)
class DCCData:
    """Parameter-free inputs of the DCC likelihood, computed once per optimisation (time-last layout)."""

    zt: Float64Array2D  # (n, T)
    rows: IntArray
    cols: IntArray
    zz: Float64Array2D  # (m, T) lagged products
    nn: Float64Array2D  # (m, T) lagged products of n = min(z, 0)
    qbar: Float64Array1D  # (m,)
    nbar: Float64Array1D  # (m,)
    pairs: IntArray | None  # (n_pairs, 2) for the composite likelihood, else None
    # composite likelihood only: z_i^2 + z_j^2 and z_i z_j per pair (n_pairs, T), and the rows of q_ii, q_jj
    pair_zz: Float64Array2D | None = None
    pair_zprod: Float64Array2D | None = None
    pair_rows: tuple[IntArray, IntArray] | None = None


def prepare(
    z: Float64Array2D, qbar_full: Float64Array2D, nbar_full: Float64Array2D, *, pad: float,
    pairs: IntArray | None = None, asymmetric: bool = True,
) -> DCCData:
    """Precompute the lagged outer products for all vech entries (or only those the ``pairs`` need).

    ``asymmetric=False`` skips the products of the negative parts (plain DCC never reads them; g must be 0)."""
    n = z.shape[1]
    if pairs is None:
        rows, cols = vech_indices(n)
    else:
        diag = np.unique(pairs.ravel())
        rows = np.concatenate([diag, pairs[:, 0]]).astype(np.int64)
        cols = np.concatenate([diag, pairs[:, 1]]).astype(np.int64)
    # many entries (N >= 28): store the products time-first, where ar1_filter loops over dates (bitwise the same)
    zz, nn = outer_products(z, rows, cols, pad, asymmetric=asymmetric,
                            time_first=pairs is None and rows.size >= TIME_FIRST_ROWS)
    zt = np.ascontiguousarray(z.T)
    pair_zz = pair_zprod = pair_rows = None
    if pairs is not None:
        pos = np.full(n, -1, dtype=np.int64)
        pos[diag] = np.arange(diag.shape[0])
        zi, zj = zt[pairs[:, 0]], zt[pairs[:, 1]]
        pair_zz, pair_zprod = zi * zi + zj * zj, zi * zj
        pair_rows = (pos[pairs[:, 0]], pos[pairs[:, 1]])
    return DCCData(zt=zt, rows=rows, cols=cols, zz=zz, nn=nn, qbar=qbar_full[rows, cols],
                   nbar=nbar_full[rows, cols], pairs=pairs, pair_zz=pair_zz, pair_zprod=pair_zprod,
                   pair_rows=pair_rows)


def logdet_quad_q(
    q_vech: Float64Array2D, zt: Float64Array2D, *, work: Float64Array3D | None = None
) -> tuple[Float64Array1D, Float64Array1D]:
    r""":math:`\log|R_t|` and :math:`z_t'R_t^{-1}z_t` straight from the vech entries of :math:`Q_t`.

    With :math:`D_t = \mathrm{diag}(Q_t)^{1/2}` and :math:`R_t = D_t^{-1} Q_t D_t^{-1}`:
    :math:`\log|R_t| = \log|Q_t| - \sum_i \log q_{ii,t}` and :math:`z'R_t^{-1}z = (D_t z)' Q_t^{-1} (D_t z)`,
    so R is never formed. For n up to :data:`SMALL_N`, a left-looking Cholesky vectorised over t
    (:func:`_vectorised_logdet_quad`, in chunks of :func:`vectorised_chunk` dates); beyond, batched LAPACK
    (:func:`~contagion.dcc._packed_kernels.logdet_quad_packed`). ``work``: an (n, n, chunk) float64 scratch
    array for the Cholesky factor, reused by a caller that evaluates many times (saves allocating and
    faulting in n^2 T doubles per call).
    """
    n = zt.shape[0]
    n_obs = zt.shape[1]
    starts = np.concatenate([[0], np.cumsum(np.arange(n, 0, -1))])
    diag = q_vech[starts[:-1]]  # (n, T)
    zq = zt * np.sqrt(diag)
    if n > SMALL_N:
        logdet, quad = logdet_quad_packed(q_vech, zq)
        return logdet - np.log(diag).sum(axis=0), quad
    chunk = vectorised_chunk(n, n_obs)
    if chunk >= n_obs:
        return _vectorised_logdet_quad(q_vech, zq, diag, starts, work)
    logdet, quad = np.empty(n_obs), np.empty(n_obs)
    for t0 in range(0, n_obs, chunk):
        t1 = min(n_obs, t0 + chunk)
        scratch = work[:, :, :t1 - t0] if work is not None and work.shape[:2] == (n, n) \
            and work.shape[2] >= t1 - t0 else None
        logdet[t0:t1], quad[t0:t1] = _vectorised_logdet_quad(q_vech[:, t0:t1], zq[:, t0:t1], diag[:, t0:t1],
                                                             starts, scratch)
    return logdet, quad


def _vectorised_logdet_quad(
    q_vech: Float64Array2D, zq: Float64Array2D, diag: Float64Array2D, starts: IntArray,
    work: Float64Array3D | None,
) -> tuple[Float64Array1D, Float64Array1D]:
    r"""The Cholesky of :func:`logdet_quad_q` vectorised over the dates (a loop over the n columns): column j
    of Q is the contiguous vech rows of row j of the upper triangle; :math:`\log|Q_t|` is the log of the
    product of the pivots, one log per date."""
    n, n_obs = zq.shape
    # only entries written earlier in the loop are read
    lower = work if work is not None and work.shape == (n, n, n_obs) else np.empty((n, n, n_obs))
    y = np.empty((n, n_obs))
    piv = np.empty((n, n_obs))  # squared diagonal of the Cholesky factor
    with np.errstate(invalid="ignore", divide="ignore"):  # a non-positive pivot is flagged below
        for j in range(n):
            col = q_vech[starts[j]:starts[j + 1]]  # Q[j:, j]
            lj = lower[j, :j]
            if j:
                np.subtract(col[0], np.einsum("kt,kt->t", lj, lj), out=piv[j])
            else:
                piv[0] = col[0]
            inv_d = 1.0 / np.sqrt(piv[j])
            if j + 1 < n:
                if j:
                    tmp = np.einsum("ikt,kt->it", lower[j + 1:, :j], lj)
                    np.subtract(col[1:], tmp, out=tmp)
                    np.multiply(tmp, inv_d, out=lower[j + 1:, j])
                else:
                    np.multiply(col[1:], inv_d, out=lower[1:, 0])
            if j:
                np.multiply(zq[j] - np.einsum("kt,kt->t", lj, y[:j]), inv_d, out=y[j])
            else:
                np.multiply(zq[0], inv_d, out=y[0])
        ok = np.all(piv > 0.0, axis=0)
        logdet = _log_prod(piv / diag)
    quad = np.einsum("it,it->t", y, y)
    return np.where(ok, logdet, np.nan), np.where(ok, quad, np.nan)


def _log_prod(x: Float64Array2D) -> Float64Array1D:
    r""":math:`\sum_i \log x_{it}` as the log of the product over axis 0: one log per column instead of one per
    entry (numpy's float64 log is ~10 ns a value without AVX-512); columns whose product leaves the normal
    range are summed log by log."""
    with np.errstate(over="ignore", under="ignore"):
        prod = x.prod(axis=0)
    bad = ~((prod > 1e-300) & (prod < 1e300))
    if np.any(bad):
        prod[bad] = 1.0
        out: Float64Array1D = np.log(prod)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[bad] = np.log(x[:, bad]).sum(axis=0)
        return out
    result: Float64Array1D = np.log(prod)
    return result


def dcc_loglik_terms(
    data: DCCData, a: float, b: float, g: float = 0.0, nu: float | None = None, *, q: Float64Array2D | None = None,
    work: Float64Array3D | None = None,
) -> Float64Array1D:
    """Per-observation DCC terms of the full likelihood (n_obs,), or of the composite likelihood summed over
    pairs when ``data.pairs`` is set. ``q``: the output of :func:`dcc_q_filter` for the same data and
    parameters, when the caller already has it (skips re-filtering); ``work``: scratch for
    :func:`logdet_quad_q`."""
    if q is None:
        q = dcc_q_filter(data.zz, data.qbar, a, b, g=g, nn=data.nn, nbar=data.nbar)
    if data.pairs is not None:
        assert data.pair_zz is not None and data.pair_zprod is not None and data.pair_rows is not None
        ri, rj = data.pair_rows
        nd = q.shape[0] - data.pairs.shape[0]
        out: Float64Array1D = _pair_terms(data.pair_zz, data.pair_zprod, q[ri] * q[rj], q[nd:], nu, summed=True)[0]
        return out
    return full_loglik_terms(q, data.zt, nu, work=work)


def full_loglik_terms(
    q: Float64Array2D, zt: Float64Array2D, nu: float | None = None, *, work: Float64Array3D | None = None
) -> Float64Array1D:
    """Per-observation DCC terms of the full likelihood from the vech entries of Q_t (time last) and the
    standardised residuals ``zt`` (n, n_obs): Gaussian, or standardised Student-t for ``nu``."""
    n = zt.shape[0]
    logdet, quad = logdet_quad_q(q, zt, work=work)
    zz = np.einsum("it,it->t", zt, zt)
    if nu is None:
        ll = -0.5 * (logdet + quad - zz)
    else:
        const = gammaln(0.5 * (nu + n)) - gammaln(0.5 * nu) - 0.5 * n * np.log(np.pi * (nu - 2.0))
        ll = const - 0.5 * logdet - 0.5 * (nu + n) * np.log1p(quad / (nu - 2.0)) + 0.5 * (n * LOG2PI + zz)
    result: Float64Array1D = np.where(np.isnan(ll), -np.inf, ll)
    return result


def asymmetry_bound(qbar_full: Float64Array2D, nbar_full: Float64Array2D) -> float:
    r"""Largest eigenvalue :math:`\delta` of :math:`\bar Q^{-1/2} \bar N \bar Q^{-1/2}`; aDCC needs
    :math:`a + b + \delta g < 1` (Cappiello, Engle & Sheppard 2006)."""
    w, v = np.linalg.eigh(qbar_full)
    inv_sqrt = (v / np.sqrt(w)) @ v.T
    return float(np.linalg.eigvalsh(inv_sqrt @ nbar_full @ inv_sqrt)[-1])
