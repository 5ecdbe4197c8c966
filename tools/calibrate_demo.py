"""Calibrate the embedded demo market (``contagion/_demo/demo_params.json``) to the real data.

Usage::

    python tools/calibrate_demo.py                      # reads ../shared/data/markets
    python tools/calibrate_demo.py --data-dir DIR --out contagion/_demo/demo_params.json
    python tools/calibrate_demo.py --check              # exit 1 if the committed JSON is out of date

What is estimated (window 2023-01-01 .. 2025-06-30, or each asset's first date if later):

* per asset: history start date, price level on the last day before 2025-01-27, drift (capped), mean
  log daily variance, equity overnight share of variance, log-volume mean and dispersion;
* per group: the persistence and variance of the *latent* daily log range variance, from the
  autocovariances of the observed group log Parkinson variance (observed = latent AR(1) + measurement
  noise, so acov(k) = var_s * phi**k for k >= 1; fitted on k = 1..10), and the latent cross-group
  correlations (lag-0 covariance divided by the reliabilities);
* return factor loadings (global, equity, crypto and group factors) fitted by least squares to the
  correlation matrix of session-aligned daily returns;
* ^VIX level dynamics (mean log level, AR(1) of the deviation, intraday log range);
* the 2025-01-27 shock sizes: equities/indices close-to-close from the data, crypto the intraday
  trough against the previous UTC close (the size the news reported), clipped to the news bands.

The spillover *design* (which group's volatility leads which) is NOT estimated: it is fixed below in
``DESIGN_SPILLOVERS`` so that the demo has a known true structure; the plain OLS VAR(1) of the observed
group log variances on the real data is stored next to it (``real_data_var1``) for comparison only.

The JSON is written deterministically (sorted keys, values rounded to 6 significant digits).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import exchange_calendars as xc
import numpy as np
import pandas as pd
from scipy import linalg, optimize

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "markets"
DEFAULT_OUT = REPO / "contagion" / "_demo" / "demo_params.json"

CAL_START = "2023-01-01"
CAL_END = "2025-06-30"
EVENT = "2025-01-27"
GRID_START = "2010-01-01"   # simulation grid of contagion.simulate (keep in sync)
GRID_END = "2030-12-31"

#: Latent volatility groups, in the order of the group VAR.
GROUPS = ("ai_equity", "miner", "crypto_major", "altcoin", "ai_token", "benchmark")

#: ticker -> (group, asset class). The study universe (issue 5) plus a few extra ETFs/indices.
ASSETS: dict[str, tuple[str, str]] = {
    "NVDA": ("ai_equity", "equity"), "AMD": ("ai_equity", "equity"), "AVGO": ("ai_equity", "equity"),
    "TSM": ("ai_equity", "equity"), "MSFT": ("ai_equity", "equity"), "GOOGL": ("ai_equity", "equity"),
    "META": ("ai_equity", "equity"), "ASML": ("ai_equity", "equity"), "SMCI": ("ai_equity", "equity"),
    "MARA": ("miner", "equity"), "RIOT": ("miner", "equity"), "CLSK": ("miner", "equity"),
    "CORZ": ("miner", "equity"), "IREN": ("miner", "equity"),
    "BTC-USD": ("crypto_major", "crypto"), "ETH-USD": ("crypto_major", "crypto"),
    "SOL-USD": ("altcoin", "crypto"), "XRP-USD": ("altcoin", "crypto"), "BNB-USD": ("altcoin", "crypto"),
    "ADA-USD": ("altcoin", "crypto"), "DOGE-USD": ("altcoin", "crypto"),
    "FET-USD": ("ai_token", "crypto"), "RENDER-USD": ("ai_token", "crypto"), "TAO-USD": ("ai_token", "crypto"),
    "NEAR-USD": ("ai_token", "crypto"), "GRT-USD": ("ai_token", "crypto"), "WLD-USD": ("ai_token", "crypto"),
    "AKT-USD": ("ai_token", "crypto"), "ICP-USD": ("ai_token", "crypto"),
    "SPY": ("benchmark", "equity"), "QQQ": ("benchmark", "equity"), "^VIX": ("benchmark", "index"),
    # extras (not in the deepseek-2025 study; load on the group factor named)
    "SMH": ("ai_equity", "equity"), "SOXX": ("ai_equity", "equity"), "BOTZ": ("ai_equity", "equity"),
    "^GSPC": ("benchmark", "index"), "^IXIC": ("benchmark", "index"),
}
EXTRAS = ("SMH", "SOXX", "BOTZ", "^GSPC", "^IXIC")

#: Known spillover design of the latent group log-variance VAR(1) on the calendar-day clock:
#: (from_group, to_group) -> coefficient Phi[to, from]. ai_equity leads everything, crypto_major leads
#: the other crypto-linked groups; nothing feeds back into ai_equity (a DAG, so the VAR is stable
#: whenever the calibrated own persistences are below one).
DESIGN_SPILLOVERS: dict[tuple[str, str], float] = {
    ("ai_equity", "miner"): 0.08,
    ("ai_equity", "crypto_major"): 0.15,
    ("ai_equity", "altcoin"): 0.15,
    ("ai_equity", "ai_token"): 0.14,
    ("ai_equity", "benchmark"): 0.04,
    ("crypto_major", "miner"): 0.02,
    ("crypto_major", "altcoin"): 0.02,
    ("crypto_major", "ai_token"): 0.01,
}

#: The calibrated latent correlations between the US-equity-market groups (ai_equity, benchmark) and the
#: crypto-linked groups are partly produced by the designed spillovers themselves, so their innovation
#: correlations are shrunk by this factor (0.6 brings the stationary ai_equity/crypto_major correlation
#: back near the calibrated value).
CROSS_SHRINK = 0.6
US_MARKET_GROUPS = ("ai_equity", "benchmark")

#: Extra innovation of the group log variances on the shock day (2025-01-27), design choice: the
#: AI-equity jump is the largest; the rest then propagates through the VAR.
SHOCK_VOL_JUMP = {"ai_equity": 2.0, "miner": 1.0, "crypto_major": 0.7, "altcoin": 0.7, "ai_token": 0.8,
                  "benchmark": 1.0}

#: News-reported bands for the crypto shock (simple returns), used to clip the data-derived troughs.
CRYPTO_SHOCK_BANDS = {"crypto_major": (-0.07, -0.045), "altcoin": (-0.10, -0.08), "ai_token": (-0.11, -0.09)}

#: Share of the equity shock-day move that happens in the opening gap (NVDA: open -12.5%, close -17%).
SHOCK_GAP_SHARE = 0.7

DRIFT_CAP = 0.40 / 365.0      # |annual log drift| <= 40%, so that prices stay sane far from 2023-2025
IDIO_PHI = 0.9                 # persistence of the idiosyncratic asset log variance (calendar days)
MIN_IDIO_VAR = 0.02
MIN_OWN_SHARE = 0.1             # floor of a group's innovation variance relative to its no-spillover value
VOLUME_VOL_ELASTICITY = 0.5    # d log volume / d log variance


def _sig(x: float, digits: int = 6) -> float:
    """Round to ``digits`` significant digits (deterministic JSON)."""
    if x == 0 or not math.isfinite(x):
        return 0.0 if x == 0 else x
    return float(f"{x:.{digits}g}")


def _round(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _sig(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def load(data_dir: Path, ticker: str) -> pd.DataFrame:
    path = data_dir / f"{ticker}.csv"
    if not path.is_file():
        raise SystemExit(f"error: {path} is missing; pass --data-dir pointing at shared/data/markets")
    frame = pd.read_csv(path, parse_dates=["date"], index_col="date")
    return frame.astype("float64")


def parkinson(frame: pd.DataFrame) -> pd.Series:
    """Parkinson (1980) daily variance (ln H/L)^2 / (4 ln 2) (docs/conventions.md, 'Range-based variance estimators')."""
    return np.log(frame["high"] / frame["low"]) ** 2 / (4.0 * math.log(2.0))


def latent_ar1(x: np.ndarray, max_lag: int = 10) -> tuple[float, float, float]:
    """Latent AR(1) + white-noise moment fit: returns (phi, var_latent, var_observed).

    acov(k) = var_s * phi**k for k >= 1; log acov(k) is regressed on k (k = 1..max_lag).
    """
    x = x[np.isfinite(x)]
    x = x - x.mean()
    n = x.size
    ac = np.array([np.dot(x[k:], x[:-k]) / n for k in range(1, max_lag + 1)])
    ks = np.arange(1, max_lag + 1, dtype=float)
    ok = ac > 0
    slope, intercept = np.polyfit(ks[ok], np.log(ac[ok]), 1)
    phi = float(np.clip(math.exp(slope), 0.80, 0.995))
    var_s = float(min(math.exp(intercept), 0.95 * x.var()))
    return phi, var_s, float(x.var())


def nearest_corr(r: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    w, v = np.linalg.eigh((r + r.T) / 2)
    r2 = (v * np.maximum(w, floor)) @ v.T
    d = np.sqrt(np.diag(r2))
    return r2 / np.outer(d, d)


def fit_loadings(corr: np.ndarray, groups: list[str], classes: list[str]) -> np.ndarray:
    """Loadings (n, 4) on [global, equity, crypto, group] factors fitted to a correlation matrix."""
    n = corr.shape[0]
    gid = np.array([GROUPS.index(g) for g in groups])
    same_group = gid[:, None] == gid[None, :]
    mask = ~np.eye(n, dtype=bool) & np.isfinite(corr)
    is_crypto = np.array([c == "crypto" for c in classes])

    def model(theta: np.ndarray) -> np.ndarray:
        lam = theta.reshape(n, 4)
        c = np.outer(lam[:, 0], lam[:, 0]) + np.outer(lam[:, 1], lam[:, 1]) + np.outer(lam[:, 2], lam[:, 2])
        c = c + same_group * np.outer(lam[:, 3], lam[:, 3])
        return c

    def resid(theta: np.ndarray) -> np.ndarray:
        lam = theta.reshape(n, 4)
        over = np.maximum((lam**2).sum(axis=1) - 0.97, 0.0)
        return np.concatenate([(model(theta) - corr)[mask], 10.0 * over])

    start = np.zeros((n, 4))
    start[:, 0] = 0.3
    start[:, 1] = np.where(is_crypto, 0.05, 0.5)
    start[:, 2] = np.where(is_crypto, 0.6, 0.1)
    start[:, 3] = 0.3
    sol = optimize.least_squares(resid, start.ravel(), bounds=(-0.99, 0.99), method="trf", tr_solver="lsmr",
                                 max_nfev=2000)
    lam = sol.x.reshape(n, 4)
    # sign convention: the global loading of the first asset is positive
    if lam[0, 0] < 0:
        lam[:, 0] = -lam[:, 0]
    for k in (1, 2):
        if lam[:, k].sum() < 0:
            lam[:, k] = -lam[:, k]
    for g in range(len(GROUPS)):
        sel = gid == g
        if sel.any() and lam[sel, 3].sum() < 0:
            lam[sel, 3] = -lam[sel, 3]
    return lam


def calibrate(data_dir: Path) -> dict[str, Any]:
    cal = xc.get_calendar("XNYS", start=GRID_START, end=GRID_END)
    sessions = cal.sessions_in_range(CAL_START, CAL_END).tz_localize(None)
    frames = {t: load(data_dir, t) for t in ASSETS}
    win = {t: f.loc[CAL_START:CAL_END] for t, f in frames.items()}

    assets: dict[str, Any] = {}
    event = pd.Timestamp(EVENT)
    n_cal_days = (pd.Timestamp(CAL_END) - pd.Timestamp(CAL_START)).days + 1
    extra_days_per_session = n_cal_days / len(sessions) - 1.0

    # --- weekend share of equity variance (pooled over study equities) ------------------------------
    reg_gap, wkd_gap, sess_var = [], [], []
    for t, (_g, cls) in ASSETS.items():
        if cls != "equity" or t in EXTRAS:
            continue
        f = win[t]
        gap = np.log(f["open"] / f["close"].shift(1)).dropna()
        days = pd.Series(f.index, index=f.index).diff().dt.days.reindex(gap.index)
        r = np.log(f["close"]).diff().dropna()
        reg_gap.append(float((gap[days == 1] ** 2).mean()))
        wkd_gap.append(float((gap[days == 3] ** 2).mean()))
        sess_var.append(float((r**2).mean()))
    w_ns = float(np.clip(np.mean((np.array(wkd_gap) - np.array(reg_gap)) / 2.0 / np.array(sess_var)), 0.02, 0.3))

    # --- group latent log-variance dynamics ----------------------------------------------------------
    group_obs: dict[str, pd.Series] = {}
    for g in GROUPS:
        members = [t for t, (gg, cls) in ASSETS.items() if gg == g and t not in EXTRAS and cls != "index"]
        pv = pd.concat({t: parkinson(win[t]) for t in members}, axis=1, sort=True)
        pv = pv.where(pv > 0)
        group_obs[g] = np.log(pv.mean(axis=1, skipna=True)).dropna()
    phi, var_s = {}, {}
    for g in GROUPS:
        x = group_obs[g]
        is_equity_group = g in ("ai_equity", "miner", "benchmark")
        p, vs, _vx = latent_ar1(x.to_numpy())
        if is_equity_group:   # session clock -> calendar-day clock
            p = p ** (len(sessions) / n_cal_days)
        phi[g] = min(p, 0.99)
        var_s[g] = vs
    aligned = pd.concat({g: group_obs[g].reindex(sessions) for g in GROUPS}, axis=1).dropna()
    xc_ = aligned.to_numpy() - aligned.to_numpy().mean(axis=0)
    cov_x = xc_.T @ xc_ / xc_.shape[0]
    sd_x = np.sqrt(np.diag(cov_x))
    sd_s = np.sqrt(np.array([var_s[g] for g in GROUPS]))
    lat_corr = cov_x / np.outer(sd_s, sd_s)
    np.fill_diagonal(lat_corr, 1.0)
    lat_corr = nearest_corr(np.clip(lat_corr, -0.9, 0.9))
    # plain OLS VAR(1) of the observed (noisy) group log variances on sessions, for comparison only
    y, xl = xc_[1:], xc_[:-1]
    real_var1 = np.linalg.lstsq(xl, y, rcond=None)[0].T

    big_phi = np.diag([phi[g] for g in GROUPS])
    for (src, dst), v in DESIGN_SPILLOVERS.items():
        big_phi[GROUPS.index(dst), GROUPS.index(src)] = v
    target_var = sd_s**2
    d = np.sqrt(target_var * (1 - np.diag(big_phi) ** 2))
    us = np.array([g in US_MARKET_GROUPS for g in GROUPS])
    eta_corr = np.where(us[:, None] != us[None, :], CROSS_SHRINK * lat_corr, lat_corr)
    sigma_eta = np.outer(d, d) * eta_corr
    # rescale the innovation variances so that the stationary variances match the target, keeping each
    # innovation variance at least MIN_OWN_SHARE of the no-spillover value (where the designed inflows
    # alone exceed the target, the group ends up somewhat more volatile than calibrated)
    floor = MIN_OWN_SHARE * d**2
    for _ in range(500):
        v = linalg.solve_discrete_lyapunov(big_phi, sigma_eta)
        s = np.sqrt(target_var / np.diag(v))
        sd_eta = np.maximum(np.sqrt(np.diag(sigma_eta)) * s, np.sqrt(floor))
        corr_eta = sigma_eta / np.outer(np.sqrt(np.diag(sigma_eta)), np.sqrt(np.diag(sigma_eta)))
        sigma_eta = corr_eta * np.outer(sd_eta, sd_eta)
    v = linalg.solve_discrete_lyapunov(big_phi, sigma_eta)
    achieved_var = np.diag(v)

    # --- per-asset parameters ------------------------------------------------------------------------
    for t, (g, cls) in ASSETS.items():
        f, w = frames[t], win[t]
        first = str(f.index[0].date())
        prev = f.loc[: event - pd.Timedelta(days=1)].iloc[-1]
        on_event = f.loc[event]
        logc = np.log(w["close"])
        days = (w.index[-1] - w.index[0]).days
        drift = float(np.clip((logc.iloc[-1] - logc.iloc[0]) / days, -DRIFT_CAP, DRIFT_CAP))
        r = logc.diff().dropna()
        entry: dict[str, Any] = {
            "group": g, "asset_class": cls, "first_date": first, "extra": t in EXTRAS,
            "anchor_close": float(prev["close"]), "anchor_date": str(prev.name.date()),
            "drift": drift,
        }
        if t == "^VIX":
            lv = np.log(w["close"])
            dev = (lv - lv.mean()).to_numpy()
            a1 = float(np.dot(dev[1:], dev[:-1]) / np.dot(dev[:-1], dev[:-1]))
            entry.update({
                "log_level_mean": float(lv.mean()), "log_level_sd": float(lv.std()),
                "ar1": float(np.clip(a1, 0.5, 0.99)),
                "intraday_var": float(parkinson(w).mean()),
                "gap_var": float((np.log(w["open"] / w["close"].shift(1)).dropna() ** 2).mean()),
                "shock_return": float(on_event["close"] / prev["close"] - 1.0),
                "corr_spy": float(np.corrcoef(r.reindex(sessions).fillna(0),
                                              np.log(win["SPY"]["close"]).diff().reindex(sessions).fillna(0))[0, 1]),
            })
            assets[t] = entry
            continue
        if cls == "crypto":
            mean_var = float((r**2).mean())
            f_on = 0.0
            lo, hi = CRYPTO_SHOCK_BANDS[g]
            shock = float(np.clip(on_event["low"] / prev["close"] - 1.0, lo, hi))
        else:
            mean_var = float((r**2).mean()) / (1.0 + w_ns * extra_days_per_session)
            gap = np.log(w["open"] / w["close"].shift(1))
            ndays = pd.Series(w.index, index=w.index).diff().dt.days
            one = ndays == 1
            f_on = float(np.clip((gap[one] ** 2).mean() / (r.reindex(gap[one].index) ** 2).mean(), 0.02, 0.6))
            shock = float(on_event["close"] / prev["close"] - 1.0)
        x_i = np.log(parkinson(w).where(lambda s: s > 0)).dropna().to_numpy()
        _p, vs_i, _ = latent_ar1(x_i)
        idio_var = max(vs_i - var_s[g], MIN_IDIO_VAR)
        total_lv_var = float(achieved_var[GROUPS.index(g)]) + idio_var
        vol = w["volume"].where(w["volume"] > 0).dropna()
        entry.update({
            "log_var_mean": math.log(mean_var) - 0.5 * total_lv_var,
            "idio_var": idio_var,
            "overnight_share": f_on,
            "shock_return": shock,
            "log_volume_mean": float(np.log(vol).mean()) if len(vol) else None,
            "log_volume_sd": float(np.log(vol).std()) if len(vol) else None,
        })
        assets[t] = entry

    # --- return correlations -> factor loadings ------------------------------------------------------
    ret_assets = [t for t in ASSETS if t != "^VIX"]
    rets = {}
    for t in ret_assets:
        logc = np.log(frames[t]["close"].loc[CAL_START:CAL_END])
        if ASSETS[t][1] == "crypto":
            # exchange policy: sum of UTC-day returns since the previous session
            cum = logc.reindex(pd.date_range(CAL_START, CAL_END)).ffill()
            rets[t] = cum.reindex(sessions).diff()
        else:
            rets[t] = logc.reindex(sessions).diff()
    rf = pd.concat(rets, axis=1)
    corr = rf.corr(min_periods=100).to_numpy()
    lam = fit_loadings(corr, [ASSETS[t][0] for t in ret_assets], [ASSETS[t][1] for t in ret_assets])
    fitted = lam[:, :3] @ lam[:, :3].T
    gid = np.array([GROUPS.index(ASSETS[t][0]) for t in ret_assets])
    fitted += (gid[:, None] == gid[None, :]) * np.outer(lam[:, 3], lam[:, 3])
    mask = ~np.eye(len(ret_assets), dtype=bool) & np.isfinite(corr)
    fit_rmse = float(np.sqrt(np.mean((fitted - corr)[mask] ** 2)))
    for i, t in enumerate(ret_assets):
        assets[t]["loadings"] = [float(v) for v in lam[i]]

    session_set = set(pd.DatetimeIndex(cal.sessions).tz_localize(None))
    closures = [str(x.date()) for x in pd.bdate_range(GRID_START, GRID_END) if x not in session_set]

    return _round({
        "schema": 1,
        "calendar": {
            "grid": [GRID_START, GRID_END],
            "xnys_weekday_closures": closures,
            "note": f"weekdays without an XNYS session in the grid (exchange_calendars {xc.__version__}); "
                    "shipped so that the demo calendar does not depend on the installed version",
        },
        "cross_shrink": CROSS_SHRINK,
        "description": ("Parameters of the simulated demo market (contagion.simulate). Estimated from "
                        "shared/data/markets by tools/calibrate_demo.py; the group spillover design is fixed "
                        "by hand (known truth). Demo data are SIMULATED."),
        "calibration_window": [CAL_START, CAL_END],
        "event_date": EVENT,
        "groups": list(GROUPS),
        "group_var": {
            "phi": big_phi.tolist(),
            "sigma_eta": sigma_eta.tolist(),
            "stationary_var": achieved_var.tolist(),
            "target_var": target_var.tolist(),
            "latent_corr": lat_corr.tolist(),
            "clock": "calendar day (UTC); equity groups' latent state also evolves on non-session days",
        },
        "design_spillovers": [[s, d_, v] for (s, d_), v in sorted(DESIGN_SPILLOVERS.items())],
        "shock_vol_jump": SHOCK_VOL_JUMP,
        "shock_gap_share": SHOCK_GAP_SHARE,
        "real_data_var1": {
            "note": "plain OLS VAR(1) of observed group log Parkinson variance on XNYS sessions "
                    f"{CAL_START}..{CAL_END} (noisy measurement; for comparison only)",
            "coefs": real_var1.tolist(), "n_obs": int(y.shape[0]),
            "observed_sd": sd_x.tolist(),
        },
        "nonsession_var_share": w_ns,
        "idio_phi": IDIO_PHI,
        "volume_vol_elasticity": VOLUME_VOL_ELASTICITY,
        "factor_fit_rmse": fit_rmse,
        "factors": ["global", "equity", "crypto", "group"],
        "assets": {t: assets[t] for t in sorted(assets)},
    })


def dumps(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, indent=1, allow_nan=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = ap.parse_args(argv)
    text = dumps(calibrate(args.data_dir))
    if args.check:
        same = args.out.is_file() and args.out.read_text() == text
        print("up to date" if same else f"{args.out} differs from a fresh calibration")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
