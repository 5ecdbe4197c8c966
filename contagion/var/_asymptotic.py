r"""Delta-method (asymptotic) covariance of VAR impulse responses (Lütkepohl 2005, Section 3.7).

References
----------
.. [1] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Prop. 3.6-3.7.
.. [2] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear multivariate
   models. Economics Letters, 58(1), 17-29.
"""

from __future__ import annotations

import numpy as np

from contagion._typing import Float64Array, Float64Array2D, Float64Array3D
from contagion.var._kernels import companion
from contagion.var.fevd import ma_coefficients

__all__ = ["asymptotic_irf_cov", "commutation", "duplication", "elimination"]


def duplication(n: int) -> Float64Array2D:
    """Duplication matrix D_n: vec(S) = D_n vech(S) for symmetric S (Lütkepohl 2005, A.12.2)."""
    d = np.zeros((n * n, n * (n + 1) // 2))
    col = 0
    for j in range(n):
        for i in range(j, n):
            d[j * n + i, col] = 1.0
            d[i * n + j, col] = 1.0
            col += 1
    return d


def elimination(n: int) -> Float64Array2D:
    """Elimination matrix L_n: vech(S) = L_n vec(S) (Lütkepohl 2005, A.12.2)."""
    m = np.zeros((n * (n + 1) // 2, n * n))
    row = 0
    for j in range(n):
        for i in range(j, n):
            m[row, j * n + i] = 1.0
            row += 1
    return m


def commutation(n: int) -> Float64Array2D:
    """Commutation matrix K_nn: vec(A') = K_nn vec(A)."""
    k = np.zeros((n * n, n * n))
    for i in range(n):
        for j in range(n):
            k[i * n + j, j * n + i] = 1.0
    return k


def asymptotic_irf_cov(
    coefs: Float64Array3D,
    sigma: Float64Array2D,
    zz_inv_slopes: Float64Array2D,
    n_obs: int,
    horizon: int,
    kind: str,
    cumulative: bool,
) -> Float64Array:
    r"""Delta-method covariance of vec(IRF_h), h = 0..horizon (Lütkepohl 2005, Prop. 3.6 and 3.7).

    With :math:`G_h = \partial \mathrm{vec}(A_h)/\partial \alpha' =
    \sum_{m=0}^{h-1} J (\mathbf{A}')^{h-1-m} \otimes A_m` (eq. 3.7.3), :math:`\Sigma_\alpha =
    [(Z'Z)^{-1}]_{\text{slopes}} \otimes \Sigma_u` and :math:`\Sigma_\sigma = 2 D^+ (\Sigma_u \otimes
    \Sigma_u) D^{+\prime}` (eq. 3.4.18):

    * non-orthogonal (used internally): :math:`G_h \Sigma_\alpha G_h'`;
    * orthogonal :math:`\Theta_h = A_h P`: :math:`C_h \Sigma_\alpha C_h' + \bar C_h \Sigma_\sigma
      \bar C_h' / T`, :math:`C_h = (P' \otimes I) G_h`, :math:`\bar C_h = (I \otimes A_h) H`,
      :math:`H = L'\{L (I + K)(P \otimes I) L'\}^{-1}` (eq. 3.7.8);
    * generalized :math:`\psi_j(h) = \sigma_{jj}^{-1/2} A_h \Sigma e_j`: the same two pieces with the
      Jacobian of :math:`\Sigma e_j \sigma_{jj}^{-1/2}` with respect to vech(Σ) in place of H.

    Cumulative responses use the cumulated Jacobians (eq. 3.7.7/3.7.10). This reproduces
    statsmodels' ``IRAnalysis.cov`` / ``cum_effect_cov`` (which also use the d.o.f.-corrected Σ).

    Returns
    -------
    ndarray of shape (horizon + 1, N*N, N*N)
        Covariance of vec (column-major: impulse-major) of the response matrix at each h.
    """
    n_lags, n_vars, _ = coefs.shape
    k = n_vars
    ma = ma_coefficients(coefs, horizon + 1)
    comp = companion(coefs)
    j_mat = np.zeros((k, k * n_lags))
    j_mat[:, :k] = np.eye(k)
    cov_alpha = np.kron(zz_inv_slopes, sigma)
    dup = duplication(k)
    dup_plus = np.linalg.pinv(dup)
    cov_sigma = 2.0 * dup_plus @ np.kron(sigma, sigma) @ dup_plus.T
    # G_h, h = 0..horizon (G_0 = 0)
    g = np.zeros((horizon + 1, k * k, k * k * n_lags))
    powers = [np.eye(k * n_lags)]
    for _ in range(horizon):
        powers.append(powers[-1] @ comp.T)
    for h in range(1, horizon + 1):
        acc = np.zeros((k * k, k * k * n_lags))
        for m in range(h):
            acc += np.kron(j_mat @ powers[h - 1 - m], ma[m])
        g[h] = acc
    eye = np.eye(k)
    if kind == "unit":  # A_h itself: Sigma does not enter (Lütkepohl 2005, eq. 3.7.5)
        a_jac = g.copy()
        if cumulative:
            a_jac = np.cumsum(a_jac, axis=0)
        return np.asarray(a_jac @ cov_alpha @ np.swapaxes(a_jac, -1, -2), dtype=np.float64)
    if kind == "orthogonal":
        p_chol = np.linalg.cholesky(sigma)
        elim = elimination(k)
        h_mat = elim.T @ np.linalg.inv(
            elim @ (np.eye(k * k) + commutation(k)) @ np.kron(p_chol, eye) @ elim.T
        )
        left = np.kron(p_chol.T, eye)
        sig_jac = h_mat  # d vec(P) / d vech(Sigma)'
    else:  # generalized
        diag = np.diag(sigma)
        impact = sigma / np.sqrt(diag)[None, :]
        left = np.kron(impact.T, eye)
        # d vec(Sigma E) / d vec(Sigma)', with E = diag(sigma_jj^{-1/2}); column j: Sigma e_j s_j^{-1/2}
        jac_vec = np.zeros((k * k, k * k))
        for j in range(k):
            for r in range(k):
                # element (r, j) of Sigma e_j sigma_jj^{-1/2}
                row = j * k + r
                jac_vec[row, j * k + r] += diag[j] ** -0.5  # d sigma_rj
                jac_vec[row, j * k + j] += -0.5 * sigma[r, j] * diag[j] ** -1.5  # d sigma_jj
        sig_jac = jac_vec @ dup
    a_jac = np.einsum("ab,hbc->hac", left, g)  # (h, K^2, K^2 p)
    s_jac = np.einsum("hab,bc->hac", np.stack([np.kron(eye, ma[h]) for h in range(horizon + 1)]), sig_jac)
    if cumulative:
        a_jac = np.cumsum(a_jac, axis=0)
        s_jac = np.cumsum(s_jac, axis=0)
    cov = a_jac @ cov_alpha @ np.swapaxes(a_jac, -1, -2)
    cov += s_jac @ cov_sigma @ np.swapaxes(s_jac, -1, -2) / n_obs
    return np.asarray(cov, dtype=np.float64)
