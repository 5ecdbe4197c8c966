"""Input handling of :func:`contagion.dcc.virf.virf`: options, the state at the shock date, the shock.

- :func:`check_options` validates ``horizon``, ``reps``, ``level`` and ``baseline``;
- :func:`select_state` picks the :class:`~contagion.dcc.state.DCCState` (from a fit or given by hand) and
  normalises a one-row DataFrame or a date-named Series shock;
- :func:`checked_state` validates a state and derives R_t, H_t, H_t^{1/2} and the
  :class:`~contagion.dcc._virf_kernels.VIRFParams` of the simulation;
- :func:`parse_shock` turns a named, sized or historical shock into innovations and standardized shocks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date as _date
from typing import Protocol, TypeGuard

import numpy as np
import pandas as pd

from contagion._typing import Float64Array, Float64Array2D
from contagion.dcc import _virf_kernels as kernels
from contagion.dcc.state import DCCState
from contagion.errors import SpecificationError

__all__ = ["N_BATCHES", "CheckedState", "HasState", "ShockSpec", "check_options", "checked_state",
           "parse_shock", "select_state"]

#: replications are split into this many independent batches; the band is a Student-t interval on the
#: batch means (batch-means method), which stays valid with the moment-matched shock-date draws
N_BATCHES = 20

ShockSpec = str | Sequence[str] | Mapping[str, float] | pd.Series | pd.DataFrame | Sequence[float] | np.ndarray


class HasState(Protocol):
    """A fitted model that hands out its conditional state at a date (``DCCResult``)."""

    def state_at(self, at: _date | str | None) -> DCCState: ...


@dataclass(frozen=True, kw_only=True)
class CheckedState:
    """A validated state: the simulation's constants plus R_t, H_t and its symmetric root at the shock date."""

    params: kernels.VIRFParams
    #: conditional correlation and covariance for the shock date, shape (N, N)
    R: Float64Array2D
    H: Float64Array2D
    #: symmetric square root of H, shape (N, N)
    root: Float64Array2D


def select_state(result: HasState | DCCState, shock: ShockSpec, at: _date | str | None
                 ) -> tuple[DCCState, ShockSpec]:
    """The state at the shock date and the shock (a one-row DataFrame becomes its row).

    ``at`` defaults to the name of a Series shock or the index of a one-row DataFrame when those are dates.
    """
    if at is None and isinstance(shock, pd.Series) and _is_date(shock.name):
        at = pd.Timestamp(shock.name)
    if isinstance(shock, pd.DataFrame):
        if len(shock) != 1:
            raise SpecificationError(
                f"a historical shock must be one row of returns, got a DataFrame with {len(shock)} rows; "
                "pass returns.loc[date] (a Series) for one date."
            )
        if at is None and _is_date(shock.index[0]):
            at = pd.Timestamp(shock.index[0])
        shock = shock.iloc[0]
    if isinstance(result, DCCState):
        if at is not None and pd.Timestamp(at) != pd.Timestamp(result.date):
            raise SpecificationError(
                f"at={at!r} but the DCCState given is for {result.date:%Y-%m-%d}; pass the fitted DCCResult "
                "(so that state_at(at) can be used) or omit `at`."
            )
        return result, shock
    return result.state_at(at), shock


def _is_date(value: object) -> TypeGuard[_date | np.datetime64 | str]:
    """A date, a datetime64 or a string pandas reads as a date (so ``pd.Timestamp(value)`` works)."""
    if isinstance(value, (pd.Timestamp, _date, np.datetime64)):
        return True
    if isinstance(value, str):
        try:
            pd.Timestamp(value)
        except (ValueError, TypeError):
            return False
        return True
    return False


def check_options(horizon: int, reps: int, level: float, baseline: str) -> tuple[int, int, float]:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise SpecificationError(f"horizon must be an integer >= 1, got horizon={horizon!r}.")
    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 2 * N_BATCHES:
        raise SpecificationError(
            f"reps must be an integer >= {2 * N_BATCHES} ({N_BATCHES} batches of antithetic pairs), "
            f"got reps={reps!r}; 2000 is a good default."
        )
    if not (isinstance(level, (float, int)) and 0.0 < float(level) < 1.0):
        raise SpecificationError(f"level must be in (0, 1), got level={level!r} (e.g. 0.90).")
    if baseline not in ("expected", "zero"):
        raise SpecificationError(
            f"baseline must be 'expected' (Hafner-Herwartz) or 'zero' (Gabauer 2020), got {baseline!r}."
        )
    return int(horizon), int(reps), float(level)


def checked_state(state: DCCState) -> CheckedState:
    """Validate a DCCState; return the simulation's constants and the derived R_t, H_t and H_t^{1/2}.

    Raises
    ------
    SpecificationError
        Names not distinct, unknown volatility or model, non-finite or mis-shaped arrays, negative
        parameters, non-positive variances, Q not positive definite or an indefinite DCC intercept.
    """
    names = tuple(state.names)
    n = len(names)
    where = f"DCCState for {pd.Timestamp(state.date):%Y-%m-%d}"
    if n < 1 or len(set(names)) != n:
        raise SpecificationError(f"{where}: names must be distinct and non-empty, got {names!r}.")
    if state.volatility not in ("garch", "gjr", "egarch"):
        raise SpecificationError(f"{where}: volatility must be 'garch', 'gjr' or 'egarch', got {state.volatility!r}.")
    if state.model not in ("dcc", "adcc"):
        raise SpecificationError(f"{where}: model must be 'dcc' or 'adcc', got {state.model!r}.")
    out: dict[str, Float64Array] = {}
    for key in ("mu", "omega", "alpha", "gamma", "beta", "h"):
        arr = np.asarray(getattr(state, key), dtype=np.float64)
        if arr.shape != (n,) or not np.all(np.isfinite(arr)):
            raise SpecificationError(f"{where}: {key} must be {n} finite numbers (one per asset), got {arr!r}.")
        out[key] = arr
    for key in ("Q", "Qbar", "Nbar"):
        arr = np.asarray(getattr(state, key), dtype=np.float64)
        if arr.shape != (n, n) or not np.all(np.isfinite(arr)):
            raise SpecificationError(f"{where}: {key} must be a finite {n}x{n} matrix.")
        out[key] = 0.5 * (arr + arr.T)
    a, b, g = float(state.a), float(state.b), float(state.g)
    if min(a, b, g) < 0 or not all(map(math.isfinite, (a, b, g))):
        raise SpecificationError(f"{where}: DCC parameters must be finite and >= 0, got a={a}, b={b}, g={g}.")
    if state.model == "dcc" and g != 0.0:
        raise SpecificationError(f"{where}: g={g} is only meaningful for model='adcc'.")
    if state.volatility == "garch" and np.any(out["gamma"] != 0.0):
        raise SpecificationError(f"{where}: gamma must be 0 for volatility='garch' (use 'gjr').")
    if np.any(out["h"] <= 0):
        bad = [names[i] for i in np.flatnonzero(out["h"] <= 0)]
        raise SpecificationError(f"{where}: conditional variances of {bad} are not positive.")
    if state.volatility != "egarch" and (np.any(out["alpha"] < 0) or np.any(out["beta"] < 0)
                                         or np.any(out["omega"] < 0) or np.any(out["alpha"] + out["gamma"] < 0)):
        raise SpecificationError(
            f"{where}: GARCH parameters must satisfy omega, alpha, beta >= 0 and alpha + gamma >= 0."
        )
    if state.nu is not None and not (math.isfinite(state.nu) and state.nu > 2.0):
        raise SpecificationError(f"{where}: nu must be > 2 for a standardized Student-t, got nu={state.nu}.")
    if not math.isfinite(state.scale) or state.scale <= 0:
        raise SpecificationError(f"{where}: scale must be positive, got {state.scale}.")
    if np.linalg.eigvalsh(out["Q"])[0] <= 0:
        raise SpecificationError(f"{where}: Q is not positive definite.")
    C = (1.0 - a - b) * out["Qbar"] - g * out["Nbar"]
    c_min = np.linalg.eigvalsh(C)[0]
    if c_min < -1e-12 * max(1.0, float(np.abs(C).max())):
        raise SpecificationError(
            f"{where}: the DCC intercept (1-a-b)Qbar - g Nbar is not positive semi-definite "
            f"(smallest eigenvalue {c_min:.3g}); the aDCC needs a + b + delta*g < 1."
        )
    dq = 1.0 / np.sqrt(np.diag(out["Q"]))
    R = out["Q"] * np.outer(dq, dq)
    sd = np.sqrt(out["h"])
    H = R * np.outer(sd, sd)
    params = kernels.VIRFParams(omega=out["omega"], alpha=out["alpha"], gamma=out["gamma"], beta=out["beta"],
                                h0=out["h"], Q0=out["Q"], intercept=C, a=a, b=b, g=g, volatility=state.volatility)
    return CheckedState(params=params, R=R, H=H, root=kernels.sym_sqrt(H))


def parse_shock(
    shock: ShockSpec,
    state: DCCState,
    root: Float64Array2D,
) -> tuple[tuple[str, ...], Float64Array2D, Float64Array2D]:
    """Labels, innovations eps* (fitted scale, shape (S, N)) and standardized shocks xi = H^{-1/2} eps*."""
    names = tuple(state.names)
    n = len(names)

    def position(name: str) -> int:
        if name not in names:
            raise SpecificationError(
                f"unknown asset {name!r} in shock; the model's assets are {list(names)}. A named shock is "
                "an asset name; a historical shock is a Series of returns indexed by asset."
            )
        return names.index(name)

    if isinstance(shock, str):
        shock = [shock]
    if isinstance(shock, Mapping):
        xi = np.zeros(n)
        for name, size in shock.items():
            value = float(size)
            if not math.isfinite(value):
                raise SpecificationError(f"shock size for {name!r} must be finite, got {size!r}.")
            xi[position(name)] = value
        parts = [f"{k}{float(v):+g}sd" for k, v in shock.items()]
        label = next(iter(shock)) if len(shock) == 1 and float(next(iter(shock.values()))) == 1.0 else "&".join(parts)
        return (label,), (root @ xi)[None, :], xi[None, :]
    if isinstance(shock, Sequence) and len(shock) > 0 and all(isinstance(s, str) for s in shock):
        names_list = [str(s) for s in shock]
        if len(set(names_list)) != len(names_list):
            raise SpecificationError(f"shock lists an asset twice: {names_list}.")
        xi = np.zeros((len(names_list), n))
        for row, name in enumerate(names_list):
            xi[row, position(name)] = 1.0
        return tuple(names_list), xi @ root.T, xi
    # historical shock: returns
    if isinstance(shock, pd.Series):
        missing = [x for x in names if x not in shock.index]
        extra = [str(x) for x in shock.index if x not in names]
        if missing or extra:
            raise SpecificationError(
                f"historical shock must have one return per asset {list(names)}; missing {missing}, "
                f"unexpected {extra}."
            )
        values = shock.reindex(list(names)).to_numpy(dtype=np.float64)
    else:
        values = np.asarray(shock, dtype=np.float64)
        if values.shape != (n,):
            raise SpecificationError(
                f"a historical shock must be {n} returns in the order {list(names)}, got shape {values.shape}."
            )
    if not np.all(np.isfinite(values)):
        bad = [names[i] for i in np.flatnonzero(~np.isfinite(values))]
        raise SpecificationError(
            f"historical shock has missing or infinite returns for {bad} on {state.date:%Y-%m-%d}; "
            "fill them (e.g. 0 for a market closed that day) or choose another date."
        )
    eps = values * state.scale - np.asarray(state.mu, dtype=np.float64)
    xi_hist = np.asarray(np.linalg.solve(root, eps), dtype=np.float64)[None, :]
    label = f"historical[{pd.Timestamp(state.date):%Y-%m-%d}]"
    return (label,), eps[None, :], xi_hist

