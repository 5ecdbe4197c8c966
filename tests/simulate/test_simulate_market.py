"""The simulated demo market: shape, calendar, OHLC consistency, determinism, the 2025-01-27 shock."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from importlib import resources

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from contagion.errors import DataError, SpecificationError
from contagion.simulate import demo_params, demo_tickers, simulate_market
from tests.conftest import REPO_ROOT

STUDY = {
    "ai_equity": ["NVDA", "AMD", "AVGO", "TSM", "MSFT", "GOOGL", "META", "ASML", "SMCI"],
    "miner": ["MARA", "RIOT", "CLSK", "CORZ", "IREN"],
    "crypto_major": ["BTC-USD", "ETH-USD"],
    "altcoin": ["SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD"],
    "ai_token": ["FET-USD", "RENDER-USD", "TAO-USD", "NEAR-USD", "GRT-USD", "WLD-USD", "AKT-USD", "ICP-USD"],
    "benchmark": ["SPY", "QQQ", "^VIX"],
}
ALL_STUDY = [t for ts in STUDY.values() for t in ts]
COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]


@pytest.fixture(scope="module")
def market() -> dict[str, pd.DataFrame]:
    return simulate_market(seed=0)


def _frame_digest(frames: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for t in sorted(frames):
        f = frames[t]
        h.update(t.encode())
        h.update(np.ascontiguousarray(f.index.asi8).tobytes())
        h.update(np.ascontiguousarray(f.to_numpy()).tobytes())
    return h.hexdigest()


def test_universe_covers_the_study_and_groups_match() -> None:
    assets = demo_params()["assets"]
    for group, tickers in STUDY.items():
        for t in tickers:
            assert t in assets, t
            assert assets[t]["group"] == group
    assert set(ALL_STUDY) == set(demo_tickers(include_extras=False))


def test_frames_have_the_source_layout(market: dict[str, pd.DataFrame]) -> None:
    assert set(ALL_STUDY) <= set(market)
    for t, f in market.items():
        assert list(f.columns) == COLUMNS, t
        assert isinstance(f.index, pd.DatetimeIndex) and f.index.name == "date"
        assert f.index.tz is None and (f.index == f.index.normalize()).all()
        assert f.index.is_monotonic_increasing and f.index.is_unique
        assert all(f[c].dtype == np.float64 for c in COLUMNS), t
        assert f.attrs["simulated"] is True
        assert np.isfinite(f[["open", "high", "low", "close"]].to_numpy()).all(), t
        assert (f[["open", "high", "low", "close"]] > 0).all().all(), t


def test_adj_close_and_volume_conventions(market: dict[str, pd.DataFrame]) -> None:
    for t, f in market.items():
        if t.endswith("-USD"):
            assert f["adj_close"].isna().all(), t
        else:
            np.testing.assert_array_equal(f["adj_close"].to_numpy(), f["close"].to_numpy())
        if t == "^VIX":
            assert f["volume"].isna().all()
        else:
            assert (f["volume"] > 0).all(), t


@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray")  # inside exchange_calendars
def test_calendars_equities_on_xnys_sessions_crypto_every_day(market: dict[str, pd.DataFrame]) -> None:
    cal = xcals.get_calendar("XNYS", start="2022-06-01", end="2025-12-31")
    sessions = pd.DatetimeIndex(cal.sessions_in_range("2023-01-01", "2025-06-30")).tz_localize(None)
    days = pd.date_range("2023-01-01", "2025-06-30", freq="D")
    for t, f in market.items():
        first = pd.Timestamp(demo_params()["assets"][t]["first_date"])
        expected = days if t.endswith("-USD") else sessions
        expected = expected[expected >= first]
        assert f.index.equals(pd.DatetimeIndex(expected, name="date")) or (
            list(f.index) == list(expected)), t
    # the 2025-01-09 national day of mourning closure is not a session
    assert pd.Timestamp("2025-01-09") not in market["NVDA"].index
    assert pd.Timestamp("2025-01-09") in market["BTC-USD"].index


def test_history_start_dates_follow_the_real_data(market: dict[str, pd.DataFrame]) -> None:
    assert market["TAO-USD"].index[0] == pd.Timestamp("2024-04-11")
    assert market["CORZ"].index[0] == pd.Timestamp("2024-01-24")
    assert market["BTC-USD"].index[0] == pd.Timestamp("2023-01-01")
    assert market["NVDA"].index[0] == pd.Timestamp("2023-01-03")
    early = simulate_market(["TAO-USD"], start="2023-01-01", end="2023-12-31")["TAO-USD"]
    assert early.empty and list(early.columns) == COLUMNS


def test_ohlc_consistency(market: dict[str, pd.DataFrame]) -> None:
    for t, f in market.items():
        o, h, lo, c = (f[k].to_numpy() for k in ("open", "high", "low", "close"))
        assert (h >= np.maximum(o, c)).all(), t
        assert (lo <= np.minimum(o, c)).all(), t
        assert (h > lo).all(), t
    btc = market["BTC-USD"]
    # crypto trades continuously: each UTC day opens at the previous close
    np.testing.assert_allclose(btc["open"].to_numpy()[1:], btc["close"].to_numpy()[:-1], rtol=1e-12)


def test_equity_opening_gaps_exist_and_weekends_widen_them(market: dict[str, pd.DataFrame]) -> None:
    f = market["SPY"]
    gap = np.log(f["open"] / f["close"].shift(1)).dropna()
    ndays = pd.Series(f.index, index=f.index).diff().dt.days.reindex(gap.index)
    assert (gap.abs() > 0).mean() > 0.99
    assert (gap[ndays >= 3] ** 2).mean() > (gap[ndays == 1] ** 2).mean()


def test_range_estimators_are_consistent_with_return_variance(market: dict[str, pd.DataFrame]) -> None:
    """Parkinson variance (docs/conventions.md, 'Range-based variance estimators') on the bridge extremes
    tracks the close-to-close variance."""
    for t in ["BTC-USD", "ETH-USD", "SOL-USD"]:
        f = market[t]
        park = (np.log(f["high"] / f["low"]) ** 2 / (4 * np.log(2))).mean()
        r2 = (np.log(f["close"]).diff() ** 2).mean()
        assert 0.6 < park / r2 < 1.5, (t, park / r2)


def test_gkyz_on_equities_tracks_close_to_close_variance(market: dict[str, pd.DataFrame]) -> None:
    """GK-Yang-Zhang (overnight gap^2 + Garman-Klass; docs/conventions.md, 'Range-based variance
    estimators') is unbiased for the session variance under the bridge model; Garman-Klass alone misses
    the overnight part."""
    ratios, gk_only = [], []
    for t in ["NVDA", "AMD", "MSFT", "SPY", "QQQ", "MARA"]:
        f = market[t]
        lhl, lco = np.log(f["high"] / f["low"]), np.log(f["close"] / f["open"])
        gk = 0.5 * lhl**2 - (2 * np.log(2) - 1) * lco**2
        gap2 = np.log(f["open"] / f["close"].shift(1)) ** 2
        r2 = np.log(f["close"]).diff() ** 2
        ratios.append((gap2 + gk).mean() / r2.mean())
        gk_only.append(gk.mean() / r2.mean())
    assert 0.85 < np.median(ratios) < 1.2, ratios
    assert np.median(gk_only) < np.median(ratios)


def test_price_levels_near_the_calibrated_anchor(market: dict[str, pd.DataFrame]) -> None:
    assets = demo_params()["assets"]
    for t, f in market.items():
        a = assets[t]
        if t == "^VIX":
            assert 8 < f["close"].median() < 40
            continue
        assert f.loc[a["anchor_date"], "close"] == pytest.approx(a["anchor_close"], rel=1e-9), t


@pytest.mark.parametrize(
    ("ticker", "low", "high"),
    [
        ("NVDA", -0.18, -0.16),
        ("AVGO", -0.185, -0.165),
        ("BTC-USD", -0.06, -0.04),
        ("ETH-USD", -0.08, -0.055),
        ("SPY", -0.025, -0.005),
        ("QQQ", -0.04, -0.02),
        ("^VIX", 0.15, 0.26),
    ],
)
def test_deepseek_shock_sizes(market: dict[str, pd.DataFrame], ticker: str, low: float, high: float) -> None:
    c = market[ticker]["close"]
    i = c.index.get_loc(pd.Timestamp("2025-01-27"))
    ret = c.iloc[i] / c.iloc[i - 1] - 1
    assert low <= ret <= high, (ticker, ret)


def test_deepseek_shock_groups(market: dict[str, pd.DataFrame]) -> None:
    def shock(t: str) -> float:
        c = market[t]["close"]
        i = c.index.get_loc(pd.Timestamp("2025-01-27"))
        return float(c.iloc[i] / c.iloc[i - 1] - 1)

    miners = [shock(t) for t in STUDY["miner"]]
    assert max(miners) < -0.07 and np.mean(miners) < -0.12
    for t in STUDY["altcoin"]:
        assert -0.105 <= shock(t) <= -0.075, t
    for t in STUDY["ai_token"]:
        assert -0.115 <= shock(t) <= -0.085, t
    # crypto shock on the UTC day 2025-01-27, equities on the session of 2025-01-27 (prev: Friday 01-24)
    assert market["BTC-USD"]["close"].index.get_loc(pd.Timestamp("2025-01-26")) >= 0
    nvda = market["NVDA"]
    assert nvda.index[nvda.index.get_loc(pd.Timestamp("2025-01-27")) - 1] == pd.Timestamp("2025-01-24")
    # most of the equity move is in the opening gap, as on the day
    gap = nvda.loc["2025-01-27", "open"] / nvda.loc["2025-01-24", "close"] - 1
    assert -0.15 < gap < -0.09


def test_volatility_jumps_after_the_shock(market: dict[str, pd.DataFrame]) -> None:
    for group in ("ai_equity", "crypto_major", "ai_token"):
        ratios = []
        for t in STUDY[group]:
            lr = np.log(market[t]["high"] / market[t]["low"])
            ratios.append(lr.loc["2025-01-27":"2025-02-09"].mean() / lr.loc["2024-11-01":"2025-01-24"].mean())
        assert np.mean(ratios) > 1.2, (group, ratios)


def test_determinism_same_seed_identical_different_seed_different() -> None:
    from contagion import simulate as sim

    a = simulate_market(seed=3)
    sim._simulate_grid.cache_clear()
    b = simulate_market(seed=3)
    assert _frame_digest(a) == _frame_digest(b)
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True)
    c = simulate_market(seed=4)
    assert _frame_digest(a) != _frame_digest(c)
    assert not np.array_equal(a["BTC-USD"]["close"].to_numpy(), c["BTC-USD"]["close"].to_numpy())


def test_frames_depend_only_on_seed_and_ticker_not_on_window_or_subset() -> None:
    full = simulate_market(seed=1)
    sub = simulate_market(["BTC-USD", "NVDA"], start="2024-03-01", end="2024-05-31", seed=1)
    assert list(sub) == ["BTC-USD", "NVDA"]
    for t, f in sub.items():
        pd.testing.assert_frame_equal(f, full[t].loc["2024-03-01":"2024-05-31"], check_exact=True)


def test_byte_identical_across_processes() -> None:
    code = textwrap.dedent(
        """
        import hashlib, numpy as np
        from contagion.simulate import simulate_market
        frames = simulate_market(seed=7)
        h = hashlib.sha256()
        for t in sorted(frames):
            f = frames[t]
            h.update(t.encode()); h.update(f.index.asi8.tobytes()); h.update(np.ascontiguousarray(f.to_numpy()).tobytes())
        print(h.hexdigest())
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONHASHSEED": "random"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _frame_digest(simulate_market(seed=7))   # other process, same bytes


def test_unknown_tickers_and_bad_windows_raise() -> None:
    with pytest.raises(DataError, match="PEPE-USD"):
        simulate_market(["NVDA", "PEPE-USD"])
    with pytest.raises(DataError, match="<script>"):
        simulate_market(["<script>"])
    with pytest.raises(DataError, match="after"):
        simulate_market(["NVDA"], start="2025-01-01", end="2024-01-01")
    with pytest.raises(DataError, match="2010-01-01"):
        simulate_market(["NVDA"], start="2005-01-01")
    with pytest.raises(SpecificationError, match="seed"):
        simulate_market(["NVDA"], seed=-1)
    with pytest.raises(SpecificationError, match="start"):
        simulate_market(["NVDA"], start="not-a-date")


def test_params_json_is_package_data_and_small() -> None:
    from contagion import simulate as sim

    path = resources.files("contagion").joinpath("_demo/demo_params.json")
    raw = path.read_bytes()
    assert len(raw) < 64_000
    assert sim.demo_params_sha256() == hashlib.sha256(raw).hexdigest()
    params = json.loads(raw)
    # deterministic serialisation: sorted keys, newline-terminated
    assert raw.decode() == json.dumps(params, sort_keys=True, indent=1, allow_nan=False) + "\n"


def test_simulate_reads_only_package_files_and_works_without_shared(tmp_path: object) -> None:
    """Run in a fresh process with an audit hook: nothing under ../shared is opened, the JSON comes
    from the package folder, and the simulation succeeds with CONTAGION_SHARED pointing nowhere."""
    code = textwrap.dedent(
        """
        import sys, os
        opened = []
        def hook(event, args):
            if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
                opened.append(os.fsdecode(args[0]))
        sys.addaudithook(hook)
        from contagion.simulate import simulate_market
        frames = simulate_market(seed=0)
        assert len(frames) >= 32
        bad = [p for p in opened if "shared" + os.sep + "data" in p or "markets" in p]
        assert not bad, bad
        params = [p for p in opened if p.endswith("demo_params.json")]
        assert params and all(os.path.join("contagion", "_demo") in p for p in params), params
        print("ok")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CONTAGION_SHARED": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_seed_accepts_a_generator_and_records_the_integer_used() -> None:
    frames = simulate_market(["NVDA"], start="2025-01-20", end="2025-01-31", seed=np.random.default_rng(5))
    used = frames["NVDA"].attrs["seed"]
    assert isinstance(used, int) and used >= 0
    again = simulate_market(["NVDA"], start="2025-01-20", end="2025-01-31", seed=used)
    pd.testing.assert_frame_equal(frames["NVDA"], again["NVDA"], check_exact=True)
    with pytest.raises(SpecificationError, match="Generator"):
        simulate_market(["NVDA"], seed=1.5)  # type: ignore[arg-type]
