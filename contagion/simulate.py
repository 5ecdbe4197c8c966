r"""Simulated demo market with a known volatility-spillover structure (``contagion run --demo``).

**Demo data are simulated.** Nothing here is market data: the frames are draws from a model whose
parameters were calibrated to real daily data (2023-01 .. 2025-06) by ``tools/calibrate_demo.py`` and
shipped in ``contagion/_demo/demo_params.json``. Every frame carries ``attrs["simulated"] = True``.

The model, on a calendar-day (UTC) clock :math:`d` running over a fixed grid 2010-01-01 .. 2030-12-31:

.. math::

    g_d = \Phi g_{d-1} + \eta_d,\qquad \eta_d \sim N(0, \Sigma_\eta) \quad (+\ \text{shock jump on 2025-01-27})

    \log h_{i,d} = m_i + g_{G(i),d} + u_{i,d},\qquad u_{i,d} = \phi_u u_{i,d-1} + \nu_{i,d}

    r_{i,d} = \mu_i + \sqrt{w_{i,d} h_{i,d}}\, z_{i,d},\qquad
    z_{i,d} = \lambda_i' (f^{glob}_d, f^{eq}_d, f^{cr}_d, f^{G(i)}_d) + \sqrt{1 - \lVert\lambda_i\rVert^2}\, e_{i,d}

:math:`g` holds the six group log-variance deviations (ai_equity, miner, crypto_major, altcoin, ai_token,
benchmark) and :math:`\Phi` is the *known* spillover design: ai_equity's volatility leads every other
group, crypto_major leads the other crypto-linked groups, nothing feeds back into ai_equity.
:math:`w_{i,d} = 1` on trading days and a small calibrated share on non-session days of equities, whose
returns accumulate into the next session's opening gap. Crypto trades every UTC day.

OHLC come from Brownian-bridge paths: for a day (session) with opening log price :math:`o`, close
:math:`c = o + b` and intraday variance :math:`v`, the high and low are :math:`o + M` and :math:`o + m`
with the exact bridge extremes :math:`M = (b + \sqrt{b^2 - 2v\ln U_1})/2` and
:math:`m = (b - \sqrt{b^2 - 2v\ln U_2})/2` (:math:`U_1, U_2` independent uniforms; the joint law of the
two extremes is approximated by independence), so ``high >= max(open, close)`` and
``low <= min(open, close)`` always hold and range estimators (docs/conventions.md, 'Range-based variance estimators') are meaningful.
Equity opens include the overnight gap: the bridge value at the calibrated overnight share of the day's
variance plus the non-session days' returns.

The DeepSeek-R1 shock of 2025-01-27 is injected as (i) close-to-close returns of the size the news
reported (NVDA about -17%, miners sharply down, BTC about -5%, altcoins -8 to -10%, AI tokens about
-10%; crypto on the UTC day 2025-01-27) and (ii) a jump in the group log-variance innovations on that
day, which then propagates through :math:`\Phi`.

Determinism: every random component has its own stream ``default_rng([seed, component])`` drawn for all
assets over the whole grid, so a frame depends only on (seed, ticker), not on the window or on which
other tickers were requested, and two runs give byte-identical frames.

This module holds the public API, the parameters and the ground truth; the simulation itself is in
:mod:`contagion._simulation`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, resolve_seed
from contagion._simulation import Market, simulate_grid
from contagion._typing import BoolArray, Float64Array2D, Float64Array3D
from contagion.errors import DataError, SpecificationError
from contagion.var.fevd import generalized_fevd

__all__ = [
    "CRYPTO_GROUPS",
    "EVENT_DATE",
    "GRID_END",
    "GRID_START",
    "GroundTruth",
    "demo_params",
    "demo_params_sha256",
    "demo_tickers",
    "ground_truth",
    "latent_group_log_variance",
    "simulate_market",
]

GRID_START = pd.Timestamp("2010-01-01")
GRID_END = pd.Timestamp("2030-12-31")
EVENT_DATE = pd.Timestamp("2025-01-27")
CRYPTO_GROUPS: tuple[str, ...] = ("crypto_major", "altcoin", "ai_token")
COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")

_PARAMS_RESOURCE = "_demo/demo_params.json"


# ----------------------------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _params_bytes() -> bytes:
    return resources.files("contagion").joinpath(_PARAMS_RESOURCE).read_bytes()


@lru_cache(maxsize=1)
def demo_params() -> Mapping[str, Any]:
    """The calibrated parameters shipped in the package (``contagion/_demo/demo_params.json``)."""
    params: dict[str, Any] = json.loads(_params_bytes())
    return params


def demo_params_sha256() -> str:
    """SHA-256 of the shipped parameter file (recorded in the run manifest)."""
    return hashlib.sha256(_params_bytes()).hexdigest()


def demo_tickers(*, include_extras: bool = True) -> tuple[str, ...]:
    """Tickers the demo can simulate (sorted); ``include_extras=False`` gives the deepseek-2025 universe."""
    assets = demo_params()["assets"]
    return tuple(t for t in sorted(assets) if include_extras or not assets[t]["extra"])


@lru_cache(maxsize=1)
def _calendar() -> tuple[pd.DatetimeIndex, BoolArray]:
    """Calendar days of the grid and a boolean mask of XNYS sessions among them.

    The weekday closures of XNYS (exchange_calendars, written by ``tools/calibrate_demo.py``) are shipped
    in the parameter file, so the demo calendar does not depend on the installed exchange_calendars.
    """
    closures = pd.DatetimeIndex(demo_params()["calendar"]["xnys_weekday_closures"]).as_unit("ns")
    days = pd.date_range(GRID_START, GRID_END, freq="D", unit="ns")
    mask = np.asarray((days.day_of_week < 5) & ~days.isin(closures))
    mask.flags.writeable = False
    return days, mask


# ----------------------------------------------------------------------------------------------------
# the simulation on the full grid (all assets; contagion._simulation), cached per seed
# ----------------------------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _simulate_grid(seed: int) -> Market:
    days, is_session = _calendar()
    return simulate_grid(demo_params(), days, is_session, int(days.searchsorted(EVENT_DATE)), seed)


# ----------------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------------
def _as_timestamp(value: str | date | pd.Timestamp | None, default: pd.Timestamp, what: str) -> pd.Timestamp:
    if value is None:
        return default
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise SpecificationError(f"{what}={value!r} is not a date; use YYYY-MM-DD.") from exc
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def simulate_market(tickers: Sequence[str] | None = None, start: str | date | None = "2023-01-01",
                    end: str | date | None = "2025-06-30", seed: SeedLike = 0) -> dict[str, pd.DataFrame]:
    """Simulate raw daily OHLCV frames for the demo universe (**simulated data**, not market data).

    Parameters
    ----------
    tickers : sequence of str, optional
        Tickers to return (default: all of :func:`demo_tickers`, i.e. the deepseek-2025 universe plus
        SMH, SOXX, BOTZ, ^GSPC and ^IXIC). Unknown tickers raise :class:`~contagion.errors.DataError`.
    start, end : str or date, optional
        Inclusive window (``None``: the grid bounds 2010-01-01 / 2030-12-31). An asset whose simulated
        history starts later (the first date of the real series, e.g. TAO-USD 2024-04-11) starts there;
        if it starts after ``end`` its frame is empty.
    seed : int, numpy Generator or None
        Non-negative seed (a Generator gives one draw, None fresh entropy; the integer used is in
        ``frame.attrs["seed"]``). Frames depend only on (seed, ticker): the same seed gives byte-identical
        frames in any process, for any window or ticker subset (a window is a slice of the same path).

    Returns
    -------
    dict of str -> DataFrame
        One frame per ticker, in the order requested: DatetimeIndex named ``"date"`` (tz-naive midnight;
        XNYS sessions for equities/ETFs/indices, every UTC day for crypto) and float64 columns ``open,
        high, low, close, adj_close, volume`` (``adj_close`` = close for equities and indices, NaN for
        crypto; ^VIX volume NaN as on Yahoo). ``frame.attrs`` holds ``simulated=True``, ``seed``,
        ``source="demo"``, ``group`` and ``asset_class``.

    Raises
    ------
    DataError
        Unknown ticker, or a window outside 2010-01-01 .. 2030-12-31 or with start > end.
    SpecificationError
        A seed that is not a non-negative int, a Generator or None, or an unparsable date.

    Examples
    --------
    >>> frames = simulate_market(["NVDA", "BTC-USD"], start="2025-01-20", end="2025-01-31")
    >>> nvda = frames["NVDA"]["close"]
    >>> round(float(nvda["2025-01-27"] / nvda["2025-01-24"] - 1), 2)
    -0.17
    >>> frames["NVDA"].attrs["simulated"]
    True
    """
    seed = resolve_seed(seed)
    lo = _as_timestamp(start, GRID_START, "start")
    hi = _as_timestamp(end, GRID_END, "end")
    if lo < GRID_START or hi > GRID_END:
        raise DataError(f"the demo market covers {GRID_START.date()} .. {GRID_END.date()}; "
                        f"got start={lo.date()}, end={hi.date()}. Choose a window inside it.")
    if lo > hi:
        raise DataError(f"start={lo.date()} is after end={hi.date()}; swap them.")
    known = demo_params()["assets"]
    wanted = list(demo_tickers()) if tickers is None else list(tickers)
    if isinstance(tickers, str):
        wanted = [tickers]
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise DataError(f"unknown demo ticker(s) {', '.join(map(repr, unknown))}; the demo market simulates "
                        f"{', '.join(demo_tickers())}.")
    market = _simulate_grid(seed)
    out: dict[str, pd.DataFrame] = {}
    for t in wanted:
        a = known[t]
        pos, values = market.frames[t]
        idx = market.days[pos]
        first = max(lo, pd.Timestamp(a["first_date"]))
        keep = (idx >= first) & (idx <= hi)
        frame = pd.DataFrame(values[keep].copy(), index=pd.DatetimeIndex(idx[keep], name="date"),
                             columns=list(COLUMNS), dtype=np.float64)
        frame.attrs.update({"simulated": True, "source": "demo", "seed": seed, "ticker": t,
                            "group": a["group"], "asset_class": a["asset_class"]})
        out[t] = frame
    return out


def latent_group_log_variance(seed: SeedLike = 0) -> pd.DataFrame:
    """The latent group log-variance deviations :math:`g_d` over the whole grid (calendar days).

    For checks of the ground truth: an OLS VAR(1) on this frame estimates ``ground_truth().phi``.
    """
    seed = resolve_seed(seed)
    market = _simulate_grid(seed)
    frame = pd.DataFrame(np.array(market.group_log_var), index=market.days.rename("date"),
                         columns=list(demo_params()["groups"]))
    frame.attrs["simulated"] = True
    return frame


# ----------------------------------------------------------------------------------------------------
# ground truth
# ----------------------------------------------------------------------------------------------------
def _ma_coefficients(phi: Float64Array2D, horizon: int) -> Float64Array3D:
    """MA matrices A_0 = I, A_h = Phi A_{h-1} of a VAR(1) (readable twin of the package kernel)."""
    k = phi.shape[0]
    out = np.empty((horizon, k, k))
    out[0] = np.eye(k)
    for h in range(1, horizon):
        out[h] = phi @ out[h - 1]
    return out


def _generalized_fevd_twin(ma: Float64Array3D, sigma: Float64Array2D) -> Float64Array2D:
    r"""Row-normalised generalized FEVD (Pesaran & Shin 1998; Diebold & Yilmaz 2012, eq. 2).

    .. math::

        \theta_{ij}(H) = \frac{\sigma_{jj}^{-1} \sum_{h=0}^{H-1} (e_i' A_h \Sigma e_j)^2}
                              {\sum_{h=0}^{H-1} e_i' A_h \Sigma A_h' e_i}

    rows then divided by their sums (docs/conventions.md, 'Generalized FEVD and the connectedness indices'). The package
    kernel :func:`contagion.var.fevd.generalized_fevd` computes the table; tests compare the two.
    """
    k = sigma.shape[0]
    num = np.zeros((k, k))
    den = np.zeros(k)
    for a_h in ma:
        a_sigma = a_h @ sigma
        num += a_sigma**2 / np.diag(sigma)[None, :]
        den += np.diag(a_sigma @ a_h.T)
    theta = num / den[:, None]
    normalised: Float64Array2D = theta / theta.sum(axis=1, keepdims=True)
    return normalised


def _generalized_fevd(phi: Float64Array2D, sigma: Float64Array2D, horizon: int) -> tuple[Float64Array2D, str]:
    table = np.asarray(generalized_fevd(_ma_coefficients(phi, horizon), sigma), dtype=np.float64)
    return table, "contagion.var.fevd.generalized_fevd"


@dataclass(frozen=True, kw_only=True)
class GroundTruth:
    """The true spillover structure of the simulated demo market (group log-variance VAR(1)).

    Attributes
    ----------
    groups : tuple of str
        Group order of every matrix.
    phi : DataFrame (groups x groups)
        True VAR(1) matrix on the calendar-day clock; ``phi.loc[to, from]``.
    sigma_eta : DataFrame
        Innovation covariance of the group log variances.
    table : DataFrame
        Population generalized FEVD connectedness table in % (row i: share of i's H-step forecast error
        variance due to shocks in j; rows sum to 100), Diebold & Yilmaz (2012).
    to_others, from_others, net : Series
        Directional indices in % (undivided column/row sums of the off-diagonal table; NET = TO - FROM).
    total : float
        Total connectedness index (TCI), %.
    net_pairwise : DataFrame
        ``net_pairwise.loc[i, j] = table.loc[j, i] - table.loc[i, j]``: net spillover from i to j, %.
    net_ai_equity_to_crypto : float
        Sum over the crypto groups c of ``net_pairwise.loc["ai_equity", c]`` (%). Positive: ai_equity is a
        net transmitter of volatility to crypto.
    horizon : int
        Number of MA terms (h = 0..H-1).
    kernel : str
        Which FEVD implementation produced ``table``.
    """

    groups: tuple[str, ...]
    phi: pd.DataFrame
    sigma_eta: pd.DataFrame
    table: pd.DataFrame
    to_others: pd.Series
    from_others: pd.Series
    net: pd.Series
    total: float
    net_pairwise: pd.DataFrame
    net_ai_equity_to_crypto: float
    horizon: int
    kernel: str
    clock: str = "calendar day (UTC)"
    leader: str = "ai_equity"
    crypto_groups: tuple[str, ...] = field(default=CRYPTO_GROUPS)

    @property
    def net_sign(self) -> int:
        """Sign (+1 / -1 / 0) of the true net spillover from ai_equity to the crypto groups."""
        return int(np.sign(self.net_ai_equity_to_crypto))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (for manifests and reports)."""
        return {
            "simulated": True, "groups": list(self.groups), "horizon": self.horizon, "clock": self.clock,
            "leader": self.leader, "crypto_groups": list(self.crypto_groups),
            "phi": self.phi.to_numpy().tolist(), "sigma_eta": self.sigma_eta.to_numpy().tolist(),
            "table": self.table.to_numpy().tolist(), "total": self.total,
            "net": {g: float(v) for g, v in self.net.items()},
            "net_ai_equity_to_crypto": self.net_ai_equity_to_crypto, "net_sign": self.net_sign,
            "kernel": self.kernel,
        }


def ground_truth(horizon: int = 10) -> GroundTruth:
    """True spillover structure of the demo market (depends on the shipped parameters, not on a seed).

    Parameters
    ----------
    horizon : int
        FEVD horizon H (MA terms h = 0..H-1, Diebold & Yilmaz 2012).

    Returns
    -------
    GroundTruth

    Notes
    -----
    The table is the *population* generalized FEVD of the latent daily group log-variance VAR(1). A VAR
    estimated on measured range volatilities sampled on XNYS sessions sees a time-aggregated, noisily
    measured version of this process, so its table differs in size; the sign of the net spillover from
    ai_equity to the crypto groups is the quantity the demo is designed to preserve.

    References
    ----------
    .. [1] Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear
       multivariate models. Economics Letters, 58(1), 17-29.
    .. [2] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
       measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise SpecificationError(f"horizon must be a positive integer, got horizon={horizon!r}.")
    p = demo_params()
    groups = tuple(p["groups"])
    phi = np.asarray(p["group_var"]["phi"], dtype=np.float64)
    sigma = np.asarray(p["group_var"]["sigma_eta"], dtype=np.float64)
    theta, kernel = _generalized_fevd(phi, sigma, int(horizon))
    table = pd.DataFrame(100.0 * theta, index=list(groups), columns=list(groups))
    off = table.to_numpy() - np.diag(np.diag(table.to_numpy()))
    to_others = pd.Series(off.sum(axis=0), index=list(groups), name="to")
    from_others = pd.Series(off.sum(axis=1), index=list(groups), name="from")
    net_pairwise = pd.DataFrame(table.to_numpy().T - table.to_numpy(), index=list(groups), columns=list(groups))
    i_ai = groups.index("ai_equity")
    net_values = net_pairwise.to_numpy()
    net_ai = float(sum(float(net_values[i_ai, groups.index(c)]) for c in CRYPTO_GROUPS))
    return GroundTruth(
        groups=groups,
        phi=pd.DataFrame(phi, index=list(groups), columns=list(groups)),
        sigma_eta=pd.DataFrame(sigma, index=list(groups), columns=list(groups)),
        table=table, to_others=to_others, from_others=from_others,
        net=(to_others - from_others).rename("net"), total=float(off.sum() / len(groups)),
        net_pairwise=net_pairwise, net_ai_equity_to_crypto=net_ai, horizon=int(horizon), kernel=kernel,
    )
