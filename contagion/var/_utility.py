"""Helpers of :mod:`contagion.var.model` and :mod:`contagion.var.irf`: input checks, lag table, Granger positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from contagion._typing import Float64Array2D
from contagion._validation import check_columns
from contagion.errors import DataError, EstimationError, SpecificationError
from contagion.var import _kernels as K
from contagion.var.results import GrangerResult

__all__ = [
    "CRITERIA", "check_horizon", "check_rows", "check_spec", "coefficient_frame", "granger_positions",
    "granger_test", "lag_table", "min_obs", "validate_data",
]

#: Lag-order criteria accepted by ``VAR(lags=...)``.
CRITERIA = ("aic", "bic", "hqic")


def validate_data(data: Any) -> pd.DataFrame:
    """Check a panel for the VAR and return it as float64 (DataError names the column and date at fault)."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"VAR data must be a pandas DataFrame with one column per variable, got {type(data).__name__}."
        )
    if data.shape[1] == 0 or data.shape[0] == 0:
        raise DataError(
            f"VAR data is empty (shape {data.shape}); pass at least one column with observations."
        )
    names = list(check_columns(data, "VAR data"))
    if isinstance(data.index, pd.DatetimeIndex):
        if data.index.has_duplicates:
            dup_dates = data.index[data.index.duplicated()].unique()[:3]
            raise DataError(
                f"VAR data has duplicate dates (e.g. {[str(d.date()) for d in dup_dates]}); keep one row per date."
            )
        if not data.index.is_monotonic_increasing:
            raise DataError("VAR data is not sorted by date; call data.sort_index() before fitting.")
    values = data.to_numpy(dtype=np.float64, copy=True)  # the model keeps its own copy
    finite = np.isfinite(values)
    if not finite.all():
        col = int(np.flatnonzero(~finite.all(axis=0))[0])
        row = int(np.flatnonzero(~finite[:, col])[0])
        n_bad = int((~finite[:, col]).sum())
        raise DataError(
            f"column {names[col]!r} has {n_bad} missing or infinite values (first at {data.index[row]!r}); "
            "drop or fill them (e.g. data.dropna()) before fitting the VAR."
        )
    ptp = np.ptp(values, axis=0)
    const = [names[i] for i in np.flatnonzero(ptp == 0.0)]
    if const:
        raise DataError(
            f"column(s) {const} are constant, so the residual covariance would be singular; drop them."
        )
    return pd.DataFrame(values, index=data.index, columns=pd.Index(names))


def min_obs(n_vars: int, n_lags: int, trend: str, n_exog: int = 0) -> int:
    """Fewest rows for a non-singular d.o.f.-corrected Sigma_u: p lag rows + (N p + c + k) regressors + N."""
    return n_lags + n_vars * n_lags + (1 if trend == "c" else 0) + n_exog + n_vars


def check_spec(lags: Any, max_lags: Any, trend: Any) -> None:
    """Check the options of a VAR spec (SpecificationError names the option and its value)."""
    if trend not in ("c", "n"):
        raise SpecificationError(f"trend must be 'c' (intercept) or 'n' (none), got trend={trend!r}.")
    if isinstance(max_lags, bool) or not isinstance(max_lags, (int, np.integer)) or max_lags < 1:
        raise SpecificationError(f"max_lags must be an integer >= 1, got max_lags={max_lags!r}.")
    if isinstance(lags, str):
        if lags.lower() not in CRITERIA:
            raise SpecificationError(
                f"lags must be a positive integer or one of 'aic', 'bic', 'hqic', got lags={lags!r}."
            )
    elif isinstance(lags, bool) or not isinstance(lags, (int, np.integer)) or lags < 1:
        raise SpecificationError(f"lags must be an integer >= 1 or a criterion name, got lags={lags!r}.")


def check_rows(n_rows: int, n_vars: int, n_lags: int, trend: str, n_exog: int = 0) -> None:
    """DataError unless the sample has the :func:`min_obs` rows a VAR(p) needs."""
    need = min_obs(n_vars, n_lags, trend, n_exog)
    if n_rows < need:
        raise DataError(
            f"VAR({n_lags}) with {n_vars} variables needs at least {need} observations "
            f"(p + N*p + {'1 + ' if trend == 'c' else ''}{f'{n_exog} exog + ' if n_exog else ''}N), got {n_rows}; "
            "use fewer lags or variables, or a longer sample."
        )


def check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise SpecificationError(f"horizon must be an integer >= 1, got horizon={horizon!r}.")
    return int(horizon)


def lag_table(data: pd.DataFrame, max_lags: int, trend: str, exog: pd.DataFrame | None = None) -> pd.DataFrame:
    """Information criteria for p = 1..max_lags (``attrs["selected"]``: the minimising lag of each)."""
    y = data.to_numpy()
    n_vars = y.shape[1]
    x = None if exog is None else exog.to_numpy()
    need = max_lags + min_obs(n_vars, max_lags, trend, 0 if x is None else x.shape[1])
    if y.shape[0] < need:
        raise DataError(
            f"lag selection up to max_lags={max_lags} with {n_vars} variables needs at least {need} observations "
            f"(all candidates share the last T - max_lags rows), got {y.shape[0]}; lower max_lags or pass lags=<int>."
        )
    try:
        crit = K.lag_selection_criteria(y, max_lags, trend, x)
    except np.linalg.LinAlgError:
        raise EstimationError(
            f"lag selection failed: the regressors of {list(data.columns)} are linearly dependent; "
            "drop one of the collinear columns."
        ) from None
    table = pd.DataFrame(
        crit, index=pd.RangeIndex(1, max_lags + 1, name="lags"), columns=["aic", "bic", "hqic", "fpe"]
    )
    table.attrs["selected"] = {c: int(np.argmin(table[c].to_numpy())) + 1 for c in table.columns}
    return table


def _positions(names: tuple[str, ...], items: str | Sequence[str], what: str) -> list[int]:
    chosen = [items] if isinstance(items, str) else list(items)
    if not chosen:
        raise SpecificationError(f"{what} must name at least one variable of {list(names)}.")
    out = []
    for n in chosen:
        if n not in names:
            raise SpecificationError(f"{what} variable {n!r} is not in the VAR; choose from {list(names)}.")
        out.append(names.index(n))
    return out


def granger_positions(
    names: tuple[str, ...], cause: str | Sequence[str], effect: str | Sequence[str] | None
) -> tuple[list[int], list[int]]:
    """Positions of the cause and effect variables (default effect: every variable not in ``cause``)."""
    ci = _positions(names, cause, "cause")
    if effect is None:
        ei = [i for i in range(len(names)) if i not in ci]
        if not ei:
            raise SpecificationError("cause contains every variable; name at least one effect variable.")
    else:
        ei = _positions(names, effect, "effect")
    overlap = set(ci) & set(ei)
    if overlap:
        raise SpecificationError(
            f"cause and effect overlap in {[names[i] for i in sorted(overlap)]}; they must be disjoint."
        )
    return ci, ei


def coefficient_frame(
    names: tuple[str, ...], regs: list[str], lags: list[int], b: Float64Array2D, se: Float64Array2D, dof: int
) -> pd.DataFrame:
    """Tidy coefficient table: one row per (equation, regressor) with std. error, t and two-sided p-value."""
    t = b / se
    p = 2.0 * stats.t.sf(np.abs(t), dof)
    rows = []
    for e, eq in enumerate(names):
        for r, reg in enumerate(regs):
            rows.append((eq, reg, lags[r], b[r, e], se[r, e], t[r, e], p[r, e]))
    return pd.DataFrame(rows, columns=["equation", "regressor", "lag", "coefficient", "std_error", "t", "pvalue"])


def granger_test(
    names: tuple[str, ...], b: Float64Array2D, zz_inv: Float64Array2D, sigma_u: Float64Array2D, n_obs: int,
    n_lags: int, trend: str, variables: tuple[str | Sequence[str], str | Sequence[str] | None],
) -> GrangerResult:
    """Wald / F Granger test of :meth:`VARResults.granger <contagion.var.model.VARResults.granger>`."""
    ci, ei = granger_positions(names, *variables)
    n_vars = len(names)
    c = 1 if trend == "c" else 0
    restricted = [(c + lag * n_vars + j, i) for lag in range(n_lags) for j in ci for i in ei]
    wald = K.granger_wald(b, zz_inv, sigma_u, restricted)
    q = len(restricted)
    df2 = n_vars * (n_obs - b.shape[0])
    f = wald / q
    return GrangerResult(
        cause=tuple(names[i] for i in ci),
        effect=tuple(names[i] for i in ei),
        statistic=f,
        df=(q, df2),
        pvalue=float(stats.f.sf(f, q, df2)),
        wald=wald,
        wald_pvalue=float(stats.chi2.sf(wald, q)),
    )
