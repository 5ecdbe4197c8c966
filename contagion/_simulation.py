"""The demo market simulation on the full calendar grid (all assets at once): the engine behind
:mod:`contagion.simulate`, which documents the model and caches the result per seed.

Every random component has its own stream ``default_rng([seed, component])``; the stream ids below never
change order (changing them changes every demo data set). Each step is a function of the shipped parameters
``p``, the grid and the seed only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contagion._typing import BoolArray, Float64Array1D, Float64Array2D, IntArray

__all__ = ["Market", "simulate_grid"]

_SHOCK_JITTER_SD = 0.002   # sd of the log-return noise around the news-sized shock returns

# random stream ids (never reorder: changing them changes every demo data set)
(_S_GROUP, _S_IDIO, _S_FACTOR, _S_EPS, _S_BRIDGE, _S_UNIF, _S_VOLUME, _S_VIX, _S_SHOCK,
 _S_VIX_UNIF) = range(10)


@dataclass(frozen=True)
class Market:
    """The simulated grid: every ticker's rows and OHLCV values, and the latent group log variances."""

    days: pd.DatetimeIndex
    frames: dict[str, tuple[IntArray, Float64Array2D]]   # ticker -> (day positions, (n, 6) values)
    group_log_var: Float64Array2D                         # (n_days, n_groups) latent g_d


@dataclass(frozen=True)
class _Paths:
    """Daily paths of all return assets on the grid (columns in ``tickers`` order) and the OHLC draws."""

    tickers: list[str]
    is_crypto: BoolArray
    r: Float64Array2D          # daily log returns
    cum: Float64Array2D        # their cumulative sums
    h: Float64Array2D          # conditional variances
    log_h: Float64Array2D
    bridge_e: Float64Array2D   # N(0, 1) draws of the overnight bridge value
    u1: Float64Array2D         # uniforms in (0, 1] of the bridge maximum and minimum
    u2: Float64Array2D
    vol_noise: Float64Array2D  # N(0, 1) draws of log volume


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _ar1_filter(phi: float, innovations: Float64Array2D, initial: Float64Array1D) -> Float64Array2D:
    """x_d = phi * x_{d-1} + e_d column-wise, with x_{-1} = ``initial`` (numpy only: no scipy.signal)."""
    out = np.empty_like(innovations)
    prev = initial
    for d in range(innovations.shape[0]):
        prev = phi * prev + innovations[d]
        out[d] = prev
    return out


def _stationary_cov(phi: Float64Array2D, sigma: Float64Array2D) -> Float64Array2D:
    """Solve V = Phi V Phi' + Sigma through vec(V) = (I - Phi (x) Phi)^{-1} vec(Sigma)."""
    k = phi.shape[0]
    vec = np.linalg.solve(np.eye(k * k) - np.kron(phi, phi), sigma.reshape(-1))
    cov = np.asarray(vec, dtype=np.float64).reshape(k, k)
    sym: Float64Array2D = (cov + cov.T) / 2.0
    return sym


def _bridge_extremes(b: Float64Array1D, v: Float64Array1D, u1: Float64Array1D,
                     u2: Float64Array1D) -> tuple[Float64Array1D, Float64Array1D]:
    """Exact marginal draws of the max and min of a Brownian bridge from 0 to ``b`` with variance ``v``."""
    v = np.maximum(v, 0.0)
    hi = 0.5 * (b + np.sqrt(b * b - 2.0 * v * np.log(u1)))
    lo = 0.5 * (b - np.sqrt(b * b - 2.0 * v * np.log(u2)))
    return hi, lo


def _group_log_variance(p: Mapping[str, Any], groups: list[str], n_days: int, event: int,
                        seed: int) -> Float64Array2D:
    """The group log-variance VAR(1) g_d, started in its stationary law, with the shock jump at ``event``."""
    k = len(groups)
    phi = np.asarray(p["group_var"]["phi"], dtype=np.float64)
    sigma_eta = np.asarray(p["group_var"]["sigma_eta"], dtype=np.float64)
    rng = _rng(seed, _S_GROUP)
    eta = rng.standard_normal((n_days, k)) @ np.linalg.cholesky(sigma_eta).T
    g0 = np.linalg.cholesky(_stationary_cov(phi, sigma_eta)) @ rng.standard_normal(k)
    jump = np.array([p["shock_vol_jump"][grp] for grp in groups])
    eta[event] += jump
    g = np.empty((n_days, k))
    prev = g0
    for d in range(n_days):
        prev = phi @ prev + eta[d]
        g[d] = prev
    return g


def _return_paths(p: Mapping[str, Any], g: Float64Array2D, groups: list[str], is_session: BoolArray,
                  event: int, seed: int) -> tuple[_Paths, Float64Array2D]:
    """Asset log variances, correlated shocks, returns with the news-sized shock, and the OHLC draws;
    also returns the standardised shocks z (SPY's drive ^VIX)."""
    assets = p["assets"]
    ret_tickers = [t for t in sorted(assets) if t != "^VIX"]
    n_days, n, k = g.shape[0], len(ret_tickers), len(groups)
    # --- asset log variances
    gidx = np.array([groups.index(assets[t]["group"]) for t in ret_tickers])
    m = np.array([assets[t]["log_var_mean"] for t in ret_tickers])
    idio_var = np.array([assets[t]["idio_var"] for t in ret_tickers])
    phi_u = float(p["idio_phi"])
    rng = _rng(seed, _S_IDIO)
    nu = rng.standard_normal((n_days, n)) * np.sqrt(idio_var * (1.0 - phi_u**2))
    u0 = rng.standard_normal(n) * np.sqrt(idio_var)
    u = _ar1_filter(phi_u, nu, u0)
    log_h = m + g[:, gidx] + u
    h = np.exp(log_h)
    # --- correlated return shocks
    lam = np.array([assets[t]["loadings"] for t in ret_tickers])          # (n, 4)
    rng = _rng(seed, _S_FACTOR)
    f = rng.standard_normal((n_days, 3 + k))
    common = f[:, :3] @ lam[:, :3].T + f[:, 3 + gidx] * lam[:, 3]
    idio_sd = np.sqrt(np.maximum(1.0 - (lam**2).sum(axis=1), 0.0))
    z = common + _rng(seed, _S_EPS).standard_normal((n_days, n)) * idio_sd
    is_crypto = np.array([assets[t]["asset_class"] == "crypto" for t in ret_tickers])
    w_ns = float(p["nonsession_var_share"])
    weight = np.where(is_crypto[None, :], 1.0, np.where(is_session[:, None], 1.0, w_ns))
    drift = np.array([assets[t]["drift"] for t in ret_tickers])
    r = drift + np.sqrt(weight * h) * z
    # --- the 2025-01-27 shock: news-sized close-to-close returns
    shock_noise = _rng(seed, _S_SHOCK).standard_normal(n) * _SHOCK_JITTER_SD
    target = np.log1p(np.array([assets[t]["shock_return"] for t in ret_tickers])) + shock_noise
    prev_session = event - 1
    while not is_session[prev_session]:
        prev_session -= 1
    nonsession_sum = r[prev_session + 1:event].sum(axis=0)                 # Sat+Sun for equities
    r[event] = np.where(is_crypto, target, target - nonsession_sum)
    # --- OHLC draws
    bridge_e = _rng(seed, _S_BRIDGE).standard_normal((n_days, n))
    rng_u = _rng(seed, _S_UNIF)
    u1 = 1.0 - rng_u.random((n_days, n))        # in (0, 1]
    u2 = 1.0 - rng_u.random((n_days, n))
    vol_noise = _rng(seed, _S_VOLUME).standard_normal((n_days, n))
    paths = _Paths(tickers=ret_tickers, is_crypto=is_crypto, r=r, cum=np.cumsum(r, axis=0), h=h, log_h=log_h,
                   bridge_e=bridge_e, u1=u1, u2=u2, vol_noise=vol_noise)
    return paths, z


def _asset_ohlcv(p: Mapping[str, Any], paths: _Paths, j: int, days: pd.DatetimeIndex,
                 session_pos: IntArray, event: int) -> tuple[IntArray, Float64Array2D]:
    """Rows and (open, high, low, close, adj_close, volume) of return asset ``j`` from the daily paths."""
    t = paths.tickers[j]
    a = p["assets"][t]
    r, cum, h, log_h = paths.r, paths.cum, paths.h, paths.log_h
    anchor = int(days.searchsorted(pd.Timestamp(a["anchor_date"])))
    shift = np.log(a["anchor_close"]) - cum[anchor, j]
    if paths.is_crypto[j]:
        pos = np.arange(len(days))
        close = cum[:, j] + shift
        open_ = np.concatenate([[close[0] - r[0, j]], close[:-1]])
        v_intra = h[:, j]
    else:
        pos = session_pos
        close = cum[pos, j] + shift
        prev_close = np.concatenate([[close[0] - r[pos[0], j]], close[:-1]])
        # returns of the non-session days since the previous session (they roll into the gap)
        before = cum[pos - 1, j] + shift
        nonsess = before - prev_close
        f_on = float(a["overnight_share"])
        r_s = r[pos, j]
        h_s = h[pos, j]
        overnight = f_on * r_s + np.sqrt(f_on * (1.0 - f_on) * h_s) * paths.bridge_e[pos, j]
        ev = np.searchsorted(pos, event)
        total = close[ev] - prev_close[ev]
        overnight[ev] = float(p["shock_gap_share"]) * total - nonsess[ev]
        open_ = prev_close + nonsess + overnight
        v_intra = (1.0 - f_on) * h_s
    b = close - open_
    hi, lo = _bridge_extremes(b, v_intra, paths.u1[pos, j], paths.u2[pos, j])
    high = open_ + hi
    low = open_ + lo
    o, hh, ll, c = np.exp(open_), np.exp(high), np.exp(low), np.exp(close)
    hh = np.maximum(hh, np.maximum(o, c))      # guard against exp rounding at the last ulp
    ll = np.minimum(ll, np.minimum(o, c))
    lv_mean, lv_sd = a.get("log_volume_mean"), a.get("log_volume_sd")
    if lv_mean is None:
        volume = np.full(len(pos), np.nan)
    else:
        elasticity = float(p["volume_vol_elasticity"])
        var_lh = float(np.var(log_h[:, j]))
        resid_sd = float(np.sqrt(max(lv_sd**2 - elasticity**2 * var_lh, 0.05**2)))
        lv = lv_mean + elasticity * (log_h[pos, j] - log_h[:, j].mean()) + resid_sd * paths.vol_noise[pos, j]
        volume = np.round(np.exp(lv), 0 if not paths.is_crypto[j] else 4)
    adj = np.full(len(pos), np.nan) if paths.is_crypto[j] else c
    return pos, np.column_stack([o, hh, ll, c, adj, volume])


def _simulate_vix(seed: int, p: Mapping[str, Any], g: Float64Array2D, groups: list[str],
                  z_spy: Float64Array1D | float, session_pos: IntArray,
                  event: int) -> tuple[IntArray, Float64Array2D]:
    """^VIX: log level = mean + 0.5 * benchmark log-variance deviation + AR(1) noise on sessions.

    The noise innovation is correlated (calibrated ``corr_spy``) with SPY's same-session return shock
    ``z_spy`` (0 without SPY).
    """
    a = p["assets"]["^VIX"]
    gb = g[session_pos, groups.index("benchmark")]
    var_gb = float(p["group_var"]["stationary_var"][groups.index("benchmark")])
    ar = float(a["ar1"])
    var_nu = max(float(a["log_level_sd"]) ** 2 - 0.25 * var_gb, 0.01)
    rho = float(np.clip(a["corr_spy"], -0.95, 0.95))
    rng = _rng(seed, _S_VIX)
    n_s = len(session_pos)
    e = rng.standard_normal((3, n_s))
    innov = np.sqrt(var_nu * (1.0 - ar**2)) * (rho * z_spy + np.sqrt(1.0 - rho**2) * e[0])
    ev = int(np.searchsorted(session_pos, event))
    base = float(a["log_level_mean"]) + 0.5 * gb
    nu = np.empty(n_s)
    prev = float(np.sqrt(var_nu) * e[1, 0])
    for s in range(n_s):
        prev = ar * prev + innov[s]
        if s == ev:   # news-sized jump of the close
            prev = np.log1p(float(a["shock_return"])) + base[s - 1] + nu[s - 1] - base[s]
        nu[s] = prev
    close = base + nu
    prev_close = np.concatenate([[close[0]], close[:-1]])
    gap = np.sqrt(float(a["gap_var"])) * e[2]
    gap[ev] = 0.7 * (close[ev] - prev_close[ev])
    open_ = prev_close + gap
    v = float(a["intraday_var"]) * np.exp(gb - 0.5 * var_gb)
    rng_u = _rng(seed, _S_VIX_UNIF)
    u1 = 1.0 - rng_u.random(n_s)
    u2 = 1.0 - rng_u.random(n_s)
    hi, lo = _bridge_extremes(close - open_, v, u1, u2)
    o, c = np.exp(open_), np.exp(close)
    hh = np.maximum(np.exp(open_ + hi), np.maximum(o, c))
    ll = np.minimum(np.exp(open_ + lo), np.minimum(o, c))
    return session_pos, np.column_stack([o, hh, ll, c, c, np.full(n_s, np.nan)])


def simulate_grid(p: Mapping[str, Any], days: pd.DatetimeIndex, is_session: BoolArray, event: int,
                  seed: int) -> Market:
    """Simulate every asset of the parameter set ``p`` over the calendar grid ``days``.

    ``is_session`` marks the XNYS sessions among ``days``, ``event`` is the grid row of the shock.
    """
    groups: list[str] = list(p["groups"])
    g = _group_log_variance(p, groups, len(days), event, seed)
    paths, z = _return_paths(p, g, groups, is_session, event, seed)
    session_pos = np.flatnonzero(is_session)
    frames = {t: _asset_ohlcv(p, paths, j, days, session_pos, event) for j, t in enumerate(paths.tickers)}
    if "^VIX" in p["assets"]:
        z_spy = z[session_pos, paths.tickers.index("SPY")] if "SPY" in paths.tickers else 0.0
        frames["^VIX"] = _simulate_vix(seed, p, g, groups, z_spy, session_pos, event)
    g.flags.writeable = False
    return Market(days=days, frames=frames, group_log_var=g)
