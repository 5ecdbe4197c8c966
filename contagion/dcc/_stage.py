r"""The correlation (second) stage of DCC-GARCH: the objective and its estimation.

Pure numpy/scipy on arrays (no pandas). :func:`_fit_correlation_stage` maximises the DCC term of the
likelihood in (a, b[, g][, nu]) with correlation targeting (Engle 2002; Cappiello, Engle & Sheppard 2006);
the optimisers are in :mod:`contagion.dcc._optimise`, the Engle & Sheppard (2001) two-step standard errors in
:mod:`contagion.dcc._se`.

Optimisation: a small grid of starts is screened on the composite likelihood over contiguous pairs (cheap,
closed-form 2x2 algebra; Engle, Shephard & Sheppard 2008), refined on it, and -- unless ``composite=True`` --
used as the start of damped quasi-Newton steps on the full likelihood (2-4 parameters; forward-difference
gradients, k + 1 evaluations per step, the outer product of the per-observation scores as the first curvature
and BFGS updates after it; finite differences in a, g or nu reuse the filtered Q_t parts of the same b).
Boundary optima and indefinite curvature fall back to SLSQP in Hessian-preconditioned coordinates, then to
plain SLSQP. The optimiser pads the pre-sample z_0 with zeros (rmgarch's
``normal.dccLLH1``); the reported quantities use the final filter with ones (see :mod:`contagion.dcc.model`).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D, IntArray
from contagion.dcc import _kernels as K
from contagion.dcc._filter_kernels import ar1_filter
from contagion.dcc._optimise import minimise, value
from contagion.errors import ConvergenceWarning, EstimationError

logger = logging.getLogger(__name__)

#: a + b (+ delta g) closer to 1 than this is reported as a boundary solution
BOUNDARY_TOL = 1e-3
#: upper bound on the Student-t degrees of freedom (at it the joint distribution is practically Gaussian)
NU_CAP = 300.0
#: (a, b) starting grid
_STARTS: tuple[tuple[float, float], ...] = ((0.01, 0.97), (0.02, 0.95), (0.05, 0.90), (0.05, 0.80), (0.10, 0.85))


def params_on_bound(names: tuple[str, ...], phi: Float64Array1D) -> list[int]:
    """Indices of DCC parameters estimated on a bound: g = 0 (no asymmetry), nu at :data:`NU_CAP` (the joint
    distribution practically Gaussian). The QML sandwich does not apply there."""
    return [j for j, name in enumerate(names)
            if (name == "g" and phi[j] <= 1e-10) or (name == "nu" and phi[j] >= NU_CAP - 1e-9)]


def _pairs_for(n: int) -> IntArray:
    """Contiguous pairs (i, i + 1) used by the composite likelihood (Engle, Shephard & Sheppard 2008, sec. 3)."""
    return np.column_stack([np.arange(n - 1), np.arange(1, n)]).astype(np.int64)


def _param_names(model: str, joint_dist: str) -> tuple[str, ...]:
    return ("a", "b") + (("g",) if model == "adcc" else ()) + (("nu",) if joint_dist == "t" else ())


def _unpack(theta: Float64Array1D, model: str, joint_dist: str) -> tuple[float, float, float, float | None]:
    a, b = float(theta[0]), float(theta[1])
    g = float(theta[2]) if model == "adcc" else 0.0
    nu = float(theta[-1]) if joint_dist == "t" else None
    return a, b, g, nu


def _targets(z: Float64Array2D) -> tuple[Float64Array2D, Float64Array2D]:
    """rmgarch's targets: Qbar = cov(z) (n - 1 denominator); Nbar = T^{-1} sum n n' with n = min(z, 0)."""
    qbar = np.cov(z, rowvar=False, ddof=1)
    nz = np.minimum(z, 0.0)
    nbar = nz.T @ nz / z.shape[0]
    return qbar, nbar


#: the Q_t parts of this many values of b are kept (finite differences in a, g, nu reuse them), if they fit in
#: _CACHE_BYTES; above that (very large N x T) every evaluation filters afresh
_CACHE_ENTRIES = 2
_CACHE_BYTES = 64 * 2**20


class _Objective:
    """The correlation stage's objective: the mean over t of minus the DCC log-likelihood terms.

    ``terms(theta)`` returns the per-observation contributions (Newton builds outer-product curvature from
    them), ``None`` outside the parameter space or where R_t is not positive definite; calling the object
    returns their mean (``1e10`` for ``None``), the scalar SLSQP minimises. Q_t is linear in a and g for a
    given b (:func:`~contagion.dcc._kernels.dcc_q_parts`), so the filtered parts of the last
    ``_CACHE_ENTRIES`` values of b are reused: a finite difference in a, g or nu costs no filter.
    """

    def __init__(self, data: K.DCCData, model: str, joint_dist: str, delta: float) -> None:
        self.data = data
        self.model = model
        self.joint_dist = joint_dist
        self.delta = delta
        rows = data.zz.shape[0] * (2 if model == "adcc" else 1)
        self._cache_size = _CACHE_ENTRIES if rows * data.zz.shape[1] * 8 <= _CACHE_BYTES else 0
        self._parts: dict[float, Float64Array2D] = {}
        # scratch reused by every evaluation: Q_t, and the Cholesky factor of the full likelihood
        self._q_buf = np.empty_like(data.zz) if self._cache_size else None
        n, n_obs = data.zt.shape
        small = data.pairs is None and n <= K.SMALL_N
        self._work = np.empty((n, n, K.vectorised_chunk(n, n_obs))) if small else None
        self._seen: dict[bytes, Float64Array1D | None] = {}  # the last few evaluations

    def _asym(self) -> tuple[Float64Array2D | None, Float64Array1D | None]:
        d = self.data
        return (d.nn, d.nbar) if self.model == "adcc" else (None, None)

    def _q(self, a: float, b: float, g: float) -> Float64Array2D:
        d = self.data
        nn, nbar = self._asym()
        if self._cache_size == 0:
            return K.dcc_q_filter(d.zz, d.qbar, a, b, g=g, nn=nn, nbar=nbar)
        parts = self._parts.pop(b, None)
        if parts is None:
            parts = K.dcc_q_parts(d.zz, d.qbar, b, nn=nn, nbar=nbar)
            while len(self._parts) >= self._cache_size:
                self._parts.pop(next(iter(self._parts)))
        self._parts[b] = parts  # most recently used last
        return K.dcc_q_combine(parts, d.qbar, a, g, out=self._q_buf)

    def q_padded_with_ones(self, a: float, b: float, g: float) -> Float64Array2D:
        r"""A new array of Q_t with the pre-sample z_0 padded with ones instead of the optimiser's zeros.

        Only the first lagged product changes (z_0 z_0' from 0 to 1 in every entry; n_0 = min(z_0, 0) is 0
        either way), and the recursion is linear in it: Q_t gains :math:`a\,b^{t}` in every entry. From the
        cached parts of the optimum's b this needs no new filter.
        """
        d = self.data
        if b in self._parts:
            q = K.dcc_q_combine(self._parts[b], d.qbar, a, g)
        else:
            nn, nbar = self._asym()
            q = K.dcc_q_filter(d.zz, d.qbar, a, b, g=g, nn=nn, nbar=nbar)
        q += a * b ** np.arange(q.shape[1])
        return q

    def terms(self, theta: Float64Array1D) -> Float64Array1D | None:
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key in self._seen:  # e.g. the best grid start, evaluated again as Newton's first point
            return self._seen[key]
        a, b, g, nu = _unpack(theta, self.model, self.joint_dist)
        out: Float64Array1D | None = None
        if not (a < 0 or b < 0 or g < 0 or a + b + self.delta * g >= 1.0 or (nu is not None and nu <= 2.0)):
            ll = K.dcc_loglik_terms(self.data, a, b, g, nu, q=self._q(a, b, g), work=self._work)
            out = -ll if np.all(np.isfinite(ll)) else None
        if len(self._seen) >= 8:
            self._seen.pop(next(iter(self._seen)))
        self._seen[key] = out
        return out

    def __call__(self, theta: Float64Array1D) -> float:
        return value(self.terms(theta))


#: float64 entries of one block of lagged products in :func:`_final_q_blocks` (2 MB)
_BLOCK_ENTRIES = 2**18


def _final_q_blocks(
    z: Float64Array2D, qbar_full: Float64Array2D, nbar_full: Float64Array2D, a: float, b: float, g: float
) -> Float64Array2D:
    r"""The final filter's :math:`Q_t` (vech entries x dates, pre-sample :math:`z_0` padded with ones) built in
    blocks of entries straight into its output.

    The same arithmetic as :func:`~contagion.dcc._kernels.prepare` (``pad=1``) followed by
    :func:`~contagion.dcc._kernels.dcc_q_filter`, entry by entry (so the same numbers), but the lagged
    products :math:`z_{t-1,i} z_{t-1,j}` (and :math:`n_{t-1,i} n_{t-1,j}` for aDCC) exist only for one block
    of entries at a time: the peak memory is the output plus one block, not three arrays of
    :math:`N(N+1)/2 \times T` doubles.
    """
    n_obs, n = z.shape
    rows, cols = K.vech_indices(n)
    zlag = np.empty((n, n_obs))
    zlag[:, 0] = 1.0  # pad
    zlag[:, 1:] = z[:-1].T
    nlag = np.minimum(zlag, 0.0) if g != 0.0 else None
    qbar, nbar = qbar_full[rows, cols], nbar_full[rows, cols]
    const = (1.0 - a - b) * qbar - (g * nbar if g != 0.0 else 0.0)
    q = np.empty((rows.size, n_obs))
    step = max(1, _BLOCK_ENTRIES // n_obs)
    for r0 in range(0, rows.size, step):
        blk = slice(r0, min(rows.size, r0 + step))
        u = q[blk]
        np.multiply(zlag[rows[blk]], zlag[cols[blk]], out=u)
        u *= a
        if nlag is not None:
            u += g * (nlag[rows[blk]] * nlag[cols[blk]])
        u += const[blk, None]
        out = ar1_filter(u, b, b * qbar[blk], overwrite=True)
        if not np.shares_memory(out, u):  # pragma: no cover - ar1_filter reuses a C-contiguous block
            u[...] = out
    return q


def _fit_correlation_stage(z: Float64Array2D, model: str, joint_dist: str, composite: bool) -> dict[str, Any]:
    n_obs, n = z.shape
    qbar, nbar = _targets(z)
    delta = K.asymmetry_bound(qbar, nbar) if model == "adcc" else 0.0
    names = _param_names(model, joint_dist)

    def make_objective(pairs: IntArray | None) -> _Objective:
        # rmgarch's optimiser pads z_0 with zeros
        data = K.prepare(z, qbar, nbar, pad=0.0, pairs=pairs, asymmetric=model == "adcc")
        return _Objective(data, model, joint_dist, delta)

    def theta_for(a0: float, b0: float) -> Float64Array1D:
        extra = ([0.01] if model == "adcc" else []) + ([8.0] if joint_dist == "t" else [])
        bb = b0 - (delta * 0.01 if model == "adcc" else 0.0)
        return np.array([a0, bb, *extra])

    bounds = [(0.0, 1.0), (0.0, 1.0)] + ([(0.0, 1.0)] if model == "adcc" else []) + (
        [(2.05, NU_CAP)] if joint_dist == "t" else [])
    row = np.zeros(len(names))
    row[0] = row[1] = -1.0
    if model == "adcc":
        row[2] = -delta

    # The start: the best point of a small grid, screened on the cheap composite likelihood (contiguous
    # pairs, closed-form 2x2 algebra) and refined on it; for the full likelihood that composite estimate is
    # then the start of a few Newton steps on the expensive objective.
    comp_objective = make_objective(_pairs_for(n))
    grid = sorted(((comp_objective(theta_for(a0, b0)), (a0, b0)) for a0, b0 in _STARTS), key=lambda t: t[0])
    # as a start only, the composite estimate needs no more than ~4 digits (the full optimum differs anyway)
    # parameters that may sit on a bound at the optimum: g = 0 (no asymmetry), nu at its cap (near-Gaussian)
    on_bound = ([(2, 0.0)] if model == "adcc" else []) + ([(len(names) - 1, bounds[-1][1])]
                                                          if joint_dist == "t" else [])
    res = minimise(comp_objective, theta_for(*grid[0][1]), bounds, row, loose=not composite, on_bound=on_bound)
    objective = comp_objective
    if not composite:
        objective = make_objective(None)
        theta_c = res.x if np.isfinite(res.fun) and res.fun < 1e9 else theta_for(*grid[0][1])
        res = minimise(objective, theta_c, bounds, row, on_bound=on_bound)
    fbest = float(res.fun) if np.isfinite(res.fun) else 1e10
    theta = np.asarray(res.x, dtype=float).copy()
    if fbest >= 1e9:
        raise EstimationError("correlation (DCC) stage failed: no parameter value gave a finite likelihood; "
                              "check the standardised residuals for extreme outliers.")
    converged = bool(res.success)
    a, b, g, nu = _unpack(theta, model, joint_dist)
    persistence = a + b + delta * g
    boundary = persistence > 1.0 - BOUNDARY_TOL
    if not converged:
        warnings.warn(f"correlation (DCC) stage: the optimiser did not converge ({res.message}); estimates "
                      "may be imprecise.", ConvergenceWarning, stacklevel=3)
    if boundary:
        warnings.warn(f"correlation (DCC) stage: a + b{' + delta g' if model == 'adcc' else ''} = "
                      f"{persistence:.6f} is at the stationarity boundary; correlations are close to "
                      "integrated and standard errors are unreliable.", ConvergenceWarning, stacklevel=3)
    # final filter (rmgarch's likelihood / rcor convention): pre-sample z_0 padded with ones
    if objective.data.pairs is None:
        q = objective.q_padded_with_ones(a, b, g)
    else:  # composite: the optimiser never filtered the full Q; do it in row blocks (no N^2 T products)
        del objective, comp_objective  # their data and Q_t caches are no longer needed (peak memory)
        q = _final_q_blocks(z, qbar, nbar, a, b, g)
    dcc_terms = K.full_loglik_terms(q, np.ascontiguousarray(z.T), nu)
    q = np.ascontiguousarray(q)  # time-first for N >= 28 (the objective's layout); results read it time-last
    return {
        "params_array": np.asarray(theta, dtype=float), "param_names": names, "qbar": qbar, "nbar": nbar,
        "delta": delta, "q_vech": q, "dcc_loglik_terms": dcc_terms, "converged": converged, "boundary": boundary,
        "objective_value": -fbest * n_obs, "optimizer_message": str(res.message),
    }
