"""Quantile connectedness of the group indices (main job, ``[connectedness] quantile = true``).

A quantile VAR (Ando, Greenwood-Nimmo and Shin 2022) at each level of ``quantiles`` on the group indices,
with ``quantile_lags`` lags (default: the headline VAR's order) and the headline FEVD horizon; intercept only
(no weekday terms, as the rolling and TVP-VAR connectedness). With ``quantile_window`` the same quantile VARs
are estimated on rolling windows every ``quantile_step`` rows. Unstable (explosive) tail VARs are kept and
flagged, as :func:`contagion.spillover.quantile.quantile_connectedness` does; the section counts them per
level in the job info (and the report says so) instead of passing the library's warning on, since an
explosive tail window is a documented feature of quantile VARs, not a failure of the run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, call_with_progress, catch, stage

if TYPE_CHECKING:
    from contagion.spillover.quantile_results import (
        QuantileConnectednessResult,
        RollingQuantileConnectednessResult,
    )

__all__ = ["quantile_section"]

_MODEL = "group_var"


def quantile_section(data: JobData, lag_order: int) -> SectionOutput:
    """The tau-by-measure table of the quantile VARs and, with a window, the rolling TCI path of each tau."""
    from contagion.spillover.quantile import quantile_connectedness

    study, name, indices = data.study, data.name, data.indices
    spec = study.connectedness
    taus = list(spec.quantiles)
    lags = spec.quantile_lags or int(lag_order)
    horizon = study.var.horizon
    unavailable: dict[str, str] = {}
    info: dict[str, Any] = {"quantile": {"taus": taus, "lags": lags, "horizon": horizon,
                                         "window": spec.quantile_window, "step": spec.quantile_step}}
    tables: dict[str, pd.DataFrame] = {}

    def _static() -> QuantileConnectednessResult:
        return quantile_connectedness(indices, tau=taus, lags=lags, horizon=horizon, kind=spec.kind)
    with _explosive_flagged():
        static = catch(_static, "quantile VAR", unavailable)
    if static is not None:
        tables["quantile"] = _static_long(static, name)
        info["quantile"]["tci"] = {f"{t:g}": float(v) for t, v in zip(static.taus, static.total.to_numpy(),
                                                                        strict=True)}
        info["quantile"]["explosive"] = [float(t) for t, e in zip(static.taus, static.explosive.to_numpy(),
                                                                  strict=True) if e]
    window = spec.quantile_window
    if window is not None:
        def _rolling() -> RollingQuantileConnectednessResult:
            return call_with_progress(cast("Callable[..., RollingQuantileConnectednessResult]", quantile_connectedness), stage(data.progress, "quantile windows"), data=indices,
                                      tau=taus, lags=lags, horizon=horizon, kind=spec.kind, window=window,
                                      step=spec.quantile_step)
        with _explosive_flagged():
            rolled = catch(_rolling, "quantile VAR (windows)", unavailable)
        if rolled is not None:
            tables["quantile_rolling"] = _rolling_long(rolled, name)
            counts = rolled.explosive.sum(axis=0)
            info["quantile"]["explosive_windows"] = {
                f"{t:g}": int(c) for t, c in zip(counts.index.to_numpy(dtype=float), counts.to_numpy(), strict=True)}
            info["quantile"]["n_windows"] = len(rolled.index)
    return SectionOutput(tables=tables, info=info, unavailable=unavailable)


@contextmanager
def _explosive_flagged() -> Iterator[None]:
    """Silence the library's "not stable" warning (the results flag every explosive fit, which we count)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"tau=.* quantile VAR\(\d+\) estimates are not stable")
        yield


def _static_long(result: QuantileConnectednessResult, job: str) -> pd.DataFrame:
    """Rows (tau, measure, series): TCI and cTCI (series TOTAL), TO, FROM and NET per group; ``explosive``."""
    names = list(result.names)
    rows = []
    for k, tau in enumerate(result.taus):
        explosive = bool(result.explosive.to_numpy()[k])
        rows.append((tau, "TCI", "TOTAL", float(result.total.to_numpy()[k]), explosive))
        rows.append((tau, "cTCI", "TOTAL", float(result.corrected_total.to_numpy()[k]), explosive))
        for measure, frame in (("TO", result.to), ("FROM", result.from_), ("NET", result.net)):
            values = frame[names].to_numpy(dtype=float)[k]
            rows.extend((tau, measure, series, float(v), explosive) for series, v in zip(names, values, strict=True))
    out = pd.DataFrame(rows, columns=["tau", "measure", "series", "value", "explosive"])
    out.insert(0, "model", _MODEL)
    out.insert(0, "job", job)
    return out


def _rolling_long(result: RollingQuantileConnectednessResult, job: str) -> pd.DataFrame:
    """The TCI of every window and tau (dated by the window's last row), with the explosive flag."""
    total = pd.DataFrame(result.total)
    explosive = pd.DataFrame(result.explosive).reindex(index=total.index, columns=total.columns)
    total.index.name = "date"
    explosive.index.name = "date"
    long = total.reset_index().melt(id_vars="date", var_name="tau", value_name="value")
    flags = explosive.reset_index().melt(id_vars="date", var_name="tau", value_name="explosive")
    out = long.merge(flags, on=["date", "tau"], how="left")
    out["tau"] = out["tau"].astype(float)
    out["explosive"] = out["explosive"].fillna(False).astype(bool)
    out.insert(0, "model", _MODEL)
    out.insert(0, "job", job)
    return out[["job", "model", "tau", "date", "value", "explosive"]]
