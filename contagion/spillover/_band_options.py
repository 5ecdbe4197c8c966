"""Bootstrap options of connectedness intervals and the step that attaches draws to a result."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from contagion._compat import SeedLike, resolve_seed
from contagion._typing import Float64Array
from contagion.errors import ContagionWarning, SpecificationError
from contagion.spillover import _bands
from contagion.spillover._utility import Progress
from contagion.spillover.results import ConnectednessResult

__all__ = ["BandOptions", "with_bands"]

_EXPLOSIVE_WARN = 0.05  # share of explosive draws above which the user is warned


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
    if n_explosive > _EXPLOSIVE_WARN * options.reps:
        warnings.warn(
            f"{n_explosive} of {options.reps} bootstrap draws of the VAR({result.n_lags}) are not stable; their "
            "tables are kept in the intervals. The point estimate may be close to a unit root.",
            ContagionWarning, stacklevel=3,
        )
    return dataclasses.replace(result, draws=draws, bands=options.method, level=options.level,
                               reps=options.reps, seed=options.seed, n_explosive=n_explosive)
