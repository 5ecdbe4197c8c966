"""Frequency connectedness of the group indices (main job, ``[connectedness] frequency = true``).

The static band tables (Baruník and Křehlík 2018) decompose the headline VAR itself (the same lags and
deterministic terms), so the absolute bands sum to its Diebold-Yilmaz table at ``frequency_horizon`` MA
terms. The rolling band TCIs (``frequency_rolling``) use the windows of the rolling connectedness
(``rolling_window`` rows, ``rolling_step``), estimated as :func:`contagion.rolling_connectedness` does (OLS,
intercept only).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, catch

if TYPE_CHECKING:
    from contagion.spillover.frequency_results import (
        FrequencyBand,
        FrequencyConnectednessResult,
        RollingFrequencyConnectednessResult,
    )
    from contagion.spillover.results import ConnectednessResult

__all__ = ["frequency_section"]

_MODEL = "group_var"


def frequency_section(data: JobData, model: Any, lag_order: int) -> SectionOutput:
    """Band tables of the headline VAR ``model`` and, optionally, rolling band TCIs."""
    from contagion.spillover import frequency_connectedness

    spec, name = data.study.connectedness, data.name
    unavailable: dict[str, str] = {}
    horizon = spec.frequency_horizon
    static = catch(lambda: frequency_connectedness(model, horizon=horizon, bands=spec.frequency_band_periods, kind=spec.kind),
                   "frequency bands", unavailable)
    tables: dict[str, pd.DataFrame] = {}
    info: dict[str, Any] = {"frequency": {"horizon": horizon, "lags": int(lag_order), "kind": spec.kind,
                                          "bands": [list(b) for b in spec.frequency_bands]}}
    if static is not None:
        tables["frequency"] = _static_long(static, name)
        info["frequency"].update({"labels": list(static.labels), "tci": dict(static.tci.astype(float)),
                                  "tci_within": dict(static.tci_within.astype(float)),
                                  "total": float(static.total_result.total)})
    window = spec.rolling_window
    if spec.frequency_rolling and window is not None:
        def _rolling() -> RollingFrequencyConnectednessResult:
            return frequency_connectedness(data.indices, lags=lag_order, horizon=horizon, bands=spec.frequency_band_periods,
                                           kind=spec.kind, rolling=window, step=spec.rolling_step)
        rolled = catch(_rolling, "frequency bands (windows)", unavailable)
        if rolled is not None:
            tables["frequency_rolling"] = _rolling_long(rolled, name)
    return SectionOutput(tables=tables, info=info, unavailable=unavailable)


def _band_columns(band: FrequencyBand | None, convention: str) -> dict[str, Any]:
    if band is None:  # the total (DY) table: every period
        return {"convention": convention, "band": "total", "period_low": 2.0, "period_high": math.inf}
    return {"convention": convention, "band": band.label, "period_low": float(band.period_low),
            "period_high": float(band.period_high)}


def _measures(result: ConnectednessResult) -> pd.DataFrame:
    names = list(result.names)
    parts = [pd.DataFrame({"measure": "TCI", "series": "TOTAL", "value": [float(result.total)]})]
    for measure, series in (("TO", result.to), ("FROM", result.from_), ("NET", result.net)):
        values = pd.Series(series, dtype=float).reindex(names).to_numpy()
        parts.append(pd.DataFrame({"measure": measure, "series": names, "value": values}))
    return pd.concat(parts, ignore_index=True)


def _static_long(result: FrequencyConnectednessResult, job: str) -> pd.DataFrame:
    """TCI, TO, FROM and NET per band (absolute and within) and of the total table."""
    parts = []
    for convention, by_band in (("absolute", result.absolute), ("within", result.within)):
        for band in result.bands:
            frame = _measures(by_band[band.label])
            for position, (key, value) in enumerate(_band_columns(band, convention).items()):
                frame.insert(position, key, value)
            parts.append(frame)
    total = _measures(result.total_result)
    for position, (key, value) in enumerate(_band_columns(None, "absolute").items()):
        total.insert(position, key, value)
    parts.append(total)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "model", _MODEL)
    out.insert(0, "job", job)
    return out


def _rolling_long(result: RollingFrequencyConnectednessResult, job: str) -> pd.DataFrame:
    """The TCI of every band and window, both conventions (dated by the window's last row)."""
    parts = []
    for convention, frame in (("absolute", result.tci), ("within", result.tci_within)):
        wide = pd.DataFrame(frame)
        wide.index.name = "date"
        long = wide.reset_index().melt(id_vars="date", var_name="band", value_name="value")
        long.insert(0, "convention", convention)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "model", _MODEL)
    out.insert(0, "job", job)
    return out[["job", "model", "convention", "band", "date", "value"]]
