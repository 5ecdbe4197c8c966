"""DeepSeek facts table on hand-made frames: every verdict branch, the value claim, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion.errors import DataError, SpecificationError
from contagion.events.facts import MEASURES, FactThresholds, deepseek_facts

EQUITY_DAYS = pd.DatetimeIndex(["2025-01-23", "2025-01-24", "2025-01-27", "2025-01-28"], name="date")
CRYPTO_DAYS = pd.date_range("2025-01-23", "2025-01-28", name="date")


def frame(days: pd.DatetimeIndex, closes: list[float], lows: list[float] | None = None) -> pd.DataFrame:
    closes_a = np.asarray(closes, dtype=float)
    lows_a = closes_a if lows is None else np.asarray(lows, dtype=float)
    return pd.DataFrame({"open": closes_a, "high": closes_a, "low": lows_a, "close": closes_a,
                         "adj_close": closes_a, "volume": 1.0}, index=days)


def equity(c_fri: float, c_mon: float, low_mon: float, c_tue: float) -> pd.DataFrame:
    return frame(EQUITY_DAYS, [100.0, c_fri, c_mon, c_tue], [100.0, c_fri, low_mon, c_tue])


def crypto(c_fri: float, c_sun: float, c_mon: float, low_mon: float, c_tue: float) -> pd.DataFrame:
    closes = [100.0, c_fri, c_fri, c_sun, c_mon, c_tue]
    return frame(CRYPTO_DAYS, closes, [*closes[:4], low_mon, c_tue])


def expected_verdict(row: pd.Series) -> str:
    """The documented rule, re-implemented independently of the module: close-to-close or the aligned session
    confirms, an overshoot of either or the two-day move makes it partly, the intraday low never counts."""
    confirming = [row["close_to_close"], row["aligned_session"]]
    confirming = [v for v in confirming if np.isfinite(v)]
    two_day = row["two_day"]
    lo, hi = row["band_low"], row["band_high"]
    if row["unit"] == "%":
        if any(lo <= v <= hi for v in confirming):
            return "confirmed"
        if any(v < lo for v in confirming) or (np.isfinite(two_day) and two_day <= hi):
            return "partly confirmed"
        return "not confirmed"
    if row["unit"] == "$bn":
        if any(lo <= v <= hi for v in confirming):
            return "confirmed"
        if any(v > hi for v in confirming) or (np.isfinite(two_day) and two_day >= lo):
            return "partly confirmed"
        return "not confirmed"
    if any(v >= lo for v in confirming):  # counts
        return "confirmed"
    return "partly confirmed" if np.isfinite(two_day) and two_day >= lo else "not confirmed"


@pytest.fixture()
def frames() -> dict[str, pd.DataFrame]:
    return {
        "NVDA": equity(100.0, 83.0, 80.0, 90.0),              # -17%: confirmed
        "MARA": equity(20.0, 19.5, 18.0, 19.0),               # -2.5% c2c, low -10%: partly
        "RIOT": equity(10.0, 9.9, 9.8, 9.9),                  # -1%: not confirmed
        "BTC-USD": crypto(100.0, 98.0, 97.5, 93.0, 97.0),     # c2c -0.5%, low -5.1% alone: not confirmed
        "ETH-USD": crypto(10.0, 10.0, 8.8, 8.8, 8.8),         # -12%: overshoot -> partly (group median)
        "SOL-USD": crypto(10.0, 10.0, 8.8, 8.8, 8.8),
        "FET-USD": crypto(1.0, 1.0, 0.91, 0.85, 0.80),        # -9%: inside the AI band
        "RENDER-USD": crypto(1.0, 1.0, 0.90, 0.85, 0.80),
        "TAO-USD": crypto(1.0, 1.0, 0.89, 0.85, 0.80),
    }


def test_verdicts_and_figures(frames: dict[str, pd.DataFrame]) -> None:
    facts = deepseek_facts(frames, nvda_shares=1e9)
    table = facts.to_frame().set_index("claim_id")
    v = facts.verdicts
    assert v["nvda_fall"] == "confirmed"
    np.testing.assert_allclose(table.loc["nvda_fall", list(MEASURES)].astype(float), [-17.0, -17.0, -20.0, -10.0])
    # $bn lost = shares x price fall: 1e9 x 17 = $17bn, far below $600bn -> not confirmed
    np.testing.assert_allclose(table.loc["nvda_value", list(MEASURES)].astype(float), [17.0, 17.0, 20.0, 10.0])
    assert v["nvda_value"] == "not confirmed"
    # only the intraday low reaches the band: shown, never confirms alone
    assert v["btc_fall"] == "not confirmed" and "intraday low -5.10% reaches it but never confirms alone" in (
        table.loc["btc_fall", "basis"])
    # BTC: close-to-close is the UTC day (Sun -> Mon), the aligned session runs from Friday's close
    np.testing.assert_allclose(table.loc["btc_fall", list(MEASURES)].astype(float),
                               [100 * (97.5 / 98 - 1), 100 * (97.5 / 100 - 1), 100 * (93 / 98 - 1),
                                100 * (97 / 98 - 1)])
    assert v["altcoins_fall"] == "partly confirmed" and "larger fall" in table.loc["altcoins_fall", "basis"]
    assert "missing: XRP-USD" in table.loc["altcoins_fall", "note"]
    assert v["ai_tokens_fall"] == "confirmed"
    np.testing.assert_allclose(table.loc["ai_tokens_fall", "close_to_close"], -10.0)  # median of -9, -10, -11
    # FET, RENDER, TAO fell >= 7.5%; NEAR and ICP are absent -> 3 of 5 at most
    assert table.loc["ai_largest_hit", "close_to_close"] == 3.0
    assert v["ai_largest_hit"] == "not confirmed"
    assert v["mara_fall"] == "partly confirmed" and v["riot_fall"] == "not confirmed"
    for claim_id, row in table.iterrows():
        assert row["verdict"] == expected_verdict(row), claim_id
    text = facts.summary()
    assert "[confirmed] NVDA fell about 17%" in text and "24.49" not in text and "1.00bn shares" in text


def test_aligned_returns_and_not_assessed(frames: dict[str, pd.DataFrame]) -> None:
    aligned = pd.DataFrame({"NVDA": [np.log(0.83)], "BTC-USD": [np.log(0.9)]},
                           index=pd.DatetimeIndex(["2025-01-27"], name="date"))
    only = {k: frames[k] for k in ("NVDA", "BTC-USD")}
    facts = deepseek_facts(only, aligned)
    table = facts.to_frame().set_index("claim_id")
    np.testing.assert_allclose(table.loc["btc_fall", "aligned_session"], -10.0)
    assert facts.verdicts["btc_fall"] == "partly confirmed"  # the aligned session overshoots the band
    for claim in ("altcoins_fall", "ai_tokens_fall", "ai_largest_hit", "mara_fall", "riot_fall"):
        assert facts.verdicts[claim] == "not assessed"
        assert "no data for" in table.loc[claim, "basis"]
    np.testing.assert_allclose(table.loc["nvda_value", "close_to_close"], 24.49 * 17.0)
    # $416bn misses; the intraday low $489.8bn reaches the band but never confirms alone
    assert facts.verdicts["nvda_value"] == "not confirmed"
    assert "intraday low $489.8bn reaches it" in table.loc["nvda_value", "basis"]
    # a wider relative band turns it into a confirmation, and the rule text says so
    wide = deepseek_facts(only, aligned, thresholds=FactThresholds(relative_band=0.35))
    assert wide.verdicts["nvda_value"] == "confirmed" and "35%" in wide.to_frame().iloc[1]["rule"]


def test_bad_input(frames: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(DataError, match=r"NVDA has no price row on the event date 2025-01-25"):
        deepseek_facts({"NVDA": frames["NVDA"]}, event="2025-01-25")
    with pytest.raises(DataError, match="lacks column"):
        deepseek_facts({"NVDA": frames["NVDA"].drop(columns="low")})
    with pytest.raises(DataError, match="before and after"):
        deepseek_facts({"NVDA": frames["NVDA"]}, event="2025-01-28")
    with pytest.raises(SpecificationError, match="relative_band"):
        FactThresholds(relative_band=-1.0)
    doubled = pd.concat([frames["NVDA"], frames["NVDA"].iloc[[2]]])  # the event row twice
    with pytest.raises(DataError, match="more than one price row on the event date 2025-01-27"):
        deepseek_facts({"NVDA": doubled})


def test_results_protocol(frames: dict[str, pd.DataFrame]) -> None:
    from matplotlib.figure import Figure

    from contagion._summary import Summary

    facts = deepseek_facts(frames)
    s = facts.summary()
    assert isinstance(s, Summary) and "[confirmed] NVDA fell about 17%" in s and "assumption:" in s
    pd.testing.assert_frame_equal(s.to_frame(), facts.to_frame())
    pd.testing.assert_frame_equal(s.to_frame("detail"), facts.detail)
    assert not facts.to_frame().empty
    fig = facts.plot()
    assert isinstance(fig, Figure) and fig.axes
    fig.clf()


def test_aligned_session_confirms_and_intraday_low_never_does() -> None:
    """The confirmation rule of contagion.events._verdicts on hand-made figures."""
    from contagion.events._verdicts import verdict_at_least, verdict_move, verdict_value

    band = (-6.0, -4.0)
    figs = {"close_to_close": -1.0, "aligned_session": -5.0, "intraday_low": -9.0, "two_day": -1.0}
    verdict, basis = verdict_move(figs, band)
    assert verdict == "confirmed" and basis.startswith("aligned session -5.00%")
    low_only = {**figs, "aligned_session": -1.0, "intraday_low": -5.0}
    verdict, basis = verdict_move(low_only, band)
    assert verdict == "not confirmed" and "never confirms alone" in basis
    assert verdict_move({**low_only, "two_day": -4.5}, band)[0] == "partly confirmed"
    assert verdict_move({**low_only, "aligned_session": -7.0}, band)[0] == "partly confirmed"  # overshoot
    value = {"close_to_close": 100.0, "aligned_session": 100.0, "intraday_low": 500.0, "two_day": 100.0}
    assert verdict_value(value, (480.0, 720.0))[0] == "not confirmed"
    assert verdict_value({**value, "aligned_session": 500.0}, (480.0, 720.0))[0] == "confirmed"
    counts = {"close_to_close": 2.0, "aligned_session": 2.0, "intraday_low": 5.0, "two_day": 2.0}
    assert verdict_at_least(counts, 4.0, "count")[0] == "not confirmed"
    assert verdict_at_least({**counts, "aligned_session": 4.0}, 4.0, "count")[0] == "confirmed"
