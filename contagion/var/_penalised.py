r"""Penalised (lasso, ridge, elastic-net) VAR kernels, batched over windows, on Gram matrices.

Each equation i of a VAR(p) is estimated by (Demirer, Diebold, Liu and Yilmaz 2018, eq. 4; Zou and
Hastie 2005)

.. math::

    \min_{\gamma_i, w_i}\ \frac{1}{2n}\lVert \tilde y_i - U\gamma_i - \tilde X w_i\rVert^2
    + \lambda_i\Bigl(\alpha\lVert w_i\rVert_1 + \frac{1-\alpha}{2}\lVert w_i\rVert_2^2\Bigr)

with U the unpenalised block (intercept and exogenous terms), :math:`\tilde X` the lag regressors and
:math:`\tilde y_i` the response, both partialled on U and scaled to unit variance (divisor n), so
:math:`\lambda` is a unit-free penalty on standardised lag coefficients; :math:`\alpha` is ``l1_ratio``
(1 lasso, 0 ridge). Partialling U out first is exact: for fixed :math:`w` the optimal :math:`\gamma` is the
OLS of the partial residual (Frisch-Waugh-Lovell), so the penalised problem in w is the one above.

Everything is computed from the Gram matrix of :math:`z_t = (U_t', X_t', y_t')'` (Schur complements give
the partialled blocks), so many rolling windows need only running cross-products. The lasso / elastic-net
solver is scikit-learn's coordinate descent on the Gram (``sklearn.linear_model.enet_path`` with
``precompute``), ridge is closed form, and penalty 0 is the least-squares solution (= OLS).

References
----------
.. [1] Demirer, M., Diebold, F. X., Liu, L. and Yilmaz, K. (2018). Estimating global bank network
   connectedness. Journal of Applied Econometrics, 33(1), 1-15.
.. [2] Zou, H. and Hastie, T. (2005). Regularization and variable selection via the elastic net. JRSS B,
   67(2), 301-320.
.. [3] Friedman, J., Hastie, T. and Tibshirani, R. (2010). Regularization paths for generalized linear
   models via coordinate descent. Journal of Statistical Software, 33(1), 1-22.
.. [4] Zou, H., Hastie, T. and Tibshirani, R. (2007). On the "degrees of freedom" of the lasso. Annals of
   Statistics, 35(5), 2173-2192.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from contagion._typing import Float64Array, Float64Array1D, Float64Array2D, Float64Array3D, IntArray
from contagion.var._ols import window_grams

__all__ = [
    "CVResult", "GramProblem", "PenalisedFit", "assemble", "bic_penalty", "cv_edges", "cv_penalty", "design_rows", "fit_rows", "fold_path", "l1_ratio_of", "lambda_grid", "penalised_var_windows", "solve_problem", "window_grams",
]

_TOL = 1e-8  # duality-gap tolerance of the final fits (relative to y'y = n; scikit-learn's default is 1e-4)
_PATH_TOL = 1e-4  # tolerance along the grids of BIC / CV (scikit-learn's default): they only rank penalties
_MAX_ITER = 10_000


def l1_ratio_of(estimator: str, l1_ratio: float) -> float:
    """The :math:`\\alpha` of an estimator: 1 for the lasso, 0 for ridge, ``l1_ratio`` for the elastic net."""
    return {"lasso": 1.0, "ridge": 0.0}.get(estimator, float(l1_ratio))


# --------------------------------------------------------------------------------------- Gram matrices
def design_rows(y: Float64Array2D, n_lags: int, unpen: Float64Array2D) -> Float64Array2D:
    """Rows :math:`z_t = (U_t', y_{t-1}', \\dots, y_{t-p}', y_t')'`, t = p..T-1; ``unpen`` (T, u) is U."""
    n_obs = y.shape[0]
    lags = [y[n_lags - lag : n_obs - lag] for lag in range(1, n_lags + 1)]
    return np.ascontiguousarray(np.column_stack([unpen[n_lags:], *lags, y[n_lags:]]))


@dataclass(frozen=True)
class GramProblem:
    """The standardised penalised problems of a batch of windows (all N equations share Q)."""

    n_rows: int
    q_mat: Float64Array3D  # (W, K, K) correlation matrix of the partialled lags, Q = X~'X~ / n
    q_vec: Float64Array3D  # (W, K, N) X~'y~_i / n
    sx: Float64Array2D  # (W, K) s.d. of the partialled lag regressors
    sy: Float64Array2D  # (W, N) s.d. of the partialled responses
    a_lag: Float64Array3D  # (W, u, K) G_UU^{-1} G_UL
    a_resp: Float64Array3D  # (W, u, N) G_UU^{-1} G_UY
    s_ll: Float64Array3D  # (W, K, K) partialled cross-products (unscaled)
    s_ly: Float64Array3D  # (W, K, N)
    s_yy: Float64Array3D  # (W, N, N)

    @classmethod
    def from_grams(cls, gram: Float64Array3D, n_rows: int, n_unpen: int, n_lagcols: int) -> GramProblem:
        """Schur complements of the U block, then unit-variance scaling (divisor ``n_rows``)."""
        u, k = n_unpen, n_lagcols
        g_ll, g_ly, g_yy = gram[:, u : u + k, u : u + k], gram[:, u : u + k, u + k :], gram[:, u + k :, u + k :]
        if u:
            sol = np.asarray(np.linalg.solve(gram[:, :u, :u], gram[:, :u, u:]), dtype=np.float64)
            a_lag, a_resp = sol[:, :, :k], sol[:, :, k:]
            s_ll = g_ll - np.swapaxes(gram[:, :u, u : u + k], 1, 2) @ a_lag
            s_ly = g_ly - np.swapaxes(gram[:, :u, u : u + k], 1, 2) @ a_resp
            s_yy = g_yy - np.swapaxes(gram[:, :u, u + k :], 1, 2) @ a_resp
        else:
            a_lag = np.zeros((gram.shape[0], 0, k))
            a_resp = np.zeros((gram.shape[0], 0, gram.shape[1] - k))
            s_ll, s_ly, s_yy = g_ll.copy(), g_ly.copy(), g_yy.copy()
        s_ll = np.asarray(0.5 * (s_ll + np.swapaxes(s_ll, 1, 2)), dtype=np.float64)
        s_yy = np.asarray(0.5 * (s_yy + np.swapaxes(s_yy, 1, 2)), dtype=np.float64)
        sx = np.sqrt(np.maximum(np.diagonal(s_ll, axis1=1, axis2=2), 0.0) / n_rows)
        sy = np.sqrt(np.maximum(np.diagonal(s_yy, axis1=1, axis2=2), 0.0) / n_rows)
        sx_safe = np.where(sx > 0, sx, 1.0)
        sy_safe = np.where(sy > 0, sy, 1.0)
        q_mat = s_ll / (n_rows * sx_safe[:, :, None] * sx_safe[:, None, :])
        q_vec = s_ly / (n_rows * sx_safe[:, :, None] * sy_safe[:, None, :])
        return cls(n_rows, q_mat, q_vec, sx_safe, sy_safe, a_lag, a_resp, s_ll, np.asarray(s_ly, dtype=np.float64), s_yy)

    def unstandardise(self, w: Float64Array3D) -> tuple[Float64Array3D, Float64Array3D, Float64Array3D]:
        """Standardised w (W, K, N) -> slopes b (W, K, N), unpenalised coefs (W, u, N), SSE (W, N, N)."""
        b = w * self.sy[:, None, :] / self.sx[:, :, None]
        gamma = self.a_resp - self.a_lag @ b
        cross = np.swapaxes(self.s_ly, 1, 2) @ b
        sse = self.s_yy - cross - np.swapaxes(cross, 1, 2) + np.swapaxes(b, 1, 2) @ self.s_ll @ b
        return b, gamma, 0.5 * (sse + np.swapaxes(sse, 1, 2))


# ------------------------------------------------------------------------------------------- solvers
def _enet(
    q_mat: Float64Array2D, q_vec: Float64Array1D, n: int, alphas: Float64Array1D, l1: float, tol: float = _TOL,
    init: Float64Array1D | None = None,
) -> Float64Array2D:
    """scikit-learn coordinate descent on the Gram for a decreasing grid ``alphas``; returns (K, L).

    ``enet_path`` only reads the number of rows of X and the norm of y when the Gram (``precompute``)
    and X'y are given, so X and y are zero-cost stand-ins with those properties (y'y = n: the response
    has unit variance). ``init`` warm-starts the descent (the previous window's solution).
    """
    from sklearn.linear_model import enet_path

    k = q_mat.shape[0]
    x_stub = np.broadcast_to(np.zeros(1), (n, k))
    y_stub = np.ones(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at tiny penalties: the tolerance is strict
        _, coefs, _ = enet_path(
            x_stub, y_stub, l1_ratio=l1, alphas=alphas, precompute=np.ascontiguousarray(n * q_mat),
            Xy=np.ascontiguousarray(n * q_vec), check_input=False, tol=tol, max_iter=_MAX_ITER, coef_init=init,
        )
    return np.asarray(coefs, dtype=np.float64)


def _ridge_path(q_mat: Float64Array2D, q_vec: Float64Array2D, lams: Float64Array2D) -> tuple[Float64Array, Float64Array]:
    """Ridge solutions w(λ) = V (D + λ)^{-1} V'q for (N, L) penalties; returns w (N, L, K), df (N, L)."""
    d, v = np.linalg.eigh(q_mat)
    d = np.maximum(d, 0.0)
    proj = v.T @ q_vec  # (K, N)
    inv = 1.0 / (d[None, None, :] + lams[:, :, None])  # (N, L, K)
    w = np.einsum("kj,nlj,jn->nlk", v, inv, proj)
    df = (d[None, None, :] * inv).sum(axis=-1)
    return w, df


def solve_problem(prob: GramProblem, lam: Float64Array2D, l1: float) -> Float64Array3D:
    """Standardised coefficients w (W, K, N) at penalties ``lam`` (W, N); λ = 0 gives least squares."""
    n_win, k, n_eq = prob.q_vec.shape
    w = np.zeros((n_win, n_eq, k))
    zero = lam == 0.0
    if zero.any():
        ls = np.linalg.solve(prob.q_mat, prob.q_vec)
        w[zero] = np.swapaxes(ls, 1, 2)[zero]
    for win in range(n_win):
        todo = np.flatnonzero(~zero[win])
        if todo.size == 0:
            continue
        if l1 == 0.0:
            sol, _ = _ridge_path(prob.q_mat[win], prob.q_vec[win][:, todo], lam[win, todo][:, None])
            w[win, todo] = sol[:, 0, :]
            continue
        for i in todo:
            init = w[win - 1, i].copy() if win and not zero[win - 1, i] else None  # neighbouring windows: close optima
            w[win, i] = _enet(prob.q_mat[win], prob.q_vec[win, :, i], prob.n_rows, lam[win, i : i + 1], l1, init=init)[:, 0]
    return np.ascontiguousarray(np.swapaxes(w, 1, 2))


def lambda_grid(q_vec: Float64Array2D, n_rows: int, l1: float, n_penalties: int) -> Float64Array2D:
    """Per-equation decreasing grids (N, L): λ_max = max_j |x~_j'y~_i| / max(α, 1e-3) (the smallest λ that
    sets every lasso coefficient to zero; glmnet's rule for ridge), down to 1e-3 λ_max (scikit-learn's
    ``eps``; 1e-2 when n <= 2K), log-spaced."""
    k = q_vec.shape[0]
    lam_max = np.abs(q_vec).max(axis=0) / max(l1, 1e-3)
    lam_max = np.where(lam_max > 0, lam_max, 1.0)
    ratio = 1e-3 if n_rows > 2 * k else 1e-2
    return lam_max[:, None] * np.geomspace(1.0, ratio, n_penalties)[None, :]


def _path(prob: GramProblem, win: int, grid: Float64Array2D, l1: float) -> tuple[Float64Array, Float64Array]:
    """Standardised path of every equation of window ``win``: w (N, L, K) and degrees of freedom (N, L).

    df: nonzero coefficients for the lasso and elastic net (Zou, Hastie and Tibshirani 2007), the
    effective :math:`\\mathrm{tr}\\,Q(Q + \\lambda I)^{-1}` for ridge (every ridge coefficient is nonzero).
    """
    if l1 == 0.0:
        return _ridge_path(prob.q_mat[win], prob.q_vec[win], grid)
    n_eq, n_l = grid.shape
    w = np.empty((n_eq, n_l, prob.q_mat.shape[1]))
    for i in range(n_eq):
        w[i] = _enet(prob.q_mat[win], prob.q_vec[win, :, i], prob.n_rows, grid[i], l1, _PATH_TOL).T
    return w, (w != 0.0).sum(axis=-1).astype(np.float64)


def bic_penalty(prob: GramProblem, l1: float, n_penalties: int, n_unpen: int) -> tuple[Float64Array2D, list[Float64Array]]:
    r"""Per window and equation, the λ of the grid minimising
    :math:`\mathrm{BIC}_i(\lambda) = n \ln(\mathrm{SSE}_i/n) + \ln(n)\,(\mathrm{df}_i(\lambda) + u)`.

    Returns the chosen penalties (W, N) and, per window, the criterion on the grid (N, L, 3): λ, BIC, df.
    """
    n = prob.n_rows
    lam = np.empty(prob.sy.shape)
    tables = []
    for win in range(prob.q_mat.shape[0]):
        grid = lambda_grid(prob.q_vec[win], n, l1, n_penalties)
        w, df = _path(prob, win, grid, l1)
        q_w = np.einsum("nlk,kn->nl", w, prob.q_vec[win])
        wqw = np.einsum("nlk,kj,nlj->nl", w, prob.q_mat[win], w)
        sse_std = np.maximum(1.0 - 2.0 * q_w + wqw, 1e-300)  # SSE / (n sy^2)
        bic = n * np.log(sse_std * prob.sy[win][:, None] ** 2) + np.log(n) * (df + n_unpen)
        best = np.argmin(bic, axis=1)
        lam[win] = grid[np.arange(grid.shape[0]), best]
        tables.append(np.stack([grid, bic, df], axis=-1))
    return lam, tables


# ------------------------------------------------------------------------------- cross-validation
def cv_edges(n_rows: int, n_folds: int) -> list[tuple[int, int]]:
    """(origin, end) of each fold: train on rows [0, origin), forecast rows [origin, end) one step ahead.

    The rows are cut into ``n_folds + 1`` consecutive blocks of ``n_rows // (n_folds + 1)`` rows (the first
    block takes the remainder); fold j trains on blocks 0..j (an expanding window) and forecasts block j + 1.
    """
    block = n_rows // (n_folds + 1)
    first = n_rows - n_folds * block
    return [(first + j * block, first + (j + 1) * block) for j in range(n_folds)]


def fold_path(
    z: Float64Array2D, origin: int, n_unpen: int, n_lagcols: int, grid: Float64Array2D, l1: float
) -> tuple[Float64Array, Float64Array]:
    """Training fit of one fold on rows [0, origin) of ``z`` for every λ of ``grid`` (N, L).

    Returns slopes b (N, L, K) and unpenalised coefficients (N, L, u), on the original scale. Only rows
    before ``origin`` are read (no look-ahead).
    """
    train = z[:origin]
    prob = GramProblem.from_grams(np.einsum("ti,tj->ij", train, train)[None], origin, n_unpen, n_lagcols)
    w, _ = _path(prob, 0, grid, l1)
    b = w * prob.sy[0][:, None, None] / prob.sx[0][None, None, :]
    gamma = prob.a_resp[0].T[:, None, :] - np.einsum("uk,nlk->nlu", prob.a_lag[0], b)
    return b, gamma


@dataclass(frozen=True)
class CVResult:
    """Rolling-origin cross-validation of one sample: chosen λ (N,), grid (N, L), fold MSE (folds, N, L)."""

    penalty: Float64Array1D
    grid: Float64Array2D
    mse: Float64Array3D
    edges: tuple[tuple[int, int], ...]


def cv_penalty(
    z: Float64Array2D, n_unpen: int, n_lagcols: int, grid: Float64Array2D, l1: float, n_folds: int
) -> CVResult:
    r"""Time-series cross-validation with a rolling origin and an expanding training window.

    For each fold (:func:`cv_edges`) the equations are fitted on the rows before the origin for every λ
    of ``grid`` (:func:`fold_path`), and the next block is forecast one step ahead with the observed
    lags; λ_i minimises the mean squared forecast error of equation i summed over the folds.
    """
    k = n_lagcols
    n_eq = z.shape[1] - n_unpen - k
    edges = cv_edges(z.shape[0], n_folds)
    mse = np.empty((n_folds, n_eq, grid.shape[1]))
    for j, (origin, end) in enumerate(edges):
        b, gamma = fold_path(z, origin, n_unpen, k, grid, l1)
        test = z[origin:end]
        pred = np.einsum("tu,nlu->tnl", test[:, :n_unpen], gamma) + np.einsum("tk,nlk->tnl", test[:, n_unpen : n_unpen + k], b)
        err = test[:, n_unpen + k :, None] - pred
        mse[j] = (err**2).mean(axis=0)
    best = np.argmin(mse.sum(axis=0), axis=1)
    return CVResult(grid[np.arange(n_eq), best], grid, mse, tuple(edges))


# -------------------------------------------------------------------------------------- entry points
@dataclass(frozen=True)
class PenalisedFit:
    """Penalised VAR fits of W samples (windows); every array has the leading window axis."""

    coefs: Float64Array  # (W, p, N, N), coefs[w, l - 1] = Phi_l
    intercept: Float64Array2D  # (W, N)
    exog_coefs: Float64Array3D  # (W, N, k); k = 0 without exogenous terms
    sigma: Float64Array3D  # (W, N, N), ML residual covariance E'E / n (n regression rows per window)
    penalty: Float64Array2D  # (W, N) penalty λ_i used, standardised units
    n_nonzero: IntArray  # (W,) nonzero lag coefficients
    criterion: tuple[Float64Array, ...] = ()  # per window: BIC table (N, L, 3) or CV fold MSE (folds, N, L)
    grid: tuple[Float64Array, ...] = ()  # per window: the λ grid (N, L) of the criterion


def fit_rows(
    z: Float64Array2D, n_rows: int, starts: IntArray, n_unpen: int, n_lags: int, n_vars: int,
    l1: float, penalty: float | str, n_penalties: int, n_folds: int,
) -> tuple[Float64Array3D, Float64Array3D, Float64Array3D, Float64Array2D, tuple[Float64Array, ...], tuple[Float64Array, ...]]:
    """Penalised fits of the windows ``z[s : s + n_rows]``: slopes b (W, K, N), unpenalised (W, u, N),
    SSE (W, N, N), λ (W, N), criterion tables and grids."""
    k = n_vars * n_lags
    prob = GramProblem.from_grams(window_grams(z, n_rows, starts), n_rows, n_unpen, k)
    crit: tuple[Float64Array, ...] = ()
    grids: tuple[Float64Array, ...] = ()
    if isinstance(penalty, str) and penalty == "bic":
        lam, tables = bic_penalty(prob, l1, n_penalties, n_unpen)
        crit, grids = tuple(t[..., 1:] for t in tables), tuple(t[..., 0] for t in tables)
    elif isinstance(penalty, str):  # "cv"
        lam = np.empty((len(starts), n_vars))
        results = []
        for w, s in enumerate(starts):
            grid = lambda_grid(prob.q_vec[w], n_rows, l1, n_penalties)
            res = cv_penalty(z[s : s + n_rows], n_unpen, k, grid, l1, n_folds)
            lam[w] = res.penalty
            results.append(res)
        crit, grids = tuple(r.mse for r in results), tuple(r.grid for r in results)
    else:
        lam = np.full((len(starts), n_vars), float(penalty))
    b, gamma, sse = prob.unstandardise(solve_problem(prob, lam, l1))
    return b, gamma, sse, lam, crit, grids


def penalised_var_windows(
    y: Float64Array2D, n_lags: int, window: int, starts: IntArray, estimator: str, penalty: float | str,
    l1_ratio: float = 0.5, *, n_penalties: int = 50, n_folds: int = 5,
) -> PenalisedFit:
    r"""Penalised VAR(p) with intercept on many windows (Demirer, Diebold, Liu and Yilmaz 2018).

    Window w holds data rows ``starts[w] .. starts[w] + window - 1`` (``window`` rows including the p lag
    rows, as :func:`contagion.spillover._kernels.rolling_var_ols`). The Gram matrices of all windows come
    from running cross-products of the (globally demeaned) design; each equation of each window is solved
    by scikit-learn's coordinate descent on its standardised Gram (ridge: closed form; λ = 0: least
    squares, equal to OLS).

    Parameters
    ----------
    y : ndarray of shape (T, N)
    n_lags, window : int
    starts : ndarray of int, shape (W,)
        Increasing window starts; equal steps use the running update.
    estimator : {"lasso", "ridge", "elastic_net"}
    penalty : float >= 0 or {"bic", "cv"}
        One λ for every window and equation (standardised units), or chosen per window and equation by BIC
        over a grid of ``n_penalties`` values, or by rolling-origin cross-validation (``n_folds`` folds)
        inside each window.
    l1_ratio : float in (0, 1]
        The elastic-net :math:`\alpha` (ignored by "lasso" = 1 and "ridge" = 0).

    Returns
    -------
    PenalisedFit
        ``coefs`` (W, p, N, N), ``sigma`` (W, N, N) = E'E / (window - p), ``intercept``, ``penalty``
        (W, N), ``n_nonzero`` (W,).
    """
    n_vars = y.shape[1]
    mean = y.mean(axis=0)
    z = design_rows(y - mean, n_lags, np.ones((y.shape[0], 1)))
    starts = np.asarray(starts, dtype=np.int64)
    b, gamma, sse, lam, crit, grids = fit_rows(
        z, window - n_lags, starts, 1, n_lags, n_vars, l1_ratio_of(estimator, l1_ratio), penalty, n_penalties, n_folds
    )
    return assemble(b, gamma, sse / float(window - n_lags), lam, n_lags, mean, crit, grids)


def assemble(
    b: Float64Array3D, gamma: Float64Array3D, sigma: Float64Array3D, lam: Float64Array2D, n_lags: int,
    mean: Float64Array1D | None, crit: tuple[Float64Array, ...], grids: tuple[Float64Array, ...],
) -> PenalisedFit:
    """Slopes and unpenalised coefficients -> :class:`PenalisedFit`. With ``mean`` (the data were demeaned
    by it and U starts with the constant) the intercept is :math:`\\gamma_0 + (I - \\sum_l \\Phi_l)\\mu`."""
    n_vars = b.shape[-1]
    coefs = np.ascontiguousarray(np.swapaxes(b.reshape(b.shape[0], n_lags, n_vars, n_vars), -1, -2))
    if mean is None:
        intercept = np.zeros((b.shape[0], n_vars))
        exog = np.swapaxes(gamma, 1, 2)
    else:
        intercept = gamma[:, 0, :] + mean - np.einsum("wij,j->wi", coefs.sum(axis=1), mean)
        exog = np.swapaxes(gamma[:, 1:, :], 1, 2)
    n_nonzero = np.count_nonzero(coefs.reshape(coefs.shape[0], -1), axis=1).astype(np.int64)
    return PenalisedFit(coefs, intercept, np.ascontiguousarray(exog), sigma, lam, n_nonzero, crit, grids)
