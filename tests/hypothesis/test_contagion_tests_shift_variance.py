"""Correlation shift (HAC) and Cheung-Ng causality in variance: hand calculations, simulations, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contagion.errors import DataError, SpecificationError
from contagion.hypothesis.correlation_shift import correlation_shift, newey_west_lags
from contagion.hypothesis.variance_causality import cheung_ng_ccf, granger_in_variance
from tests.reference import hypothesis as _reference_contagion

N_OBS, EVENT = 400, 300
INDEX = pd.bdate_range("2024-01-01", periods=N_OBS, name="date")


def dcc_correlation_paths(rng: np.random.Generator, n_paths: int, qbar_pre: float, qbar_post: float,
                          a: float = 0.05, b: float = 0.90) -> np.ndarray:
    """True conditional correlations of bivariate DCC(a, b) processes whose target jumps at EVENT.

    Q_t = (1 - a - b) Qbar_t + a z_{t-1} z_{t-1}' + b Q_{t-1}, R_t = corr(Q_t) (Engle 2002), batched over
    paths; z_t ~ N(0, R_t).
    """
    q11 = np.ones(n_paths)
    q22 = np.ones(n_paths)
    q12 = np.full(n_paths, qbar_pre)
    rho = np.empty((N_OBS, n_paths))
    for t in range(N_OBS):
        qbar = qbar_pre if t < EVENT else qbar_post
        r = q12 / np.sqrt(q11 * q22)
        rho[t] = r
        e1, e2 = rng.standard_normal((2, n_paths))
        z1, z2 = e1, r * e1 + np.sqrt(1.0 - r * r) * e2
        q11 = (1 - a - b) + a * z1 * z1 + b * q11
        q22 = (1 - a - b) + a * z2 * z2 + b * q22
        q12 = (1 - a - b) * qbar + a * z1 * z2 + b * q12
    return rho


def newey_west_se(y: np.ndarray, x: np.ndarray, n_lags: int) -> np.ndarray:
    """Bartlett-kernel HAC standard errors with the n / (n - k) correction, by hand."""
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    e = y - x @ (xtx_inv @ x.T @ y)
    g = x * e[:, None]
    s = g.T @ g
    for lag in range(1, n_lags + 1):
        w = 1.0 - lag / (n_lags + 1.0)
        gamma = g[lag:].T @ g[:-lag]
        s += w * (gamma + gamma.T)
    cov = xtx_inv @ s @ xtx_inv * n / (n - k)
    return np.sqrt(np.diag(cov))


def test_shift_hand_calculation(rng: np.random.Generator) -> None:
    rho = dcc_correlation_paths(rng, 1, 0.2, 0.6)[:, 0]
    frame = pd.DataFrame({"NVDA~BTC-USD": rho}, index=INDEX)
    res = correlation_shift(frame, INDEX[EVENT], 120, 60)
    row = res.to_frame().iloc[0]
    y = rho[EVENT - 120:EVENT + 60]
    d = np.r_[np.zeros(120), np.ones(60)]
    x = np.column_stack([np.ones(180), d])
    n_lags = math.floor(4 * (180 / 100) ** (2 / 9))
    assert row["hac_lags"] == n_lags == newey_west_lags(180)
    np.testing.assert_allclose([row["mean_pre"], row["mean_post"]], [y[:120].mean(), y[120:].mean()], rtol=1e-12)
    np.testing.assert_allclose(row["shift"], y[120:].mean() - y[:120].mean(), rtol=1e-10)
    se = newey_west_se(y, x, n_lags)[1]
    np.testing.assert_allclose(row["se_hac"], se, rtol=1e-10)
    np.testing.assert_allclose(row["p_value"], 2 * stats.norm.sf(abs(row["shift"] / se)), rtol=1e-9)
    assert res.pre == (INDEX[EVENT - 120], INDEX[EVENT - 1]) and res.post == (INDEX[EVENT], INDEX[EVENT + 59])
    assert "Newey-West" in res.summary()
    # explicit date windows give the same answer
    same = correlation_shift(frame, INDEX[EVENT], (INDEX[EVENT - 120], INDEX[EVENT - 1]),
                             (INDEX[EVENT], INDEX[EVENT + 59]))
    pd.testing.assert_frame_equal(same.table, res.table)


def test_shift_detects_simulated_dcc_jump(rng: np.random.Generator) -> None:
    # DCC target correlation 0.2 -> 0.7 at the event: detected as an increase in (nearly) every sample,
    # with both the plain and the autoregressive form.
    paths = dcc_correlation_paths(rng, 40, 0.2, 0.7)
    frame = pd.DataFrame(paths, index=INDEX, columns=[f"X{j}~Y{j}" for j in range(40)])
    plain = correlation_shift(frame, INDEX[EVENT], 120, 60).table
    assert (plain["verdict"] == "increase").mean() >= 0.95
    assert plain["shift"].mean() > 0.2
    ar = correlation_shift(frame, INDEX[EVENT], 120, 60, ar_lags=1).table
    assert (ar["verdict"] == "increase").mean() >= 0.6
    # the impact effect is small (persistence is high); the implied long-run shift is near the 0.5 jump
    assert ar["shift"].median() < 0.1 < 0.3 < ar["long_run_shift"].median() < 0.7


def test_shift_size_under_persistent_dcc(rng: np.random.Generator) -> None:
    # Documents (and guards) the size problem stated in the docstring: with an unchanged DCC target, 120/60
    # observations and nominal 5%, the plain HAC test over-rejects heavily; the AR form much less.
    paths = dcc_correlation_paths(rng, 100, 0.3, 0.3)
    frame = pd.DataFrame(paths, index=INDEX, columns=[f"X{j}~Y{j}" for j in range(100)])
    plain = (correlation_shift(frame, INDEX[EVENT], 120, 60).table["p_value"] < 0.05).mean()
    ar = (correlation_shift(frame, INDEX[EVENT], 120, 60, ar_lags=1).table["p_value"] < 0.05).mean()
    assert plain > 0.3
    assert ar < 0.3 and ar < plain


def test_shift_accepts_a_dcc_result(rng: np.random.Generator) -> None:
    rho = dcc_correlation_paths(rng, 2, 0.3, 0.3)
    frame = pd.DataFrame({"A~B": rho[:, 0], "A~C": rho[:, 1], "B~C": 0.5 * rho[:, 0]}, index=INDEX)

    class FakeDCCResult:
        names = ("A", "B", "C")

        def correlation_pair(self, x: str, y: str) -> pd.Series:
            return frame[f"{x}~{y}"]

    via_result = correlation_shift(FakeDCCResult(), INDEX[EVENT], 100, 50)
    via_frame = correlation_shift(frame, INDEX[EVENT], 100, 50)
    pd.testing.assert_frame_equal(via_result.table, via_frame.table)
    sub = correlation_shift(frame, INDEX[EVENT], 100, 50, pairs=[("C", "B")])
    assert list(sub.table["pair"]) == ["C~B"]
    np.testing.assert_allclose(sub.table["shift"], via_frame.table.loc[2, "shift"])


def test_shift_bad_input(rng: np.random.Generator) -> None:
    frame = pd.DataFrame({"A~B": dcc_correlation_paths(rng, 1, 0.3, 0.3)[:, 0]}, index=INDEX)
    with pytest.raises(DataError, match="outside the sample"):
        correlation_shift(frame, "2030-01-01", 10, 10)
    with pytest.raises(DataError, match="not a session"):
        correlation_shift(frame, INDEX[EVENT] + pd.Timedelta(days=(5 - INDEX[EVENT].weekday()) % 7), 10, 10)
    with pytest.raises(DataError, match="pre=500"):
        correlation_shift(frame, INDEX[EVENT], 500, 10)
    with pytest.raises(DataError, match="no correlation column for A~Z"):
        correlation_shift(frame, INDEX[EVENT], 10, 10, pairs=["A~Z"])
    with pytest.raises(DataError, match="outside \\[-1, 1\\]"):
        correlation_shift(frame + 1.0, INDEX[EVENT], 10, 10)
    with pytest.raises(SpecificationError, match="DCCResult"):
        correlation_shift([1, 2, 3], INDEX[EVENT], 10, 10)


# --- causality in variance ------------------------------------------------------------------------------


def garch_with_spillover(rng: np.random.Generator, n: int, spill: float) -> pd.DataFrame:
    """x: GARCH(1,1); y: GARCH(1,1) whose variance also loads on x_{t-1}^2 (causality in variance x -> y)."""
    x = np.zeros(n)
    y = np.zeros(n)
    hx, hy = 1.0, 1.0
    for t in range(1, n):
        hx = 0.05 + 0.10 * x[t - 1] ** 2 + 0.85 * hx
        hy = 0.05 + 0.05 * y[t - 1] ** 2 + 0.60 * hy + spill * x[t - 1] ** 2
        x[t] = math.sqrt(hx) * rng.standard_normal()
        y[t] = math.sqrt(hy) * rng.standard_normal()
    idx = pd.bdate_range("2018-01-01", periods=n, name="date")
    return pd.DataFrame({"NVDA": x / 100, "AMD": x / 100 + rng.normal(0, 0.002, n), "BTC-USD": y / 100},
                        index=idx)


@pytest.mark.parametrize("lags", [1, 5])
def test_ccf_kernel_matches_loop_twin(rng: np.random.Generator, lags: int) -> None:
    u = rng.standard_normal((50, 3)) ** 2
    v = rng.standard_normal((50, 3)) ** 2
    fast = cheung_ng_ccf(u, v, lags)
    for j in range(3):
        np.testing.assert_allclose(fast[:, j], _reference_contagion.cheung_ng_ccf(u[:, j], v[:, j], lags),
                                   rtol=1e-12)


def test_cheung_ng_statistic_by_hand(rng: np.random.Generator) -> None:
    z = pd.DataFrame(rng.standard_normal((300, 2)), columns=["A", "B"],
                     index=pd.bdate_range("2020-01-01", periods=300, name="date"))
    res = granger_in_variance(z, ["A"], ["B"], lags=3, kind="std_resid")
    za = (z["A"] - z["A"].mean()) / z["A"].std(ddof=0)
    zb = (z["B"] - z["B"].mean()) / z["B"].std(ddof=0)
    r = _reference_contagion.cheung_ng_ccf((zb**2).to_numpy(), (za**2).to_numpy(), 3)
    stat = 300 * np.sum(r**2)
    row = res.to_frame().iloc[0]
    assert (row["cause"], row["effect"], row["df"]) == ("A", "B", 3)
    np.testing.assert_allclose(row["statistic"], stat, rtol=1e-10)
    np.testing.assert_allclose(row["p_value"], stats.chi2.sf(stat, 3), rtol=1e-10)
    np.testing.assert_allclose(res.ccf["r"], r, rtol=1e-10)
    assert "Cheung & Ng" in res.summary()


def test_causality_in_variance_detected_by_garch_filter(rng: np.random.Generator) -> None:
    data = garch_with_spillover(rng, 1500, spill=0.3)
    res = granger_in_variance(data, {"ai_equity": ["NVDA", "AMD"]}, ["BTC-USD"], lags=5)
    row = res.to_frame().iloc[0]
    assert row["verdict"] == "causality in variance" and row["p_value"] < 1e-3
    reverse = granger_in_variance(data, ["BTC-USD"], {"ai_equity": ["NVDA", "AMD"]}, lags=5)
    assert reverse.to_frame().iloc[0]["p_value"] > 0.01
    assert res.standardization.startswith("GARCH")


def test_no_causality_in_variance_under_independence(rng: np.random.Generator) -> None:
    data = garch_with_spillover(rng, 1500, spill=0.0)
    res = granger_in_variance(data, ["NVDA"], ["BTC-USD"], lags=5)
    assert res.to_frame().iloc[0]["p_value"] > 0.01


def test_granger_bad_input(rng: np.random.Generator) -> None:
    z = pd.DataFrame(rng.standard_normal((300, 2)), columns=["A", "B"],
                     index=pd.bdate_range("2020-01-01", periods=300, name="date"))
    with pytest.raises(DataError, match="'ai': ZZZ not in the panel"):
        granger_in_variance(z, {"ai": ["ZZZ"]}, ["B"], kind="std_resid")
    with pytest.raises(SpecificationError, match="lags"):
        granger_in_variance(z, ["A"], ["B"], lags=0, kind="std_resid")
    with pytest.raises(SpecificationError, match="coincide"):
        granger_in_variance(z, ["A"], ["A"], kind="std_resid")
    with pytest.raises(DataError, match="GARCH"):
        granger_in_variance(z.iloc[:50], ["A"], ["B"])
