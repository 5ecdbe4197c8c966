"""The DeepSeek facts table (and a smoke event study) on the real market data in ../shared.

Skipped when ../shared is absent. The aligned panel is built here by a tiny test-only loader (exchange
policy: XNYS sessions = SPY's dates; a crypto return runs from the previous session's UTC close to the
session's UTC close, so the weekend rolls into Monday) so that these tests do not depend on the data layer.
Expected values are the verification table of ../shared/data/markets/SOURCES.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.events.facts import AI_TOKENS, ALTCOINS, MEASURES, deepseek_facts
from contagion.events.study import event_study

pytestmark = pytest.mark.realdata

TICKERS = ["NVDA", "SPY", "MARA", "RIOT", "AMD", "AVGO", "TSM", "BTC-USD", *ALTCOINS, *AI_TOKENS]


def load_raw(markets_dir: Path, tickers: list[str]) -> dict[str, pd.DataFrame]:
    out = {}
    for t in tickers:
        frame = pd.read_csv(markets_dir / f"{t}.csv", index_col="date", parse_dates=["date"])
        out[t] = frame.loc["2023-06-01":"2025-03-31"].astype("float64")
    return out


def exchange_aligned_log_returns(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    sessions = raw["SPY"].index
    closes = pd.DataFrame({t: f["close"].reindex(sessions) for t, f in raw.items()})
    return np.log(closes).diff().iloc[1:]


@pytest.fixture(scope="module")
def raw(markets_dir: Path) -> dict[str, pd.DataFrame]:
    return load_raw(markets_dir, TICKERS)


@pytest.fixture(scope="module")
def facts(raw: dict[str, pd.DataFrame]):
    return deepseek_facts(raw, exchange_aligned_log_returns(raw))


def test_nvda(facts) -> None:
    table = facts.to_frame().set_index("claim_id")
    detail = facts.detail.set_index("ticker")
    assert round(detail.loc["NVDA", "close_base"], 2) == 142.62
    assert round(detail.loc["NVDA", "close_event"], 2) == 118.42
    assert round(table.loc["nvda_fall", "close_to_close"], 2) == -16.97
    assert facts.verdicts["nvda_fall"] == "confirmed"
    # 24.49bn shares x (142.62 - 118.42) = $592.7bn
    np.testing.assert_allclose(table.loc["nvda_value", "close_to_close"], 24.49 * (142.619995 - 118.419998),
                               rtol=1e-9)
    assert facts.verdicts["nvda_value"] == "confirmed"
    assert "24.49bn shares" in table.loc["nvda_value", "note"]


def test_bitcoin(facts) -> None:
    row = facts.to_frame().set_index("claim_id").loc["btc_fall"]
    assert abs(row["close_to_close"] - 100 * (102082.83 / 102620.0 - 1)) < 1e-9   # -0.52%, UTC day
    assert round(row["close_to_close"], 1) == -0.5
    assert round(row["intraday_low"], 1) == -4.7                                   # low 97,777.77
    assert abs(row["aligned_session"] - 100 * (102082.83 / 104870.5 - 1)) < 1e-9  # Fri 24 -> Mon 27 close
    assert abs(row["two_day"] - 100 * (101335.52 / 102620.0 - 1)) < 1e-9          # 26 -> 28 Jan
    # only the intraday low (-4.7%) reaches the claimed band [-6%, -4%]: shown, never confirms alone
    assert row["verdict"] == "not confirmed" and "never confirms alone" in row["basis"]


def test_ai_tokens_two_day(facts) -> None:
    # 26 -> 28 Jan closes from the SOURCES.md verification table
    closes = {"FET-USD": (1.1779, 0.9784), "RENDER-USD": (6.726, 5.534), "TAO-USD": (433.2, 451.0),
              "NEAR-USD": (4.759, 4.284), "GRT-USD": (0.18067, 0.16456), "WLD-USD": (1.9896, 1.6306),
              "AKT-USD": (2.716, 2.422), "ICP-USD": (8.807, 8.546)}
    detail = facts.detail.set_index("ticker")
    for t, (c26, c28) in closes.items():
        assert detail.loc[t, "base_date"] == pd.Timestamp("2025-01-26")
        assert detail.loc[t, "next_date"] == pd.Timestamp("2025-01-28")
        np.testing.assert_allclose(detail.loc[t, "two_day"], 100 * (c28 / c26 - 1), rtol=1e-9)
    row = facts.to_frame().set_index("claim_id").loc["ai_tokens_fall"]
    np.testing.assert_allclose(row["two_day"], np.median([100 * (b / a - 1) for a, b in closes.values()]))
    # close-to-close the tokens did not fall ~10% (TAO and ICP rose); the two-day move did
    assert row["close_to_close"] > -5.0 and row["two_day"] <= -8.0
    assert row["verdict"] == "partly confirmed"


def test_every_verdict_follows_from_its_numbers(facts) -> None:
    from tests.events.test_facts_synthetic import expected_verdict

    for _, row in facts.to_frame().iterrows():
        assert row["verdict"] == expected_verdict(row), row["claim_id"]
        assert np.isfinite(row[list(MEASURES)].astype(float)).all(), row["claim_id"]
    assert facts.verdicts["mara_fall"] == facts.verdicts["riot_fall"] == "confirmed"


def test_fallback_alignment_equals_panel_alignment(raw, facts) -> None:
    # without aligned_returns the exchange-policy figure is computed from the raw frames: same numbers
    plain = deepseek_facts(raw)
    np.testing.assert_allclose(plain.detail["aligned_session"], facts.detail["aligned_session"], rtol=1e-9)


def test_event_study_smoke(raw) -> None:
    returns = exchange_aligned_log_returns(raw)
    res = event_study(returns, "2025-01-27", policy="exchange", groups={
        "ai_equity": ["NVDA", "AMD", "AVGO", "TSM"], "miners": ["MARA", "RIOT"],
        "ai_tokens": list(AI_TOKENS)})
    g = res.group_car.set_index(["group", "window"])
    # NVDA & co. fell far more than the market on day 0: a large negative mean CAR, significant by BMP
    assert g.loc[("ai_equity", "[0,0]"), "mean_car"] < -0.08
    assert g.loc[("ai_equity", "[0,0]"), "t_bmp"] < -2.0
    assert res.car.set_index(["ticker", "window"]).loc[("NVDA", "[0,0]"), "date_start"] == pd.Timestamp(
        "2025-01-27")
    with pytest.raises(Exception, match=r"2025-01-26 is not a session.*'exchange'.*2025-01-24.*2025-01-27"):
        event_study(returns, "2025-01-26", policy="exchange")
