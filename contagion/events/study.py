"""Event study around dated shocks on the aligned panel.

:func:`event_study` measures abnormal returns (AR), cumulative abnormal returns (CAR) over event windows,
their cross-sectional and standardised (Boehmer, Musumeci & Poulsen 1991) t-statistics, group averages and
abnormal volatility, with **sessions = rows of the panel**: the calendar policy the panel recorded (e.g.
``"exchange"``: crypto weekend returns roll into Monday) decides what "day 0" and "day +1" are.

The normal-return models live in :mod:`contagion.events._normal`, the result in
:mod:`contagion.events.results`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from contagion._typing import Float64Array1D
from contagion.data._frame import DateLike, as_frame, policy_name
from contagion.data.universe import asset_class_of
from contagion.errors import DataError, SpecificationError
from contagion.events._design import (
    CRYPTO_INDEX,
    Design,
    EventRows,
    asset_specs,
    check_options,
    check_windows,
    crypto_index,
    event_label,
    event_rows,
    group_members,
    index_candidates,
    other_event_rows,
    overlap_label,
    parse_events,
    studied_tickers,
)
from contagion.events._groups import group_table, mean_pairwise_correlation
from contagion.events._normal import (
    NormalFit,
    NormalModel,
    ar_variance,
    car_variance,
    expected_returns,
    fit_normal_model,
)
from contagion.events.results import EventStudyResult

__all__ = ["EventStudyResult", "event_study", "fit_normal_model", "mean_pairwise_correlation"]

logger = logging.getLogger(__name__)

_RANGE_MEASURES = ("parkinson", "garman_klass", "rogers_satchell", "gkyz", "yang_zhang")

def _fit_asset(t: str, values: Mapping[str, Float64Array1D], ev: EventRows,
               design: Design) -> tuple[NormalFit, Float64Array1D]:
    """The normal-return fit of one asset on one event's estimation window, and its residuals (NaN where a
    return is missing)."""
    bm_t = design.specs[t][1]
    r_est = values[t][ev.est]
    rm_est = values[bm_t][ev.est] if bm_t is not None else None
    ok = np.isfinite(r_est) if rm_est is None else np.isfinite(r_est) & np.isfinite(rm_est)
    if int(ok.sum()) < design.min_estimation:
        raise DataError(
            f"{t}: only {int(ok.sum())} usable estimation-window returns before event {ev.name} "
            f"(window {list(design.estimation)}, min_estimation={design.min_estimation}); drop {t} via "
            "`tickers=` or shorten the estimation window."
        )
    fit = fit_normal_model(r_est[ok], None if rm_est is None else rm_est[ok], design.specs[t][0])
    resid = np.full(r_est.shape[0], np.nan)
    resid[ok] = r_est[ok] - expected_returns(fit, None if rm_est is None else rm_est[ok], int(ok.sum()))
    return fit, resid


def _window_values(t: str, values: Mapping[str, Float64Array1D], ev: EventRows,
                   design: Design) -> tuple[Float64Array1D, Float64Array1D | None]:
    """The asset's and its benchmark's returns over the event windows (no missing value allowed)."""
    bm_t = design.specs[t][1]
    r_ev = values[t][ev.window]
    rm_ev = values[bm_t][ev.window] if bm_t is not None else None
    bad = ~np.isfinite(r_ev) if rm_ev is None else ~(np.isfinite(r_ev) & np.isfinite(rm_ev))
    if bad.any():
        first_bad = ev.dates[int(np.argmax(bad))].date()
        raise DataError(f"{t}: missing return (or benchmark return) on {first_bad} inside the event "
                        f"windows of {ev.name}; drop {t} via `tickers=`.")
    return r_ev, rm_ev


def _car_rows(t: str, fit: NormalFit, abnormal: Float64Array1D, rm_ev: Float64Array1D | None, ev: EventRows,
              design: Design, rv_frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One CAR row per event window for one asset and event."""
    mdl_t, bm_t = design.specs[t]
    rv_est = rv_ev = None
    if rv_frame is not None and t in rv_frame.columns:
        rv_est = rv_frame[t].to_numpy()[ev.est]
        rv_ev = rv_frame[t].to_numpy()[ev.window]
    rows: list[dict[str, Any]] = []
    for a, b in design.windows:
        sel = slice(a - design.tau_lo, b - design.tau_lo + 1)
        length = b - a + 1
        car = float(abnormal[sel].sum())
        var_car = car_variance(fit, None if rm_ev is None else rm_ev[sel], length)
        scar = car / np.sqrt(var_car)
        row: dict[str, Any] = {
            "event": ev.name, "event_date": ev.date, "ticker": t, "window": f"[{a},{b}]",
            "tau_start": a, "tau_end": b, "date_start": ev.dates[sel][0], "date_end": ev.dates[sel][-1],
            "n_sessions": length, "car": car, "car_variance": var_car, "scar": scar,
            "t_stat": scar, "p_value": float(2.0 * stats.t.sf(abs(scar), fit.dof)),
            "model": mdl_t, "benchmark": bm_t,
        }
        if rv_frame is not None:
            row["abnormal_volatility"] = _abnormal_volatility(t, rv_est, None if rv_ev is None else rv_ev[sel])
        rows.append(row)
    return rows


def _study_asset(t: str, values: Mapping[str, Float64Array1D], ev: EventRows, design: Design,
                 rv_frame: pd.DataFrame | None, index: pd.DatetimeIndex,
                 ) -> tuple[pd.DataFrame, dict[str, Any], Float64Array1D, list[dict[str, Any]]]:
    """ARs, the estimation record, the estimation residuals and the CAR rows of one asset and event."""
    fit, resid = _fit_asset(t, values, ev, design)
    r_ev, rm_ev = _window_values(t, values, ev, design)
    taus = design.taus
    expected = expected_returns(fit, rm_ev, len(taus))
    abnormal = r_ev - expected
    ar_var = ar_variance(fit, rm_ev, len(taus))
    ar = pd.DataFrame({
        "event": ev.name, "event_date": ev.date, "ticker": t, "date": ev.dates, "tau": taus,
        "actual": r_ev, "expected": expected, "abnormal": abnormal, "ar_variance": ar_var,
        "standardized": abnormal / np.sqrt(ar_var),
    })
    est_dates = index[ev.est]
    est_row = {
        "event": ev.name, "ticker": t, "model": design.specs[t][0], "benchmark": design.specs[t][1],
        "alpha": fit.alpha, "beta": fit.beta, "sigma": float(np.sqrt(fit.sigma2)), "n_obs": fit.n_obs,
        "dof": fit.dof, "date_start": est_dates[0], "date_end": est_dates[-1],
    }
    return ar, est_row, resid, _car_rows(t, fit, abnormal, rm_ev, ev, design, rv_frame)


def event_study(
    returns: Any,
    events: Any,
    *,
    benchmark: str = "SPY",
    model: NormalModel = "market",
    crypto_model: NormalModel = "market",
    crypto_benchmark: str | Sequence[str] | None = "index",
    estimation: tuple[int, int] = (-250, -11),
    windows: Sequence[tuple[int, int]] = ((0, 0), (0, 1), (-1, 1), (0, 5)),
    groups: Mapping[str, Sequence[str]] | None = None,
    range_variance: Any = None,
    tickers: Sequence[str] | None = None,
    asset_classes: Mapping[str, str] | None = None,
    min_estimation: int = 30,
    policy: str | None = None,
    context_events: Mapping[str, DateLike] | None = None,
) -> EventStudyResult:
    r"""Event study of abnormal returns (and abnormal volatility) around dated shocks.

    For asset :math:`i` and event session :math:`\tau` (rows of the aligned panel relative to the event
    row, :math:`\tau = 0`), the abnormal return is :math:`AR_{i\tau} = R_{i\tau} - E[R_{i\tau}]` under the
    normal-return model fitted on the estimation window (:func:`fit_normal_model`), and over a window
    :math:`[\tau_1, \tau_2]`

    .. math::

        CAR_i = \sum_{\tau=\tau_1}^{\tau_2} AR_{i\tau}, \qquad
        SCAR_i = CAR_i / \sqrt{\widehat{\operatorname{Var}}(CAR_i)},

    with the exact prediction-error variance (:func:`contagion.events._normal.car_variance`). Across the :math:`N` assets of a
    group,

    .. math::

        t_{\text{cross}} = \frac{\overline{CAR}}{s(CAR)/\sqrt N}, \qquad
        t_{\text{BMP}} = \frac{\overline{SCAR}}{s(SCAR)/\sqrt N},

    both compared with a t distribution with N - 1 degrees of freedom (Boehmer, Musumeci & Poulsen 1991,
    eq. 6: the standardised cross-sectional test, robust to event-induced variance), and the
    Kolari-Pynnonen (2010) t adjusted for the cross-correlation of abnormal returns,

    .. math::

        t_{\text{KP}} = t_{\text{BMP}} \sqrt{\frac{1 - \bar r}{1 + (N - 1) \bar r}},

    also two-sided against t(N - 1) (see Notes).

    Parameters
    ----------
    returns : DataFrame of shape (n_sessions, n_assets) or Panel
        Aligned (log) returns; a :class:`~contagion.data.Panel` is unwrapped to ``.returns`` and its
        calendar policy recorded.
    events : date, sequence of dates or mapping name -> date
        Event sessions (must be rows of the panel).
    benchmark : str
        Market proxy for non-crypto assets (default ``"SPY"``).
    model, crypto_model : {"market", "market_adjusted", "mean_adjusted"}
        Normal-return model for equities and for crypto assets.
    crypto_benchmark : "index", str, sequence of str or None
        Benchmark for crypto assets. ``"index"`` (default): the equal-weighted crypto market index
        :math:`R_{mt} = K^{-1}\sum_k R_{kt}` of every crypto asset of the panel; a sequence of tickers: the
        equal-weighted index of those; the index of each event holds the members with a return on every
        session from the start of its estimation window to the end of its event windows (listed in
        ``estimation["benchmark_members"]``), so every crypto asset, BTC included, gets an abnormal return.
        Any other string is a column used as the benchmark (e.g. ``"BTC-USD"``, which then has no AR of its
        own unless listed in ``tickers``); None uses ``benchmark``.
    estimation : (int, int)
        Estimation window in sessions relative to the event (default (-250, -11)).
    windows : sequence of (int, int)
        Event windows (inclusive), default [0,0], [0,+1], [-1,+1], [0,+5].
    groups : mapping group -> tickers, optional
        Groups to average over; default: by asset class (``"equity"``, ``"crypto"``). A group ``"all"``
        with every asset is always added.
    range_variance : DataFrame or Panel, optional
        Daily range-based variance (levels, same sessions). A Panel with a range ``measure`` holds LOG
        variance, which is exponentiated. Adds ``abnormal_volatility`` = mean event-window variance /
        mean estimation-window variance.
    tickers : sequence of str, optional
        Assets to study; default every column except the benchmarks.
    asset_classes : mapping ticker -> class, optional
        Overrides the class lookup (universe registry, else a ``-USD`` suffix means crypto).
    min_estimation : int
        Minimum estimation observations per asset (after dropping missing values).
    policy : str, optional
        Calendar policy name to record when a plain DataFrame is passed.
    context_events : mapping name -> date, optional
        Other known market events (not studied). A window that contains another studied event or a context
        event (its first session on or after the date) is flagged in ``overlapping_events`` of ``car`` and
        ``group_car`` (``"name (date)"``, empty when clean); ``estimation["estimation_overlapping_events"]``
        does the same for the estimation window.

    Returns
    -------
    EventStudyResult

    Raises
    ------
    DataError
        Event outside the sample or not a session (the message names the policy and nearest sessions),
        too little history before the event or after it, benchmark or ticker missing, missing returns in
        an event window.
    SpecificationError
        Unknown model, windows in the wrong order or overlapping, estimation window shorter than
        ``min_estimation``.

    Notes
    -----
    A benchmark studied as an asset (only when listed in ``tickers``) gets the mean-adjusted model
    (its market-model AR would be identically zero). All assets of one event share the event date, so
    ``t_cross`` and ``t_bmp`` ignore the cross-correlation of abnormal returns; ``t_bmp_kp`` applies the
    Kolari & Pynnonen (2010) adjustment
    :math:`t_{KP} = t_{BMP}\sqrt{(1 - \bar r)/(1 + (N - 1)\bar r)}`, with :math:`\bar r` the mean
    pairwise correlation of the estimation-window abnormal returns (``mean_residual_corr``). Prefer it for
    a single-date shock such as 27 January 2025. Its p-value (``p_bmp_kp``) is two-sided against the BMP
    reference distribution t(N - 1): KP rescale the BMP statistic and derive its null distribution for large
    N, where t(N - 1) and N(0, 1) agree; with the handful of assets of a group, t(N - 1) is the more
    conservative choice.

    A crypto asset that is a member of the crypto index is regressed on an index that contains it (as a
    stock on an equal-weighted market index); with K members its weight is 1/K.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic
       Literature, 35(1), 13-39.
    .. [2] Campbell, J. Y., Lo, A. W. and MacKinlay, A. C. (1997). The Econometrics of Financial Markets,
       ch. 4. Princeton University Press.
    .. [3] Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991). Event-study methodology under conditions of
       event-induced variance. Journal of Financial Economics, 30(2), 253-272.
    .. [4] Kolari, J. W. and Pynnonen, S. (2010). Event study testing with cross-sectional correlation of
       abnormal returns. Review of Financial Studies, 23(11), 3996-4025.
    """
    check_options(model, crypto_model, min_estimation)
    est, wins = check_windows(estimation, windows, min_estimation)
    policy_used = policy_name(returns, policy)
    frame = as_frame(returns)
    index = pd.DatetimeIndex(frame.index)
    classes = dict(asset_classes or {})

    def asset_class(t: str) -> str:
        if t not in classes:
            classes[t] = asset_class_of(t)
        return classes[t]

    crypto_bm, index_members = index_candidates(frame, crypto_benchmark, asset_class)
    crypto_bm = crypto_bm if crypto_bm is not None else benchmark
    studied = studied_tickers(frame, tickers, {benchmark, crypto_bm})
    specs = asset_specs(frame, studied, asset_class, model=model, benchmark=benchmark,
                        crypto_model=crypto_model, crypto_bm=crypto_bm)
    group_map = group_members(groups, studied, asset_class)
    rv_frame = None if range_variance is None else _range_variance_frame(range_variance, index)
    design = Design(policy=policy_used, estimation=est, windows=wins, specs=specs, min_estimation=min_estimation)
    values = {c: frame[c].to_numpy() for c in frame.columns}
    parsed = parse_events(events)
    labels = {name: event_label(name, when) for name, when in parsed}
    others_all = {labels[name]: when for name, when in parsed}
    others_all.update({event_label(str(k), v): v for k, v in (context_events or {}).items()})
    other_rows = other_event_rows(index, others_all)
    ar_rows: list[pd.DataFrame] = []
    est_resid: dict[str, dict[str, Float64Array1D]] = {}
    car_rows: list[dict[str, Any]] = []
    est_rows: list[dict[str, Any]] = []
    flags: dict[tuple[str, str], str] = {}
    for ev_name, ev_date in parsed:
        ev = event_rows(index, ev_name, ev_date, design)
        ev_values, used = _event_values(values, index_members, ev, design, len(index))
        for a, b in wins:
            flags[(ev_name, f"[{a},{b}]")] = overlap_label(other_rows, ev.pos + a, ev.pos + b + 1, labels[ev_name])
        est_flag = overlap_label(other_rows, ev.est.start, ev.est.stop, labels[ev_name])
        for t in studied:
            ar, est_row, resid, rows = _study_asset(t, ev_values, ev, design, rv_frame, index)
            est_row["benchmark_members"] = ", ".join(used) if specs[t][1] == CRYPTO_INDEX else ""
            est_row["estimation_overlapping_events"] = est_flag
            est_resid.setdefault(ev_name, {})[t] = resid
            ar_rows.append(ar)
            est_rows.append(est_row)
            car_rows.extend(rows)
    car_frame = pd.DataFrame.from_records(car_rows)
    car_frame["overlapping_events"] = [flags[k] for k in zip(car_frame["event"], car_frame["window"], strict=True)]
    group_car = group_table(car_frame, group_map, wins, est_resid)
    group_car["overlapping_events"] = [flags[k] for k in zip(group_car["event"], group_car["window"], strict=True)]
    logger.debug("event study: %d events x %d assets x %d windows", len(parsed), len(studied), len(wins))
    return EventStudyResult(
        policy=policy_used,
        estimation_window=est,
        windows=wins,
        groups=dict(group_map),
        abnormal_returns=pd.concat(ar_rows, ignore_index=True),
        car=car_frame,
        group_car=group_car,
        estimation=pd.DataFrame.from_records(est_rows),
    )


def _event_values(values: Mapping[str, Float64Array1D], index_members: Sequence[str], ev: EventRows,
                  design: Design, n_rows: int) -> tuple[dict[str, Float64Array1D], tuple[str, ...]]:
    """The return columns of one event, with the crypto index of that event when one is used."""
    if not index_members:
        return dict(values), ()
    rows = slice(ev.est.start, ev.window.stop)
    series, used = crypto_index(values, index_members, rows, n_rows, ev.name)
    return {**values, CRYPTO_INDEX: series}, used


def _range_variance_frame(data: Any, index: pd.DatetimeIndex) -> pd.DataFrame:
    measure = getattr(data, "measure", None)
    if isinstance(data, pd.DataFrame):
        rv = as_frame(data, what="range_variance")
    else:
        if measure not in _RANGE_MEASURES:
            raise SpecificationError(f"range_variance panel has measure {measure!r}; build it with a range "
                                     f"measure ({', '.join(_RANGE_MEASURES)}).")
        log_rv = as_frame(data, what="range_variance", attribute="values")  # a Panel stores LOG variance
        rv = pd.DataFrame(np.exp(log_rv.to_numpy()), index=log_rv.index, columns=log_rv.columns)
    rv = rv.reindex(index)
    if (rv < 0).any().any():
        raise DataError("range_variance holds negative values; pass variances (not log variances) in a "
                        "DataFrame, or the Panel itself.")
    return rv


def _abnormal_volatility(ticker: str, rv_est: Float64Array1D | None, rv_win: Float64Array1D | None) -> float:
    if rv_est is None or rv_win is None:
        raise DataError(f"{ticker} has no column in range_variance; add it or drop range_variance.")
    base = rv_est[np.isfinite(rv_est)]
    if base.size == 0 or not np.all(np.isfinite(rv_win)):
        raise DataError(f"{ticker}: range variance missing in the estimation or event window.")
    mean_base = float(base.mean())
    if mean_base <= 0.0:
        raise DataError(f"{ticker}: estimation-window range variance is zero (stale prices?).")
    return float(rv_win.mean()) / mean_base
