r"""Optimisers of the DCC correlation stage (2-4 parameters, an expensive smooth objective).

:func:`minimise` tries, in order: damped quasi-Newton for interior optima (:func:`newton`; forward-difference
gradients, the outer product of the per-observation scores as the first curvature and BFGS updates after it),
Newton with parameters held on a bound where the Karush-Kuhn-Tucker sign condition confirms it
(:func:`active_set_newton`), SLSQP in Hessian-preconditioned coordinates (:func:`preconditioned_slsqp`) and
plain SLSQP. The objective is any callable with a ``terms(theta)`` method returning the per-observation
contributions (or ``None`` outside the parameter space), like :class:`contagion.dcc._stage._Objective`.

References
----------
.. [1] Nocedal, J. and Wright, S. J. (2006). Numerical Optimization, 2nd ed. Springer, eq. 6.19, sec. 3.4,
   Theorem 12.1.
.. [2] Berndt, E., Hall, B., Hall, R. and Hausman, J. (1974). Estimation and inference in nonlinear
   structural models. Annals of Economic and Social Measurement, 3(4), 653-665.
"""

from __future__ import annotations

import logging
import warnings
from typing import Protocol

import numpy as np
from scipy import optimize

from contagion._typing import Float64Array1D

__all__ = ["active_set_newton", "minimise", "newton", "preconditioned_slsqp", "value"]

logger = logging.getLogger(__name__)


class Objective(Protocol):
    """What the optimisers minimise: the mean of per-observation terms (``None`` outside the parameter space)."""

    def __call__(self, theta: Float64Array1D, /) -> float: ...

    def terms(self, theta: Float64Array1D, /) -> Float64Array1D | None: ...


# scipy ships no type information, so ``optimize.OptimizeResult`` (and these functions' results) are Any to mypy.


def value(terms: Float64Array1D | None) -> float:
    """The objective from its per-observation terms: their mean, 1e10 outside the parameter space."""
    return 1e10 if terms is None else float(terms.mean())


def minimise(
    objective: Objective, theta0: Float64Array1D, bounds: list[tuple[float, float]], row: Float64Array1D,
    loose: bool = False, on_bound: list[tuple[int, float]] | None = None,
) -> optimize.OptimizeResult:
    """Newton for interior optima, Newton with ``on_bound`` parameters held on their bound (when the
    Karush-Kuhn-Tucker sign condition confirms it), then preconditioned SLSQP, then plain SLSQP."""
    stop = 1e-4 if loose else 1e-7
    res = newton(objective, theta0, bounds, row, stop=stop)
    if res is None and on_bound:
        res = active_set_newton(objective, theta0, bounds, row, on_bound, stop)
    if res is None:
        res = preconditioned_slsqp(objective, theta0, bounds, row)
    if res is None:
        cons = [{"type": "ineq", "fun": lambda th: 1.0 - 1e-8 + row @ th, "jac": lambda th: row.copy()}]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = optimize.minimize(objective, theta0, method="SLSQP", bounds=bounds, constraints=cons,
                                    options={"ftol": 1e-12, "maxiter": 300, "eps": 1e-7})
    return res


def newton(
    objective: Objective, theta0: Float64Array1D, bounds: list[tuple[float, float]], row: Float64Array1D,
    max_iter: int = 30, stop: float = 1e-6,
) -> optimize.OptimizeResult | None:
    r"""Damped quasi-Newton iterations with finite-difference gradients for the interior case.

    The correlation stage has 2-4 parameters and an expensive, smooth objective: Newton from the composite
    start converges in a few iterations where SLSQP's quasi-Newton needs ~10. Every iteration takes forward
    differences of the per-observation terms ``objective.terms`` (k evaluations besides the current point).
    The first builds the curvature from them as the outer product of the per-observation scores (BHHH;
    Berndt, Hall, Hall & Hausman 1974), free of extra evaluations and, by the information-matrix equality,
    close to the Hessian near the optimum; later ones correct the gradient
    :math:`(f(\theta + h e_i) - f(\theta))/h - \tfrac12 H_{ii} h` (the subtracted curvature term leaves an error
    of :math:`\tfrac12 h` times the error of :math:`H_{ii}`, so h is 3e-6 relative) and update H by BFGS along the
    last step (Nocedal & Wright 2006, eq. 6.19), which makes the convergence superlinear. When a full step
    gains more than 1.5 times the predicted decrease, the step is doubled (up to 8x) while it keeps improving:
    on real panels, where the composite start is far away and BFGS walks a curved ridge, this took 31-40 full
    evaluations down to 22-31 (simulated panels unchanged). Iterations stop after a
    full step from a Newton decrement below ``stop`` (per observation; the remaining error is then of the order
    of its square). Measured on the rmgarch fixture, simulated N = 5-20 panels and real AI-equity/crypto
    panels, this reaches the log-likelihood of exact-Hessian Newton run to 1e-13 within 2e-6 with 10-31
    evaluations instead of 16-34. An indefinite H is replaced by its eigenvalue modification. Returns None (the
    caller then runs SLSQP) whenever steps keep leaving the feasible region or it fails to converge: boundary
    optima are the active-set Newton's or SLSQP's job.
    """
    k = theta0.shape[0]
    lb = np.array([b[0] for b in bounds])
    ub = np.array([b[1] for b in bounds])

    def feasible(th: Float64Array1D) -> bool:
        return bool(np.all(th > lb) and np.all(th < ub) and row @ th > -1.0 + 1e-8)

    theta = theta0.copy()
    terms = objective.terms(theta)
    if terms is None:
        return None
    f = value(terms)
    truncated = 0
    tol = 1e-13
    hess = np.empty((k, k))
    prev: tuple[Float64Array1D, Float64Array1D] | None = None  # (step taken, gradient before it)
    for it in range(max_iter):
        step = (1e-5 if prev is None else 3e-6) * np.maximum(np.abs(theta), 1e-2)
        fp = np.empty(k)
        scores = np.empty((terms.shape[0], k)) if prev is None else None
        for i in range(k):
            e = np.zeros(k)
            e[i] = step[i]
            if not feasible(theta + e):
                return None
            t_i = objective.terms(theta + e)
            if t_i is None:
                return None
            fp[i] = value(t_i)
            if scores is not None:
                scores[:, i] = (t_i - terms) / step[i]
        if scores is not None:
            grad = (fp - f) / step
            hess = scores.T @ scores / terms.shape[0]
        else:
            grad = (fp - f) / step - 0.5 * np.diag(hess) * step
            assert prev is not None
            s_last, g_last = prev
            y = grad - g_last
            sy = float(s_last @ y)
            hs = hess @ s_last
            shs = float(s_last @ hs)
            if sy > 1e-12 * max(shs, 1e-300) and shs > 0.0:
                hess = hess - np.outer(hs, hs) / shs + np.outer(y, y) / sy
        try:
            np.linalg.cholesky(hess)
        except np.linalg.LinAlgError:
            # indefinite curvature (a start far from the optimum): modified Newton, eigenvalues replaced by
            # their absolute values (Nocedal & Wright 2006, sec. 3.4), so the step still descends
            w, v = np.linalg.eigh(hess)
            if not np.all(np.isfinite(w)) or np.abs(w).max() == 0.0:
                return None
            hess = (v * np.maximum(np.abs(w), 1e-8 * np.abs(w).max())) @ v.T
        direction = -np.linalg.solve(hess, grad)
        decrement = -0.5 * float(grad @ direction)  # predicted decrease of the quadratic model
        logger.debug("newton %d decrement %g theta %s", it, decrement, theta)
        if decrement < tol:
            return optimize.OptimizeResult(x=theta, fun=f, success=True, message="Newton converged", nit=it + 1)
        t = 1.0
        while not feasible(theta + t * direction) and t > 1e-6:
            t *= 0.5
        if t < 1.0:
            truncated += 1
            if truncated > 3 or t <= 1e-6:
                return None
        new_terms = objective.terms(theta + t * direction)
        f_new = value(new_terms)
        while f_new > f and t > 1e-3:
            t *= 0.5
            new_terms = objective.terms(theta + t * direction)
            f_new = value(new_terms)
        if f_new > f or new_terms is None:
            if decrement < 1e-10:  # at the noise floor of the finite differences
                return optimize.OptimizeResult(x=theta, fun=f, success=True, message="Newton converged",
                                               nit=it + 1)
            return None
        if t == 1.0 and f - f_new > 1.5 * decrement:
            # the quadratic model underestimates the decrease (BFGS walking a curved ridge, seen on real
            # heterogeneous panels): try doubling the step while it keeps improving
            while t < 8.0 and feasible(theta + 2.0 * t * direction):
                longer = objective.terms(theta + 2.0 * t * direction)
                f_longer = value(longer)
                if longer is None or f_longer >= f_new:  # outside the parameter space: keep the step
                    break
                t, f_new, new_terms = 2.0 * t, f_longer, longer
        prev = (np.asarray(t * direction, dtype=np.float64), grad)
        theta = theta + t * direction
        f = f_new
        terms = new_terms
        if t == 1.0 and decrement < stop:
            # superlinear convergence: after a full step from a decrement this small the error is ~its square
            return optimize.OptimizeResult(x=theta, fun=f, success=True, message="Newton converged", nit=it + 1)
    return None


def _moved(theta: Float64Array1D, i: int, by: float) -> Float64Array1D:
    out = theta.copy()
    out[i] += by
    return out


def active_set_newton(
    objective: Objective, theta0: Float64Array1D, bounds: list[tuple[float, float]], row: Float64Array1D,
    on_bound: list[tuple[int, float]], stop: float,
) -> optimize.OptimizeResult | None:
    """Newton on the other parameters with some held on a bound; None unless it converges.

    aDCC on data without asymmetry has its optimum at g = 0, a Student-t joint distribution on near-Gaussian
    data at the cap on nu; interior Newton fails there and SLSQP with finite differences needed ~100-500
    likelihood evaluations to settle (5 s at N = 20). Each subset of ``on_bound`` is held fixed in turn
    (singletons first, then all). A held parameter stays on its bound when the one-sided derivative of the
    objective inwards is not negative (the first-order condition at a bound; Nocedal & Wright 2006, Theorem
    12.1); one the data pull inwards is released, moved to the minimiser of the one-dimensional quadratic model
    inwards, and Newton is rerun from there with the rest still held.
    """
    subsets = [[c] for c in on_bound] + ([list(on_bound)] if len(on_bound) > 1 else [])
    for held in subsets:
        start = theta0.copy()
        current = list(held)
        for _round in range(len(held) + 1):
            solved = _newton_holding(objective, start, bounds, row, current, stop)
            if solved is None:
                break
            theta, f, nit = solved
            nudged = theta.copy()
            released = []
            for i, v in current:
                sign = 1.0 if v <= bounds[i][0] else -1.0  # the inward direction
                h = 1e-4 * max(abs(v), 1e-2)
                f1 = objective(_moved(theta, i, sign * h))
                f2 = objective(_moved(theta, i, 2 * sign * h))
                slope = (-3.0 * f + 4.0 * f1 - f2) / (2.0 * h)  # one-sided, second order
                curv = (f2 - 2.0 * f1 + f) / h**2
                if slope < 0.0:  # moving inwards lowers the objective: not an active bound
                    released.append((i, v))
                    # near the one-dimensional minimiser, clear of the finite-difference stencil
                    nudged[i] = v + sign * max(-slope / curv if curv > 0.0 else 0.0, 20.0 * h)
            if not released:
                names = ", ".join(f"theta[{i}] = {v:g}" for i, v in current)
                message = f"Newton converged with {names} on its bound" if current else "Newton converged"
                return optimize.OptimizeResult(x=theta, fun=f, success=True, nit=nit, message=message)
            current = [c for c in current if c not in released]
            start = nudged
    return None


def _newton_holding(
    objective: Objective, start: Float64Array1D, bounds: list[tuple[float, float]], row: Float64Array1D,
    held: list[tuple[int, float]], stop: float,
) -> tuple[Float64Array1D, float, int] | None:
    """Newton over the parameters not in ``held`` (those fixed at their value): (theta, objective, iterations)."""
    k = start.shape[0]
    idx = [i for i, _ in held]
    if any(row[i] * v != 0.0 for i, v in held):  # the linear constraint must not involve a held value
        return None
    free = [j for j in range(k) if j not in idx]
    base = start.copy()
    for i, v in held:
        base[i] = v

    sub = newton(_Reduced(objective, base, free), base[free], [bounds[j] for j in free], row[free], stop=stop)
    if sub is None:
        return None
    theta = base.copy()
    theta[free] = sub.x
    return theta, float(sub.fun), int(sub.nit)


class _Reduced:
    """An objective over the ``free`` parameters, the others fixed at their values in ``base``."""

    def __init__(self, objective: Objective, base: Float64Array1D, free: list[int]) -> None:
        self.objective = objective
        self.base = base
        self.free = free

    def _full(self, u: Float64Array1D) -> Float64Array1D:
        th = self.base.copy()
        th[self.free] = u
        return th

    def terms(self, u: Float64Array1D) -> Float64Array1D | None:
        out: Float64Array1D | None = self.objective.terms(self._full(u))
        return out

    def __call__(self, u: Float64Array1D) -> float:
        return value(self.terms(u))


def preconditioned_slsqp(
    objective: Objective, theta0: Float64Array1D, bounds: list[tuple[float, float]], row: Float64Array1D
) -> optimize.OptimizeResult | None:
    """SLSQP in coordinates where the objective's Hessian at the start is the identity.

    SLSQP starts its quasi-Newton model from the identity; mapping theta = theta0 + C^{-T} u with
    H(theta0) = C C' (forward-difference Hessian, 1 + 2k + k(k-1)/2 evaluations) makes the first steps
    Newton steps, which roughly halves the number of likelihood evaluations of the correlation stage.
    Returns None when the start's curvature is not positive definite (caller falls back to plain SLSQP).
    The constraints (bounds and ``row @ theta <= 1``) are mapped linearly.
    """
    k = theta0.shape[0]
    step = 1e-4 * np.maximum(np.abs(theta0), 1e-2)
    f0 = objective(theta0)
    fi = np.empty(k)
    fii = np.empty(k)
    for i in range(k):
        e = np.zeros(k)
        e[i] = step[i]
        fi[i] = objective(theta0 + e)
        fii[i] = objective(theta0 - e)
    hess = np.empty((k, k))
    for i in range(k):
        hess[i, i] = (fi[i] - 2 * f0 + fii[i]) / step[i] ** 2
        for j in range(i):
            e = np.zeros(k)
            e[i] = step[i]
            e[j] = step[j]
            hess[i, j] = hess[j, i] = (objective(theta0 + e) - fi[i] - fi[j] + f0) / (step[i] * step[j])
    if not np.all(np.isfinite(hess)) or max(f0, *fi, *fii) >= 1e9:
        return None
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return None
    tmat = np.linalg.inv(chol).T  # theta = theta0 + tmat @ u

    def fu(u: Float64Array1D) -> float:
        return float(objective(theta0 + tmat @ u))

    lb = np.array([b[0] for b in bounds])
    ub = np.array([b[1] for b in bounds])
    cons = [
        {"type": "ineq", "fun": lambda u: theta0 + tmat @ u - lb, "jac": lambda u: tmat},
        {"type": "ineq", "fun": lambda u: ub - theta0 - tmat @ u, "jac": lambda u: -tmat},
        {"type": "ineq", "fun": lambda u: np.array([1.0 - 1e-8 + row @ (theta0 + tmat @ u)]),
         "jac": lambda u: (row @ tmat)[None, :]},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = optimize.minimize(fu, np.zeros(k), method="SLSQP", constraints=cons,
                                options={"ftol": 1e-14, "maxiter": 300, "eps": 1e-6})
    res.x = theta0 + tmat @ res.x
    return res
