"""The VAR sections: the headline VAR and its connectedness, the rolling / TVP-VAR connectedness and the
asset-level network.

Headline model (main job and every robustness job): a VAR on the log volatility of the equal-weighted group
indices. Connectedness is invariant to rescaling a column, so log variance and log volatility (half of it)
give the same tables. The asset-level network (main job) uses the assets with data over the network sample
(the job's sample, or ``asset_network_start`` .. ``asset_network_end``), in an OLS VAR with at most 2 lags to
keep the parameter count reasonable, or in a penalised VAR (lasso, ridge, elastic net; Demirer et al. 2018)
whose penalty is chosen once on the sample by BIC or time-series cross-validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, call_with_progress, catch, stage

if TYPE_CHECKING:
    from contagion.spillover.results import ConnectednessResult
    from contagion.spillover.rolling_results import RollingConnectednessResult

__all__ = ["MAX_NETWORK_GAPS", "asset_network_section", "headline_section", "headline_var", "network_sample", "rolling_long",
           "rolling_section"]


def headline_section(data: JobData) -> SectionOutput:
    """The VAR on the group indices and its static connectedness table; ``model`` is the fitted VAR."""
    from contagion.spillover import connectedness

    study, name, indices = data.study, data.name, data.indices
    var_spec = study.var
    exog = deterministic_terms(data)
    results = headline_var(data, exog).fit()
    info: dict[str, Any] = {"var": {"lag_order": int(results.n_lags), "n_obs": int(results.n_obs),
                    "is_stable": bool(results.is_stable), "variables": list(indices.columns),
                    "lags_rule": str(var_spec.lags), "max_lags": int(var_spec.max_lags),
                    "exog": [] if exog is None else list(exog.columns),
                    **_lag_choice(results, var_spec.lags)}}
    conn = connectedness(results, horizon=var_spec.horizon, kind=study.connectedness.kind, **band_options(study))
    intervals = conn.intervals if conn.draws is not None else None
    tables = {
        "static": _cells_with_intervals(_long_table(conn.table, name, "group_var"), intervals),
        "directional": _directional_with_intervals(_directional(conn, name, "group_var"), intervals),
        "groups": _pairs_with_intervals(_group_pairs(conn.table, name, "group_var"), intervals),
    }
    info["total_connectedness"] = float(conn.total)
    if intervals is not None:
        info["connectedness_bands"] = {"method": conn.bands, "reps": int(conn.reps or 0), "level": float(conn.level or 0),
                                       "seed": int(conn.seed or 0), "n_explosive": int(conn.n_explosive or 0)}
    return SectionOutput(tables=tables, info=info, model=results)


def headline_var(data: JobData, exog: pd.DataFrame | None = None) -> Any:
    """The headline VAR of the group indices, unfitted: the single place it is specified.

    Day-of-week dummies (``exog``, from :func:`deterministic_terms`) are passed only when the study asks for
    them. :func:`contagion.workflow.early.main_lag_order` fits the same model to learn the main job's lag order
    before the job runs.
    """
    from contagion.var import VAR

    var_spec = data.study.var
    extra: dict[str, Any] = {} if exog is None else {"exog": exog}
    return VAR(data.indices, lags=var_spec.lags, max_lags=var_spec.max_lags, **extra)


def band_options(study: Any) -> dict[str, Any]:
    """``bands``, ``reps``, ``level`` and ``seed`` of the headline connectedness (none when ``bands = "none"``)."""
    spec = study.connectedness
    if spec.bands == "none":
        return {}
    return {"bands": spec.bands, "reps": spec.reps, "level": study.var.level, "seed": study.seed}


def deterministic_terms(data: JobData) -> pd.DataFrame | None:
    """Day-of-week dummies on the dates of the group indices when ``var.exog = "day_of_week"``, else None.

    The base day is the first weekday present (Monday on session calendars); a calendar with one weekday
    only (``weekly``: every observation a Friday) has no weekday effect to remove, so it gets no dummies.
    """
    from contagion.var.exog import day_of_week_dummies

    if data.study.var.exog == "none":
        return None
    index = pd.DatetimeIndex(data.indices.index)
    days = sorted(set(index.day_of_week))
    if len(days) < 2:
        return None
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    return day_of_week_dummies(index, drop=names[days[0]])


def _lag_choice(results: Any, rule: int | str) -> dict[str, Any]:
    """The lag orders chosen by AIC, BIC and HQ (when the order came from a criterion) and whether the chosen
    one is the largest order searched (``at_max_lags``: the search may be cut short)."""
    if isinstance(rule, int) or getattr(results, "lag_table", None) is None:
        return {"lag_choice": {}, "at_max_lags": False}
    selection = results.lag_selection
    chosen = {k: int(v) for k, v in dict(selection.attrs.get("selected", {})).items() if k in ("aic", "bic", "hqic")}
    return {"lag_choice": chosen, "at_max_lags": int(results.n_lags) >= int(selection.index.max())}


def rolling_section(data: JobData, lag_order: int) -> SectionOutput:
    """Rolling-window and (optionally) TVP-VAR connectedness of the group indices."""
    from contagion.spillover import rolling_connectedness, tvp_connectedness

    study, name, indices, progress = data.study, data.name, data.indices, data.progress
    conn_spec, horizon = study.connectedness, study.var.horizon
    unavailable: dict[str, str] = {}
    parts = []
    if conn_spec.rolling_window is not None:
        window = conn_spec.rolling_window

        def _rolling() -> RollingConnectednessResult:
            return call_with_progress(
                rolling_connectedness, stage(progress, "rolling windows"), data=indices, window=window,
                lags=lag_order, horizon=horizon, step=conn_spec.rolling_step, kind=conn_spec.kind)
        rolled = catch(_rolling, "rolling connectedness", unavailable)
        if rolled is not None:
            parts.append(rolling_long(rolled, name, "group_var", "rolling"))
    if conn_spec.tvp:
        def _tvp() -> RollingConnectednessResult:
            return call_with_progress(tvp_connectedness, stage(progress, "TVP-VAR"), data=indices, lags=1,
                                      horizon=horizon)
        tvp = catch(_tvp, "TVP-VAR connectedness", unavailable)
        if tvp is not None:
            parts.append(rolling_long(tvp, name, "group_var", "tvp"))
    tables = {"rolling": pd.concat(parts, ignore_index=True)} if parts else {}
    return SectionOutput(tables=tables, unavailable=unavailable)


def asset_network_section(data: JobData, lag_order: int) -> SectionOutput:
    """Connectedness between the assets with data over the network sample; adds rows to the group tables.

    The network sample is the job's sample, cut to ``asset_network_start`` / ``asset_network_end`` when set.
    An asset enters when its log variance covers that sample with at most :data:`MAX_NETWORK_GAPS` interior
    missing observations, which are filled by linear interpolation (counted in the job info). OLS keeps at
    most 2 lags; a penalised estimator (``asset_network_estimator``) chooses its penalty once on the sample.
    """
    from contagion.spillover import connectedness

    study, name = data.study, data.name
    spec = study.connectedness
    values, filled = network_sample(data)
    full = list(values.columns)
    lags = spec.asset_network_lags or min(lag_order, 2)
    info: dict[str, Any] = {"asset_network": {
        "assets": full, "lags": lags, "estimator": spec.asset_network_estimator, "filled": filled,
        "start": values.index[0].date().isoformat() if len(values) else None,
        "end": values.index[-1].date().isoformat() if len(values) else None, "n_obs": len(values),
        "left_out": [t for t in study.tickers if t not in full]}}
    if len(full) < 2:
        return SectionOutput(info=info, unavailable={"asset-level network": "fewer than two assets have data over "
                                                                            "the network sample"})
    unavailable: dict[str, str] = {}

    def _assets() -> tuple[ConnectednessResult, Any]:
        fit = _network_var(values, lags, spec)
        return connectedness(fit, horizon=study.var.horizon, kind=spec.kind), fit
    fitted = catch(_assets, "asset-level network", unavailable)
    if fitted is None:
        return SectionOutput(info=info, unavailable=unavailable)
    asset_conn, fit = fitted
    info["asset_network"].update(_penalty_info(fit))
    mapping = {t: study.group_of[t] for t in full}
    tables = {
        "static": _long_table(asset_conn.table, name, "asset_network"),
        "directional": _directional(asset_conn, name, "asset_network"),
        "groups": _block_pairs(asset_conn.table, mapping, name, "asset_network"),
        "asset_network_nodes": _network_nodes(asset_conn, mapping, fit, name),
        "asset_network_edges": _network_edges(asset_conn.table, name),
    }
    return SectionOutput(tables=tables, info=info, unavailable=unavailable)


#: Interior missing observations an asset may have in the network sample (filled by interpolation).
MAX_NETWORK_GAPS = 5


def network_sample(data: JobData) -> tuple[pd.DataFrame, dict[str, int]]:
    """The log variances of the network's assets over the network sample, and the gaps filled per asset."""
    spec, indices = data.study.connectedness, data.indices
    start = pd.Timestamp(spec.asset_network_start) if spec.asset_network_start else indices.index[0]
    end = pd.Timestamp(spec.asset_network_end) if spec.asset_network_end else indices.index[-1]
    values = data.panel.values.loc[start:end]
    keep, filled = [], {}
    for ticker in data.study.tickers:
        if ticker not in values.columns or not len(values):
            continue
        column = values[ticker]
        missing = int(column.isna().sum())
        if missing == 0:
            keep.append(ticker)
        elif missing <= MAX_NETWORK_GAPS and pd.notna(column.iloc[0]) and pd.notna(column.iloc[-1]):
            keep.append(ticker)
            filled[ticker] = missing
    out = values[keep].interpolate(method="linear", limit_area="inside") if filled else values[keep]
    return out, filled


def _network_var(values: pd.DataFrame, lags: int, spec: Any) -> Any:
    from contagion.var import VAR

    if spec.asset_network_estimator == "ols":
        return VAR(values, lags=lags).fit()
    return VAR(values, lags=lags, estimator=spec.asset_network_estimator, penalty=spec.asset_network_penalty,
               l1_ratio=spec.asset_network_l1_ratio).fit()


def _penalty_info(fit: Any) -> dict[str, Any]:
    penalty = getattr(fit, "penalty", None)
    if penalty is None:
        return {"n_coefficients": int(fit.coefs.size)}
    lam = np.asarray(penalty, dtype=float)
    return {"penalty_rule": str(fit.model.penalty), "penalty_median": float(np.median(lam)),
            "penalty_min": float(lam.min()), "penalty_max": float(lam.max()),
            "n_nonzero": int(np.count_nonzero(fit.coefs)), "n_coefficients": int(fit.coefs.size)}


def _network_nodes(result: ConnectednessResult, mapping: Mapping[str, str], fit: Any, job: str) -> pd.DataFrame:
    """One row per asset: its group, TO / FROM / NET (percent), the rank by NET (1 = largest net transmitter)
    and the penalty of its equation (NaN for OLS)."""
    names = list(mapping)
    penalty = getattr(fit, "penalty", None)
    lam = np.full(len(names), np.nan) if penalty is None else np.asarray(penalty, dtype=float)
    frame = pd.DataFrame({"job": job, "asset": names, "group": [mapping[t] for t in names],
                          "to": pd.Series(result.to, dtype=float).reindex(names).to_numpy(),
                          "from": pd.Series(result.from_, dtype=float).reindex(names).to_numpy(),
                          "net": pd.Series(result.net, dtype=float).reindex(names).to_numpy(),
                          "penalty": lam})
    frame["rank"] = frame["net"].rank(ascending=False, method="first").astype(int)
    return frame[["job", "asset", "group", "to", "from", "net", "rank", "penalty"]]


def _network_edges(table: pd.DataFrame, job: str) -> pd.DataFrame:
    """Every ordered pair of assets: the gross spillover transmitter -> receiver and the net pairwise one."""
    out = _group_pairs(table, job, "asset_network")
    return out.drop(columns="model")


# ---------------------------------------------------------------------- tidy tables
def _long_table(table: pd.DataFrame, job: str, model: str) -> pd.DataFrame:
    """A square DY table (rows receive, columns transmit, percent) in long form."""
    out = table.stack().reset_index()
    out.columns = pd.Index(["receiver", "transmitter", "value"])
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


def _interval_lookup(intervals: pd.DataFrame | None, measure: str) -> dict[tuple[Any, Any], tuple[float, float]]:
    """``(receiver, transmitter) -> (lower, upper)`` of one measure of ``result.intervals`` (None: no name)."""
    if intervals is None:
        return {}
    rows = intervals[intervals["measure"] == measure]
    names = [[v if isinstance(v, str) else None for v in rows[c]] for c in ("receiver", "transmitter")]
    bounds = zip(rows["lower"].to_numpy(dtype=float), rows["upper"].to_numpy(dtype=float), strict=True)
    return {(r, t): (float(lo), float(hi)) for r, t, (lo, hi) in zip(*names, bounds, strict=True)}


def _cells_with_intervals(cells: pd.DataFrame, intervals: pd.DataFrame | None) -> pd.DataFrame:
    """The long DY cells with ``lower``/``upper`` (NaN without bands)."""
    found = _interval_lookup(intervals, "table")
    bounds = [found.get((r, t), (np.nan, np.nan)) for r, t in zip(cells["receiver"], cells["transmitter"], strict=True)]
    return cells.assign(lower=[b[0] for b in bounds], upper=[b[1] for b in bounds])


def _directional_with_intervals(frame: pd.DataFrame, intervals: pd.DataFrame | None) -> pd.DataFrame:
    """TO / FROM / NET / TOTAL with ``lower``/``upper`` (TO and NET name the transmitter, FROM the receiver)."""
    lookups = {m: _interval_lookup(intervals, m) for m in ("to", "from", "net", "total")}
    bounds = []
    for series, measure in zip(frame["series"], frame["measure"], strict=True):
        key = (None, None) if measure == "total" else (series, None) if measure == "from" else (None, series)
        bounds.append(lookups[measure].get(key, (np.nan, np.nan)))
    return frame.assign(lower=[b[0] for b in bounds], upper=[b[1] for b in bounds])


def _pairs_with_intervals(pairs: pd.DataFrame, intervals: pd.DataFrame | None) -> pd.DataFrame:
    """Group pairs with intervals of the gross spillover (a table cell) and of the net pairwise spillover."""
    cells, nets = _interval_lookup(intervals, "table"), _interval_lookup(intervals, "pairwise_net")
    keys = list(zip(pairs["receiver"], pairs["transmitter"], strict=True))
    gross = [cells.get(k, (np.nan, np.nan)) for k in keys]
    net = [nets.get(k, (np.nan, np.nan)) for k in keys]
    return pairs.assign(spillover_lower=[b[0] for b in gross], spillover_upper=[b[1] for b in gross],
                        net_lower=[b[0] for b in net], net_upper=[b[1] for b in net])


def _directional(result: ConnectednessResult, job: str, model: str) -> pd.DataFrame:
    frame = pd.DataFrame({
        "to": pd.Series(result.to, dtype=float),
        "from": pd.Series(result.from_, dtype=float),
        "net": pd.Series(result.net, dtype=float),
    })
    frame.index.name = "series"
    out = frame.reset_index().melt(id_vars="series", var_name="measure", value_name="value")
    total = pd.DataFrame({"series": ["TOTAL"], "measure": ["total"], "value": [float(result.total)]})
    out = pd.concat([out, total], ignore_index=True)
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


def rolling_long(result: RollingConnectednessResult, job: str, model: str, method: str) -> pd.DataFrame:
    parts = []
    total = pd.Series(result.total, dtype=float)
    parts.append(pd.DataFrame({"date": total.index, "series": "TOTAL", "measure": "total", "value": total.values}))
    for measure, attr in (("to", "to"), ("from", "from_"), ("net", "net")):
        frame = pd.DataFrame(getattr(result, attr))
        frame.index.name = "date"
        long = frame.reset_index().melt(id_vars="date", var_name="series", value_name="value")
        long.insert(2, "measure", measure)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "method", method)
    out.insert(0, "model", model)
    out.insert(0, "job", job)
    return out


def _group_pairs(table: pd.DataFrame, job: str, model: str) -> pd.DataFrame:
    rows = []
    names = list(table.columns)
    values = table.loc[names, names].to_numpy(dtype=float)
    for j, transmitter in enumerate(names):
        for i, receiver in enumerate(names):
            if transmitter == receiver:
                continue
            gross = float(values[i, j])
            back = float(values[j, i])
            rows.append((job, model, transmitter, receiver, gross, gross - back))
    return pd.DataFrame(rows, columns=["job", "model", "transmitter", "receiver", "spillover", "net"])


def _block_pairs(table: pd.DataFrame, mapping: Mapping[str, str], job: str, model: str) -> pd.DataFrame:
    """Between-group spillovers of an asset-level table: mean over receivers of the sum over transmitters.

    Block (group) connectedness as in Greenwood-Nimmo, Nguyen & Rafferty (2016): the share of a receiving
    group's forecast-error variance (averaged over its members, percent) due to shocks in another group.
    """
    groups = list(dict.fromkeys(mapping.values()))
    block = {}
    for receiver_group in groups:
        receivers = [t for t, g in mapping.items() if g == receiver_group]
        for transmitter_group in groups:
            transmitters = [t for t, g in mapping.items() if g == transmitter_group]
            sub = table.loc[receivers, transmitters].to_numpy(dtype=float)
            if receiver_group == transmitter_group:
                sub = sub - np.diag(np.diag(sub))
            block[(transmitter_group, receiver_group)] = float(sub.sum(axis=1).mean())
    rows = []
    for (transmitter, receiver), value in block.items():
        rows.append((job, model, transmitter, receiver, value, value - block[(receiver, transmitter)]))
    return pd.DataFrame(rows, columns=["job", "model", "transmitter", "receiver", "spillover", "net"])
