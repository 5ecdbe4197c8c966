"""Per-day scale of multi-day 24/7 bars: no Monday effect in the log range variance of a constant-variance
24/7 series once a Monday bar (Sat + Sun + Mon) is divided by its three days (Parkinson 1980 scaling)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from contagion.data.calendar import CalendarPolicy, align_frame, day_of_week_adjust
from contagion.data.measures import compute_measure, yang_zhang
from contagion.var.exog import day_of_week_dummies

DAYS = pd.date_range("2022-01-01", "2024-12-31", freq="D", name="date")
SESSIONS = DAYS[DAYS.day_of_week < 5]
POLICY = CalendarPolicy("exchange", sessions=tuple(SESSIONS))


def _brownian_bars(rng: np.random.Generator, sigma: float = 0.03, steps: int = 96) -> pd.DataFrame:
    """Daily OHLC bars of a driftless 24/7 log price with the same variance sigma^2 every UTC day."""
    increments = rng.standard_normal((len(DAYS), steps)) * sigma / math.sqrt(steps)
    path = np.cumsum(increments.ravel()).reshape(len(DAYS), steps)
    open_ = np.r_[0.0, path[:-1, -1]]
    inside = np.column_stack([open_, path])
    frame = pd.DataFrame({"open": open_, "high": inside.max(axis=1), "low": inside.min(axis=1),
                          "close": path[:, -1]}, index=DAYS)
    frame = np.exp(frame + 4.0)
    frame["adj_close"] = frame["close"]
    frame["volume"] = 1.0
    return frame


def _monday_gap(values: pd.Series) -> tuple[float, float]:
    """Mean log variance on Mondays minus other weekdays, and its standard error (two-sample)."""
    monday = values[values.index.day_of_week == 0].dropna()
    other = values[values.index.day_of_week != 0].dropna()
    se = math.sqrt(monday.var() / len(monday) + other.var() / len(other))
    return float(monday.mean() - other.mean()), se


@pytest.mark.parametrize("measure", ["parkinson", "garman_klass", "rogers_satchell", "yang_zhang"])
def test_constant_daily_variance_has_no_monday_effect_on_the_per_day_scale(measure: str) -> None:
    rng = np.random.default_rng(20250127)
    aligned = align_frame(_brownian_bars(rng), POLICY, POLICY.labels(SESSIONS[0], SESSIONS[-1]), twenty_four_seven=True)
    aligned = aligned.iloc[1:]  # the first label's window is one day by convention (no earlier session)
    mondays = aligned.index.day_of_week == 0
    assert (aligned.loc[mondays, "n_days"].dropna() == 3).all()
    assert (aligned.loc[~mondays, "n_days"].dropna() == 1).all()
    per_day = compute_measure(measure, aligned, per_day=True)
    gap, se = _monday_gap(per_day)
    # Monte Carlo: about 4 standard errors (~780 sessions); the range of a 3-day bar is a slightly less
    # noisy estimate, not a biased one, so the means agree
    assert abs(gap) < 4 * se, (measure, gap, se)
    # without the scaling a Monday bar holds three days of variance: log 3 = 1.10 higher (the test can fail)
    if measure != "yang_zhang":  # Yang-Zhang's 10-bar window spreads a Monday over the next sessions
        gap_bar, se_bar = _monday_gap(compute_measure(measure, aligned, per_day=False))
        assert gap_bar == pytest.approx(math.log(3.0), abs=4 * se_bar + 0.05)


def test_returns_stay_sums_and_equities_are_one_day_bars() -> None:
    rng = np.random.default_rng(1)
    crypto = _brownian_bars(rng)
    aligned = align_frame(crypto, POLICY, POLICY.labels(SESSIONS[0], SESSIONS[-1]), twenty_four_seven=True)
    monday = pd.Timestamp("2024-01-08")
    expected = math.log(crypto.loc[monday, "close"] / crypto.loc[pd.Timestamp("2024-01-05"), "close"])
    assert compute_measure("returns", aligned, per_day=True).loc[monday] == pytest.approx(expected, rel=1e-12)
    equity = crypto.loc[SESSIONS]
    aligned_eq = align_frame(equity, POLICY, POLICY.labels(SESSIONS[0], SESSIONS[-1]), twenty_four_seven=False)
    assert set(aligned_eq["n_days"].dropna()) == {1.0}
    np.testing.assert_array_equal(compute_measure("garman_klass", aligned_eq, per_day=True).to_numpy(),
                                  compute_measure("garman_klass", aligned_eq, per_day=False).to_numpy())


def test_per_day_yang_zhang_equals_scaled_inputs_for_one_day_bars() -> None:
    rng = np.random.default_rng(2)
    bars = _brownian_bars(rng).iloc[:60]
    args = [bars[c].to_numpy() for c in ("open", "high", "low", "close")]
    prev = np.r_[np.nan, bars["close"].to_numpy()[:-1]]
    ones = np.ones(len(bars))
    np.testing.assert_array_equal(yang_zhang(*args, prev, window=10),
                                  yang_zhang(*args, prev, window=10, n_days=ones))
    # every bar twice as long: the per-day variance is half (all terms scale with k)
    np.testing.assert_allclose(yang_zhang(*args, prev, window=10, n_days=2 * ones),
                               yang_zhang(*args, prev, window=10) / 2, rtol=1e-12)


def test_day_of_week_terms() -> None:
    index = pd.bdate_range("2024-01-01", periods=20, name="date")
    dummies = day_of_week_dummies(index, drop="Monday")
    assert list(dummies.columns) == ["Tuesday", "Wednesday", "Thursday", "Friday"]
    assert (dummies.sum(axis=1) == (index.day_of_week != 0)).all()
    frame = pd.DataFrame({"a": np.where(index.day_of_week == 0, 3.0, 1.0)}, index=index)
    adjusted, effect = day_of_week_adjust(frame)
    assert adjusted["a"].std() == pytest.approx(0.0, abs=1e-12)
    assert adjusted["a"].mean() == pytest.approx(frame["a"].mean(), rel=1e-12)
    assert effect.loc["mon", "a"] == pytest.approx(2.0 - 0.4, rel=1e-12)
