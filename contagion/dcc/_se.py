r"""Standard errors of the DCC correlation stage corrected for the first stage (Engle & Sheppard 2001).

:func:`two_step_se` builds the blocks of the stacked two-step problem with numerical derivatives
(:func:`_second_stage_blocks`, :func:`_first_stage_blocks`) and combines them in the sandwich
(:func:`_sandwich`). Parameters on a bound (first-stage variance parameters at 0, ``g = 0``, ``nu`` at its cap)
are held fixed: the QML sandwich does not apply there.

References
----------
.. [1] Engle, R. F. and Sheppard, K. (2001). Theoretical and empirical properties of dynamic conditional
   correlation multivariate GARCH. NBER Working Paper 8554, Theorem 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from contagion._typing import Float64Array1D, Float64Array2D
from contagion.dcc import _kernels as K
from contagion.dcc._stage import _pairs_for, _param_names, _targets, _unpack, params_on_bound
from contagion.dcc.margins import MarginFit
from contagion.errors import ConvergenceWarning

__all__ = ["two_step_se"]

#: the DCC log-likelihood terms (T,) at standardised residuals z and DCC parameters phi
_DCCTerms = Callable[[Float64Array2D, Float64Array1D], Float64Array1D]

#: first-stage parameters closer than this to zero (variance-equation parameters only) are on their bound
_BOUND_TOL = 1e-6
_VARIANCE_NAMES = ("omega", "alpha", "beta", "gamma")


def two_step_se(
    margins: tuple[MarginFit, ...], z0: Float64Array2D, phi: Float64Array1D, *, model: str, joint_dist: str,
    composite: bool,
) -> Float64Array1D:
    r"""Standard errors of the DCC parameters corrected for the first stage.

    With :math:`\theta` the stacked first-stage parameters and :math:`\phi` the DCC parameters, the two-step
    estimator solves :math:`\sum_t (s_{1t}(\theta), s_{2t}(\theta, \phi)) = 0`. Its covariance is
    :math:`A^{-1} B A^{-1\prime}` with :math:`A = \begin{pmatrix} A_{11} & 0 \\ A_{21} & A_{22}\end{pmatrix}`
    the Jacobian of the stacked scores and :math:`B = \sum_t s_t s_t'` (Engle & Sheppard 2001, Theorem 2).
    :math:`A_{11}` and :math:`s_{1t}` come from the margins; :math:`s_{2t}`, :math:`A_{22}` and
    :math:`A_{21}` are finite differences of the correlation objective (central in :math:`\phi`; forward in
    :math:`\theta` for :math:`A_{21}`, which re-filters the margins and re-targets :math:`\bar Q` at perturbed
    first-stage parameters).
    """
    pairs = _pairs_for(z0.shape[1]) if composite else None

    def dcc_terms(z: Float64Array2D, ph: Float64Array1D) -> Float64Array1D:
        qbar, nbar = _targets(z)
        data = K.prepare(z, qbar, nbar, pad=0.0, pairs=pairs, asymmetric=model == "adcc")
        a, b, g, nu = _unpack(ph, model, joint_dist)
        return K.dcc_loglik_terms(data, a, b, g, nu)

    steps = 1e-5 * np.maximum(np.abs(phi), 1e-3)
    s2, a22, g0 = _second_stage_blocks(dcc_terms, z0, phi, steps)
    a11, s1, a21 = _first_stage_blocks(margins, dcc_terms, z0, phi, steps, g0)
    return _sandwich(a11, s1, a21, a22, s2, phi, _param_names(model, joint_dist))


def _second_stage_blocks(
    dcc_terms: _DCCTerms, z0: Float64Array2D, phi: Float64Array1D, steps: Float64Array1D
) -> tuple[Float64Array2D, Float64Array2D, Float64Array1D]:
    """Per-observation scores s_2t (T, k2), the Hessian A_22 (k2, k2) and the gradient at ``phi`` (central
    differences in the DCC parameters)."""
    k2 = phi.shape[0]
    cols = []
    for j in range(k2):
        up = phi.copy()
        dn = phi.copy()
        up[j] += steps[j]
        dn[j] -= steps[j]
        cols.append((dcc_terms(z0, up) - dcc_terms(z0, dn)) / (2 * steps[j]))
    s2 = np.column_stack(cols)
    a22 = np.empty((k2, k2))
    for j in range(k2):
        up = phi.copy()
        dn = phi.copy()
        up[j] += steps[j]
        dn[j] -= steps[j]
        g_up = _grad(lambda p: float(dcc_terms(z0, p).sum()), up, steps)
        g_dn = _grad(lambda p: float(dcc_terms(z0, p).sum()), dn, steps)
        a22[:, j] = (g_up - g_dn) / (2 * steps[j])
    a22 = 0.5 * (a22 + a22.T)
    g0 = _grad(lambda p: float(dcc_terms(z0, p).sum()), phi, steps)
    return s2, a22, g0


def _first_stage_blocks(
    margins: tuple[MarginFit, ...], dcc_terms: _DCCTerms, z0: Float64Array2D, phi: Float64Array1D,
    steps: Float64Array1D, g0: Float64Array1D,
) -> tuple[Float64Array2D, Float64Array2D, Float64Array2D]:
    """The first-stage Hessian A_11 (block diagonal), scores s_1t and the cross block A_21.

    Parameters on a bound (e.g. alpha = 0) are held fixed: scores and Hessians are not defined there, and
    finite differences around 1e-17 would swamp the correction with noise.
    """
    first = max(m.first for m in margins)
    actives = [_interior(m) for m in margins]
    k1s = [len(act) for act in actives]
    k1 = sum(k1s)
    a11 = np.zeros((k1, k1))
    s1 = np.zeros((z0.shape[0], k1))
    a21 = np.zeros((phi.shape[0], k1))
    pos = 0
    for i, m in enumerate(margins):
        act = actives[i]
        ki = k1s[i]
        a11[pos:pos + ki, pos:pos + ki] = m.hessian[np.ix_(act, act)]
        s1[:, pos:pos + ki] = m.scores[first - m.first:][:, act]
        for jj, j in enumerate(act):
            # forward differences in the first-stage parameter from the unperturbed gradient: half the cost
            # of central ones (the SEs change by ~1e-5 relative, below the finite-difference noise in phi)
            step = 1e-5 * max(abs(m.params[j]), 1e-4)
            p = m.params.copy()
            p[j] += step
            zi, _ = m.zfunc(p)
            zz = z0.copy()
            zz[:, i] = zi[first - m.first:]
            g_up = _grad(lambda ph, zz=zz: float(dcc_terms(zz, ph).sum()), phi, steps)
            a21[:, pos + jj] = (g_up - g0) / step
        pos += ki
    return a11, s1, a21


def _sandwich(
    a11: Float64Array2D, s1: Float64Array2D, a21: Float64Array2D, a22: Float64Array2D, s2: Float64Array2D,
    phi: Float64Array1D, names: tuple[str, ...],
) -> Float64Array1D:
    """The DCC block of A^-1 B A^-1' (NaN where undefined or numerically unreliable, with a warning).

    Warnings use ``stacklevel=4``: this function, :func:`two_step_se`, ``DCCGARCH.fit``, the user's call.
    """
    k1 = a11.shape[0]
    k2 = phi.shape[0]
    # DCC parameters on a bound (g = 0, nu at its cap) are held fixed too: the QML sandwich does not apply there
    held = params_on_bound(names, phi)
    if held:
        warnings.warn(
            "DCC standard errors: " + ", ".join(f"{names[j]} = {phi[j]:g}" for j in held) + " on its bound; "
            "its standard error is undefined (NaN) and the others are computed with it held fixed.",
            ConvergenceWarning, stacklevel=4)
    act2 = [j for j in range(k2) if j not in held]
    k2a = len(act2)
    a_full = np.zeros((k1 + k2a, k1 + k2a))
    a_full[:k1, :k1] = a11
    a_full[k1:, :k1] = a21[act2]
    a_full[k1:, k1:] = a22[np.ix_(act2, act2)]
    s = np.column_stack([s1, s2[:, act2]])
    b_full = s.T @ s
    out = np.full(k2, np.nan)
    try:
        a_inv = np.linalg.inv(a_full)
    except np.linalg.LinAlgError:
        warnings.warn("DCC standard errors: the stacked Hessian is singular; standard errors are NaN.",
                      ConvergenceWarning, stacklevel=4)
        return out
    cov = a_inv @ b_full @ a_inv.T
    d = np.diag(cov)[k1:]
    out[act2] = np.sqrt(np.where(d > 0, d, np.nan))
    # a, b and g live in [0, 1]: a standard error above 1 (or none at all) is a failed numerical sandwich, not
    # information; report it as missing and say so rather than print a meaningless number (nu's can be large)
    unit = np.array([name in ("a", "b", "g") for name in names])
    failed = np.zeros(k2, dtype=bool)
    failed[act2] = ~np.isfinite(out[act2]) | (unit[act2] & (out[act2] > 1.0))
    if np.any(failed[unit]):
        warnings.warn(
            "DCC standard errors: the two-step sandwich is numerically unreliable for these data "
            f"(raw values {np.array2string(out, precision=3)}); they are reported as NaN. Refit with se=False "
            "or on a longer sample. Typical causes: a near 0 (then b is not identified) or first-stage "
            "parameters on a bound.",
            ConvergenceWarning, stacklevel=4)
        return np.full(k2, np.nan)
    if np.any(failed):
        warnings.warn(
            "DCC standard errors: " + ", ".join(names[j] for j in np.flatnonzero(failed)) + " has no finite "
            "standard error (a flat likelihood); reported as NaN.", ConvergenceWarning, stacklevel=4)
    return out


def _interior(m: MarginFit) -> list[int]:
    """Indices of the margin's parameters that are not on a bound (variance parameters at 0 are)."""
    keep = []
    for j, name in enumerate(m.param_names):
        is_variance = name.lower().startswith(_VARIANCE_NAMES)
        if not is_variance or abs(float(m.params[j])) > _BOUND_TOL:
            keep.append(j)
    return keep


def _grad(f: Any, p: Float64Array1D, steps: Float64Array1D) -> Float64Array1D:
    out = np.empty(p.shape[0])
    for j in range(p.shape[0]):
        up = p.copy()
        dn = p.copy()
        up[j] += steps[j]
        dn[j] -= steps[j]
        out[j] = (f(up) - f(dn)) / (2 * steps[j])
    return out
