"""Ground truth of the demo market: the known spillover structure is what an estimator recovers."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from contagion.simulate import (
    CRYPTO_GROUPS,
    _generalized_fevd_twin,
    _ma_coefficients,
    ground_truth,
    latent_group_log_variance,
    simulate_market,
)


def _ols_var1(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numpy OLS VAR(1) with intercept: returns (Phi, Sigma_ml)."""
    x = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    beta, *_ = np.linalg.lstsq(x, y[1:], rcond=None)
    resid = y[1:] - x @ beta
    return beta[1:].T, resid.T @ resid / len(resid)


def test_ground_truth_structure() -> None:
    gt = ground_truth()
    groups = list(gt.groups)
    assert groups == ["ai_equity", "miner", "crypto_major", "altcoin", "ai_token", "benchmark"]
    phi = gt.phi.to_numpy()
    assert np.max(np.abs(np.linalg.eigvals(phi))) < 1.0
    # ai_equity leads: it feeds every other group and receives nothing
    assert (gt.phi.loc[[g for g in groups if g != "ai_equity"], "ai_equity"] > 0).all()
    assert (gt.phi.loc["ai_equity", [g for g in groups if g != "ai_equity"]] == 0).all()
    np.testing.assert_allclose(gt.table.sum(axis=1), 100.0, rtol=1e-12)
    assert gt.net.sum() == pytest.approx(0.0, abs=1e-9)
    assert gt.total == pytest.approx(gt.from_others.mean())
    # the headline truth: ai_equity is a net transmitter to the crypto groups, as a whole and one by one
    assert gt.net_ai_equity_to_crypto > 5.0 and gt.net_sign == 1
    for c in CRYPTO_GROUPS:
        assert gt.net_pairwise.loc["ai_equity", c] > 0, c
    np.testing.assert_allclose(gt.net_pairwise.to_numpy(), -gt.net_pairwise.to_numpy().T)
    d = gt.to_dict()
    assert d["simulated"] is True and d["net_sign"] == 1


def test_fevd_twin_identities() -> None:
    rng = np.random.default_rng(5)
    phi = 0.3 * rng.standard_normal((4, 4))
    a = rng.standard_normal((4, 4))
    sigma = a @ a.T + 4 * np.eye(4)
    ma = _ma_coefficients(phi, 10)
    np.testing.assert_allclose(ma[3], np.linalg.matrix_power(phi, 3))
    theta = _generalized_fevd_twin(ma, sigma)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    # a diagonal Sigma and diagonal Phi: no spillovers at all
    diag = _generalized_fevd_twin(_ma_coefficients(np.diag([0.5, 0.2, 0.9, 0.1]), 10), np.diag([1.0, 2, 3, 4]))
    np.testing.assert_allclose(diag, np.eye(4), atol=1e-15)
    # the Sigma scale cancels (docs/conventions.md, 'Sigma scale and the generalized FEVD')
    np.testing.assert_allclose(_generalized_fevd_twin(ma, 7.0 * sigma), theta, rtol=1e-12)


def test_fevd_twin_matches_package_kernel_when_available() -> None:
    try:
        kernels = importlib.import_module("contagion.var.fevd")
    except ImportError:
        pytest.skip("contagion.var.fevd is not on this branch yet")
    rng = np.random.default_rng(6)
    phi = 0.2 * rng.standard_normal((5, 5))
    a = rng.standard_normal((5, 5))
    sigma = a @ a.T + np.eye(5)
    ma = _ma_coefficients(phi, 10)
    np.testing.assert_allclose(kernels.generalized_fevd(ma, sigma), _generalized_fevd_twin(ma, sigma),
                               rtol=1e-10, atol=1e-12)


def test_ols_on_the_latent_group_log_variance_recovers_phi() -> None:
    """Long sample (2010-2030 grid, 7670 days): OLS VAR(1) recovers the true matrix and leader direction."""
    gt = ground_truth()
    g = latent_group_log_variance(seed=11)
    y = g.to_numpy()
    phi_hat, sigma_hat = _ols_var1(y)
    phi = gt.phi.to_numpy()
    # OLS standard errors: se[i, j] = sqrt(sigma_ii * [(X'X)^-1]_jj) (regressors highly collinear)
    x = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    xtx_inv = np.linalg.inv(x.T @ x)[1:, 1:]
    se = np.sqrt(np.outer(np.diag(sigma_hat), np.diag(xtx_inv)))
    assert np.max(np.abs(phi_hat - phi) / se) < 4.5
    i_ai = gt.groups.index("ai_equity")
    for c in CRYPTO_GROUPS:
        j = gt.groups.index(c)
        assert phi_hat[j, i_ai] > phi_hat[i_ai, j] + 0.04, c   # ai_equity -> crypto dominates the reverse
    theta = _generalized_fevd_twin(_ma_coefficients(phi_hat, 10), sigma_hat)
    net = sum(theta[gt.groups.index(c), i_ai] - theta[i_ai, gt.groups.index(c)] for c in CRYPTO_GROUPS)
    assert net > 0


def _measured_group_log_variance(frames: dict[str, pd.DataFrame], groups: dict[str, list[str]]) -> pd.DataFrame:
    """Group log Parkinson variance on the equity sessions (crypto: the UTC bar of the session date)."""
    sessions = frames["SPY"].index
    out = {}
    for g, tickers in groups.items():
        pv = pd.concat({t: (np.log(frames[t]["high"] / frames[t]["low"]) ** 2 / (4 * np.log(2)))
                       .reindex(sessions) for t in tickers}, axis=1)
        out[g] = np.log(pv.mean(axis=1))
    return pd.DataFrame(out).dropna()


@pytest.mark.slow
def test_measured_range_volatility_recovers_the_leader_direction() -> None:
    """From the simulated OHLC (2018-06 .. 2025-06, ~1780 sessions), a VAR(1) on group log range variance finds
    ai_equity -> crypto spillovers and a positive net spillover, as in the truth."""
    gt = ground_truth()
    frames = simulate_market(start="2018-06-01", end="2025-06-30", seed=3)
    members: dict[str, list[str]] = {g: [] for g in gt.groups}
    for t, f in frames.items():
        if t != "^VIX" and not f.empty and f.index[0] <= pd.Timestamp("2018-06-10"):
            members[f.attrs["group"]].append(t)
    members = {g: ts for g, ts in members.items() if ts}
    assert {"ai_equity", "crypto_major", "altcoin"} <= set(members)
    y = _measured_group_log_variance(frames, members)
    phi_hat, sigma_hat = _ols_var1(y.to_numpy())
    names = list(y.columns)
    i_ai = names.index("ai_equity")
    for c in [c for c in CRYPTO_GROUPS if c in names]:
        j = names.index(c)
        assert phi_hat[j, i_ai] > 0.05, (c, phi_hat[j, i_ai])
    theta = _generalized_fevd_twin(_ma_coefficients(phi_hat, 10), sigma_hat)
    net = sum(theta[names.index(c), i_ai] - theta[i_ai, names.index(c)] for c in CRYPTO_GROUPS if c in names)
    assert net > 0
