"""Bootstrap options of connectedness intervals and the step that attaches draws to a result."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, resolve_seed
from contagion._typing import Float64Array
from contagion.errors import ContagionWarning, SpecificationError
from contagion.spillover import _bands
from contagion.spillover._utility import Progress, VARResultsLike, validate_data
from contagion.spillover.results import ConnectednessResult

__all__ = ["EXPLOSIVE_WARN", "BandOptions", "estimation_data", "warn_explosive", "with_bands"]

EXPLOSIVE_WARN = 0.05  # share of explosive draws above which the user is warned


@dataclass(frozen=True)
class BandOptions:
    """How connectedness intervals are drawn: scheme, number of draws, coverage and the integer seed."""

    method: str
    reps: int
    level: float
    seed: int

    @classmethod
    def build(cls, method: str, reps: int, level: float, seed: SeedLike) -> BandOptions:
        """Validated options (``SpecificationError`` naming the argument at fault)."""
        if method not in _bands.BAND_METHODS:
            raise SpecificationError(
                f"bands must be None, 'bootstrap' or 'wild', got bands={method!r}."
            )
        if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 2:
            raise SpecificationError(f"reps must be an integer >= 2 (e.g. 1000), got reps={reps!r}.")
        if isinstance(level, bool) or not isinstance(level, float | int) or not 0.0 < float(level) < 1.0:
            raise SpecificationError(f"level must be in (0, 1) (e.g. 0.95), got level={level!r}.")
        return cls(method=method, reps=int(reps), level=float(level), seed=resolve_seed(seed))


def with_bands(result: ConnectednessResult, y: Float64Array, options: BandOptions,
               progress: Progress | None = None, exog: Float64Array | None = None) -> ConnectednessResult:
    """``result`` with bootstrap draws of its table (re-estimating the VAR on ``y``, the estimation data, with
    the fitted VAR's deterministic terms ``exog`` when it had any)."""
    if result.n_lags is None:
        raise SpecificationError("bands= needs the lag order of the fitted VAR.")
    draws, n_explosive = _bands.table_draws(
        y, result.n_lags, horizon=result.horizon, kind=result.kind, method=options.method, reps=options.reps,
        rng=np.random.default_rng(options.seed), progress=progress, exog=exog,
    )
    warn_explosive(n_explosive, options.reps, result.n_lags, stacklevel=4)
    return dataclasses.replace(result, draws=draws, bands=options.method, level=options.level,
                               reps=options.reps, seed=options.seed, n_explosive=n_explosive)


def warn_explosive(n_explosive: int, reps: int, n_lags: int | None, stacklevel: int) -> None:
    """Warn when more than :data:`EXPLOSIVE_WARN` of the draws are unstable VARs (they are kept)."""
    if n_explosive > EXPLOSIVE_WARN * reps:
        warnings.warn(
            f"{n_explosive} of {reps} bootstrap draws of the VAR({n_lags}) are not stable; their "
            "tables are kept in the intervals. The point estimate may be close to a unit root.",
            ContagionWarning, stacklevel=stacklevel,
        )


def estimation_data(data: pd.DataFrame | VARResultsLike) -> tuple[Float64Array, Float64Array | None]:
    """The data rows a bootstrap restarts from (the frame itself, or a fitted VAR's ``model.data``) and the
    fitted VAR's deterministic terms (``model.exog``, e.g. day-of-week dummies; None without)."""
    if isinstance(data, pd.DataFrame):
        values, _, _ = validate_data(data)
        return values, None
    model = getattr(data, "model", None)
    frame = getattr(model, "data", None)
    if not isinstance(frame, pd.DataFrame) or getattr(model, "trend", "c") != "c":
        raise SpecificationError(
            "bands= needs the estimation data of a VAR with an intercept: pass the DataFrame itself, or a "
            "VARResults from contagion.VAR(data, trend='c').fit()."
        )
    exog = getattr(model, "exog", None)
    x = None if exog is None else np.asarray(exog.to_numpy(dtype=np.float64))
    return np.asarray(frame.to_numpy(dtype=np.float64)), x
