"""Helpers shared by the connectedness estimators and their results: input checks, FEVD tables, groups.

Nothing here is public API; :mod:`contagion.spillover.static`, :mod:`~contagion.spillover.rolling`,
:mod:`~contagion.spillover.tvp` and the results modules import from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from contagion._typing import Float64Array
from contagion._validation import check_columns
from contagion.errors import DataError, EstimationError, SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.var import fevd as _fevd_kernels

__all__ = [
    "ConnectednessKind", "Progress", "StaticVAR", "VARResultsLike", "check_horizon", "check_int", "check_kind",
    "check_sigma", "companion_radius",
    "fevd_tables", "fit_static_var", "group_matrix", "min_rows", "parse_groups", "readonly", "validate_data",
    "window_label",
]

ConnectednessKind = Literal["generalized", "cholesky"]
Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------- estimators
def check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SpecificationError(f"{name} must be an integer >= {minimum}, got {name}={value!r}.")
    return int(value)


def check_kind(kind: str) -> ConnectednessKind:
    if kind not in ("generalized", "cholesky"):
        raise SpecificationError(f"kind must be 'generalized' or 'cholesky', got kind={kind!r}.")
    return "generalized" if kind == "generalized" else "cholesky"


def check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise SpecificationError(
            f"horizon must be an integer >= 1 (the number of MA terms h = 0..H-1), got horizon={horizon!r}."
        )
    return int(horizon)


def validate_data(data: Any) -> tuple[Float64Array, tuple[str, ...], pd.Index]:
    """DataFrame (date x variable, numeric, finite, unique column names, >= 2 non-constant columns)."""
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise DataError(f"data must be 2-D (dates x variables), got an array of shape {data.shape}.")
        data = pd.DataFrame(data, columns=[f"y{k + 1}" for k in range(data.shape[1])])
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"data must be a pandas DataFrame (dates x variables) or a fitted VARResults, got {type(data).__name__}."
        )
    names = check_columns(data, "connectedness data")
    if len(names) < 2:
        raise DataError(f"connectedness needs at least 2 variables, got {len(names)} ({list(names)}).")
    values = data.to_numpy(dtype=np.float64, copy=True)
    finite = np.isfinite(values)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        count = int((~finite).sum())
        raise DataError(
            f"{names[col]} has a missing or infinite value at {data.index[row]!r} ({count} non-finite cells in "
            "total); drop or fill them before estimating (connectedness never drops rows silently)."
        )
    constant = [names[k] for k in range(len(names)) if np.ptp(values[:, k]) == 0.0]
    if constant:
        raise DataError(
            f"constant columns {constant}: their residual variance is zero and the covariance is singular; "
            "drop them."
        )
    return np.ascontiguousarray(values), names, data.index


def min_rows(n_vars: int, n_lags: int) -> int:
    """Data rows for a VAR(p) with intercept whose ML covariance is nonsingular: p + (N p + 1) + N."""
    return n_lags + (n_vars * n_lags + 1) + n_vars


def companion_radius(coefs: Float64Array) -> Float64Array:
    """Largest |eigenvalue| of the companion matrix, batched over leading axes."""
    n_lags, n_vars = coefs.shape[-3], coefs.shape[-1]
    top = np.concatenate([coefs[..., lag, :, :] for lag in range(n_lags)], axis=-1)  # (..., N, Np)
    if n_lags == 1:
        companion = top
    else:
        lower = np.broadcast_to(
            np.eye(n_vars * (n_lags - 1), n_vars * n_lags),
            (*coefs.shape[:-3], n_vars * (n_lags - 1), n_vars * n_lags),
        )
        companion = np.concatenate([top, lower], axis=-2)
    return np.asarray(np.abs(np.linalg.eigvals(companion)).max(axis=-1), dtype=np.float64)


def window_label(index: pd.Index, starts: Any, ends: Any, w: int) -> str:
    return f"the window {index[starts[w]]} .. {index[ends[w]]}"


def fevd_tables(coefs: Float64Array, sigma: Float64Array, horizon: int, kind: str) -> Float64Array:
    """Percent FEVD tables (..., N, N) from VAR slopes (..., p, N, N) and covariances (..., N, N)."""
    ma = _fevd_kernels.ma_coefficients(coefs, horizon)
    if kind == "generalized":
        theta = _fevd_kernels.generalized_fevd(ma, sigma)
    else:
        theta = _fevd_kernels.cholesky_fevd(ma, sigma)
    return 100.0 * theta


def check_sigma(sigma: Float64Array, where: Callable[[int], str]) -> None:
    """Positive-definite covariance(s), else EstimationError naming the window."""
    flat = sigma.reshape(-1, sigma.shape[-2], sigma.shape[-1])
    finite = np.asarray(np.isfinite(flat).all(axis=(1, 2)), dtype=bool)
    flat = np.where(finite[:, None, None], flat, np.eye(flat.shape[-1]))
    diag = np.diagonal(flat, axis1=1, axis2=2)
    positive = (diag > 0).all(axis=1) & finite
    scale = np.sqrt(np.where(diag > 0, diag, 1.0))
    corr = flat / (scale[:, :, None] * scale[:, None, :])  # scale-free: rescaling a variable changes nothing
    eig_min = np.linalg.eigvalsh(corr)[:, 0]
    bad = np.flatnonzero(~(positive & (eig_min > 1e-10)))
    if bad.size:
        raise EstimationError(
            f"the residual covariance is singular (or not positive definite) in {where(int(bad[0]))}"
            f"{f' and {bad.size - 1} other windows' if bad.size > 1 else ''}; a variable is (nearly) a "
            "linear combination of the others there. Drop it or use a longer window."
        )


@runtime_checkable
class VARResultsLike(Protocol):
    """What :func:`connectedness` reads from a fitted VAR (``contagion.VARResults`` satisfies it)."""

    @property
    def coefs(self) -> Any: ...  # (p, N, N), coefs[l - 1] = Phi_l

    @property
    def sigma_u_ml(self) -> Any: ...  # (N, N), E'E / T

    @property
    def names(self) -> Any: ...  # N variable names


class StaticVAR(NamedTuple):
    """One VAR ready for a variance decomposition: slopes, ML covariance and the sample it came from."""

    coefs: Float64Array  # (p, N, N)
    sigma: Float64Array  # (N, N)
    names: tuple[str, ...]
    n_lags: int
    n_obs: int | None
    start: Any
    end: Any


def _from_var_results(data: VARResultsLike) -> StaticVAR:
    coefs = np.asarray(data.coefs, dtype=np.float64)
    sigma = np.asarray(data.sigma_u_ml, dtype=np.float64)
    names = tuple(str(n) for n in data.names)
    index = getattr(data, "index", None)
    start, end = (index[0], index[-1]) if index is not None and len(index) else (None, None)
    if coefs.ndim != 3 or coefs.shape[1:] != (len(names), len(names)) or sigma.shape != coefs.shape[1:]:
        raise SpecificationError(
            f"VARResults has coefs of shape {coefs.shape} and sigma_u_ml of shape {sigma.shape}; expected "
            f"(p, N, N) and (N, N) with N = {len(names)} names."
        )
    if len(names) < 2:
        raise DataError("connectedness needs at least 2 variables.")
    return StaticVAR(coefs, sigma, names, int(coefs.shape[0]), getattr(data, "n_obs", None), start, end)


def _fit_frame(data: Any, lags: Any) -> StaticVAR:
    values, names, index = validate_data(data)
    n_lags = check_int("lags", lags, 1)
    need = min_rows(len(names), n_lags)
    if values.shape[0] < need:
        raise SpecificationError(
            f"too few observations: {values.shape[0]} rows for a VAR({n_lags}) with {len(names)} variables; "
            f"it needs at least {need} rows (p = {n_lags} lag rows + {len(names) * n_lags + 1} parameters per "
            f"equation + {len(names)} for a nonsingular covariance). Use fewer lags or more data."
        )
    try:
        coefs, _, sigma, _ = _conn_kernels.var_ols(values, n_lags)
    except np.linalg.LinAlgError:
        raise EstimationError(
            f"the lagged regressors of the VAR({n_lags}) are exactly collinear (a variable is a linear "
            "combination of the others); drop it."
        ) from None
    start, end = (index[n_lags], index[-1]) if len(index) else (None, None)
    return StaticVAR(coefs, sigma, names, n_lags, values.shape[0] - n_lags, start, end)


def fit_static_var(data: Any, lags: Any) -> StaticVAR:
    """The VAR behind a static connectedness table: a fitted ``VARResults`` as is, or OLS on a DataFrame.

    Shared by :func:`~contagion.spillover.static.connectedness` and the frequency decomposition, so both
    read their input the same way. Raises ``DataError``, ``SpecificationError`` or ``EstimationError``
    (singular covariance, explosive VAR) as :func:`~contagion.spillover.static.connectedness` documents.
    """
    if isinstance(data, VARResultsLike) and not isinstance(data, pd.DataFrame):
        fit = _from_var_results(data)
    else:
        fit = _fit_frame(data, lags)
    check_sigma(fit.sigma, lambda _: "the full sample")
    radius = float(companion_radius(fit.coefs))
    if not radius < 1.0:
        raise EstimationError(
            f"the VAR({fit.n_lags}) is not stable (largest companion eigenvalue modulus {radius:.4f} >= 1); its "
            "forecast-error variance decomposition is not defined. Difference the data or use fewer lags."
        )
    return fit


# ------------------------------------------------------------------------------------------- results
def readonly(array: Float64Array) -> Float64Array:
    """A read-only float64 copy (results never share a writeable buffer with the caller)."""
    out = np.array(array, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


def parse_groups(
    mapping: Mapping[str, str] | Mapping[str, Sequence[str]], names: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """Accept ``{variable: group}`` or ``{group: [variables]}``; every variable must be in exactly one group."""
    if not mapping:
        raise SpecificationError(
            "groups(mapping): the mapping is empty; pass {variable: group} or {group: [variables]}."
        )
    members: dict[str, list[str]] = {}
    values = list(mapping.values())
    if all(isinstance(v, str) for v in values):
        for variable, group in mapping.items():
            members.setdefault(str(group), []).append(str(variable))
    elif all(isinstance(v, Sequence) and not isinstance(v, str) for v in values):
        for group, variables in mapping.items():
            members[str(group)] = [str(v) for v in variables]
    else:
        raise SpecificationError(
            "groups(mapping): pass either {variable: group} (all values strings) or {group: [variables]}."
        )
    seen: dict[str, str] = {}
    for group, variables in members.items():
        for variable in variables:
            if variable not in names:
                raise SpecificationError(
                    f"groups(mapping): {variable!r} (group {group!r}) is not a variable of this result; "
                    f"variables are {list(names)}."
                )
            if variable in seen:
                raise SpecificationError(
                    f"groups(mapping): {variable!r} is in both group {seen[variable]!r} and {group!r}."
                )
            seen[variable] = group
    missing = [n for n in names if n not in seen]
    if missing:
        raise SpecificationError(
            f"groups(mapping): variables {missing} belong to no group; assign every variable to a group."
        )
    return {g: tuple(v) for g, v in members.items() if v}


def group_matrix(groups: dict[str, tuple[str, ...]], names: tuple[str, ...]) -> Float64Array:
    """(G, N) indicator: row g has ones at the columns of the members of group g."""
    indicator = np.zeros((len(groups), len(names)))
    for g, variables in enumerate(groups.values()):
        for variable in variables:
            indicator[g, names.index(variable)] = 1.0
    return indicator
