"""Simulation: a known stationary VAR(2) with 6 variables in which variable 0 leads the others.

The population connectedness is the GFEVD of the true coefficients and covariance; estimates from
simulated samples must be close to it (single sample) and unbiased up to Monte Carlo error (replications).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover.rolling import rolling_connectedness
from contagion.spillover.static import connectedness
from contagion.var.fevd import generalized_fevd, ma_coefficients

N_VARS = 6
PHI1 = 0.35 * np.eye(N_VARS)
PHI1[1:, 0] = 0.30  # the leader (variable 0) moves every other variable one period later
PHI2 = 0.15 * np.eye(N_VARS)
PHI2[1:, 0] = 0.10
SIGMA = 0.2 * np.ones((N_VARS, N_VARS)) + 0.8 * np.eye(N_VARS)
NAMES = ["leader", *[f"f{k}" for k in range(1, N_VARS)]]


def population(horizon: int = 10) -> dict[str, np.ndarray]:
    table = 100 * generalized_fevd(ma_coefficients(np.stack([PHI1, PHI2]), horizon), SIGMA)
    return {"table": table, **_conn_kernels.spillover_measures(table)}


def simulate(rng: np.random.Generator, n_obs: int, n_reps: int = 1, burn: int = 200) -> np.ndarray:
    """(n_reps, n_obs, N) samples of the VAR(2), all replications advanced together."""
    shocks = rng.normal(size=(n_reps, n_obs + burn, N_VARS)) @ np.linalg.cholesky(SIGMA).T
    y = np.zeros_like(shocks)
    for t in range(2, n_obs + burn):
        y[:, t] = y[:, t - 1] @ PHI1.T + y[:, t - 2] @ PHI2.T + shocks[:, t]
    return y[:, burn:]


def test_true_var_is_stationary_with_a_leader():
    companion = np.block([[PHI1, PHI2], [np.eye(N_VARS), np.zeros((N_VARS, N_VARS))]])
    assert np.abs(np.linalg.eigvals(companion)).max() < 1
    pop = population()
    assert np.argmax(pop["net"]) == 0 and pop["net"][0] > 50 and (pop["net"][1:] < 0).all()


def test_single_sample_close_to_population():
    rng = np.random.default_rng(11)
    data = pd.DataFrame(simulate(rng, 6000)[0], columns=NAMES)
    res = connectedness(data, lags=2, horizon=10)
    pop = population()
    # sampling s.d. at T = 6000 is about 0.9 points for the TCI and 0.5 for cells (from the replications below)
    assert res.total == pytest.approx(float(pop["total"]), abs=3.0)
    np.testing.assert_allclose(res.values, pop["table"], atol=3.0)
    assert res.net.idxmax() == "leader" and res.npt["leader"] == N_VARS - 1
    np.testing.assert_allclose(res.net.to_numpy(), pop["net"], atol=12.0)


def test_replications_unbiased_within_monte_carlo_error():
    rng = np.random.default_rng(12)
    n_reps, n_obs = 60, 2000
    samples = simulate(rng, n_obs, n_reps)
    totals, nets = [], []
    for r in range(n_reps):
        res = connectedness(pd.DataFrame(samples[r], columns=NAMES), lags=2, horizon=10)
        totals.append(res.total)
        nets.append(res.net.to_numpy())
    pop = population()
    totals_arr, nets_arr = np.array(totals), np.array(nets)
    se_total = totals_arr.std(ddof=1) / np.sqrt(n_reps)
    se_net = nets_arr.std(axis=0, ddof=1) / np.sqrt(n_reps)
    # about 4 Monte Carlo standard errors (STYLE.md); OLS small-sample bias is O(1/T), ~0.4 points here
    assert abs(totals_arr.mean() - pop["total"]) < 4 * se_total + 0.1
    assert (np.abs(nets_arr.mean(axis=0) - pop["net"]) < 4 * se_net + 0.1).all()


def test_rolling_windows_track_a_break_in_connectedness():
    # first half: independent series (TCI near 0); second half: the leader VAR (TCI near population)
    rng = np.random.default_rng(13)
    quiet = rng.normal(size=(1500, N_VARS))
    loud = simulate(rng, 1500)[0]
    data = pd.DataFrame(
        np.vstack([quiet, loud]),
        columns=NAMES,
        index=pd.date_range("2015-01-01", periods=3000, freq="D", name="date"),
    )
    res = rolling_connectedness(data, window=500, lags=2, horizon=10, step=25)
    early = res.total[res.total.index < data.index[1500]]
    late = res.total[res.total.index >= data.index[2000]]
    assert early.max() < 8.0
    assert abs(late.mean() - float(population()["total"])) < 4.0
    assert (res.net.loc[late.index, "leader"] > 30).all()
