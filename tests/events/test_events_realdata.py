"""Event study, contagion tests and facts table on panels built by the data layer from ../shared data.

Skipped when ../shared is absent. Checks consistency between routes (data-layer panel vs raw frames) and
that the recorded calendar policy decides what a session is; no result is hard-coded except the facts
verified in ../shared/data/markets/SOURCES.md.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.errors import DataError
from contagion.events.facts import AI_TOKENS, ALTCOINS, deepseek_facts
from contagion.events.study import event_study
from contagion.hypothesis.forbes_rigobon import forbes_rigobon

pytestmark = pytest.mark.realdata

TICKERS = ["NVDA", "AMD", "AVGO", "TSM", "SPY", "MARA", "RIOT", "BTC-USD", *ALTCOINS, *AI_TOKENS]
GROUPS = {"ai_equity": ["NVDA", "AMD", "AVGO", "TSM"], "miners": ["MARA", "RIOT"],
          "ai_tokens": list(AI_TOKENS), "altcoins": list(ALTCOINS)}


def _build(markets_dir: Path, **kwargs: str):
    from contagion.data import CsvSource, build_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # data-quality findings are the data layer's business
        return build_panel(CsvSource(markets_dir), TICKERS, start="2024-01-01", end="2025-03-31", **kwargs)


@pytest.fixture(scope="module")
def panel(markets_dir: Path):
    return _build(markets_dir)


@pytest.fixture(scope="module")
def range_panel(markets_dir: Path):
    return _build(markets_dir, measure="parkinson")


def test_facts_from_panel_match_raw_route(markets_dir: Path, panel) -> None:
    from contagion.data import CsvSource

    raw = CsvSource(markets_dir).load(TICKERS, start="2025-01-01", end="2025-02-28")
    via_panel = deepseek_facts(raw, panel)
    via_raw = deepseek_facts(raw)
    assert via_panel.aligned_policy == "exchange"
    np.testing.assert_allclose(via_panel.detail["aligned_session"], via_raw.detail["aligned_session"],
                               rtol=1e-9)
    pd.testing.assert_series_equal(via_panel.verdicts, via_raw.verdicts)
    btc = via_panel.to_frame().set_index("claim_id").loc["btc_fall"]
    np.testing.assert_allclose(btc["aligned_session"], 100 * (102082.83 / 104870.5 - 1), rtol=1e-9)


def test_event_study_on_panel(panel, range_panel) -> None:
    res = event_study(panel, "2025-01-27", groups=GROUPS, range_variance=range_panel)
    assert res.policy == "exchange" and "exchange" in res.summary()
    car = res.car.set_index(["ticker", "window"])
    # day 0 of the exchange calendar: crypto AR spans Fri 24 -> Mon 27 (the weekend rolls into Monday)
    btc_rel = res.abnormal_returns.query("ticker == 'ETH-USD' and tau == 0")
    np.testing.assert_allclose(btc_rel["actual"], np.log(3182.44 / 3310.09), rtol=1e-9)
    assert car.loc[("NVDA", "[0,0]"), "abnormal_volatility"] > 3.0  # NVDA's range variance exploded
    g = res.group_car.set_index(["group", "window"])
    assert g.loc[("ai_equity", "[0,0]"), "mean_car"] < -0.08
    # AI equities' market-model residuals are positively correlated, so the Kolari-Pynnonen adjustment
    # shrinks the BMP t-statistic
    ai = g.loc[("ai_equity", "[0,0]")]
    assert ai["mean_residual_corr"] > 0.1 and abs(ai["t_bmp_kp"]) < abs(ai["t_bmp"])
    for _, row in res.group_car.iterrows():  # the two t-statistics agree in sign on every row
        assert np.sign(row["t_cross"]) == np.sign(row["t_bmp"]) == np.sign(row["mean_car"])
    fig = res.plot()
    assert len(fig.axes) == 1


def test_policy_decides_what_a_session_is(panel, markets_dir: Path) -> None:
    with pytest.raises(DataError, match=r"2025-01-26 is not a session .*'exchange'.*2025-01-24 \(before\) "
                                        r"and 2025-01-27 \(after\)"):
        event_study(panel, "2025-01-26")
    crypto = _build(markets_dir, calendar="crypto")
    res = event_study(crypto, "2025-01-26", tickers=["ETH-USD", "FET-USD"], windows=((0, 0), (0, 1)))
    assert res.policy == "crypto"
    assert set(res.car["date_start"]) == {pd.Timestamp("2025-01-26")}


def test_forbes_rigobon_on_panel(panel, markets_dir: Path) -> None:
    res = forbes_rigobon(panel, "NVDA", ("2024-07-01", "2024-12-31"), ("2025-01-27", "2025-03-31"),
                         markets=["BTC-USD", "FET-USD", "RENDER-USD", "MARA"])
    table = res.to_frame()
    assert res.policy == "exchange" and len(table) == 4
    assert ((table["p_value"] < 0.05) == (table["verdict"] == "contagion")).all()
    spy = pd.read_csv(markets_dir / "SPY.csv", index_col="date", parse_dates=["date"])
    sessions = spy.loc["2025-01-27":"2025-03-31"].shape[0]  # US sessions in the turmoil window
    assert (table["n_turmoil"] == sessions).all()
