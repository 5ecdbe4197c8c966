"""Calendar alignment on a synthetic calendar with a holiday and weekends, plus property tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contagion.data.calendar import (
    CalendarPolicy,
    align_frame,
    exchange_sessions,
    get_policy,
    period_windows,
)
from contagion.errors import SpecificationError
from tests.reference import measures as ref

# Synthetic calendar: weekdays of January-February 2024 except the holiday Wednesday 2024-01-17.
HOLIDAY = pd.Timestamp("2024-01-17")
DAYS = pd.date_range("2024-01-01", "2024-02-29", freq="D", name="date")
SESSIONS = DAYS[(DAYS.day_of_week < 5) & (DAYS != HOLIDAY)]


def _policy(name: str) -> CalendarPolicy:
    return CalendarPolicy(name, sessions=tuple(SESSIONS)) if name not in ("weekly", "crypto") else CalendarPolicy(name)


def _frame(dates: pd.DatetimeIndex, close: np.ndarray, adj: bool = False) -> pd.DataFrame:
    n = len(dates)
    open_ = close * np.exp(0.001 * np.sin(np.arange(n)))
    return pd.DataFrame({
        "open": open_, "high": np.maximum(open_, close) * 1.01, "low": np.minimum(open_, close) * 0.99,
        "close": close, "adj_close": close if adj else np.nan, "volume": np.arange(1.0, n + 1),
    }, index=dates)


def _crypto() -> pd.DataFrame:
    close = 100 * np.exp(np.cumsum(np.linspace(-0.03, 0.04, len(DAYS))))
    return _frame(DAYS, close)


def _equity() -> pd.DataFrame:
    close = 50 * np.exp(np.cumsum(np.cos(np.arange(len(SESSIONS))) * 0.02))
    return _frame(SESSIONS, close, adj=True)


def _c(frame: pd.DataFrame, day: str) -> float:
    return float(frame.loc[pd.Timestamp(day), "close"])


def _align(frame: pd.DataFrame, name: str, crypto: bool) -> pd.DataFrame:
    policy = _policy(name)
    labels = policy.labels(frame.index[0], frame.index[-1])
    return align_frame(frame, policy, labels, twenty_four_seven=crypto)


def test_exchange_policy_rolls_weekend_and_holiday_into_next_session() -> None:
    cr = _crypto()
    out = _align(cr, "exchange", crypto=True)
    assert list(out.index) == list(SESSIONS)
    # Monday 2024-01-22: Saturday + Sunday + Monday = Friday close -> Monday close
    assert out.loc["2024-01-22", "return"] == pytest.approx(math.log(_c(cr, "2024-01-22") / _c(cr, "2024-01-19")))
    # Thursday after the Wednesday holiday: Wednesday + Thursday
    assert out.loc["2024-01-18", "return"] == pytest.approx(math.log(_c(cr, "2024-01-18") / _c(cr, "2024-01-16")))
    # an ordinary Tuesday: one day
    assert out.loc["2024-01-23", "return"] == pytest.approx(math.log(_c(cr, "2024-01-23") / _c(cr, "2024-01-22")))
    # OHLC over Saturday..Monday: first open, max high, min low, last close, summed volume
    win = cr.loc["2024-01-20":"2024-01-22"]
    bar = out.loc["2024-01-22"]
    assert bar["open"] == win["open"].iloc[0]
    assert bar["high"] == win["high"].max()
    assert bar["low"] == win["low"].min()
    assert bar["close"] == win["close"].iloc[-1]
    assert bar["volume"] == win["volume"].sum()
    assert bar["prev_close"] == _c(cr, "2024-01-19")
    assert HOLIDAY not in out.index


def test_equity_on_exchange_policy_is_session_to_session() -> None:
    eq = _equity()
    out = _align(eq, "exchange", crypto=False)
    assert np.isnan(out["return"].iloc[0])  # no previous close for the first session
    assert out.loc["2024-01-18", "return"] == pytest.approx(math.log(_c(eq, "2024-01-18") / _c(eq, "2024-01-16")))
    assert out.loc["2024-01-22", "return"] == pytest.approx(math.log(_c(eq, "2024-01-22") / _c(eq, "2024-01-19")))
    np.testing.assert_array_equal(out["close"].to_numpy()[1:], eq["close"].to_numpy()[1:])
    np.testing.assert_array_equal(out.index[1:].to_numpy(), eq.index[1:].to_numpy(dtype="datetime64[ns]"))


def test_missing_equity_session_is_nan_and_next_session_covers_the_gap() -> None:
    eq = _equity().drop(pd.Timestamp("2024-01-24"))
    out = _align(eq, "exchange", crypto=False)
    assert np.isnan(out.loc["2024-01-24", "return"])
    assert out.loc["2024-01-25", "return"] == pytest.approx(math.log(_c(eq, "2024-01-25") / _c(eq, "2024-01-23")))


def test_monday_saturday_and_sunday_policies() -> None:
    cr = _crypto()
    sat = _align(cr, "monday_saturday", crypto=True)
    sun = _align(cr, "monday_sunday", crypto=True)
    fri = _align(cr, "monday_friday", crypto=True)
    monday = "2024-01-22"
    assert sat.loc[monday, "return"] == pytest.approx(math.log(_c(cr, monday) / _c(cr, "2024-01-20")))
    assert sun.loc[monday, "return"] == pytest.approx(math.log(_c(cr, monday) / _c(cr, "2024-01-21")))
    assert fri.loc[monday, "return"] == pytest.approx(math.log(_c(cr, monday) / _c(cr, "2024-01-19")))
    # Sunday-policy Monday bar covers Monday only; Saturday-policy bar covers Sunday + Monday
    assert sun.loc[monday, "open"] == cr.loc[monday, "open"]
    assert sat.loc[monday, "open"] == cr.loc["2024-01-21", "open"]
    # ordinary days are identical across the three
    for day in ("2024-01-23", "2024-01-24"):
        assert sat.loc[day, "return"] == pytest.approx(fri.loc[day, "return"])
        assert sun.loc[day, "return"] == pytest.approx(fri.loc[day, "return"])
    # equities are not affected by the Monday policies
    eq = _equity()
    pd.testing.assert_frame_equal(_align(eq, "monday_saturday", crypto=False), _align(eq, "exchange", crypto=False))


def test_weekly_policy_is_friday_to_friday() -> None:
    cr, eq = _crypto(), _equity()
    wc = _align(cr, "weekly", crypto=True)
    we = _align(eq, "weekly", crypto=False)
    assert (wc.index.day_of_week == 4).all()
    fri, prev = "2024-01-26", "2024-01-19"
    assert wc.loc[fri, "return"] == pytest.approx(math.log(_c(cr, fri) / _c(cr, prev)))
    assert we.loc[fri, "return"] == pytest.approx(math.log(_c(eq, fri) / _c(eq, prev)))
    assert we.loc[fri, "volume"] == eq.loc["2024-01-22":fri, "volume"].sum()


def test_crypto_policy_every_day() -> None:
    cr, eq = _crypto(), _equity()
    out = _align(cr, "crypto", crypto=True)
    assert len(out) == len(DAYS)
    assert out.loc["2024-01-20", "return"] == pytest.approx(math.log(_c(cr, "2024-01-20") / _c(cr, "2024-01-19")))
    pol = CalendarPolicy("crypto")
    oe = align_frame(eq, pol, pol.labels(DAYS[0], DAYS[-1]), twenty_four_seven=False)
    assert np.isnan(oe.loc["2024-01-20", "return"])
    assert oe.loc["2024-01-22", "return"] == pytest.approx(math.log(_c(eq, "2024-01-22") / _c(eq, "2024-01-19")))


def test_partial_windows_at_the_ends_are_nan() -> None:
    cr = _crypto().loc["2024-01-07":"2024-01-20"]  # starts on a Sunday, ends on a Saturday
    out = _align(cr, "exchange", crypto=True)
    assert np.isnan(out.loc["2024-01-08", "return"])  # Monday window starts Friday 01-05: not covered
    assert out.loc["2024-01-09", "return"] == pytest.approx(math.log(_c(cr, "2024-01-09") / _c(cr, "2024-01-08")))
    assert out.index[-1] == pd.Timestamp("2024-01-22")
    assert np.isnan(out["return"].iloc[-1]) and np.isnan(out["close"].iloc[-1])  # Saturday only: incomplete


def test_policy_records_and_errors() -> None:
    pol = get_policy("exchange")
    d = pol.to_dict()
    assert d["name"] == "exchange" and d["exchange"] == "XNYS" and d["periods_per_year"] == 252
    assert get_policy(pol) is pol
    assert get_policy("WEEKLY").periods_per_year == 52
    with pytest.raises(SpecificationError, match="unknown calendar policy 'daily'"):
        get_policy("daily")


def test_xnys_sessions_from_calendar_library() -> None:
    s = exchange_sessions("XNYS")
    assert s[0] <= pd.Timestamp("2005-01-03") and s[-1] >= pd.Timestamp("2026-12-31")
    jan = s[(s >= "2025-01-01") & (s <= "2025-01-31")]
    assert pd.Timestamp("2025-01-09") not in jan  # national day of mourning (Carter): not "days with data"
    assert pd.Timestamp("2025-01-20") not in jan  # MLK day
    assert pd.Timestamp("2025-01-27") in jan
    assert s.tz is None and s.name == "date"


# ---------------------------------------------------------------- property tests

@st.composite
def _crypto_case(draw: st.DrawFn) -> tuple[pd.DataFrame, str, int]:
    n = draw(st.integers(min_value=10, max_value=45))
    offset = draw(st.integers(min_value=0, max_value=6))
    rets = draw(st.lists(st.floats(min_value=-0.3, max_value=0.3, allow_nan=False), min_size=n, max_size=n))
    dates = DAYS[offset:offset + n]
    close = 100 * np.exp(np.cumsum(rets))
    policy = draw(st.sampled_from(["exchange", "monday_saturday", "monday_sunday", "weekly", "crypto"]))
    cut = draw(st.integers(min_value=1, max_value=n - 1))
    return _frame(dates, close), policy, cut


@given(_crypto_case())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_look_ahead(case: tuple[pd.DataFrame, str, int]) -> None:
    frame, name, cut = case
    policy = _policy(name)
    labels = policy.labels(frame.index[0], frame.index[-1])
    base = align_frame(frame, policy, labels, twenty_four_seven=True)
    changed = frame.copy()
    changed.iloc[cut:, :4] *= 1.37  # perturb everything after the cut
    changed.iloc[cut:, 1] *= 1.1
    after = align_frame(changed, policy, labels, twenty_four_seven=True)
    d = frame.index[cut - 1]
    early = labels[labels <= d]
    pd.testing.assert_frame_equal(base.loc[early], after.loc[early])


@given(_crypto_case())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sum_of_aligned_returns_equals_span_return(case: tuple[pd.DataFrame, str, int]) -> None:
    frame, name, _ = case
    if name not in ("exchange", "weekly", "crypto"):
        name = "exchange"  # the Monday variants drop weekend days by design
    policy = _policy(name)
    labels = policy.labels(frame.index[0], frame.index[-1])
    out = align_frame(frame, policy, labels, twenty_four_seven=True)
    valid = out["return"].notna().to_numpy()
    if not valid.any():
        return
    lower = period_windows(policy, labels, twenty_four_seven=True)
    first = np.flatnonzero(valid)[0]
    last = np.flatnonzero(valid)[-1]
    assert valid[first:last + 1].all()  # no interior gap with complete data
    start_close = frame.loc[lower[first], "close"]
    end_close = frame.loc[frame.index <= labels[last], "close"].iloc[-1]
    assert out["return"].sum() == pytest.approx(math.log(end_close / start_close), abs=1e-10)


@given(st.lists(st.booleans(), min_size=40, max_size=40), st.sampled_from(["exchange", "monday_sunday", "weekly"]))
@settings(max_examples=40, deadline=None)
def test_kernel_matches_loop_twin_with_missing_days(keep: list[bool], name: str) -> None:
    dates = DAYS[:40][np.asarray(keep)]
    if len(dates) < 3:
        return
    close = 100 * np.exp(np.sin(np.arange(len(dates))) * 0.05)
    frame = _frame(dates, close)
    policy = _policy(name)
    labels = policy.labels(dates[0], dates[-1])
    lower = period_windows(policy, labels, twenty_four_seven=True)
    fast = align_frame(frame, policy, labels, twenty_four_seven=True)["return"].to_numpy()
    slow = np.array(ref.align_returns_loop(list(dates), list(close), list(labels), list(lower)))
    complete = (lower >= dates[0]) & (labels <= dates[-1])
    slow[~np.asarray(complete)] = np.nan
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-14, equal_nan=True)  # summation order


def test_prev_close_available_from_second_session() -> None:
    eq = _equity()
    out = _align(eq, "exchange", crypto=False)
    assert np.isnan(out["prev_close"].iloc[0])
    assert out["prev_close"].iloc[1] == eq["close"].iloc[0]
    assert out.loc["2024-01-18", "prev_close"] == _c(eq, "2024-01-16")
