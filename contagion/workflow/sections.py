"""The optional sections of the main job: DCC-GARCH with VIRFs, contagion tests, event study, facts table.

Each section catches the failures it can explain (a model missing in this version, an estimation error)
and records them in ``unavailable`` so that the report says what is missing and why, instead of inventing
numbers. Split out of :mod:`contagion.workflow.pipeline`, which runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from contagion.errors import ContagionError, DataError
from contagion.workflow.spec import Study

__all__ = ["StageProgress", "call_with_progress", "catch", "dcc_section", "events_section", "stage"]

StageProgress = Callable[[str, int, int], None]


def catch(fn: Callable[[], Any], section: str, unavailable: dict[str, str]) -> Any:
    """Run an optional section; an estimation failure becomes a reported note (import errors propagate)."""
    try:
        return fn()
    except NotImplementedError as err:
        unavailable[section] = f"not available: {err}"
    except ContagionError as err:
        unavailable[section] = f"could not be estimated: {err}"
    return None


def stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None]:
    def callback(done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)
    return callback


def call_with_progress(method: Callable[..., Any], callback: StageProgress | Callable[[int, int], None],
                        **kwargs: Any) -> Any:
    """Call ``method`` with ``progress=callback`` when it accepts one (older model versions do not)."""
    import inspect

    try:
        accepts = "progress" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        kwargs["progress"] = callback
    return method(**kwargs)


def dcc_section(study: Study, panel: Any, name: str, tables: dict[str, pd.DataFrame], info: dict[str, Any],
                 unavailable: dict[str, str], progress: StageProgress | None) -> Any:
    spec = study.dcc
    returns = panel.returns
    start = pd.Timestamp(spec.start) if spec.start is not None else returns.index[0]
    window = returns.loc[start:, [a for a in spec.assets if a in returns.columns]]
    keep = [a for a in window.columns if window[a].notna().all()]
    dropped = [a for a in spec.assets if a not in keep]
    info["dcc"] = {"assets": keep, "dropped": dropped,
                   "start": window.index[0].date().isoformat() if len(window) else None,
                   "end": window.index[-1].date().isoformat() if len(window) else None,
                   "n_obs": len(window)}
    if dropped:
        info.setdefault("notes", []).append(
            f"DCC: left out {', '.join(dropped)} (missing returns in the DCC sample from {start.date()})")
    if len(keep) < 2:
        unavailable["DCC-GARCH"] = "fewer than two DCC assets have complete returns in the DCC sample"
        return None
    if progress:
        progress("dcc", 0, 1)

    def _fit() -> Any:
        from contagion.dcc.model import DCCGARCH

        model = DCCGARCH(window[keep], mean=spec.mean, volatility=spec.volatility, dist=spec.dist,
                         model=spec.model, joint_dist=spec.joint_dist, composite=spec.composite)
        return model.fit(se=True)

    result = catch(_fit, "DCC-GARCH", unavailable)
    if progress:
        progress("dcc", 1, 1)
    if result is None:
        return None
    tables["dcc_params"] = _dcc_params(result, name)
    tables["dcc_correlations"] = _dcc_correlations(result, keep, name)
    virf_frames = []
    for shock in study.virf.shocks:
        def _virf(shock: Any = shock) -> Any:
            if shock.asset is not None:
                arg: Any = shock.asset
                at = None
            else:
                day = pd.Timestamp(shock.date)
                if day not in window.index:
                    raise DataError(f"VIRF shock {shock.name!r}: {shock.date} is not a date of the DCC sample "
                                    f"(calendar policy {study.data.calendar!r}).")
                arg = window.loc[day, keep]
                at = shock.date
            def draws(done: int, total: int) -> None:
                if progress:
                    progress("virf", done, total)
            return call_with_progress(result.virf, draws, shock=arg, horizon=study.virf.horizon, at=at,
                                       reps=study.virf.reps, level=study.virf.level, seed=study.seed)
        virf = catch(_virf, f"VIRF ({shock.name})", unavailable)
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
    return result


def _dcc_params(result: Any, job: str) -> pd.DataFrame:
    rows = []
    params = pd.Series(result.params)
    errors = pd.Series(getattr(result, "std_errors", pd.Series(dtype=float)))
    for key, value in params.items():
        rows.append((job, "dcc", str(key), float(value), float(errors.get(key, np.nan))))
    uni = pd.DataFrame(result.univariate)
    # accept either assets as rows or as columns; tidy to (asset, parameter, estimate, std_error)
    long = _univariate_long(uni)
    for asset, parameter, estimate, se in long:
        rows.append((job, asset, parameter, estimate, se))
    return pd.DataFrame(rows, columns=["job", "asset", "parameter", "estimate", "std_error"])


def _univariate_long(uni: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    out = []
    frame = uni
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


def _dcc_correlations(result: Any, assets: Sequence[str], job: str) -> pd.DataFrame:
    parts = []
    for i, x in enumerate(assets):
        for y in assets[i + 1:]:
            series = pd.Series(result.correlation_pair(x, y), dtype=float)
            parts.append(pd.DataFrame({"date": series.index, "pair": f"{x}~{y}", "x": x, "y": y,
                                       "correlation": series.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "job", job)
    return out


def _event_rows(index: pd.DatetimeIndex, day: date) -> int:
    pos = int(index.searchsorted(pd.Timestamp(day)))
    if pos >= len(index):
        raise DataError(f"event {day} lies after the last observation ({index[-1].date()}).")
    return pos


def events_section(study: Study, panel: Any, frames: Mapping[str, pd.DataFrame], members: Mapping[str, list[str]],
                    dcc_result: Any, name: str, tables: dict[str, pd.DataFrame], info: dict[str, Any],
                    unavailable: dict[str, str]) -> None:
    """Forbes-Rigobon and correlation-shift tests, the event study and (optionally) the facts table.

    Design (documented in docs/report-folder.md): the source market is NVDA when present, else the first
    ticker of the first group; tranquil window = the 250 observations before the first event, turmoil
    window = the event observation and the 20 after it. The correlation-shift test compares the DCC
    correlations of the source with every other DCC asset over the same windows (at most 250 observations
    before, inside the DCC sample) in the autoregressive form (``ar_lags=1``), which over-rejects less. The event study uses the defaults of
    :func:`contagion.events.study.event_study` (estimation [-250, -11], windows [0,0], [0,1], [-1,1],
    [0,5]; market model on SPY for equities, market-adjusted on BTC for crypto).
    """
    returns = panel.returns
    index = pd.DatetimeIndex(returns.index)
    event = study.events[0]
    pos = _event_rows(index, event.date)
    tickers = [t for group in members.values() for t in group]
    first_group = next(iter(study.groups))
    source = "NVDA" if "NVDA" in tickers else members[first_group][0]
    tranquil = (index[max(0, pos - 250)], index[max(0, pos - 1)])
    turmoil = (index[pos], index[min(len(index) - 1, pos + 20)])
    info["events_design"] = {
        "event": event.name, "event_date": event.date.isoformat(), "event_row": index[pos].date().isoformat(),
        "source": source, "tranquil": [d.date().isoformat() for d in tranquil],
        "turmoil": [d.date().isoformat() for d in turmoil],
    }

    def _forbes() -> Any:
        from contagion.hypothesis.forbes_rigobon import forbes_rigobon

        markets = [t for t in tickers if t != source and study.group_of.get(t) != study.group_of.get(source)]
        return forbes_rigobon(panel, source, tranquil, turmoil, markets=markets)

    fr = catch(_forbes, "Forbes-Rigobon test", unavailable)
    if fr is not None:
        frame = fr.to_frame()
        frame.insert(0, "job", name)
        frame["group"] = frame["market"].map(study.group_of)
        tables["forbes_rigobon"] = frame

    def _shift() -> Any:
        from contagion.hypothesis.correlation_shift import correlation_shift

        if dcc_result is None:
            raise NotImplementedError("the correlation-shift test needs the DCC model, which was not estimated")
        dcc_index = pd.DatetimeIndex(dcc_result.index)
        at = int(dcc_index.searchsorted(pd.Timestamp(event.date)))
        names = list(dcc_result.names)
        anchor = source if source in names else names[0]
        pairs = [(anchor, other) for other in names if other != anchor]
        info["events_design"]["correlation_shift"] = {
            "pairs_with": anchor, "pre_observations": min(250, at), "post_observations": 21, "ar_lags": 1}
        return correlation_shift(dcc_result, dcc_index[at], pre=min(250, at), post=21, pairs=pairs, ar_lags=1)

    shift = catch(_shift, "correlation-shift test", unavailable)
    if shift is not None:
        frame = shift.to_frame()
        frame.insert(0, "job", name)
        tables["correlation_shift"] = frame

    def _granger() -> Any:
        from contagion.hypothesis.variance_causality import granger_in_variance

        cause = {first_group: tuple(members[first_group])}
        effects = {g: tuple(m) for g, m in members.items() if g != first_group}
        return granger_in_variance(returns, cause, effects, lags=5)

    gv = catch(_granger, "causality-in-variance test", unavailable)
    if gv is not None:
        frame = gv.to_frame()
        frame.insert(0, "job", name)
        tables["granger_in_variance"] = frame

    def _event_study() -> Any:
        from contagion.events.study import event_study

        window = returns.iloc[max(0, pos - 1):pos + 6]
        usable = [t for t in tickers if t in window.columns and window[t].notna().all()]
        benchmark = "SPY" if "SPY" in returns.columns else None
        crypto_bm = "BTC-USD" if "BTC-USD" in returns.columns else None
        studied = [t for t in usable if t not in {benchmark, crypto_bm}]
        groups = {g: tuple(t for t in m if t in studied) for g, m in members.items()}
        groups = {g: m for g, m in groups.items() if m}
        kwargs: dict[str, Any] = {"groups": groups, "tickers": studied}
        if benchmark is None:
            kwargs.update(benchmark=studied[0], model="mean_adjusted")
        else:
            kwargs["benchmark"] = benchmark
        if crypto_bm is None:
            kwargs.update(crypto_benchmark=None, crypto_model="mean_adjusted")
        else:
            kwargs["crypto_benchmark"] = crypto_bm
        if panel.measure not in ("returns", "squared", "absolute"):
            kwargs["range_variance"] = panel
        return event_study(panel, {event.name: event.date}, **kwargs)

    es = catch(_event_study, "event study", unavailable)
    if es is not None:
        ar = es.abnormal_returns.copy()
        ar.insert(0, "job", name)
        ar["group"] = ar["ticker"].map(study.group_of)
        tables["abnormal_returns"] = ar
        car = es.car.copy()
        car.insert(0, "level", "asset")
        car["group"] = car["ticker"].map(study.group_of)
        group_car = es.group_car.copy()
        group_car.insert(0, "level", "group")
        both = pd.concat([car, group_car], ignore_index=True)
        both.insert(0, "job", name)
        tables["car"] = both

    if study.facts == "deepseek":
        def _facts() -> Any:
            from contagion.events.facts import deepseek_facts

            return deepseek_facts(frames, panel, event=event.date)

        facts = catch(_facts, "DeepSeek facts table", unavailable)
        if facts is not None:
            table = facts.to_frame()
            table.insert(0, "job", name)
            tables["facts"] = table
            info["facts_assumptions"] = list(facts.assumptions)
