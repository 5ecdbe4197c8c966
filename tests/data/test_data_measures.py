"""Range estimators and returns against hand-computed values, the loop twins and identities."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from contagion.data import measures as m
from contagion.errors import DataQualityWarning, SpecificationError
from tests.reference import measures as ref

# Prices chosen so that every log ratio is exact: ln H/L = 0.10, ln C/O = 0.03, ln H/O = 0.08,
# ln H/C = 0.05, ln L/C = -0.05, ln L/O = -0.02, ln O/C_{-1} = 0.03.
O = np.array([100 * math.exp(0.02)])  # noqa: E741
H = np.array([100 * math.exp(0.10)])
L = np.array([100.0])
C = np.array([100 * math.exp(0.05)])
C1 = np.array([100 * math.exp(-0.01)])


def test_parkinson_hand_value() -> None:
    # 0.1^2 / (4 ln 2) = 0.01 / 2.772588722 = 0.0036067376
    np.testing.assert_allclose(m.parkinson(H, L), [0.0036067376022224], rtol=1e-12)


def test_garman_klass_hand_value() -> None:
    # 0.5 * 0.01 - (2 ln 2 - 1) * 0.0009 = 0.005 - 0.38629436111989 * 0.0009 = 0.005 - 0.00034766492501
    np.testing.assert_allclose(m.garman_klass(O, H, L, C), [0.004652335074992098], rtol=1e-12)


def test_rogers_satchell_hand_value() -> None:
    # 0.05 * 0.08 + (-0.05) * (-0.02) = 0.004 + 0.001
    np.testing.assert_allclose(m.rogers_satchell(O, H, L, C), [0.005], rtol=1e-12)


def test_gkyz_hand_value() -> None:
    # 0.03^2 + GK = 0.0009 + 0.004652335074992098
    np.testing.assert_allclose(m.gkyz(O, H, L, C, C1), [0.005552335074992098], rtol=1e-12)


def test_yang_zhang_two_day_hand_value() -> None:
    # day 1 as above; day 2: ln O/C-1 = -0.01, ln C/O = 0.01, ln H/O = 0.02, ln H/C = 0.01,
    # ln L/O = -0.03, ln L/C = -0.04 (so RS_2 = 0.01*0.02 + 0.04*0.03 = 0.0014)
    c1 = 100 * math.exp(0.05)
    o2 = c1 * math.exp(-0.01)
    o = np.array([O[0], o2])
    h = np.array([H[0], o2 * math.exp(0.02)])
    low = np.array([L[0], o2 * math.exp(-0.03)])
    c = np.array([C[0], o2 * math.exp(0.01)])
    prev = np.array([C1[0], c1])
    k = 0.34 / (1.34 + 3.0)  # n = 2: (n+1)/(n-1) = 3
    s2o = (0.03 - (-0.01)) ** 2 / 2  # sample variance of two values: (a-b)^2/2
    s2c = (0.03 - 0.01) ** 2 / 2
    s2rs = (0.005 + 0.0014) / 2
    expected = s2o + k * s2c + (1 - k) * s2rs
    out = m.yang_zhang(o, h, low, c, prev, window=2)
    assert np.isnan(out[0])
    np.testing.assert_allclose(out[1], expected, rtol=1e-10)


def _random_ohlc(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    c = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    c1 = np.r_[np.nan, c[:-1]]
    o = np.where(np.isnan(c1), c * np.exp(rng.normal(0, 0.01)), c1 * np.exp(rng.normal(0, 0.005, n)))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0, 0.01, n)))
    low = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0, 0.01, n)))
    return o, h, low, c, c1


@pytest.mark.parametrize("kind", ["parkinson", "garman_klass", "rogers_satchell", "gkyz"])
@pytest.mark.parametrize("window", [1, 5])
def test_range_kernels_match_loop_twin(rng: np.random.Generator, kind: str, window: int) -> None:
    o, h, low, c, c1 = _random_ohlc(rng, 60)
    func = {"parkinson": lambda: m.parkinson(h, low, window=window),
            "garman_klass": lambda: m.garman_klass(o, h, low, c, window=window),
            "rogers_satchell": lambda: m.rogers_satchell(o, h, low, c, window=window),
            "gkyz": lambda: m.gkyz(o, h, low, c, c1, window=window)}[kind]
    fast = func()
    slow = ref.range_variance_loop(kind, o, h, low, c, c1, window)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("window", [2, 10])
def test_yang_zhang_matches_loop_twin(rng: np.random.Generator, window: int) -> None:
    o, h, low, c, c1 = _random_ohlc(rng, 40)
    o, h, low, c, c1 = (x[1:] for x in (o, h, low, c, c1))
    np.testing.assert_allclose(m.yang_zhang(o, h, low, c, c1, window=window),
                               ref.yang_zhang_loop(o, h, low, c, c1, window), rtol=1e-12, equal_nan=True)


def test_estimators_zero_on_constant_prices_and_scale_invariant(rng: np.random.Generator) -> None:
    flat = np.full(5, 42.0)
    for v in (m.parkinson(flat, flat), m.garman_klass(flat, flat, flat, flat),
              m.rogers_satchell(flat, flat, flat, flat), m.gkyz(flat, flat, flat, flat, flat)):
        np.testing.assert_array_equal(v, 0.0)
    o, h, low, c, c1 = (x[1:] for x in _random_ohlc(rng, 30))
    for scale in (0.001, 37.0):
        np.testing.assert_allclose(m.gkyz(o * scale, h * scale, low * scale, c * scale, c1 * scale),
                                   m.gkyz(o, h, low, c, c1), rtol=1e-9)
        np.testing.assert_allclose(m.yang_zhang(o * scale, h * scale, low * scale, c * scale, c1 * scale, window=5),
                                   m.yang_zhang(o, h, low, c, c1, window=5), rtol=1e-9, equal_nan=True)


def test_log_variance_floor_is_documented_and_warns() -> None:
    with pytest.warns(DataQualityWarning, match="1 zero or sub-floor"):
        out = m.log_variance(np.array([0.0, 1e-4, np.nan]), name="X")
    assert out[0] == pytest.approx(math.log(m.VARIANCE_FLOOR))
    assert out[1] == pytest.approx(math.log(1e-4))
    assert np.isnan(out[2])
    with pytest.raises(SpecificationError, match="floor must be > 0"):
        m.log_variance(np.array([1.0]), floor=0.0)


def test_returns_helpers() -> None:
    p = np.array([100.0, 110.0, 99.0])
    r = m.log_returns(p)
    assert np.isnan(r[0])
    np.testing.assert_allclose(r[1:], [math.log(1.1), math.log(0.9)])
    np.testing.assert_allclose(m.squared_returns(r[1:]), [math.log(1.1) ** 2, math.log(0.9) ** 2])
    np.testing.assert_allclose(m.absolute_returns(r[1:]), [math.log(1.1), -math.log(0.9)])


def test_annualisation() -> None:
    # DY2012 convention: 100 * sqrt(365 * sigma^2)
    assert m.annualised_volatility(0.0004, 365) == pytest.approx(100 * math.sqrt(365 * 0.0004))
    assert m.annualised_volatility(0.0004, 252, percent=False) == pytest.approx(math.sqrt(252 * 0.0004))
    assert m.annualise_variance(0.0001, 52) == pytest.approx(0.0052)


def test_measure_names_and_compute_measure() -> None:
    assert m.canonical_measure("GK") == "garman_klass"
    assert m.canonical_measure("yz") == "yang_zhang"
    with pytest.raises(SpecificationError, match="unknown measure 'vol'"):
        m.canonical_measure("vol")
    frame = pd.DataFrame({"open": O, "high": H, "low": L, "close": C, "prev_close": C1, "return": [0.05]},
                         index=pd.DatetimeIndex(["2025-01-02"], name="date"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = m.compute_measure("rs", frame, name="X")
    assert out.iloc[0] == pytest.approx(math.log(0.005))
    assert m.compute_measure("squared", frame).iloc[0] == pytest.approx(0.0025)
    with pytest.raises(SpecificationError, match="window must be an integer >= 2"):
        m.yang_zhang(O, H, L, C, C1, window=1)
