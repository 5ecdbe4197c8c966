"""The event-study design: abnormal returns against the equal-weighted crypto index, the Kolari-Pynnonen t,
and windows that contain another event, each against a hand calculation on a small synthetic panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contagion.errors import DataError
from contagion.events import event_study

N_OBS = 80
EVENT_POS = 50
EST = (-40, -6)
WINDOWS = ((0, 0), (0, 3), (-1, 1))
CRYPTO = ["BTC-USD", "ETH-USD", "SOL-USD", "NEW-USD"]  # NEW-USD starts trading inside the estimation window


@pytest.fixture()
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    index = pd.bdate_range("2024-01-01", periods=N_OBS, name="date")
    common = rng.normal(0.0, 0.03, N_OBS)
    data = {"SPY": rng.normal(0.0, 0.01, N_OBS)}
    for k, t in enumerate(CRYPTO):
        data[t] = (0.7 + 0.3 * k) * common + rng.normal(0.0, 0.02, N_OBS)
    frame = pd.DataFrame(data, index=index)
    frame.iloc[:EVENT_POS - 30, frame.columns.get_loc("NEW-USD")] = np.nan   # 10 estimation rows missing
    frame.iloc[EVENT_POS, frame.columns.get_loc("ETH-USD")] -= 0.10          # an ETH-specific shock on day 0
    return frame


def run(panel: pd.DataFrame, events: object = None, **kwargs: object):
    opts: dict[str, object] = {"estimation": EST, "windows": WINDOWS, "min_estimation": 20,
                               "tickers": CRYPTO}
    opts.update(kwargs)
    return event_study(panel, panel.index[EVENT_POS] if events is None else events, **opts)  # type: ignore[arg-type]


def hand_index_market_model(panel: pd.DataFrame) -> dict[str, dict[str, object]]:
    """The crypto index and the market-model ARs, CARs and SCARs by hand (lstsq, CLM 1997 eq. 4.4.8)."""
    rows = slice(EVENT_POS + EST[0], EVENT_POS + max(b for _, b in WINDOWS) + 1)
    members = ["BTC-USD", "ETH-USD", "SOL-USD"]          # NEW-USD misses estimation rows: not in the index
    index = np.full(N_OBS, np.nan)
    index[rows] = panel[members].to_numpy()[rows].mean(axis=1)
    est = np.arange(EVENT_POS + EST[0], EVENT_POS + EST[1] + 1)
    out: dict[str, dict[str, object]] = {}
    for t in CRYPTO:
        r = panel[t].to_numpy()
        ok = est[np.isfinite(r[est])]
        x = np.column_stack([np.ones(ok.size), index[ok]])
        coef, *_ = np.linalg.lstsq(x, r[ok], rcond=None)
        resid_ok = r[ok] - x @ coef
        s2 = resid_ok @ resid_ok / (ok.size - 2)
        resid = np.full(est.size, np.nan)
        resid[np.isin(est, ok)] = resid_ok
        h: dict[str, object] = {"alpha": coef[0], "beta": coef[1], "resid": resid, "index": index}
        for a, b in WINDOWS:
            ev = slice(EVENT_POS + a, EVENT_POS + b + 1)
            xs = np.column_stack([np.ones(b - a + 1), index[ev]])
            ar = r[ev] - xs @ coef
            v = s2 * (np.eye(b - a + 1) + xs @ np.linalg.inv(x.T @ x) @ xs.T)
            car_var = float(np.ones(b - a + 1) @ v @ np.ones(b - a + 1))
            h[f"[{a},{b}]"] = (ar, ar.sum(), ar.sum() / math.sqrt(car_var))
        out[t] = h
    return out


def test_abnormal_returns_against_the_crypto_index_by_hand(panel: pd.DataFrame) -> None:
    res = run(panel)
    hand = hand_index_market_model(panel)
    est = res.estimation.set_index("ticker")
    assert set(est.index) == set(CRYPTO)                 # BTC-USD is an asset, not the benchmark
    assert (est["benchmark"] == "crypto_index").all() and (est["model"] == "market").all()
    assert set(est["benchmark_members"]) == {"BTC-USD, ETH-USD, SOL-USD"}
    ars = res.abnormal_returns
    car = res.car.set_index(["ticker", "window"])
    for t, h in hand.items():
        np.testing.assert_allclose(est.loc[t, ["alpha", "beta"]].astype(float), [h["alpha"], h["beta"]],
                                   rtol=1e-10, atol=1e-12)   # lstsq vs closed-form OLS: rounding only
        for a, b in WINDOWS:
            w = f"[{a},{b}]"
            ar_h, car_h, scar_h = h[w]  # type: ignore[misc]
            sub = ars[(ars["ticker"] == t) & ars["tau"].between(a, b)].sort_values("tau")
            np.testing.assert_allclose(sub["abnormal"], ar_h, rtol=0, atol=1e-10)
            np.testing.assert_allclose(car.loc[(t, w), "car"], car_h, rtol=0, atol=1e-10)
            np.testing.assert_allclose(car.loc[(t, w), "scar"], scar_h, rtol=1e-10)
        index = h["index"]
        sub = ars[ars["ticker"] == t].sort_values("tau")
        np.testing.assert_allclose(sub["expected"], h["alpha"] + h["beta"] * index[EVENT_POS - 1:EVENT_POS + 4],
                                   rtol=0, atol=1e-10)  # type: ignore[operator]
    # the ETH-specific shock is ETH's abnormal return, and the index (which holds ETH with weight 1/3) moves
    # the others' expected returns by beta * (-0.10 / 3)
    assert car.loc[("ETH-USD", "[0,0]"), "car"] < -0.05


def test_kolari_pynnonen_t_by_hand(panel: pd.DataFrame) -> None:
    res = run(panel, groups={"crypto": CRYPTO})
    hand = hand_index_market_model(panel)
    g = res.group_car.set_index(["group", "window"])
    n = len(CRYPTO)
    resid = np.array([hand[t]["resid"] for t in CRYPTO])
    pairs = []                                             # pairwise-complete rows (NEW-USD starts late)
    for i in range(n):
        for j in range(i + 1, n):
            ok = np.isfinite(resid[i]) & np.isfinite(resid[j])
            pairs.append(np.corrcoef(resid[i, ok], resid[j, ok])[0, 1])
    r_bar = float(np.mean(pairs))
    for a, b in WINDOWS:
        w = f"[{a},{b}]"
        scars = np.array([hand[t][w][2] for t in CRYPTO])  # type: ignore[index]
        cars = np.array([hand[t][w][1] for t in CRYPTO])  # type: ignore[index]
        t_cross = cars.mean() / (cars.std(ddof=1) / math.sqrt(n))
        t_bmp = scars.mean() / (scars.std(ddof=1) / math.sqrt(n))
        t_kp = t_bmp * math.sqrt((1 - r_bar) / (1 + (n - 1) * r_bar))
        row = g.loc[("crypto", w)]
        np.testing.assert_allclose(row["mean_residual_corr"], r_bar, rtol=1e-10)
        np.testing.assert_allclose([row["t_cross"], row["t_bmp"], row["t_bmp_kp"]], [t_cross, t_bmp, t_kp],
                                   rtol=1e-9)
        for col, t_val in (("p_cross", t_cross), ("p_bmp", t_bmp), ("p_bmp_kp", t_kp)):
            np.testing.assert_allclose(row[col], 2 * stats.t.sf(abs(t_val), n - 1), rtol=1e-9)
    # the residuals against a common index are negatively correlated on average, so KP inflates |t|
    assert r_bar < 0 and abs(g.loc[("crypto", "[0,0]"), "t_bmp_kp"]) > abs(g.loc[("crypto", "[0,0]"), "t_bmp"])


def test_windows_containing_another_event_are_flagged(panel: pd.DataFrame) -> None:
    idx = panel.index
    events = {"main": idx[EVENT_POS], "later": idx[EVENT_POS + 2]}
    monday = next(p for p in range(EVENT_POS + 2, EVENT_POS + 8) if idx[p].day_of_week == 0)
    saturday = idx[monday] - pd.Timedelta(days=2)       # a weekend shock reaches the panel on Monday
    context = {"crash": idx[EVENT_POS - 20], "weekend news": saturday}
    res = run(panel, events, context_events=context)
    car = res.car[res.car["ticker"] == "BTC-USD"].set_index(["event", "window"])["overlapping_events"]
    labels = {"main": (f"main ({idx[EVENT_POS].date()})", EVENT_POS),
              "later": (f"later ({idx[EVENT_POS + 2].date()})", EVENT_POS + 2),
              "crash": (f"crash ({idx[EVENT_POS - 20].date()})", EVENT_POS - 20),
              "weekend": (f"weekend news ({saturday.date()})", monday)}
    for ev, pos in (("main", EVENT_POS), ("later", EVENT_POS + 2)):
        for a, b in WINDOWS:
            expected = [lab for key, (lab, row) in labels.items() if key != ev and pos + a <= row <= pos + b]
            assert car[(ev, f"[{a},{b}]")] == "; ".join(expected)
    assert car[("main", "[0,0]")] == ""                                  # explicit cases of the rule above
    assert labels["later"][0] in car[("main", "[0,3]")]
    assert labels["main"][0] not in car[("later", "[-1,1]")]               # main is 2 sessions before later
    group = res.group_car.set_index(["event", "group", "window"])["overlapping_events"]
    assert labels["later"][0] in group[("main", "all", "[0,3]")]
    est = res.estimation.drop_duplicates("event").set_index("event")["estimation_overlapping_events"]
    assert est["main"] == labels["crash"][0]
    text = str(res.summary())
    assert "contains another event" in text and labels["later"][0] in text


def test_index_needs_a_member_with_full_history(panel: pd.DataFrame) -> None:
    holes = panel.copy()
    holes.iloc[EVENT_POS - 10, :] = np.nan
    with pytest.raises(DataError, match="no crypto index member"):
        run(holes, tickers=["SPY"], crypto_benchmark=["BTC-USD", "ETH-USD"])
    with pytest.raises(DataError, match="not in the panel"):
        run(panel, crypto_benchmark=["BTC-USD", "XXX-USD"])
