r"""Numerical kernels of the GARCH(1,1) first stage (pure numpy, no pandas).

- :func:`garch11_filter`: rugarch's sGARCH(1,1) variance recursion and Gaussian log-likelihood terms;
- :func:`garch11_derivatives`: its log-likelihood, scores and analytic Hessian for many assets at once;
- :func:`newton_batch`: damped Newton ascent on every asset's likelihood at once;
- :func:`sandwich_se`, :func:`numeric_scores`, :func:`hessian_from_scores`: QML standard errors and the
  finite differences the arch engine needs.

The estimation logic that uses them (starting values, engines, the :class:`~contagion.dcc.margins.MarginFit`
record) lives in :mod:`contagion.dcc.margins`.

References
----------
.. [1] Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. Journal of
   Econometrics, 31(3), 307-327, eq. (1)-(2).
.. [2] Fiorentini, G., Calzolari, G. and Panattoni, L. (1996). Analytic derivatives and the computation of
   GARCH estimates. Journal of Applied Econometrics, 11(4), 399-417.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from contagion._typing import BoolArray, Float64Array1D, Float64Array2D, Float64Array3D
from contagion.dcc._filter_kernels import ar1_filter
from contagion.dcc._kernels import sum_log_rows

__all__ = [
    "LOG2PI", "PERSISTENCE_CAP", "filter_rows", "garch11_derivatives", "garch11_filter", "hessian_from_scores",
    "newton_batch", "numeric_scores", "sandwich_se",
]

LOG2PI = float(np.log(2.0 * np.pi))
#: rugarch's stationarity cap on alpha1 + beta1 for sGARCH(1,1) (its constraint bounds are [eps, 0.999]).
PERSISTENCE_CAP = 0.999


def garch11_filter(
    x: Float64Array1D, mu: float, omega: float, alpha: float, beta: float
) -> tuple[Float64Array1D, Float64Array1D]:
    r"""Conditional variances and Gaussian log-likelihood contributions of rugarch's sGARCH(1,1).

    .. math::

        h_1 = \overline{(x - \mu)^2}, \qquad h_t = \omega + \alpha (x_{t-1}-\mu)^2 + \beta h_{t-1}

    Parameters
    ----------
    x : ndarray of shape (n_obs,)
        Returns.
    mu, omega, alpha, beta : float
        Mean and GARCH(1,1) parameters (Bollerslev 1986, eq. 2).

    Returns
    -------
    h : ndarray of shape (n_obs,)
        Conditional variances.
    loglik : ndarray of shape (n_obs,)
        :math:`-\tfrac12(\log 2\pi + \log h_t + \varepsilon_t^2/h_t)`.
    """
    e = x - mu
    e2 = e * e
    h = np.empty_like(x)
    h[0] = e2.mean()
    if x.shape[0] > 1:
        h[1:] = ar1_filter((omega + alpha * e2[:-1])[None, :], beta, np.array([beta * h[0]]))[0]
    ll = -0.5 * (LOG2PI + np.log(h) + e2 / h)
    return h, ll



#: Newton stops once the predicted gain of the next step (the Newton decrement, in log-likelihood units) is
#: below this; the final full step makes the error quadratic in it (measured: a decrement of 8e-5 is followed
#: by 2e-9, so after 1e-6 the log-likelihood is within ~1e-12 of the optimum)
_NEWTON_TOL = 1e-6
_NEWTON_MAX_ITER = 60


def filter_rows(u: Float64Array3D, beta: Float64Array1D) -> Float64Array3D:
    """Per-asset first-order filters :math:`d_t = u_t + \\beta_n d_{t-1}` along the last axis of ``u`` (N, k, T),
    in place (``u`` C-contiguous: :func:`ar1_filter` reuses it); column 0 holds the start values :math:`d_0`.
    One LAPACK call per asset (its own pole), or one for all when the poles are equal (a start grid)."""
    if np.all(beta == beta[0]):
        ar1_filter(u.reshape(-1, u.shape[2]), float(beta[0]), np.zeros(u.shape[0] * u.shape[1]), overwrite=True)
        return u
    zero = np.zeros(u.shape[1])
    for i in range(u.shape[0]):
        ar1_filter(u[i], float(beta[i]), zero, overwrite=True)
    return u


def garch11_derivatives(
    x: Float64Array2D, p: Float64Array2D, *, order: int = 2, summed: bool = False
) -> tuple[Float64Array1D, Float64Array2D, Float64Array3D | None, Float64Array3D | None]:
    r"""Log-likelihood, score and analytic Hessian of rugarch's Gaussian GARCH(1,1) for many assets at once.

    Parameters
    ----------
    x : ndarray of shape (n_assets, n_obs)
        Returns, one row per asset.
    p : ndarray of shape (n_assets, 4)
        :math:`(\mu, \omega, \alpha, \beta)` per asset.
    order : {0, 1, 2}
        0: log-likelihood and variances only; 1: also the scores; 2: also the Hessian.
    summed : bool
        Return the scores summed over time, shape (n_assets, 1, 4) (the gradient; an optimiser needs no more).

    Returns
    -------
    loglik : (n_assets,)
    h : (n_assets, n_obs)
    scores : (n_assets, n_obs, 4) or None
        Per-observation derivatives of the log-likelihood in :math:`(\mu, \omega, \alpha, \beta)`.
    hess : (n_assets, 4, 4) or None
        Hessian of the total log-likelihood.

    Notes
    -----
    The derivatives of :math:`h_t = \omega + \alpha\varepsilon_{t-1}^2 + \beta h_{t-1}` (Bollerslev 1986,
    eq. 2) obey the same first-order filter with pole :math:`\beta` (Fiorentini, Calzolari & Panattoni 1996,
    "Analytic derivatives and the computation of GARCH estimates", J. Applied Econometrics 11, eq. 5-7):
    :math:`\partial_\omega h_t = 1 + \beta\,\partial_\omega h_{t-1}`,
    :math:`\partial_\alpha h_t = \varepsilon_{t-1}^2 + \beta\,\partial_\alpha h_{t-1}`,
    :math:`\partial_\beta h_t = h_{t-1} + \beta\,\partial_\beta h_{t-1}`,
    :math:`\partial_\mu h_t = -2\alpha\varepsilon_{t-1} + \beta\,\partial_\mu h_{t-1}`, and the non-zero second
    derivatives :math:`\partial_{\beta\theta} h_t = \partial_\theta h_{t-1}(1 + [\theta=\beta]) + \beta\,\partial_{\beta\theta}h_{t-1}`,
    :math:`\partial_{\alpha\mu} h_t = -2\varepsilon_{t-1} + \beta\,\partial_{\alpha\mu}h_{t-1}`,
    :math:`\partial_{\mu\mu} h_t = 2\alpha + \beta\,\partial_{\mu\mu}h_{t-1}`. rugarch's start
    :math:`h_1 = \overline{\varepsilon^2}` gives :math:`\partial_\mu h_1 = -2\bar\varepsilon`,
    :math:`\partial_{\mu\mu} h_1 = 2`. With :math:`\ell_t = -\tfrac12(\log 2\pi + \log h_t + \varepsilon_t^2/h_t)`,
    :math:`r_t = \partial\ell_t/\partial h_t = -\tfrac12(1/h_t - \varepsilon_t^2/h_t^2)` and
    :math:`r'_t = \tfrac12/h_t^2 - \varepsilon_t^2/h_t^3`:
    :math:`\partial^2\ell_t/\partial\theta_i\partial\theta_j = r_t\,\partial_{ij}h_t + r'_t\,\partial_i h_t\,\partial_j h_t`
    plus, through :math:`\varepsilon_t = x_t - \mu`, :math:`-(\varepsilon_t/h_t^2)(\partial_i h_t [j=\mu] + \partial_j h_t [i=\mu]) - [i=j=\mu]/h_t`.
    """
    mu, om, al, be = (p[:, i] for i in range(4))
    e = x - mu[:, None]
    e2 = e * e
    n_assets, n_obs = x.shape
    u0 = np.empty((n_assets, 1, n_obs))
    u0[:, 0, 0] = e2.mean(axis=1)  # h_1
    np.multiply(al[:, None], e2[:, :-1], out=u0[:, 0, 1:])
    u0[:, 0, 1:] += om[:, None]
    h = filter_rows(u0, be)[:, 0]
    inv_h = 1.0 / h
    e2h = e2 * inv_h
    loglik = -0.5 * (n_obs * LOG2PI + sum_log_rows(h) + e2h.sum(axis=1))
    if order == 0:
        return loglik, h, None, None
    # first derivatives of h, order (mu, omega, alpha, beta); column 0 holds their start values
    dh = np.empty((n_assets, 4, n_obs))
    dh[:, :, 0] = 0.0
    dh[:, 0, 0] = -2.0 * e.mean(axis=1)
    np.multiply(-2.0 * al[:, None], e[:, :-1], out=dh[:, 0, 1:])
    dh[:, 1, 1:] = 1.0
    dh[:, 2, 1:] = e2[:, :-1]
    dh[:, 3, 1:] = h[:, :-1]
    filter_rows(dh, be)
    r = -0.5 * inv_h * (1.0 - e2h)
    ei = e * inv_h
    if summed:
        scores = np.matmul(dh, r[:, :, None])[:, None, :, 0]  # (n_assets, 1, 4)
        scores[:, 0, 0] += ei.sum(axis=1)
    else:
        scores = np.einsum("nt,nkt->ntk", r, dh)
        scores[:, :, 0] += ei
    if order == 1:
        return loglik, h, scores, None
    # second derivatives: (mu,mu), (mu,alpha), (mu,beta), (omega,beta), (alpha,beta), (beta,beta)
    d2h = np.empty((n_assets, 6, n_obs))
    d2h[:, :, 0] = 0.0
    d2h[:, 0, 0] = 2.0
    d2h[:, 0, 1:] = 2.0 * al[:, None]
    np.multiply(-2.0, e[:, :-1], out=d2h[:, 1, 1:])
    d2h[:, 2:5, 1:] = dh[:, 0:3, :-1]
    np.multiply(2.0, dh[:, 3, :-1], out=d2h[:, 5, 1:])
    filter_rows(d2h, be)
    rp = inv_h * inv_h * (0.5 - e2h)
    hess = np.matmul(dh * rp[:, None, :], dh.transpose(0, 2, 1))
    rd = np.matmul(d2h, r[:, :, None])[:, :, 0]
    for k, (i, j) in enumerate(((0, 0), (0, 2), (0, 3), (1, 3), (2, 3), (3, 3))):
        hess[:, i, j] += rd[:, k]
        if i != j:
            hess[:, j, i] += rd[:, k]
    cross = -np.matmul(dh, (ei * inv_h)[:, :, None])[:, :, 0]  # -(e/h^2) dh_k
    hess[:, 0, :] += cross
    hess[:, :, 0] += cross
    hess[:, 0, 0] -= inv_h.sum(axis=1)
    return loglik, h, scores, hess


def newton_batch(
    x: Float64Array2D, p0: Float64Array2D, free: list[int], lower: Float64Array2D, upper: Float64Array2D,
) -> tuple[Float64Array2D, BoolArray]:
    """Damped Newton ascent on every asset's GARCH(1,1) log-likelihood at once (analytic Hessian).

    ``free`` are the estimated columns of ``p`` (``mu`` is fixed at 0 for ``mean="zero"``); ``lower``/``upper``
    bound them strictly (the interior). Returns the parameters and a flag per asset: False when a step would
    leave the interior, the curvature is not negative definite, or no convergence within the iteration cap;
    those assets are refitted by the SLSQP path (boundary optima are its job).
    """
    p = p0.copy()
    n_assets = p.shape[0]
    done = np.zeros(n_assets, dtype=bool)
    failed = np.zeros(n_assets, dtype=bool)
    bounded = np.zeros(n_assets, dtype=np.int64)
    idx = np.asarray(free)
    for _ in range(_NEWTON_MAX_ITER):
        act = np.flatnonzero(~done & ~failed)
        if act.size == 0:
            break
        ll, _h, scores, hess = garch11_derivatives(x[act], p[act], summed=True)
        assert scores is not None and hess is not None
        g = scores[:, 0, idx]
        neg_h = -hess[:, idx][:, :, idx]
        ok = np.isfinite(ll) & np.all(np.isfinite(neg_h), axis=(1, 2)) & np.all(np.isfinite(g), axis=1)
        ok[ok] &= np.linalg.eigvalsh(neg_h[ok])[:, 0] > 0.0
        failed[act[~ok]] = True
        act, ll, g, neg_h = act[ok], ll[ok], g[ok], neg_h[ok]
        if act.size == 0:
            continue
        step = np.linalg.solve(neg_h, g[:, :, None])[:, :, 0]
        decrement = 0.5 * np.einsum("nk,nk->n", g, step)
        t = np.ones(act.size)
        pending = np.ones(act.size, dtype=bool)
        lo, hi = lower[act][:, idx], upper[act][:, idx]
        for _halving in range(30):
            trial = p[act].copy()
            trial[:, idx] += t[:, None] * step
            inside = np.all(trial[:, idx] > lo, axis=1) & np.all(trial[:, idx] < hi, axis=1)
            inside &= trial[:, 2] + trial[:, 3] < PERSISTENCE_CAP
            # a step that leaves the interior means the optimum may be on the boundary: SLSQP decides
            bounded[act[pending & ~inside]] += 1
            cand = pending & inside
            if np.any(cand):
                ll_new = garch11_derivatives(x[act[cand]], trial[cand], order=0)[0]
                better = np.isfinite(ll_new) & (ll_new >= ll[cand] - 1e-12 * np.abs(ll[cand]))
                rows = np.flatnonzero(cand)[better]
                p[act[rows]] = trial[rows]
                pending[rows] = False
            if not np.any(pending):
                break
            t[pending] *= 0.5
        failed[act[pending]] = True
        failed[bounded > 3] = True
        # converged: the decrement was below tolerance and the full step was taken (error ~ decrement^2)
        done[act[~pending & (t == 1.0) & (decrement < _NEWTON_TOL)]] = True
    return p, done & ~failed


def hessian_from_scores(grad: Callable[[Float64Array1D], Float64Array1D], p: Float64Array1D) -> Float64Array2D:
    """Central differences of an analytic gradient, symmetrised."""
    k = p.shape[0]
    hess = np.empty((k, k))
    for j in range(k):
        step = 1e-5 * max(abs(p[j]), 1e-8)
        up = p.copy()
        dn = p.copy()
        up[j] += step
        dn[j] -= step
        hess[:, j] = (grad(up) - grad(dn)) / (2.0 * step)
    return 0.5 * (hess + hess.T)


def sandwich_se(hess: Float64Array2D, scores: Float64Array2D) -> Float64Array1D:
    """QML (Bollerslev-Wooldridge) standard errors: sqrt(diag(H^-1 B H^-1)); NaN when H is singular."""
    try:
        hinv = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full(hess.shape[0], np.nan)
    cov = hinv @ (scores.T @ scores) @ hinv
    d = np.diag(cov)
    return np.sqrt(np.where(d > 0, d, np.nan))


def numeric_scores(f: Callable[[Float64Array1D], Float64Array1D], p: Float64Array1D) -> Float64Array2D:
    """Per-observation derivatives (T, k) of a vector of log-likelihood contributions (central differences)."""
    cols = []
    for j in range(p.shape[0]):
        step = 1e-5 * max(abs(p[j]), 1e-6)
        up = p.copy()
        dn = p.copy()
        up[j] += step
        dn[j] -= step
        cols.append((f(up) - f(dn)) / (2.0 * step))
    return np.column_stack(cols)
