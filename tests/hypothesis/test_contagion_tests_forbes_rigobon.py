"""Forbes-Rigobon (2002) test: hand calculation, population identity, simulation size/power, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from contagion.errors import ContagionError, ContagionWarning, DataError, SpecificationError
from contagion.hypothesis.forbes_rigobon import adjusted_correlation, fisher_z_test, forbes_rigobon

N0, N1 = 250, 60
INDEX = pd.bdate_range("2020-01-01", periods=N0 + N1, name="date")
TRANQUIL = (INDEX[0], INDEX[N0 - 1])
TURMOIL = (INDEX[N0], INDEX[-1])


def simulate(rng: np.random.Generator, *, sd_x1: float, b0: float, b1: float) -> pd.DataFrame:
    """y = b x + e; x's sd rises from 1 to ``sd_x1`` in turmoil, the slope from b0 to b1."""
    x = np.r_[rng.normal(0.0, 1.0, N0), rng.normal(0.0, sd_x1, N1)]
    e = rng.normal(0.0, 1.0, N0 + N1)
    b = np.r_[np.full(N0, b0), np.full(N1, b1)]
    return pd.DataFrame({"X": x, "Y": b * x + e}, index=INDEX)


def rejection_rate(rng: np.random.Generator, n_rep: int, **kwargs: float) -> tuple[float, float]:
    """Share of 'contagion' verdicts with the FR adjustment and, for comparison, without it."""
    adjusted = unadjusted = 0
    for _ in range(n_rep):
        with warnings.catch_warnings():  # sample delta <= 0 happens when the true variance does not move
            warnings.simplefilter("ignore", ContagionWarning)
            res = forbes_rigobon(simulate(rng, **kwargs), "X", TRANQUIL, TURMOIL)
        row = res.table.iloc[0]
        adjusted += row["verdict"] == "contagion"
        t_raw, _ = fisher_z_test(row["rho_tranquil"], N0, row["rho_turmoil"], N1)
        unadjusted += t_raw > 1.6448536269514722
    return adjusted / n_rep, unadjusted / n_rep


def test_hand_calculation(rng: np.random.Generator) -> None:
    data = simulate(rng, sd_x1=2.0, b0=0.5, b1=0.5)
    res = forbes_rigobon(data, "X", TRANQUIL, TURMOIL)
    x0, y0 = data["X"].to_numpy()[:N0], data["Y"].to_numpy()[:N0]
    x1, y1 = data["X"].to_numpy()[N0:], data["Y"].to_numpy()[N0:]
    rho0 = np.corrcoef(x0, y0)[0, 1]
    rho1 = np.corrcoef(x1, y1)[0, 1]
    delta = np.var(x1, ddof=1) / np.var(x0, ddof=1) - 1.0
    rho_star = rho1 / math.sqrt(1.0 + delta * (1.0 - rho1**2))
    z0 = 0.5 * math.log((1 + rho0) / (1 - rho0))
    z1 = 0.5 * math.log((1 + rho_star) / (1 - rho_star))
    t = (z1 - z0) / math.sqrt(1 / (N1 - 3) + 1 / (N0 - 3))
    row = res.to_frame().iloc[0]
    assert row["source"] == "X" and row["market"] == "Y"
    assert (row["n_tranquil"], row["n_turmoil"]) == (N0, N1)
    np.testing.assert_allclose(
        [row["rho_tranquil"], row["rho_turmoil"], row["delta"], row["rho_turmoil_adjusted"], row["t_stat"]],
        [rho0, rho1, delta, rho_star, t], rtol=1e-12,
    )
    np.testing.assert_allclose(row["p_value"], 1.0 - 0.5 * math.erfc(-t / math.sqrt(2)), atol=1e-12)
    assert res.verdicts["Y"] == ("contagion" if row["p_value"] < 0.05 else "interdependence")
    text = res.summary()
    assert "Forbes-Rigobon" in text and "Y" in text


def test_adjustment_recovers_population_correlation() -> None:
    # y = b x + e with var(e) = 1: rho^2 = b^2 s^2 / (b^2 s^2 + 1). A variance rise from s0 to s1 raises the
    # conditional correlation; the FR adjustment maps it back exactly to the tranquil value.
    b, s0, s1 = 0.7, 1.0, 3.0
    rho0 = b * s0 / math.sqrt(b**2 * s0**2 + 1)
    rho1 = b * s1 / math.sqrt(b**2 * s1**2 + 1)
    assert rho1 > rho0 + 0.2
    np.testing.assert_allclose(adjusted_correlation(rho1, s1**2 / s0**2 - 1.0), rho0, rtol=1e-14)
    # vectorised form and delta = 0 identity
    rhos = np.array([-0.3, 0.0, 0.4, 0.9])
    np.testing.assert_allclose(adjusted_correlation(rhos, 0.0), rhos)


def test_size_without_variance_change(rng: np.random.Generator) -> None:
    # Same variance and correlation in both windows: the Fisher-z test is exact-ish, so the rejection rate
    # must be within 4 Monte Carlo standard errors of the nominal 5%.
    n_rep = 400
    rate, _ = rejection_rate(rng, n_rep, sd_x1=1.0, b0=0.5, b1=0.5)
    mcse = math.sqrt(0.05 * 0.95 / n_rep)
    assert abs(rate - 0.05) < 4 * mcse, rate


def test_variance_rise_alone_is_interdependence(rng: np.random.Generator) -> None:
    # Constant slope, source variance x9 in turmoil: the raw correlation rises (the naive test cries
    # contagion almost always), the adjusted test stays at or below the nominal 5% (FR is conservative
    # here because rho* compresses the sampling noise of rho_1).
    n_rep = 300
    rate, raw_rate = rejection_rate(rng, n_rep, sd_x1=3.0, b0=0.5, b1=0.5)
    mcse = math.sqrt(0.05 * 0.95 / n_rep)
    assert rate <= 0.05 + 4 * mcse, rate
    assert raw_rate > 0.9, raw_rate


def test_true_correlation_jump_is_contagion(rng: np.random.Generator) -> None:
    # The slope jumps 0.3 -> 1.5 on top of the variance rise: correlation rises beyond interdependence.
    rate, _ = rejection_rate(rng, 100, sd_x1=2.0, b0=0.3, b1=1.5)
    assert rate > 0.95, rate


def test_two_day_average_option(rng: np.random.Generator) -> None:
    data = simulate(rng, sd_x1=2.0, b0=0.5, b1=0.8)
    avg = ((data + data.shift(1)) / 2.0).iloc[1:]
    t0 = (INDEX[1], INDEX[N0 - 1])
    res = forbes_rigobon(data, "X", t0, TURMOIL, averaging="two_day")
    ref = forbes_rigobon(avg, "X", t0, TURMOIL)
    pd.testing.assert_frame_equal(res.table, ref.table)
    assert res.averaging == "two_day" and "two-day" in res.summary()


def test_panel_policy_is_recorded(rng: np.random.Generator) -> None:
    class FakePanel:
        returns = simulate(rng, sd_x1=2.0, b0=0.5, b1=0.5)

        class policy:  # mimics Panel.policy.name
            name = "exchange"

    res = forbes_rigobon(FakePanel(), "X", TRANQUIL, TURMOIL)
    assert res.policy == "exchange"


def test_bad_input(rng: np.random.Generator) -> None:
    data = simulate(rng, sd_x1=2.0, b0=0.5, b1=0.5)
    with pytest.raises(DataError, match=r"source 'NVDA' is not in the panel.*X, Y"):
        forbes_rigobon(data, "NVDA", TRANQUIL, TURMOIL)
    with pytest.raises(DataError, match="outside the sample"):
        forbes_rigobon(data, "X", ("2019-01-01", "2019-06-30"), TURMOIL)
    with pytest.raises(SpecificationError, match="overlap"):
        forbes_rigobon(data, "X", TRANQUIL, (INDEX[N0 - 5], INDEX[-1]))
    with pytest.raises(SpecificationError, match="alpha"):
        forbes_rigobon(data, "X", TRANQUIL, TURMOIL, alpha=1.5)
    with pytest.raises(DataError, match="only 5 complete observations in the turmoil window"):
        forbes_rigobon(data, "X", TRANQUIL, (INDEX[N0], INDEX[N0 + 4]))
    with pytest.raises(ContagionError, match="market"):
        forbes_rigobon(data, "X", TRANQUIL, TURMOIL, markets=["BTC-USD"])
    quiet = data.copy()
    quiet.iloc[N0:, 0] *= 0.2
    with pytest.warns(ContagionWarning, match="did not rise"):
        forbes_rigobon(quiet, "X", TRANQUIL, TURMOIL)


def test_no_warning_when_variance_rises(rng: np.random.Generator) -> None:
    data = simulate(rng, sd_x1=2.0, b0=0.5, b1=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forbes_rigobon(data, "X", TRANQUIL, TURMOIL)
