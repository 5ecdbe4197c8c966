r"""Estimation of a VAR: OLS (with or without exogenous terms) and penalised (lasso, ridge, elastic net).

:func:`estimate` is what :meth:`contagion.var.model.VAR.fit` calls once the lag order is known. The plain
OLS VAR (no ``exog``, ``estimator="ols"``) is computed exactly as before exogenous terms and penalties
existed (:func:`contagion.var._kernels.ols_var`).

Penalised VARs (Demirer, Diebold, Liu and Yilmaz 2018) are estimated equation by equation on standardised
regressors (:mod:`contagion.var._penalised`): the penalty applies to the lag coefficients in standard-
deviation units, the intercept and the exogenous terms are unpenalised (partialled out first), as glmnet
with ``standardize = TRUE`` and a standardised response. The penalty is a float (the same λ in every
equation), or chosen per equation by ``"bic"`` over a grid of 50 values or by ``"cv"``: time-series
cross-validation with a rolling origin and an expanding training window (5 folds, each forecasting the next
block one step ahead, never training on rows after its origin).

Σ convention of penalised fits: ``sigma_u`` = ``sigma_u_ml`` = :math:`\hat U'\hat U / T` of the penalised
residuals (no degrees-of-freedom correction: a penalised equation has no integer parameter count).

References
----------
.. [1] Demirer, M., Diebold, F. X., Liu, L. and Yilmaz, K. (2018). Estimating global bank network
   connectedness. Journal of Applied Econometrics, 33(1), 1-15.
.. [2] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Section 10.2.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D
from contagion.errors import EstimationError, SpecificationError
from contagion.var import _kernels as K
from contagion.var import _penalised as P

__all__ = ["ESTIMATORS", "Estimate", "Estimator", "check_estimator", "estimate"]

Estimator = Literal["ols", "lasso", "ridge", "elastic_net"]
#: Estimators of ``VAR(estimator=...)``.
ESTIMATORS: tuple[str, ...] = ("ols", "lasso", "ridge", "elastic_net")
N_PENALTIES = 50  # grid of "bic" / "cv"
N_FOLDS = 5  # folds of "cv"


def check_estimator(estimator: Any, penalty: Any, l1_ratio: Any) -> None:
    """SpecificationError naming the option unless estimator, penalty and l1_ratio fit together."""
    if estimator not in ESTIMATORS:
        raise SpecificationError(f"estimator must be one of {list(ESTIMATORS)}, got estimator={estimator!r}.")
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, (int, float)) or not 0.0 < float(l1_ratio) <= 1.0:
        raise SpecificationError(
            f"l1_ratio must lie in (0, 1] (1 = lasso; use estimator='ridge' for 0), got l1_ratio={l1_ratio!r}."
        )
    if estimator == "ols":
        if penalty is not None:
            raise SpecificationError(
                f"penalty={penalty!r} needs a penalised estimator ('lasso', 'ridge' or 'elastic_net'); "
                "estimator='ols' takes penalty=None."
            )
        return
    if estimator != "ridge" and importlib.util.find_spec("sklearn") is None:
        raise SpecificationError(
            f"estimator={estimator!r} uses scikit-learn's coordinate descent, which is not installed; "
            "pip install 'scikit-learn>=1.4' (ridge needs only numpy)."
        )
    if penalty is None or (isinstance(penalty, str) and penalty in ("cv", "bic")):
        return
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float, np.floating, np.integer)):
        raise SpecificationError(f"penalty must be None, a float >= 0, 'cv' or 'bic', got penalty={penalty!r}.")
    if not math.isfinite(float(penalty)) or float(penalty) < 0.0:
        raise SpecificationError(f"penalty must be a finite float >= 0 (0 = OLS), got penalty={penalty!r}.")


@dataclass(frozen=True)
class Estimate:
    """The arrays of one fit (what :class:`~contagion.var.model.VARResults` stores)."""

    coefs: Float64Array3D
    intercept: Float64Array1D
    exog_coefs: Float64Array2D | None
    resid: Float64Array2D
    sigma_u: Float64Array2D
    sigma_u_ml: Float64Array2D
    penalty: Float64Array1D | None = None
    penalty_path: pd.DataFrame | None = None


def _singular(names: list[str], n_lags: int) -> EstimationError:
    return EstimationError(
        f"the residual covariance of the VAR({n_lags}) on {names} is singular: "
        "some columns are (nearly) linear combinations of others; drop one of them."
    )


def _check_sigma(sigma_u: Float64Array2D, names: list[str], n_lags: int) -> None:
    scale = np.sqrt(np.diag(sigma_u))
    corr_eig = np.linalg.eigvalsh(sigma_u / np.outer(scale, scale)) if np.all(scale > 0) else np.zeros(1)
    if corr_eig.min() < 1e-10:
        raise _singular(names, n_lags)


def estimate(
    y: Float64Array2D,
    n_lags: int,
    trend: str,
    names: list[str],
    exog: Float64Array2D | None = None,
    estimator: str = "ols",
    penalty: float | str | None = None,
    l1_ratio: float = 0.5,
) -> Estimate:
    """Fit the VAR(``n_lags``) on ``y`` (T, N) with optional ``exog`` (T, k) by ``estimator``."""
    if estimator != "ols":
        return _penalised(y, n_lags, trend, names, exog, estimator, "cv" if penalty is None else penalty, l1_ratio)
    try:
        if exog is None:
            coefs, intercept, resid = K.ols_var(y, n_lags, trend)
            exog_coefs = None
        else:
            coefs, intercept, exog_coefs, resid = K.ols_varx(y, n_lags, trend, exog)
    except np.linalg.LinAlgError:
        raise _singular(names, n_lags) from None
    n_obs, n_vars = resid.shape
    n_regressors = n_vars * n_lags + (1 if trend == "c" else 0) + (0 if exog is None else exog.shape[1])
    sse = np.einsum("ti,tj->ij", resid, resid)  # einsum: BLAS syrk stalls under thread contention
    sigma_u = sse / (n_obs - n_regressors)
    _check_sigma(sigma_u, names, n_lags)
    return Estimate(coefs, intercept, exog_coefs, resid, sigma_u, sse / n_obs)


def _penalised(
    y: Float64Array2D, n_lags: int, trend: str, names: list[str], exog: Float64Array2D | None,
    estimator: str, penalty: float | str, l1_ratio: float,
) -> Estimate:
    """One-sample penalised fit through the window kernels (one window = the whole sample)."""
    n_total, n_vars = y.shape
    mean = y.mean(axis=0) if trend == "c" else None
    blocks = ([np.ones((n_total, 1))] if trend == "c" else []) + ([exog] if exog is not None else [])
    unpen = np.column_stack(blocks) if blocks else np.zeros((n_total, 0))
    z = P.design_rows(y - mean if mean is not None else y, n_lags, unpen)
    n_rows = n_total - n_lags
    l1 = P.l1_ratio_of(estimator, l1_ratio)
    try:
        b, gamma, sse, lam, crit, grids = P.fit_rows(
            z, n_rows, np.zeros(1, dtype=np.int64), unpen.shape[1], n_lags, n_vars, l1, penalty, N_PENALTIES, N_FOLDS
        )
    except np.linalg.LinAlgError:
        raise _singular(names, n_lags) from None
    fit = P.assemble(b, gamma, sse / n_rows, lam, n_lags, mean, crit, grids)
    coefs, intercept = fit.coefs[0], fit.intercept[0]
    exog_coefs = None
    resid = K.var_resid(y, coefs, intercept)
    if exog is not None:
        exog_coefs = fit.exog_coefs[0]
        resid = resid - exog[n_lags:] @ exog_coefs.T
    sigma = np.einsum("ti,tj->ij", resid, resid) / n_rows
    _check_sigma(sigma, names, n_lags)
    path = _path_frame(names, penalty, crit, grids) if crit else None
    return Estimate(coefs, intercept, exog_coefs, resid, sigma, sigma.copy(), lam[0], path)


def _path_frame(names: list[str], penalty: float | str, crit: tuple[Any, ...], grids: tuple[Any, ...]) -> pd.DataFrame:
    """Tidy criterion on the grid: equation, penalty, criterion (BIC, or the mean CV forecast MSE), df."""
    grid = grids[0]  # (N, L)
    if penalty == "bic":
        value, df = crit[0][..., 0], crit[0][..., 1]
    else:
        value, df = crit[0].mean(axis=0), np.full(grid.shape, np.nan)
    eq = np.repeat(np.asarray(names, dtype=object), grid.shape[1])
    return pd.DataFrame(
        {"equation": eq, "penalty": grid.ravel(), "criterion": value.ravel(), "df": df.ravel(),
         "method": str(penalty)}
    )
