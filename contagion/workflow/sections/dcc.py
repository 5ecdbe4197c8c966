"""DCC-GARCH on returns and the volatility impulse responses (main job only).

The DCC sample starts at ``dcc.start`` (default: the panel's first date) and keeps the DCC assets with
complete returns in it; an asset left out is named in the job's notes. Estimation failures become
"not available" notes, so the report says what is missing and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from contagion.errors import DataError
from contagion.workflow.sections._common import JobData, SectionOutput, call_with_progress, catch
from contagion.workflow.spec import VIRFShock

if TYPE_CHECKING:
    from contagion.dcc.results import DCCResult
    from contagion.dcc.virf import VIRFResult

__all__ = ["dcc_section"]


def dcc_section(data: JobData) -> SectionOutput:
    """Fit the DCC model and its VIRFs; ``model`` is the fitted DCC result (None when not estimated)."""
    study, name = data.study, data.name
    spec = study.dcc
    returns = data.panel.returns
    start = pd.Timestamp(spec.start) if spec.start is not None else returns.index[0]
    window = returns.loc[start:, [a for a in spec.assets if a in returns.columns]]
    keep = [a for a in window.columns if window[a].notna().all()]
    dropped = [a for a in spec.assets if a not in keep]
    info: dict[str, Any] = {"dcc": {"assets": keep, "dropped": dropped,
                                    "start": window.index[0].date().isoformat() if len(window) else None,
                                    "end": window.index[-1].date().isoformat() if len(window) else None,
                                    "n_obs": len(window)}}
    if dropped:
        info["notes"] = [f"DCC: left out {', '.join(dropped)} (missing returns in the DCC sample from {start.date()})"]
    if len(keep) < 2:
        return SectionOutput(info=info, unavailable={
            "DCC-GARCH": "fewer than two DCC assets have complete returns in the DCC sample"})
    unavailable: dict[str, str] = {}
    data.report("dcc", 0, 1)

    def _fit() -> DCCResult:
        from contagion.dcc import DCCGARCH

        model = DCCGARCH(window[keep], mean=spec.mean, volatility=spec.volatility, dist=spec.dist,
                         model=spec.model, joint_dist=spec.joint_dist, composite=spec.composite)
        return model.fit(se=True)

    result = catch(_fit, "DCC-GARCH", unavailable)
    data.report("dcc", 1, 1)
    if result is None:
        return SectionOutput(info=info, unavailable=unavailable)
    tables = {"dcc_params": _dcc_params(result, name), "dcc_correlations": _dcc_correlations(result, keep, name)}
    virf_frames = []
    for shock in study.virf.shocks:
        virf = catch(partial(_virf, data, result, window[keep], shock), f"VIRF ({shock.name})", unavailable)
        if virf is None:
            continue
        frame = virf.to_frame().reset_index(drop=True)
        frame = frame[["response", "horizon", "estimate", "lower", "upper"]].copy()
        frame.insert(0, "shock", shock.name)
        frame["level"] = study.virf.level
        frame["job"] = name
        virf_frames.append(frame)
    if virf_frames:
        tables["dcc_virf"] = pd.concat(virf_frames, ignore_index=True)
    return SectionOutput(tables=tables, info=info, unavailable=unavailable, model=result)


def _virf(data: JobData, result: DCCResult, window: pd.DataFrame, shock: VIRFShock) -> VIRFResult:
    """The VIRF of one shock: a named asset's standard deviation or the observed returns of a date."""
    study = data.study
    at: dt.date | None = None
    if shock.date is None:  # exactly one of asset and date is set (VIRFShock checks it)
        arg: Any = shock.asset
    else:
        day = pd.Timestamp(shock.date)
        if day not in window.index:
            raise DataError(f"VIRF shock {shock.name!r}: {shock.date} is not a date of the DCC sample "
                            f"(calendar policy {study.data.calendar!r}).")
        arg = window.loc[day]
        at = shock.date

    def draws(done: int, total: int) -> None:
        data.report("virf", done, total)
    return call_with_progress(result.virf, draws, shock=arg, horizon=study.virf.horizon, at=at,
                              reps=study.virf.reps, level=study.virf.level, seed=study.seed)


def _dcc_params(result: DCCResult, job: str) -> pd.DataFrame:
    """Tidy (asset, parameter, estimate, std_error, on_bound); ``on_bound`` flags an estimate on its bound
    (a margin's variance parameter at zero, DCC g = 0 or nu at its cap), where no standard error exists."""
    from contagion.dcc._stage import params_on_bound

    rows = []
    params = pd.Series(result.params)
    errors = pd.Series(getattr(result, "std_errors", pd.Series(dtype=float)))
    dcc_bound = {str(params.index[j]) for j in params_on_bound(tuple(str(k) for k in params.index),
                                                                params.to_numpy(dtype=float))}
    for key, value in params.items():
        rows.append((job, "dcc", str(key), float(value), float(errors.get(key, np.nan)), str(key) in dcc_bound))
    univariate = pd.DataFrame(result.univariate)
    bound = {(str(a), p) for a, flags in univariate.get("on_bound", pd.Series(dtype=str)).items()
             for p in str(flags).split(",") if p}
    # accept either assets as rows or as columns; tidy to (asset, parameter, estimate, std_error)
    for asset, parameter, estimate, se in _univariate_long(univariate):
        rows.append((job, asset, parameter, estimate, se, (asset, parameter) in bound))
    return pd.DataFrame(rows, columns=["job", "asset", "parameter", "estimate", "std_error", "on_bound"])


def _univariate_long(frame: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    out = []
    if {"asset", "parameter"}.issubset(frame.columns):
        est_col = "estimate" if "estimate" in frame.columns else frame.columns[2]
        se_col = "std_error" if "std_error" in frame.columns else None
        for _, row in frame.iterrows():
            out.append((str(row["asset"]), str(row["parameter"]), float(row[est_col]),
                        float(row[se_col]) if se_col else float("nan")))
        return out
    # DCCResult.univariate: one row per asset, a column per parameter and ``se_<parameter>`` beside it
    parameters = [str(c) for c in frame.columns if f"se_{c}" in frame.columns]
    for asset in frame.index:
        for parameter in parameters:
            estimate: Any = frame.loc[asset, parameter]
            std_error: Any = frame.loc[asset, f"se_{parameter}"]
            out.append((str(asset), parameter, float(estimate), float(std_error)))
    return out


def _dcc_correlations(result: DCCResult, assets: Sequence[str], job: str) -> pd.DataFrame:
    parts = []
    for i, x in enumerate(assets):
        for y in assets[i + 1:]:
            series = pd.Series(result.correlation_pair(x, y), dtype=float)
            parts.append(pd.DataFrame({"date": series.index, "pair": f"{x}~{y}", "x": x, "y": y,
                                       "correlation": series.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "job", job)
    return out
