r"""Univariate GARCH margins for the first stage of DCC-GARCH.

Two objectives, chosen by the specification (documented in ``docs/dcc.md``):

* ``volatility="garch"``, ``dist="normal"``, ``mean`` in ``{"constant", "zero"}`` -- **rugarch's objective**,
  implemented here as a small vectorised Gaussian GARCH(1,1) likelihood so that the DCC fit reproduces
  rmgarch (docs/conventions.md, "rugarch and rmgarch conventions (GARCH-DCC)"):

  .. math::

      \varepsilon_t = x_t - \mu, \qquad h_1 = T^{-1}\sum_{s=1}^T \varepsilon_s^2, \qquad
      h_t = \omega + \alpha \varepsilon_{t-1}^2 + \beta h_{t-1}\ (t \ge 2),

  :math:`\ell = -\tfrac12 \sum_t (\log 2\pi + \log h_t + \varepsilon_t^2 / h_t)`, with :math:`h_1` recomputed
  from the *current* :math:`\mu` inside the objective, bounds :math:`\omega > 0`, :math:`\alpha, \beta \ge 0`
  and rugarch's persistence cap :math:`\alpha + \beta \le 0.999`. Several starting values are tried; the best
  optimum is kept and the winning start recorded. The recursion is a first-order linear filter along time
  (:func:`contagion.dcc._filter_kernels.ar1_filter`); the gradient and Hessian are analytic (the derivatives
  obey the same filter, :func:`garch11_derivatives`), so :func:`fit_margins` refines all assets at once by
  Newton and leaves only boundary optima to SLSQP one asset at a time.
* every other specification (``gjr``, ``egarch``, ``t``, ``skewt``, ``ar1`` means) -- **arch's objective**
  (``arch.arch_model(...).fit``), with the backcast fixed at the sample variance of the demeaned data (the
  analogue of rugarch's rule, fixed before optimisation as arch requires), arch's default start plus
  alternative starts, keeping the best.

References
----------
.. [1] Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. Journal of
   Econometrics, 31(3), 307-327, eq. (1)-(2).
.. [2] Ghalanos, A. (2024). rugarch: Univariate GARCH models. R package version 1.5.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import optimize

from contagion._typing import BoolArray, Float64Array1D, Float64Array2D
from contagion.dcc._margin_kernels import (
    PERSISTENCE_CAP,
    garch11_derivatives,
    garch11_filter,
    hessian_from_scores,
    numeric_scores,
    sandwich_se,
)
from contagion.dcc._margin_kernels import newton_batch as _newton_batch  # looked up here: tests replace it
from contagion.errors import ConvergenceWarning, EstimationError

__all__ = [
    "PERSISTENCE_CAP", "MarginFit", "fit_margin", "fit_margins", "garch11_derivatives", "garch11_filter",
    "uses_rugarch_objective",
]

logger = logging.getLogger(__name__)

#: rugarch's default starting value (alpha1, beta1); the best point of a variance-targeted grid is tried too
RUGARCH_DEFAULT_START: tuple[float, float] = (0.05, 0.90)


@dataclass(frozen=True, kw_only=True)
class MarginFit:
    """One asset's fitted univariate model.

    ``resid`` and ``variance`` cover the usable sample (for ``mean="ar1"`` the first observation is lost, and
    ``first`` is 1). ``zfunc(params)`` recomputes ``(z, loglik_t)`` at other parameter values on the same
    sample: the DCC standard errors differentiate through it (Engle & Sheppard 2001).
    """

    name: str
    engine: str  # "rugarch" or "arch"
    mean: str
    volatility: str
    dist: str
    param_names: tuple[str, ...]
    params: Float64Array1D
    std_errors: Float64Array1D
    scores: Float64Array2D  # (T_used, k) per-observation scores at the optimum (NaN when fitted without SEs)
    hessian: Float64Array2D  # (k, k) Hessian of the total log-likelihood (NaN when fitted without SEs)
    loglik: float
    resid: Float64Array1D
    variance: Float64Array1D
    first: int
    start: str
    converged: bool
    zfunc: Callable[[Float64Array1D], tuple[Float64Array1D, Float64Array1D]] = field(repr=False)
    #: the same recursion constants as the state needs: mu, omega, alpha, gamma, beta
    recursion: dict[str, float]
    backcast: float


def uses_rugarch_objective(mean: str, volatility: str, dist: str) -> bool:
    """Whether the margin is fitted with rugarch's objective (see the module docstring)."""
    return volatility == "garch" and dist == "normal" and mean in ("constant", "zero")


def _rugarch_grid() -> list[tuple[float, float]]:
    """Starting values (alpha, beta): rugarch's default, then a variance-targeted grid."""
    return [RUGARCH_DEFAULT_START] + [(a0, p0 - a0) for p0 in (0.80, 0.90, 0.95, 0.98, 0.995)
                                      for a0 in (0.02, 0.05, 0.10, 0.20) if p0 - a0 > 0.0]


def _grid_logliks(xt: Float64Array2D, mean0: Float64Array1D, var: Float64Array1D) -> Float64Array2D:
    """Log-likelihood of every asset (rows of ``xt``) at every :func:`_rugarch_grid` start, variance-targeted
    (omega = var (1 - alpha - beta)), shape (n_grid, n_assets); -inf where it is not finite."""
    grid = _rugarch_grid()
    n_assets = xt.shape[0]
    gll = np.empty((len(grid), n_assets))
    for gi, (a0, b0) in enumerate(grid):
        p = np.column_stack([mean0, var * (1.0 - a0 - b0), np.full(n_assets, a0), np.full(n_assets, b0)])
        gll[gi] = garch11_derivatives(xt, p, order=0)[0]
    return np.where(np.isfinite(gll), gll, -np.inf)


def _start_label(gi: int, grid: list[tuple[float, float]]) -> str:
    a0, b0 = grid[gi]
    return f"alpha={a0:g},beta={b0:g} ({'rugarch default' if gi == 0 else 'grid'})"


def _is_interior(alpha: Float64Array1D | float, beta: Float64Array1D | float) -> BoolArray | bool:
    """An optimum away from alpha = 0 and the persistence cap (where spurious local optima live); elementwise
    for arrays."""
    return (alpha > 1e-4) & (alpha + beta < PERSISTENCE_CAP - 1e-6)


def _fit_rugarch(x: Float64Array1D, name: str, mean: str, se: bool) -> MarginFit:
    has_mu = mean == "constant"
    sd = float(np.std(x))
    var = sd * sd
    mean0 = float(np.mean(x)) if has_mu else 0.0
    n = x.shape[0]
    # optimise theta = (m, w, alpha, beta) with mu = m sd, omega = w var (all O(1))
    conv = np.array([sd, var, 1.0, 1.0]) if has_mu else np.array([var, 1.0, 1.0])

    def unpack(theta: Float64Array1D) -> tuple[float, float, float, float]:
        nat = theta * conv
        if has_mu:
            return float(nat[0]), float(nat[1]), float(nat[2]), float(nat[3])
        return 0.0, float(nat[0]), float(nat[1]), float(nat[2])

    free = [0, 1, 2, 3] if has_mu else [1, 2, 3]
    x2 = x[None, :]

    def objective(theta: Float64Array1D) -> tuple[float, Float64Array1D]:
        mu, om, al, be = unpack(theta)
        if om <= 0.0 or al < 0.0 or be < 0.0:
            return 1e10, np.zeros_like(theta)
        ll, _h, s, _ = garch11_derivatives(x2, np.array([[mu, om, al, be]]), order=1, summed=True)
        assert s is not None
        return float(-ll[0] / n), -(s[0, 0, free] * conv) / n

    bounds = ([(-5.0, 5.0)] if has_mu else []) + [(1e-10, 1.0), (0.0, 1.0), (0.0, 1.0)]
    k = len(bounds)
    cap_row = np.zeros(k)
    cap_row[-2:] = -1.0
    constraint = {"type": "ineq", "fun": lambda th: PERSISTENCE_CAP - th[-1] - th[-2],
                  "jac": lambda th: cap_row.copy()}
    # Several starting values (docs/conventions.md, "Starting values of the GARCH first stage": rugarch's
    # default start can stop in a poor local optimum on exchange-calendar crypto data): rugarch's default and
    # a variance-targeted (alpha, beta) grid are screened by their likelihood; the best is refined. If that optimum sits on a boundary (alpha ~ 0 or the
    # persistence cap), where spurious local optima live, the next two starts are refined too; the best wins.
    grid = _rugarch_grid()
    gll = _grid_logliks(x[None, :], np.array([mean0]), np.array([var]))[:, 0]
    order = [int(i) for i in np.argsort(-gll, kind="stable")]
    best: tuple[float, Float64Array1D, str, bool] | None = None
    for rank, gi in enumerate(order[:3]):
        a0, b0 = grid[gi]
        theta0 = np.array(([mean0 / sd] if has_mu else []) + [max(1.0 - a0 - b0, 1e-4), a0, b0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = optimize.minimize(objective, theta0, jac=True, method="SLSQP", bounds=bounds,
                                    constraints=[constraint], options={"ftol": 1e-13, "maxiter": 500})
        if np.all(np.isfinite(res.x)):
            f = objective(res.x)[0]
            if best is None or f < best[0] - 1e-12:
                best = (f, res.x.copy(), _start_label(gi, grid), bool(res.success))
        if rank == 0 and best is not None and bool(_is_interior(best[1][-2], best[1][-1])):
            break  # interior optimum from the best start: done
    if best is None:
        raise EstimationError(f"GARCH(1,1) first stage failed for {name}: no starting value gave a finite "
                              "likelihood. Check the series for outliers or constant stretches.")
    _, theta, label, ok = best
    mu, om, al, be = unpack(theta)
    return _rugarch_margin(x, name, mean, np.array([mu, om, al, be]), label, ok, se)


def _rugarch_margin(
    x: Float64Array1D, name: str, mean: str, p: Float64Array1D, label: str, ok: bool, se: bool,
    derivs: tuple[float, Float64Array1D, Float64Array2D | None, Float64Array2D | None] | None = None,
) -> MarginFit:
    """The MarginFit at the optimum ``p = (mu, omega, alpha, beta)``: scores, analytic Hessian, sandwich SEs.

    ``derivs``: ``(loglik, h, scores (T, 4), hessian (4, 4))`` at ``p`` when the caller has them
    (:func:`garch11_derivatives`; scores and Hessian may be None when ``se`` is False); computed here otherwise.
    Without ``se`` the scores and Hessian are not computed (NaN): only the standard errors use them.
    """
    has_mu = mean == "constant"
    mu, om, al, be = (float(v) for v in p)
    names = (("mu",) if has_mu else ()) + ("omega", "alpha", "beta")
    free = [0, 1, 2, 3] if has_mu else [1, 2, 3]
    params = p[free].astype(float)
    if derivs is None or (se and (derivs[2] is None or derivs[3] is None)):
        ll1, h1, s1, hs1 = garch11_derivatives(x[None, :], p[None, :], order=2 if se else 0)
        derivs = (float(ll1[0]), h1[0], None if s1 is None else s1[0], None if hs1 is None else hs1[0])
    loglik, h, scores4, hess4 = derivs
    if se:
        assert scores4 is not None and hess4 is not None
        scores = np.ascontiguousarray(scores4[:, free])
        hess = hess4[np.ix_(free, free)]
        std = sandwich_se(hess, scores)
    else:
        scores = np.full((x.shape[0], len(names)), np.nan)
        hess = np.full((len(names), len(names)), np.nan)
        std = np.full(len(names), np.nan)

    def zfunc(q: Float64Array1D) -> tuple[Float64Array1D, Float64Array1D]:
        m, o, a, b = (q[0], q[1], q[2], q[3]) if has_mu else (0.0, q[0], q[1], q[2])
        hh, lt = garch11_filter(x, float(m), float(o), float(a), float(b))
        return (x - m) / np.sqrt(hh), lt

    if not ok:
        warnings.warn(f"GARCH(1,1) first stage for {name}: the optimiser did not report convergence "
                      f"(best start {label}); estimates may be imprecise.", ConvergenceWarning, stacklevel=6)
    return MarginFit(
        name=name, engine="rugarch", mean=mean, volatility="garch", dist="normal", param_names=names,
        params=params, std_errors=std, scores=scores, hessian=hess, loglik=loglik, resid=x - mu,
        variance=h, first=0, start=label, converged=ok, zfunc=zfunc,
        recursion={"mu": mu, "omega": om, "alpha": al, "gamma": 0.0, "beta": be},
        backcast=float(np.mean((x - mu) ** 2)),
    )


def _fit_arch(x: Float64Array1D, name: str, mean: str, volatility: str, dist: str, se: bool) -> MarginFit:
    from arch import arch_model  # heavy import, only needed for non-default specifications

    mean_options: dict[str, dict[str, Any]] = {"constant": {"mean": "Constant"}, "zero": {"mean": "Zero"},
                                               "ar1": {"mean": "AR", "lags": 1}}
    vol_options: dict[str, dict[str, Any]] = {"garch": {"vol": "GARCH", "p": 1, "q": 1},
                                              "gjr": {"vol": "GARCH", "p": 1, "o": 1, "q": 1},
                                              "egarch": {"vol": "EGARCH", "p": 1, "o": 1, "q": 1}}
    dist_names: dict[str, Literal["normal", "studentst", "skewt"]] = {"normal": "normal", "t": "studentst",
                                                                      "skewt": "skewt"}
    dist_name = dist_names[dist]
    model = arch_model(x, **mean_options[mean], **vol_options[volatility], dist=dist_name, rescale=False)
    first = 1 if mean == "ar1" else 0
    xm = x[first:]
    backcast = float(np.mean((xm - xm.mean()) ** 2))
    vol = model.volatility
    km = model.num_params
    kv = vol.num_params
    candidates: list[tuple[float, Any, str]] = []
    sv_default = None
    for label in ("arch-default", "alpha=0.10,beta=0.80", "alpha=0.03,beta=0.95"):
        sv = None
        if label != "arch-default":
            if sv_default is None:
                continue
            a0, b0 = (0.10, 0.80) if "0.10" in label else (0.03, 0.95)
            sv = np.array(sv_default, dtype=float)
            if volatility == "egarch":
                sv[km:km + kv] = [np.log(backcast) * (1 - b0), a0 * 2, 0.0, b0]
            elif volatility == "gjr":
                sv[km:km + kv] = [backcast * (1 - a0 - b0), a0, 0.0, b0]
            else:
                sv[km:km + kv] = [backcast * (1 - a0 - b0), a0, b0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = model.fit(disp="off", backcast=backcast, starting_values=sv, show_warning=False)
            except Exception as exc:  # arch raises several types on failed optimisations
                logger.debug("arch fit for %s from %s failed: %s", name, label, exc)
                continue
        if sv_default is None:
            sv_default = np.asarray(res.params, dtype=float)
        if np.isfinite(res.loglikelihood):
            candidates.append((float(res.loglikelihood), res, label))
    if not candidates:
        raise EstimationError(f"first stage ({volatility}/{dist}/{mean}) failed for {name}: arch could not "
                              "fit the series from any starting value. Check it for outliers.")
    _, res, label = max(candidates, key=lambda c: c[0])
    params = np.asarray(res.params, dtype=float)
    names = tuple(str(s) for s in res.params.index)
    ok = int(res.convergence_flag) == 0
    bc = vol.backcast_transform(backcast)
    dist_obj = model.distribution

    def loglik_vec(p: Float64Array1D) -> tuple[Float64Array1D, Float64Array1D, Float64Array1D]:
        resids = np.asarray(model.resids(p[:km]), dtype=float)
        sigma2 = np.zeros(resids.shape[0])
        vol.compute_variance(p[km:km + kv], resids, sigma2, bc, vol.variance_bounds(resids))
        ll = np.asarray(dist_obj.loglikelihood(p[km + kv:], resids, sigma2, individual=True), dtype=float)
        return resids, sigma2, ll

    resids, sigma2, ll = loglik_vec(params)
    k = params.shape[0]
    if se:
        scores = numeric_scores(lambda p: loglik_vec(p)[2], params)
        hess = hessian_from_scores(lambda p: numeric_scores(lambda q: loglik_vec(q)[2], p).sum(axis=0),
                                    params)
        std = sandwich_se(hess, scores)
    else:
        scores = np.full((resids.shape[0], k), np.nan)
        hess = np.full((k, k), np.nan)
        std = np.full(k, np.nan)

    def zfunc(p: Float64Array1D) -> tuple[Float64Array1D, Float64Array1D]:
        r, s2, lt = loglik_vec(p)
        return r / np.sqrt(s2), lt

    pm = dict(zip(names, params, strict=True))
    if mean == "constant":
        mu = pm["mu"]
    elif mean == "ar1":
        mu = pm["Const"]
    else:
        mu = 0.0
    rec = {"mu": float(mu), "omega": float(pm["omega"]), "alpha": float(pm.get("alpha[1]", 0.0)),
           "gamma": float(pm.get("gamma[1]", 0.0)), "beta": float(pm.get("beta[1]", 0.0))}
    if mean == "ar1":
        rec["phi"] = float(pm[names[1]])
    if not ok:
        warnings.warn(f"first stage ({volatility}) for {name}: arch's optimiser did not converge "
                      f"(best start {label}).", ConvergenceWarning, stacklevel=5)
    return MarginFit(
        name=name, engine="arch", mean=mean, volatility=volatility, dist=dist, param_names=names,
        params=params, std_errors=std, scores=scores, hessian=hess, loglik=float(ll.sum()), resid=resids,
        variance=sigma2, first=first, start=label, converged=ok, zfunc=zfunc, recursion=rec,
        backcast=float(backcast),
    )


def fit_margin(
    x: Float64Array1D, name: str, *, mean: str, volatility: str, dist: str, se: bool = True
) -> MarginFit:
    """Fit one asset's first-stage model with the objective the specification calls for.

    Parameters
    ----------
    x : ndarray of shape (n_obs,)
        One asset's (possibly rescaled) returns, finite.
    name : str
        Asset label, used in messages.
    mean, volatility, dist : str
        The DCCGARCH options.

    Returns
    -------
    MarginFit

    Raises
    ------
    EstimationError
        When no starting value yields a finite likelihood (names the asset and the stage).
    """
    if uses_rugarch_objective(mean, volatility, dist):
        return _fit_rugarch(np.ascontiguousarray(x, dtype=float), name, mean, se)
    return _fit_arch(np.ascontiguousarray(x, dtype=float), name, mean, volatility, dist, se)


def _fit_rugarch_batch(x: Float64Array2D, names: tuple[str, ...], mean: str, se: bool) -> list[MarginFit | None]:
    """Every asset's rugarch-objective margin at once (x: n_obs x n_assets); None where SLSQP must decide.

    The same starting-value grid as :func:`_fit_rugarch` is screened for all assets together
    (:func:`_grid_logliks`: one filter call per grid point), then Newton with the analytic Hessian
    (:func:`garch11_derivatives`) refines every asset's best start at once. An asset whose Newton path reaches the interior optimum gets the same
    estimate SLSQP would (to ~1e-9 in the parameters, with a log-likelihood at least as high); any other
    (boundary optimum, indefinite curvature, no convergence) is returned as None and refitted one by one.
    """
    has_mu = mean == "constant"
    xt = np.ascontiguousarray(x.T, dtype=float)  # (N, T)
    n_assets = xt.shape[0]
    sd = xt.std(axis=1)
    var = sd * sd
    mean0 = xt.mean(axis=1) if has_mu else np.zeros(n_assets)
    grid = _rugarch_grid()
    gll = _grid_logliks(xt, mean0, var)
    best = np.argmax(gll, axis=0)  # first maximum, as the stable argsort in _fit_rugarch
    p0 = np.column_stack([mean0, var * np.maximum(1.0 - np.array([grid[g][0] + grid[g][1] for g in best]), 1e-4),
                          [grid[g][0] for g in best], [grid[g][1] for g in best]])
    free = [0, 1, 2, 3] if has_mu else [1, 2, 3]
    lower = np.column_stack([mean0 - 5.0 * sd, 1e-10 * var, np.zeros(n_assets), np.zeros(n_assets)])
    upper = np.column_stack([mean0 + 5.0 * sd, var, np.ones(n_assets), np.ones(n_assets)])
    with np.errstate(all="ignore"):
        p, ok = _newton_batch(xt, p0, free, lower, upper)
    keep = np.flatnonzero(ok & np.all(np.isfinite(gll), axis=0) & _is_interior(p[:, 2], p[:, 3]))
    out: list[MarginFit | None] = [None] * n_assets
    if keep.size:
        ll, h, scores, hess = garch11_derivatives(xt[keep], p[keep], order=2 if se else 0)
        for j, i in enumerate(keep):
            derivs = (float(ll[j]), h[j], None if scores is None else scores[j], None if hess is None else hess[j])
            out[i] = _rugarch_margin(xt[i], names[i], mean, p[i], _start_label(int(best[i]), grid), True, se,
                                     derivs)
    return out


def fit_margins(
    x: Float64Array2D, names: tuple[str, ...], *, mean: str, volatility: str, dist: str, se: bool = True
) -> list[MarginFit]:
    """Fit every asset's first-stage model (x: n_obs x n_assets).

    rugarch-objective margins are estimated together (:func:`_fit_rugarch_batch`); the others, and any
    asset the batch leaves to SLSQP, one by one with :func:`fit_margin`.

    Raises
    ------
    EstimationError
        When an asset's fit fails (names the asset and the stage).
    """
    batch: list[MarginFit | None] = [None] * len(names)
    if uses_rugarch_objective(mean, volatility, dist):
        batch = _fit_rugarch_batch(x, names, mean, se)
    margins = []
    for k, name in enumerate(names):
        fitted = batch[k]
        if fitted is None:
            try:
                fitted = fit_margin(x[:, k], name, mean=mean, volatility=volatility, dist=dist, se=se)
            except EstimationError:
                raise
            except Exception as exc:  # any numerical failure is reported with the asset and stage
                raise EstimationError(f"first stage (univariate {volatility}) failed for {name}: {exc}") from exc
        margins.append(fitted)
    return margins
