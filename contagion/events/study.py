"""Event study around dated shocks on the aligned panel.

:func:`event_study` measures abnormal returns (AR), cumulative abnormal returns (CAR) over event windows,
their cross-sectional and standardised (Boehmer, Musumeci & Poulsen 1991) t-statistics, group averages and
abnormal volatility, with **sessions = rows of the panel**: the calendar policy the panel recorded (e.g.
``"exchange"``: crypto weekend returns roll into Monday) decides what "day 0" and "day +1" are.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._typing import Float64Array1D
from contagion.data._frame import (
    DateLike,
    as_frame,
    check_session,
    describe_policy,
    policy_name,
)
from contagion.errors import DataError, SpecificationError

__all__ = ["EventStudyResult", "event_study", "fit_normal_model", "mean_pairwise_correlation"]

logger = logging.getLogger(__name__)

NormalModel = Literal["market", "market_adjusted", "mean_adjusted"]
_MODELS: tuple[str, ...] = ("market", "market_adjusted", "mean_adjusted")
_RANGE_MEASURES = ("parkinson", "garman_klass", "rogers_satchell", "gkyz", "yang_zhang")


# ---------------------------------------------------------------------------------------------------------
# numerical core (pure numpy)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NormalFit:
    model: str
    alpha: float
    beta: float
    sigma2: float           # residual variance s^2 with the d.o.f. stated in fit_normal_model
    n_obs: int              # L, estimation observations used
    dof: int                # L - k
    mean_market: float      # mean benchmark return over the estimation window (market model)
    ssq_market: float       # sum of squared demeaned benchmark returns (market model)


def fit_normal_model(
    r: Float64Array1D, rm: Float64Array1D | None, model: str
) -> _NormalFit:
    r"""Fit the normal-return model on the estimation window.

    .. math::

        \text{market:}\quad R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-2}\sum_t \hat\varepsilon_{it}^2 \\
        \text{mean adjusted:}\quad R_{it} = \mu_i + \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-1}\sum_t (R_{it} - \bar R_i)^2 \\
        \text{market adjusted:}\quad R_{it} - R_{mt} = \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-1}\sum_t (A_{it} - \bar A_i)^2,\ A_{it} = R_{it} - R_{mt}

    (MacKinlay 1997, eqs. 7-8 and section 4; the market-adjusted variance is the sample variance of the
    estimation-window abnormal returns.)
    """
    n = r.shape[0]
    if model == "market":
        assert rm is not None
        m_bar = float(rm.mean())
        dm = rm - m_bar
        ssq = float(dm @ dm)
        if ssq <= 0.0:
            raise DataError("the benchmark is constant over the estimation window; the market model is "
                            "undefined (use model='mean_adjusted').")
        beta = float(dm @ (r - r.mean())) / ssq
        alpha = float(r.mean()) - beta * m_bar
        resid = r - alpha - beta * rm
        return _NormalFit(model, alpha, beta, float(resid @ resid) / (n - 2), n, n - 2, m_bar, ssq)
    if model == "mean_adjusted":
        mu = float(r.mean())
        return _NormalFit(model, mu, 0.0, float(np.var(r, ddof=1)), n, n - 1, np.nan, np.nan)
    assert rm is not None
    a = r - rm
    return _NormalFit(model, 0.0, 1.0, float(np.var(a, ddof=1)), n, n - 1, np.nan, np.nan)


def _expected(fit: _NormalFit, rm: Float64Array1D | None, n: int) -> Float64Array1D:
    if fit.model == "mean_adjusted":
        return np.full(n, fit.alpha)
    assert rm is not None
    return fit.alpha + fit.beta * rm


def _ar_variance(fit: _NormalFit, rm: Float64Array1D | None, n: int) -> Float64Array1D:
    r"""Prediction-error variance of each event-day AR (MacKinlay 1997, eq. 10; Patell 1976).

    market: :math:`s^2 [1 + 1/L + (R_{m\tau} - \bar R_m)^2 / \sum_t (R_{mt} - \bar R_m)^2]`;
    mean adjusted: :math:`s^2 (1 + 1/L)`; market adjusted: :math:`s^2`.
    """
    if fit.model == "market":
        assert rm is not None
        return fit.sigma2 * (1.0 + 1.0 / fit.n_obs + (rm - fit.mean_market) ** 2 / fit.ssq_market)
    factor = 1.0 + 1.0 / fit.n_obs if fit.model == "mean_adjusted" else 1.0
    return np.full(n, fit.sigma2 * factor)


def _car_variance(fit: _NormalFit, rm_window: Float64Array1D | None, length: int) -> float:
    r"""Exact prediction-error variance of a CAR over ``length`` sessions.

    With :math:`X^*` the event-window regressors and :math:`\iota` a vector of ones,
    :math:`\operatorname{Var}(CAR) = s^2[L_w + \iota' X^*(X'X)^{-1}X^{*\prime}\iota]`
    (Campbell, Lo & MacKinlay 1997, eq. 4.4.14), which for the market model is

    .. math::

        s^2 \Big[L_w + \frac{L_w^2}{L} + \frac{(\sum_{\tau} R_{m\tau} - L_w \bar R_m)^2}
                                               {\sum_t (R_{mt} - \bar R_m)^2}\Big],

    :math:`s^2 (L_w + L_w^2 / L)` for the mean-adjusted model and :math:`s^2 L_w` for the market-adjusted
    model (no parameter is estimated).
    """
    if fit.model == "market":
        assert rm_window is not None
        excess = float(rm_window.sum()) - length * fit.mean_market
        return fit.sigma2 * (length + length**2 / fit.n_obs + excess**2 / fit.ssq_market)
    if fit.model == "mean_adjusted":
        return fit.sigma2 * (length + length**2 / fit.n_obs)
    return fit.sigma2 * length


def _t_test(values: Float64Array1D) -> tuple[float, float, float, float]:
    """Mean, standard deviation (ddof=1), t = mean / (sd / sqrt(N)) and its two-sided p (t with N-1 d.o.f.)."""
    n = values.shape[0]
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan, np.nan
    sd = float(values.std(ddof=1))
    if sd == 0.0:
        return mean, sd, np.nan, np.nan
    t = mean / (sd / np.sqrt(n))
    return mean, sd, t, float(2.0 * stats.t.sf(abs(t), n - 1))


# ---------------------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EventStudyResult:
    """Abnormal returns, CARs and group averages of one event study (tidy frames).

    * ``abnormal_returns``: one row per (event, ticker, session): ``event, event_date, ticker, date, tau,
      actual, expected, abnormal, ar_variance, standardized``.
    * ``car``: one row per (event, ticker, window): ``event, event_date, ticker, window, tau_start,
      tau_end, date_start, date_end, n_sessions, car, car_variance, scar, t_stat, p_value, model,
      benchmark`` (+ ``abnormal_volatility`` when a range-variance panel was given). ``t_stat`` is the
      time-series t of the single CAR (= ``scar``), with ``dof`` of the estimation residual variance.
    * ``group_car``: one row per (event, group, window): ``n_assets, mean_car, sd_car, t_cross, p_cross,
      mean_scar, sd_scar, t_bmp, p_bmp, mean_residual_corr, t_bmp_kp, p_bmp_kp`` (+
      ``mean_abnormal_volatility``); ``t_bmp_kp`` is the BMP t adjusted for the cross-correlation of
      abnormal returns (Kolari & Pynnonen 2010). With a single asset the
      cross-sectional statistics are undefined and reported as NaN next to ``n_assets = 1``.
    * ``estimation``: one row per (event, ticker): the fitted normal-return model.
    """

    policy: str
    estimation_window: tuple[int, int]
    windows: tuple[tuple[int, int], ...]
    groups: Mapping[str, tuple[str, ...]]
    abnormal_returns: pd.DataFrame = field(repr=False)
    car: pd.DataFrame = field(repr=False)
    group_car: pd.DataFrame = field(repr=False)
    estimation: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-asset CAR table (tidy)."""
        return self.car.copy()

    def summary(self) -> str:
        """Plain-text summary: design and the group CAR table."""
        head = [
            "Event study (abnormal returns; sessions = rows of the aligned panel)",
            f"calendar: {describe_policy(self.policy)}",
            f"estimation window {list(self.estimation_window)}, event windows "
            + ", ".join(f"[{a},{b}]" for a, b in self.windows),
            "normal-return models: " + self._models_text(),
            "t_cross: cross-sectional t of mean CAR; t_bmp: Boehmer-Musumeci-Poulsen (1991) standardised t; "
            "t_bmp_kp: t_bmp adjusted for cross-correlation (Kolari-Pynnonen 2010)",
            "",
        ]
        cols = ["event", "group", "window", "n_assets", "mean_car", "t_cross", "p_cross", "t_bmp", "p_bmp",
                "t_bmp_kp", "p_bmp_kp"]
        if "mean_abnormal_volatility" in self.group_car.columns:
            cols.append("mean_abnormal_volatility")
        body = self.group_car[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return "\n".join(head) + body

    def _models_text(self) -> str:
        est = self.estimation.drop_duplicates(["ticker", "model", "benchmark"])
        parts = []
        for (model, bench), sub in est.groupby(["model", "benchmark"], dropna=False, sort=False):
            against = f" vs {bench}" if isinstance(bench, str) else ""
            parts.append(f"{model}{against} ({len(sub)} assets)")
        return ", ".join(parts)

    def plot(self, *, event: str | None = None) -> Any:
        """Figure of the mean cumulative abnormal return by group around each event.

        The curve for a group is the cumulative sum, from the first event-window session, of the group's
        equal-weighted mean AR. Returns a :class:`matplotlib.figure.Figure` (no pyplot state is touched).
        """
        from matplotlib.figure import Figure

        ar = self.abnormal_returns
        known = [str(e) for e in dict.fromkeys(ar["event"])]
        if event is not None and event not in known:
            raise SpecificationError(f"event {event!r} is not in this study; known: {', '.join(known)}.")
        events = [event] if event is not None else known
        fig = Figure(figsize=(6.0 * len(events), 4.0), layout="constrained")
        axes = fig.subplots(1, len(events), squeeze=False)[0]
        for ax, ev in zip(axes, events, strict=True):
            sub = ar[ar["event"] == ev]
            for group, members in self.groups.items():
                g = sub[sub["ticker"].isin(members)]
                if g.empty:
                    continue
                mean_ar = g.groupby("tau")["abnormal"].mean().sort_index()
                ax.plot(mean_ar.index, 100.0 * mean_ar.cumsum(), marker="o", label=f"{group} (n={len(members)})")
            ax.axhline(0.0, color="0.6", linewidth=0.8)
            ax.axvline(0.0, color="0.6", linewidth=0.8, linestyle="--")
            date0 = sub["event_date"].iloc[0]
            ax.set_title(f"{ev} (day 0 = {pd.Timestamp(date0).date()})")
            ax.set_xlabel(f"sessions relative to the event ({self.policy} calendar)")
            ax.set_ylabel("mean cumulative abnormal return (%)")
            ax.legend(fontsize="small")
        return fig


# ---------------------------------------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------------------------------------


def _default_asset_class(ticker: str) -> str:
    try:  # the universe registry (data layer) knows asset classes; fall back to the Yahoo suffix
        from contagion.data.universe import get_asset  # type: ignore[import-not-found,unused-ignore]

        return str(get_asset(ticker).asset_class)
    except Exception:
        return "crypto" if ticker.upper().endswith(("-USD", "-USDT")) else "equity"


def _parse_events(events: Any) -> list[tuple[str, DateLike]]:
    if isinstance(events, Mapping):
        return [(str(k), v) for k, v in events.items()]
    if isinstance(events, (str, pd.Timestamp)) or not isinstance(events, Sequence):
        events = [events]
    out = []
    for ev in events:
        try:
            name = str(pd.Timestamp(ev).date())
        except (TypeError, ValueError):
            name = str(ev)
        out.append((name, ev))
    if not out:
        raise SpecificationError("no event date given; pass events='2025-01-27' or a list of dates.")
    return out


def _check_windows(
    estimation: tuple[int, int], windows: Sequence[tuple[int, int]], min_estimation: int
) -> tuple[tuple[int, int], tuple[tuple[int, int], ...]]:
    if len(estimation) != 2 or estimation[0] > estimation[1]:
        raise SpecificationError(f"estimation must be a (start, end) pair of relative sessions with start "
                                 f"<= end, got {estimation!r}.")
    est = (int(estimation[0]), int(estimation[1]))
    length = est[1] - est[0] + 1
    if length < min_estimation:
        raise SpecificationError(
            f"estimation window {list(est)} has {length} sessions, fewer than min_estimation="
            f"{min_estimation}; widen it (default (-250, -11)) or lower min_estimation."
        )
    wins = tuple((int(a), int(b)) for a, b in windows)
    if not wins:
        raise SpecificationError("no event window given; e.g. windows=((0, 0), (0, 1), (-1, 1), (0, 5)).")
    for a, b in wins:
        if a > b:
            raise SpecificationError(f"event window [{a},{b}] starts after it ends.")
        if a <= est[1]:
            raise SpecificationError(
                f"event window [{a},{b}] overlaps the estimation window {list(est)}; the estimation window "
                "must end before the earliest event-window session."
            )
    return est, wins


def event_study(
    returns: Any,
    events: Any,
    *,
    benchmark: str = "SPY",
    model: NormalModel = "market",
    crypto_model: NormalModel = "market_adjusted",
    crypto_benchmark: str | None = "BTC-USD",
    estimation: tuple[int, int] = (-250, -11),
    windows: Sequence[tuple[int, int]] = ((0, 0), (0, 1), (-1, 1), (0, 5)),
    groups: Mapping[str, Sequence[str]] | None = None,
    range_variance: Any = None,
    tickers: Sequence[str] | None = None,
    asset_classes: Mapping[str, str] | None = None,
    min_estimation: int = 30,
    policy: str | None = None,
) -> EventStudyResult:
    r"""Event study of abnormal returns (and abnormal volatility) around dated shocks.

    For asset :math:`i` and event session :math:`\tau` (rows of the aligned panel relative to the event
    row, :math:`\tau = 0`), the abnormal return is :math:`AR_{i\tau} = R_{i\tau} - E[R_{i\tau}]` under the
    normal-return model fitted on the estimation window (:func:`fit_normal_model`), and over a window
    :math:`[\tau_1, \tau_2]`

    .. math::

        CAR_i = \sum_{\tau=\tau_1}^{\tau_2} AR_{i\tau}, \qquad
        SCAR_i = CAR_i / \sqrt{\widehat{\operatorname{Var}}(CAR_i)},

    with the exact prediction-error variance (:func:`_car_variance`). Across the :math:`N` assets of a
    group,

    .. math::

        t_{\text{cross}} = \frac{\overline{CAR}}{s(CAR)/\sqrt N}, \qquad
        t_{\text{BMP}} = \frac{\overline{SCAR}}{s(SCAR)/\sqrt N},

    both compared with a t distribution with N - 1 degrees of freedom (Boehmer, Musumeci & Poulsen 1991,
    eq. 6: the standardised cross-sectional test, robust to event-induced variance).

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
    crypto_benchmark : str or None
        Benchmark for crypto assets (default ``"BTC-USD"``); None uses ``benchmark``.
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
    a single-date shock such as 27 January 2025.

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
    for name, value in (("model", model), ("crypto_model", crypto_model)):
        if value not in _MODELS:
            raise SpecificationError(f"{name} must be one of {', '.join(_MODELS)}; got {value!r}.")
    if min_estimation < 3:
        raise SpecificationError(f"min_estimation must be at least 3, got {min_estimation}.")
    est, wins = _check_windows(estimation, windows, min_estimation)
    policy_used = policy_name(returns, policy)
    frame = as_frame(returns)
    index = pd.DatetimeIndex(frame.index)
    crypto_bm = crypto_benchmark if crypto_benchmark is not None else benchmark
    classes = dict(asset_classes or {})

    def asset_class(t: str) -> str:
        if t not in classes:
            classes[t] = _default_asset_class(t)
        return classes[t]

    if tickers is None:
        tickers = [c for c in frame.columns if c not in {benchmark, crypto_bm}]
    tickers = list(tickers)
    if not tickers:
        raise DataError("no asset to study: the panel holds only the benchmark(s).")
    missing = [t for t in tickers if t not in frame.columns]
    if missing:
        raise DataError(f"ticker(s) {', '.join(missing)} not in the panel (columns: "
                        f"{', '.join(frame.columns)}).")
    specs: dict[str, tuple[str, str | None]] = {}
    for t in tickers:
        is_crypto = asset_class(t) == "crypto"
        mdl, bm = (crypto_model, crypto_bm) if is_crypto else (model, benchmark)
        if t == bm:
            mdl = "mean_adjusted"
        if mdl == "mean_adjusted":
            specs[t] = (mdl, None)
            continue
        if bm not in frame.columns:
            which = "crypto_benchmark" if is_crypto else "benchmark"
            raise DataError(f"{which} {bm!r} (needed by {t}, model {mdl!r}) is not in the panel; add it, "
                            f"change `{which}` or use model='mean_adjusted'.")
        specs[t] = (mdl, bm)

    if groups is None:
        group_map: dict[str, tuple[str, ...]] = {}
        for t in tickers:
            group_map.setdefault(asset_class(t), ())
            group_map[asset_class(t)] += (t,)
    else:
        group_map = {}
        for g, members in groups.items():
            members = tuple(members)
            unknown = [m for m in members if m not in tickers]
            if unknown:
                raise SpecificationError(f"group {g!r} lists {', '.join(unknown)}, which are not studied "
                                         "(not in the panel, or benchmarks excluded by default).")
            group_map[str(g)] = members
    group_map.setdefault("all", tuple(tickers))

    rv_frame: pd.DataFrame | None = None
    if range_variance is not None:
        rv_frame = _range_variance_frame(range_variance, index)

    tau_lo = min(a for a, _ in wins)
    tau_hi = max(b for _, b in wins)
    taus = np.arange(tau_lo, tau_hi + 1)
    ar_rows: list[pd.DataFrame] = []
    est_resid: dict[str, dict[str, Float64Array1D]] = {}
    car_rows: list[dict[str, Any]] = []
    est_rows: list[dict[str, Any]] = []
    values = {c: frame[c].to_numpy() for c in frame.columns}
    for ev_name, ev_date in _parse_events(events):
        pos = check_session(index, ev_date, what="event date", policy=policy_used)
        if pos + est[0] < 0:
            raise DataError(
                f"event {ev_name}: the estimation window {list(est)} needs {-est[0]} sessions before "
                f"{index[pos].date()}, but the panel has only {pos} ({index[0].date()} .. "
                f"{index[pos - 1].date() if pos else index[0].date()}; {describe_policy(policy_used)}); "
                "load earlier data or shorten the estimation window."
            )
        if pos + tau_hi >= len(index):
            raise DataError(
                f"event {ev_name}: the event windows need {tau_hi} sessions after {index[pos].date()}, but "
                f"the panel ends {index[-1].date()} ({len(index) - 1 - pos} sessions later); load later data "
                "or shorten the windows."
            )
        est_sl = slice(pos + est[0], pos + est[1] + 1)
        ev_sl = slice(pos + tau_lo, pos + tau_hi + 1)
        ev_dates = index[ev_sl]
        for t in tickers:
            mdl_t, bm_t = specs[t]
            r_est = values[t][est_sl]
            rm_est = values[bm_t][est_sl] if bm_t is not None else None
            ok = np.isfinite(r_est) if rm_est is None else np.isfinite(r_est) & np.isfinite(rm_est)
            if int(ok.sum()) < min_estimation:
                raise DataError(
                    f"{t}: only {int(ok.sum())} usable estimation-window returns before event {ev_name} "
                    f"(window {list(est)}, min_estimation={min_estimation}); drop {t} via `tickers=` or "
                    "shorten the estimation window."
                )
            fit = fit_normal_model(r_est[ok], None if rm_est is None else rm_est[ok], mdl_t)
            resid = np.full(r_est.shape[0], np.nan)
            resid[ok] = r_est[ok] - _expected(fit, None if rm_est is None else rm_est[ok], int(ok.sum()))
            est_resid.setdefault(ev_name, {})[t] = resid
            r_ev = values[t][ev_sl]
            rm_ev = values[bm_t][ev_sl] if bm_t is not None else None
            bad = ~np.isfinite(r_ev) if rm_ev is None else ~(np.isfinite(r_ev) & np.isfinite(rm_ev))
            if bad.any():
                first_bad = ev_dates[int(np.argmax(bad))].date()
                raise DataError(f"{t}: missing return (or benchmark return) on {first_bad} inside the event "
                                f"windows of {ev_name}; drop {t} via `tickers=`.")
            expected = _expected(fit, rm_ev, len(taus))
            abnormal = r_ev - expected
            ar_var = _ar_variance(fit, rm_ev, len(taus))
            ar_rows.append(pd.DataFrame({
                "event": ev_name, "event_date": index[pos], "ticker": t, "date": ev_dates, "tau": taus,
                "actual": r_ev, "expected": expected, "abnormal": abnormal, "ar_variance": ar_var,
                "standardized": abnormal / np.sqrt(ar_var),
            }))
            est_rows.append({
                "event": ev_name, "ticker": t, "model": mdl_t, "benchmark": bm_t, "alpha": fit.alpha,
                "beta": fit.beta, "sigma": float(np.sqrt(fit.sigma2)), "n_obs": fit.n_obs, "dof": fit.dof,
                "date_start": index[est_sl][0], "date_end": index[est_sl][-1],
            })
            rv_est = None
            if rv_frame is not None:
                rv_est = rv_frame[t].to_numpy()[est_sl] if t in rv_frame.columns else None
            for a, b in wins:
                sel = slice(a - tau_lo, b - tau_lo + 1)
                length = b - a + 1
                car = float(abnormal[sel].sum())
                var_car = _car_variance(fit, None if rm_ev is None else rm_ev[sel], length)
                scar = car / np.sqrt(var_car)
                row: dict[str, Any] = {
                    "event": ev_name, "event_date": index[pos], "ticker": t, "window": f"[{a},{b}]",
                    "tau_start": a, "tau_end": b, "date_start": ev_dates[sel][0], "date_end": ev_dates[sel][-1],
                    "n_sessions": length, "car": car, "car_variance": var_car, "scar": scar,
                    "t_stat": scar, "p_value": float(2.0 * stats.t.sf(abs(scar), fit.dof)),
                    "model": mdl_t, "benchmark": bm_t,
                }
                if rv_frame is not None:
                    row["abnormal_volatility"] = _abnormal_volatility(
                        t, rv_est, None if t not in rv_frame.columns else rv_frame[t].to_numpy()[ev_sl][sel]
                    )
                car_rows.append(row)
    ar_frame = pd.concat(ar_rows, ignore_index=True)
    car_frame = pd.DataFrame.from_records(car_rows)
    group_frame = _group_table(car_frame, group_map, wins, est_resid)
    logger.debug("event study: %d events x %d assets x %d windows", car_frame["event"].nunique(),
                 len(tickers), len(wins))
    return EventStudyResult(
        policy=policy_used,
        estimation_window=est,
        windows=wins,
        groups=dict(group_map),
        abnormal_returns=ar_frame,
        car=car_frame,
        group_car=group_frame,
        estimation=pd.DataFrame.from_records(est_rows),
    )


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


def mean_pairwise_correlation(resid: Mapping[str, Float64Array1D], members: Sequence[str]) -> float:
    r"""Average pairwise correlation :math:`\bar r` of estimation-window abnormal returns (pairwise-complete
    rows), the input of the Kolari-Pynnonen (2010) adjustment; NaN for a single asset."""
    if len(members) < 2:
        return np.nan
    data = pd.DataFrame({m: resid[m] for m in members})
    corr = data.corr(min_periods=3).to_numpy()
    off = corr[~np.eye(len(members), dtype=bool)]
    return float(np.nanmean(off)) if np.isfinite(off).any() else np.nan


def _group_table(
    car: pd.DataFrame,
    groups: Mapping[str, tuple[str, ...]],
    windows: Sequence[tuple[int, int]],
    est_resid: Mapping[str, Mapping[str, Float64Array1D]],
) -> pd.DataFrame:
    r"""Group statistics, with the Kolari-Pynnonen (2010, eq. 9) cross-correlation adjusted BMP test

    .. math:: t_{\text{KP}} = t_{\text{BMP}} \sqrt{\frac{1 - \bar r}{1 + (N - 1) \bar r}}.
    """
    rows = []
    has_av = "abnormal_volatility" in car.columns
    for ev in dict.fromkeys(car["event"]):
        for g, members in groups.items():
            r_bar = mean_pairwise_correlation(est_resid[ev], members)
            for a, b in windows:
                win = f"[{a},{b}]"
                part = car[(car["event"] == ev) & (car["window"] == win) & car["ticker"].isin(members)]
                if part.empty:
                    continue
                n = len(part)
                mean_car, sd_car, t_cross, p_cross = _t_test(part["car"].to_numpy())
                mean_scar, sd_scar, t_bmp, p_bmp = _t_test(part["scar"].to_numpy())
                denominator = 1.0 + (n - 1) * r_bar
                if np.isfinite(t_bmp) and np.isfinite(r_bar) and denominator > 0.0:
                    t_kp = t_bmp * float(np.sqrt((1.0 - r_bar) / denominator))
                    p_kp = float(2.0 * stats.t.sf(abs(t_kp), n - 1))
                else:
                    t_kp = p_kp = np.nan
                row: dict[str, Any] = {
                    "event": ev, "group": g, "window": win, "n_assets": n,
                    "mean_car": mean_car, "sd_car": sd_car, "t_cross": t_cross, "p_cross": p_cross,
                    "mean_scar": mean_scar, "sd_scar": sd_scar, "t_bmp": t_bmp, "p_bmp": p_bmp,
                    "mean_residual_corr": r_bar, "t_bmp_kp": t_kp, "p_bmp_kp": p_kp,
                }
                if has_av:
                    row["mean_abnormal_volatility"] = float(part["abnormal_volatility"].mean())
                rows.append(row)
    return pd.DataFrame.from_records(rows)
