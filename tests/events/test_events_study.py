"""Event study against a hand calculation on a small synthetic panel, plus bad input."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contagion.errors import DataError, SpecificationError
from contagion.events.study import event_study

N_OBS = 60
EVENT_POS = 40
EST = (-30, -6)
WINDOWS = ((0, 0), (0, 2), (-1, 1))
EQUITIES = ["AAA", "BBB", "CCC"]
CRYPTO = ["ETH-USD", "SOL-USD"]


@pytest.fixture()
def panel(rng: np.random.Generator) -> pd.DataFrame:
    index = pd.bdate_range("2024-01-01", periods=N_OBS, name="date")
    mkt = rng.normal(0.0, 0.01, N_OBS)
    btc = rng.normal(0.0, 0.03, N_OBS)
    data = {"SPY": mkt, "BTC-USD": btc}
    for k, t in enumerate(EQUITIES):
        data[t] = 0.0002 * k + (0.8 + 0.3 * k) * mkt + rng.normal(0.0, 0.015, N_OBS)
    for t in CRYPTO:
        data[t] = 1.1 * btc + rng.normal(0.0, 0.02, N_OBS)
    frame = pd.DataFrame(data, index=index)
    frame.iloc[EVENT_POS, 2:5] -= 0.08   # the shock hits equities on day 0 ...
    frame.iloc[EVENT_POS + 1, 5:] -= 0.15  # ... and crypto on day +1
    return frame


def hand_market_model(r: np.ndarray, rm: np.ndarray) -> dict[str, object]:
    """AR, per-window CAR and its variance by the textbook matrix formulas (MacKinlay 1997)."""
    est = slice(EVENT_POS + EST[0], EVENT_POS + EST[1] + 1)
    x = np.column_stack([np.ones(EST[1] - EST[0] + 1), rm[est]])
    coef, *_ = np.linalg.lstsq(x, r[est], rcond=None)
    resid = r[est] - x @ coef
    s2 = resid @ resid / (x.shape[0] - 2)
    out: dict[str, object] = {"alpha": coef[0], "beta": coef[1], "s2": s2, "dof": x.shape[0] - 2}
    for a, b in WINDOWS:
        ev = slice(EVENT_POS + a, EVENT_POS + b + 1)
        xs = np.column_stack([np.ones(b - a + 1), rm[ev]])
        ar = r[ev] - xs @ coef
        v = s2 * (np.eye(b - a + 1) + xs @ np.linalg.inv(x.T @ x) @ xs.T)   # CLM (1997) eq. 4.4.8
        out[f"[{a},{b}]"] = (ar.sum(), np.ones(b - a + 1) @ v @ np.ones(b - a + 1), ar, np.diag(v))
    return out


def hand_market_adjusted(r: np.ndarray, rm: np.ndarray) -> dict[str, object]:
    est = slice(EVENT_POS + EST[0], EVENT_POS + EST[1] + 1)
    s2 = np.var(r[est] - rm[est], ddof=1)
    out: dict[str, object] = {"s2": s2, "dof": EST[1] - EST[0]}
    for a, b in WINDOWS:
        ev = slice(EVENT_POS + a, EVENT_POS + b + 1)
        ar = r[ev] - rm[ev]
        out[f"[{a},{b}]"] = (ar.sum(), s2 * (b - a + 1), ar, np.full(b - a + 1, s2))
    return out


def run(panel: pd.DataFrame, **kwargs: object):
    opts: dict[str, object] = {"estimation": EST, "windows": WINDOWS, "min_estimation": 20}
    opts.update(kwargs)
    return event_study(panel, panel.index[EVENT_POS], **opts)  # type: ignore[arg-type]


def test_against_hand_calculation(panel: pd.DataFrame) -> None:
    res = run(panel, crypto_model="market_adjusted", crypto_benchmark="BTC-USD")
    hand = {t: hand_market_model(panel[t].to_numpy(), panel["SPY"].to_numpy()) for t in EQUITIES}
    hand |= {t: hand_market_adjusted(panel[t].to_numpy(), panel["BTC-USD"].to_numpy()) for t in CRYPTO}
    car = res.car.set_index(["ticker", "window"])
    assert set(car.index) == {(t, f"[{a},{b}]") for t in EQUITIES + CRYPTO for a, b in WINDOWS}
    for t, h in hand.items():
        for a, b in WINDOWS:
            w = f"[{a},{b}]"
            car_h, var_h, ar_h, ar_var_h = h[w]  # type: ignore[misc]
            row = car.loc[(t, w)]
            np.testing.assert_allclose(row["car"], car_h, rtol=1e-12)
            np.testing.assert_allclose(row["car_variance"], var_h, rtol=1e-10)
            np.testing.assert_allclose(row["scar"], car_h / math.sqrt(var_h), rtol=1e-10)
            np.testing.assert_allclose(row["p_value"], 2 * stats.t.sf(abs(car_h / math.sqrt(var_h)), h["dof"]),
                                       rtol=1e-9)
            ars = res.abnormal_returns
            sub = ars[(ars["ticker"] == t) & ars["tau"].between(a, b)].sort_values("tau")
            np.testing.assert_allclose(sub["abnormal"], ar_h, rtol=1e-10, atol=1e-15)
            np.testing.assert_allclose(sub["standardized"], ar_h / np.sqrt(ar_var_h), rtol=1e-10)
    est = res.estimation.set_index("ticker")
    for t in EQUITIES:
        np.testing.assert_allclose(est.loc[t, ["alpha", "beta"]].astype(float),
                                   [hand[t]["alpha"], hand[t]["beta"]], rtol=1e-10)
        assert est.loc[t, "model"] == "market" and est.loc[t, "benchmark"] == "SPY"
    for t in CRYPTO:
        assert est.loc[t, "model"] == "market_adjusted" and est.loc[t, "benchmark"] == "BTC-USD"

    # group statistics by hand: cross-sectional t and Boehmer-Musumeci-Poulsen standardised t
    groups = res.group_car.set_index(["group", "window"])
    assert set(res.groups) == {"equity", "crypto", "all"}
    for g, members in (("equity", EQUITIES), ("crypto", CRYPTO), ("all", EQUITIES + CRYPTO)):
        for a, b in WINDOWS:
            w = f"[{a},{b}]"
            cars = np.array([hand[t][w][0] for t in members])  # type: ignore[index]
            scars = np.array([hand[t][w][0] / math.sqrt(hand[t][w][1]) for t in members])  # type: ignore[index]
            n = len(members)
            t_cross = cars.mean() / (cars.std(ddof=1) / math.sqrt(n))
            t_bmp = scars.mean() / (scars.std(ddof=1) / math.sqrt(n))
            row = groups.loc[(g, w)]
            assert row["n_assets"] == n
            np.testing.assert_allclose([row["mean_car"], row["t_cross"], row["t_bmp"]],
                                       [cars.mean(), t_cross, t_bmp], rtol=1e-10)
            np.testing.assert_allclose(row["p_bmp"], 2 * stats.t.sf(abs(t_bmp), n - 1), rtol=1e-9)
    # Kolari-Pynnonen adjustment by hand: mean pairwise correlation of estimation-window residuals
    est = slice(EVENT_POS + EST[0], EVENT_POS + EST[1] + 1)
    resid = {}
    for t in EQUITIES:
        r, rm = panel[t].to_numpy()[est], panel["SPY"].to_numpy()[est]
        resid[t] = r - hand[t]["alpha"] - hand[t]["beta"] * rm
    for t in CRYPTO:
        resid[t] = panel[t].to_numpy()[est] - panel["BTC-USD"].to_numpy()[est]
    for g, members in (("equity", EQUITIES), ("all", EQUITIES + CRYPTO)):
        c = np.corrcoef(np.array([resid[t] for t in members]))
        n = len(members)
        r_bar = (c.sum() - n) / (n * (n - 1))
        row = groups.loc[(g, "[0,2]")]
        np.testing.assert_allclose(row["mean_residual_corr"], r_bar, rtol=1e-10)
        np.testing.assert_allclose(row["t_bmp_kp"], row["t_bmp"] * math.sqrt((1 - r_bar) / (1 + (n - 1) * r_bar)),
                                   rtol=1e-10)
        np.testing.assert_allclose(row["p_bmp_kp"], 2 * stats.t.sf(abs(row["t_bmp_kp"]), n - 1), rtol=1e-9)

    # the planted shock shows up where it was planted
    assert groups.loc[("equity", "[0,0]"), "mean_car"] < -0.05
    assert groups.loc[("crypto", "[0,2]"), "mean_car"] < -0.03


def test_other_models_and_dates(panel: pd.DataFrame) -> None:
    res = run(panel, model="mean_adjusted", crypto_model="market", crypto_benchmark=None,
              groups={"ai": ["AAA", "BBB"]})
    est = res.estimation.set_index("ticker")
    assert (est.loc[CRYPTO, "benchmark"] == "SPY").all() and (est.loc[CRYPTO, "model"] == "market").all()
    r = panel["AAA"].to_numpy()
    e = r[EVENT_POS + EST[0]: EVENT_POS + EST[1] + 1]
    row = res.car.set_index(["ticker", "window"]).loc[("AAA", "[0,2]")]
    np.testing.assert_allclose(row["car"], (r[EVENT_POS:EVENT_POS + 3] - e.mean()).sum(), rtol=1e-12)
    np.testing.assert_allclose(row["car_variance"], np.var(e, ddof=1) * (3 + 9 / e.size), rtol=1e-12)
    assert row["date_start"] == panel.index[EVENT_POS] and row["date_end"] == panel.index[EVENT_POS + 2]
    assert set(res.groups) == {"ai", "all"}


def test_abnormal_volatility(panel: pd.DataFrame, rng: np.random.Generator) -> None:
    rv = pd.DataFrame(rng.uniform(1e-4, 4e-4, panel.shape), index=panel.index, columns=panel.columns)
    res = run(panel, range_variance=rv)
    v = rv["AAA"].to_numpy()
    base = v[EVENT_POS + EST[0]: EVENT_POS + EST[1] + 1].mean()
    row = res.car.set_index(["ticker", "window"]).loc[("AAA", "[-1,1]")]
    np.testing.assert_allclose(row["abnormal_volatility"], v[EVENT_POS - 1:EVENT_POS + 2].mean() / base)
    g = res.group_car.set_index(["group", "window"]).loc[("equity", "[-1,1]")]
    expected = res.car[(res.car["window"] == "[-1,1]") & res.car["ticker"].isin(EQUITIES)]
    np.testing.assert_allclose(g["mean_abnormal_volatility"], expected["abnormal_volatility"].mean())
    # a Panel-like object stores LOG variance
    log_panel = SimpleNamespace(values=np.log(rv), measure="parkinson")
    res2 = run(panel, range_variance=log_panel)
    np.testing.assert_allclose(res2.car["abnormal_volatility"], res.car["abnormal_volatility"], rtol=1e-12)


def test_outputs(panel: pd.DataFrame) -> None:
    res = run(panel, policy="exchange")
    assert res.policy == "exchange"
    pd.testing.assert_frame_equal(res.to_frame(), res.car)
    text = res.summary()
    assert "exchange" in text and "Boehmer" in text and "[0,2]" in text
    fig = res.plot()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["crypto (n=3)", "equity (n=3)", "all (n=6)"]  # BTC-USD (2nd column) is studied now
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "equity (n=3)")
    ar = res.abnormal_returns
    mean_ar = ar[ar["ticker"].isin(EQUITIES)].groupby("tau")["abnormal"].mean()
    np.testing.assert_allclose(line.get_ydata(), 100 * mean_ar.cumsum().to_numpy(), rtol=1e-12)


def test_panel_like_input_records_policy(panel: pd.DataFrame) -> None:
    fake = SimpleNamespace(returns=panel, policy=SimpleNamespace(name="monday_sunday"))
    res = event_study(fake, {"shock": panel.index[EVENT_POS]}, estimation=EST, windows=WINDOWS,
                      min_estimation=20)
    assert res.policy == "monday_sunday"
    assert set(res.car["event"]) == {"shock"}


def test_bad_input(panel: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"event date 2030-01-01 is outside the sample 2024-01-01 \.\. "):
        event_study(panel, "2030-01-01", estimation=EST, windows=WINDOWS, min_estimation=20)
    saturday = panel.index[EVENT_POS] + pd.offsets.Week(weekday=5)
    prev_fri = saturday - pd.Timedelta(days=1)
    next_mon = saturday + pd.Timedelta(days=2)
    with pytest.raises(DataError, match=(rf"{saturday.date()} is not a session of the panel under calendar "
                                         rf"policy 'exchange'.*nearest sessions are {prev_fri.date()} "
                                         rf"\(before\) and {next_mon.date()} \(after\)")):
        event_study(panel, saturday, estimation=EST, windows=WINDOWS, min_estimation=20, policy="exchange")
    with pytest.raises(SpecificationError, match=r"estimation window \[-20, -11\] has 10 sessions.*min_estimation"):
        event_study(panel, panel.index[EVENT_POS], estimation=(-20, -11), windows=WINDOWS)
    with pytest.raises(DataError, match="needs 250 sessions before"):
        event_study(panel, panel.index[EVENT_POS])
    with pytest.raises(DataError, match="sessions after"):
        event_study(panel, panel.index[-2], estimation=EST, windows=WINDOWS, min_estimation=20)
    with pytest.raises(DataError, match="benchmark 'QQQ'"):
        run(panel, benchmark="QQQ")
    with pytest.raises(SpecificationError, match="overlaps the estimation window"):
        run(panel, windows=((-6, 0),))
    with pytest.raises(SpecificationError, match="model must be one of"):
        run(panel, model="capm")
    holes = panel.copy()
    holes.iloc[EVENT_POS + 1, holes.columns.get_loc("BBB")] = np.nan
    with pytest.raises(DataError, match="BBB: missing return"):
        run(holes)
    short = panel.copy()
    short.iloc[: EVENT_POS - 10, short.columns.get_loc("CCC")] = np.nan
    with pytest.raises(DataError, match="CCC: only 5 usable estimation-window returns"):
        run(short)


def test_several_events_are_studied_separately(panel: pd.DataFrame) -> None:
    events = {"first": panel.index[EVENT_POS], "second": panel.index[EVENT_POS + 5]}
    both = run_events(panel, events)
    one = run_events(panel, {"second": events["second"]})
    assert list(dict.fromkeys(both.group_car["event"])) == ["first", "second"]
    pd.testing.assert_frame_equal(both.car[both.car["event"] == "second"].reset_index(drop=True), one.car)
    fig = both.plot()
    assert len(fig.axes) == 2
    assert len(both.plot(event="first").axes) == 1
    with pytest.raises(SpecificationError, match="event 'third' is not in this study; known: first, second"):
        both.plot(event="third")


def run_events(panel: pd.DataFrame, events: dict[str, pd.Timestamp]):
    return event_study(panel, events, estimation=EST, windows=WINDOWS, min_estimation=20)


def test_results_protocol(panel: pd.DataFrame) -> None:
    from matplotlib.figure import Figure

    from contagion._summary import Summary
    from contagion.events.results import EventStudyResult

    res = run(panel)
    assert isinstance(res, EventStudyResult) and type(res).__module__ == "contagion.events.results"
    s = res.summary()
    assert isinstance(s, Summary)
    assert "Boehmer" in s and "[0,2]" in s and "equity" in s and "market vs SPY" in s
    pd.testing.assert_frame_equal(s.to_frame(), res.group_car)        # main table: the group CARs
    pd.testing.assert_frame_equal(s.to_frame("CAR"), res.car)
    assert not res.to_frame().empty
    fig = res.plot()
    assert isinstance(fig, Figure) and fig.axes
    fig.clf()
