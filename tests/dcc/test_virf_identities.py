"""Identities of volatility impulse responses computed on DCC states built by hand.

Closed forms (univariate GARCH(1,1), Hafner & Herwartz 2006): with the Hafner-Herwartz baseline the variance
VIRF is alpha (alpha+beta)^(h-1) (eps^2 - h_t) = alpha (alpha+beta)^(h-1) h_t (xi^2 - 1); with the
zero-innovation baseline (Gabauer 2020) it is alpha (alpha+beta)^(h-1) eps^2. Monte Carlo comparisons use the
result's own band: |estimate - truth| <= 4 Monte Carlo standard errors (STYLE.md tolerance table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from contagion.dcc.state import DCCState
from contagion.dcc.virf import N_BATCHES, VIRFResult, response_labels, virf
from contagion.errors import SpecificationError
from tests.dcc.test_virf_kernels import make_state, random_correlation


def mc_se(res: VIRFResult) -> np.ndarray:
    q = stats.t.ppf(0.5 + res.level / 2, res.n_batches - 1)
    return (res.upper - res.lower) / (2 * q)


def univariate(alpha=0.08, beta=0.9, omega=0.05, h=2.0, volatility="garch", gamma=0.0) -> DCCState:
    return DCCState(names=("X",), date=pd.Timestamp("2025-01-27"), volatility=volatility, model="dcc",
                    mu=np.array([0.1]), omega=np.array([omega]), alpha=np.array([alpha]),
                    gamma=np.array([gamma]), beta=np.array([beta]), h=np.array([h]), Q=np.eye(1),
                    Qbar=np.eye(1), Nbar=np.eye(1) * 0.5, a=0.03, b=0.95, g=0.0)


# ------------------------------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("baseline", ["expected", "zero"])
@pytest.mark.parametrize("xi", [3.0, 0.5, -2.0])
def test_univariate_garch_closed_form(baseline, xi):
    state = univariate()
    alpha, beta, h0 = 0.08, 0.9, 2.0
    eps = xi * np.sqrt(h0)
    res = virf(state, np.array([eps + 0.1]), horizon=20, reps=2000, seed=1, baseline=baseline)
    truth = alpha * (alpha + beta) ** np.arange(20) * (eps**2 - (h0 if baseline == "expected" else 0.0))
    est = res.estimate[0, 1:, 0]
    # h = 1 has no Monte Carlo error: the baseline's shock-date draws are moment-matched (or zero)
    np.testing.assert_allclose(est[0], truth[0], rtol=1e-12)
    assert np.all(np.abs(est - truth) <= 4 * mc_se(res)[0, 1:, 0] + 1e-12)
    np.testing.assert_allclose(res.standardized[0], [xi], rtol=1e-12)
    assert res.estimate[0, 0, 0] == 0.0  # h = 0: H_t is known before the shock


def test_univariate_gjr_closed_form():
    """GJR: VIRF(1) = alpha(eps^2 - h) + gamma(eps^2 1[eps<0] - h/2), then decay at alpha + gamma/2 + beta."""
    alpha, gamma, beta, h0 = 0.04, 0.1, 0.88, 1.5
    state = univariate(alpha=alpha, beta=beta, h=h0, volatility="gjr", gamma=gamma)
    eps = -2.5 * np.sqrt(h0)
    res = virf(state, np.array([eps + 0.1]), horizon=15, reps=2000, seed=3, baseline="expected")
    first = alpha * (eps**2 - h0) + gamma * (eps**2 - h0 / 2)
    truth = first * (alpha + gamma / 2 + beta) ** np.arange(15)
    est = res.estimate[0, 1:, 0]
    np.testing.assert_allclose(est[0], truth[0], rtol=1e-12)
    assert np.all(np.abs(est - truth) <= 4 * mc_se(res)[0, 1:, 0] + 1e-12)


def test_one_standard_deviation_is_no_news_for_a_univariate_garch():
    """xi^2 = 1: the Hafner-Herwartz VIRF of the variance is 0 at every horizon (exactly at h = 1)."""
    res = virf(univariate(), "X", horizon=10, reps=2000, seed=4, baseline="expected")
    np.testing.assert_allclose(res.estimate[0, 1, 0], 0.0, atol=1e-14)
    assert np.all(np.abs(res.estimate[0, :, 0]) <= 4 * mc_se(res)[0, :, 0] + 1e-14)


# ---------------------------------------------------------------------------------------------- zero shock
@pytest.mark.parametrize(("volatility", "model"), [("garch", "dcc"), ("gjr", "adcc"), ("egarch", "dcc")])
def test_zero_shock_gives_exactly_zero_response_with_zero_baseline(rng, volatility, model):
    state = make_state(rng, 4, volatility=volatility, model=model, g=0.02 if model == "adcc" else 0.0,
                       mu=rng.normal(0, 0.05, 4), scale=100.0)
    returns = pd.Series(state.mu / state.scale, index=list(state.names))  # return = conditional mean
    res = virf(state, returns, horizon=12, reps=200, seed=0, baseline="zero")
    assert np.all(res.estimate == 0.0)
    assert np.all(res.lower == 0.0) and np.all(res.upper == 0.0)


def test_zero_shock_with_expected_baseline_is_calm_news():
    """Under the Hafner-Herwartz baseline a zero innovation is news (calmer than expected): -alpha (a+b)^(h-1) h."""
    res = virf(univariate(), np.array([0.1]), horizon=10, reps=2000, seed=2, baseline="expected")
    truth = -0.08 * 0.98 ** np.arange(10) * 2.0
    np.testing.assert_allclose(res.estimate[0, 1, 0], truth[0], rtol=1e-12)
    assert np.all(np.abs(res.estimate[0, 1:, 0] - truth) <= 4 * mc_se(res)[0, 1:, 0])


# ------------------------------------------------------------------------------------ uncorrelated assets
def block_state(rng: np.random.Generator, a: float, b: float, model: str = "dcc") -> DCCState:
    """X0 uncorrelated with X1..X3 (block-diagonal Qbar and Q_t)."""
    qbar = np.zeros((4, 4))
    qbar[0, 0] = 1.0
    qbar[1:, 1:] = random_correlation(rng, 3)
    q0 = np.zeros((4, 4))
    q0[0, 0] = 1.1
    q0[1:, 1:] = 0.9 * qbar[1:, 1:] + 0.1 * np.eye(3)
    state = make_state(rng, 4, volatility="gjr", model=model, a=a, b=b, g=0.02 if model == "adcc" else 0.0,
                       qbar=qbar, q0=q0)
    nbar = np.array(state.Nbar)
    nbar[0, 1:] = nbar[1:, 0] = 0.0  # E[n0 n_j] for independent assets is E[n0]E[n_j] != 0; keep block form
    return DCCState(**{**state.__dict__, "Nbar": nbar})


@pytest.mark.parametrize(("a", "b", "model"), [(0.0, 0.0, "dcc"), (0.05, 0.9, "dcc"), (0.03, 0.9, "adcc")])
def test_shock_to_uncorrelated_asset_leaves_other_variances_unchanged(rng, a, b, model):
    state = block_state(rng, a, b, model)
    labels = response_labels(state.names)
    others = [labels.index(f"var[X{i}]") for i in (1, 2, 3)]
    inside = [labels.index(lab) for lab in ("corr[X1,X2]", "cov[X2,X3]")]
    res = virf(state, {"X0": 3.0}, horizon=15, reps=400, seed=7, baseline="zero")
    assert np.all(res.estimate[0][:, others] == 0.0)
    assert np.all(res.estimate[0][:, inside] == 0.0)
    assert res.estimate[0, 1, labels.index("var[X0]")] > 0
    # Hafner-Herwartz baseline: the others respond exactly as to a zero shock (the shock itself adds nothing)
    shocked = virf(state, {"X0": 3.0}, horizon=15, reps=400, seed=7, baseline="expected")
    calm = virf(state, np.zeros(4), horizon=15, reps=400, seed=7, baseline="expected")
    np.testing.assert_array_equal(shocked.estimate[0][:, others], calm.estimate[0][:, others])


def test_default_baseline_is_no_shock(rng):
    """The default reads "no shock" literally: a zero innovation gives exactly zero at every horizon."""
    state = block_state(rng, 0.05, 0.9, "dcc")
    res = virf(state, np.zeros(4), horizon=10, reps=80, seed=3)
    assert res.baseline == "zero"
    assert np.all(res.estimate == 0.0)
    assert np.all(res.lower == 0.0) and np.all(res.upper == 0.0)


# ----------------------------------------------------------------------------------------------- decay
@pytest.mark.parametrize("volatility", ["garch", "gjr"])
def test_variance_response_decays_at_fitted_persistence(rng, volatility):
    """E[h_{i,t+h}] follows a linear recursion whatever R does: VIRF_i(h) = VIRF_i(1) p_i^(h-1)."""
    state = make_state(rng, 4, volatility=volatility, nu=8.0)
    res = virf(state, {"X1": 3.0, "X2": -2.0}, horizon=25, reps=2000, seed=11, baseline="expected")
    persistence = np.asarray(state.alpha) + np.asarray(state.gamma) / 2 + np.asarray(state.beta)
    se = mc_se(res)
    for i in range(4):
        est = res.estimate[0, 1:, i]
        truth = est[0] * persistence[i] ** np.arange(25)
        assert np.all(np.abs(est - truth) <= 4 * se[0, 1:, i] + 1e-12), state.names[i]
    # and the fitted ratio: least squares of log|VIRF| on h for the directly hit asset
    ratio = np.exp(np.polyfit(np.arange(1, 26), np.log(np.abs(res.estimate[0, 1:, 1])), 1)[0])
    assert abs(ratio - persistence[1]) < 0.01


# ----------------------------------------------------------------------------------- reproducibility
def test_bands_reproducible_from_seed(rng):
    state = make_state(rng, 3, model="adcc", g=0.02, nu=6.0)
    one = virf(state, ["X0", "X2"], horizon=8, reps=400, seed=123)
    two = virf(state, ["X0", "X2"], horizon=8, reps=400, seed=123)
    other = virf(state, ["X0", "X2"], horizon=8, reps=400, seed=124)
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())
    assert not np.array_equal(one.upper, other.upper)
    unseeded = virf(state, "X0", horizon=8, reps=400)
    again = virf(state, "X0", horizon=8, reps=400, seed=unseeded.seed)  # the drawn seed is recorded
    np.testing.assert_array_equal(unseeded.lower, again.lower)
    from_generator = virf(state, "X0", horizon=8, reps=400, seed=np.random.default_rng(1))
    np.testing.assert_array_equal(from_generator.upper,
                                  virf(state, "X0", horizon=8, reps=400, seed=from_generator.seed).upper)


def test_band_covers_and_shrinks_with_reps(rng):
    state = make_state(rng, 3)
    small = virf(state, "X0", horizon=10, reps=400, seed=1)
    large = virf(state, "X0", horizon=10, reps=3200, seed=1)
    width_small = (small.upper - small.lower)[0, 2:].mean()
    width_large = (large.upper - large.lower)[0, 2:].mean()
    assert width_large < 0.6 * width_small  # ~ 1/sqrt(8) = 0.35 in expectation
    assert np.all(small.lower <= small.estimate) and np.all(small.estimate <= small.upper)


# --------------------------------------------------------------------------------------- shock parsing
def test_named_shock_is_symmetric_root_column_and_order_free(rng):
    state = make_state(rng, 3)
    res = virf(state, "X1", horizon=3, reps=40, seed=0)
    sd = np.sqrt(state.h)
    d = 1 / np.sqrt(np.diag(state.Q))
    H = np.outer(sd, sd) * state.Q * np.outer(d, d)
    root = res.impulse[0]
    np.testing.assert_allclose(res.standardized[0], [0, 1, 0], atol=1e-12)
    # eps eps' summed over the three unit shocks rebuilds H: the columns of the symmetric root
    all3 = virf(state, ["X0", "X1", "X2"], horizon=3, reps=40, seed=0)
    np.testing.assert_allclose(all3.impulse.T @ all3.impulse, H, rtol=1e-10)
    np.testing.assert_allclose(all3.impulse, all3.impulse.T, rtol=1e-10)  # symmetric root
    np.testing.assert_allclose(all3.impulse[1], root, rtol=1e-12)
    # permuting the assets permutes the response (no ordering dependence)
    perm = [2, 0, 1]
    permuted = DCCState(**{**state.__dict__, "names": tuple(state.names[i] for i in perm),
                           **{k: np.asarray(getattr(state, k))[perm] for k in
                              ("mu", "omega", "alpha", "gamma", "beta", "h")},
                           **{k: np.asarray(getattr(state, k))[np.ix_(perm, perm)] for k in ("Q", "Qbar", "Nbar")}})
    res_p = virf(permuted, "X1", horizon=3, reps=40, seed=0)
    np.testing.assert_allclose(pd.Series(res_p.impulse[0], index=permuted.names)[list(state.names)],
                               res.impulse[0], rtol=1e-12)


def test_historical_shock_units_and_labels(rng):
    state = make_state(rng, 3, scale=100.0, mu=np.array([0.05, -0.02, 0.0]))
    returns = pd.Series([-0.17, 0.01, -0.05], index=["X0", "X1", "X2"], name=pd.Timestamp("2025-01-27"))
    res = virf(state, returns.iloc[[2, 0, 1]], horizon=5, reps=80, seed=0)  # label order, not position
    np.testing.assert_allclose(res.impulse[0], returns.to_numpy() - state.mu / 100.0, rtol=1e-12)
    assert res.shocks == ("historical[2025-01-27]",)
    # a rescaled fit reports variances in the units of the returns given to it: scale^-2
    unscaled = DCCState(**{**state.__dict__, "scale": 1.0})
    res1 = virf(unscaled, returns * 100.0, horizon=5, reps=80, seed=0)
    np.testing.assert_allclose(res.estimate[..., :3] * 100.0**2, res1.estimate[..., :3], rtol=1e-10)
    n = 3
    np.testing.assert_allclose(res.estimate[..., -n:], res1.estimate[..., -n:], rtol=1e-10, atol=1e-15)


def test_to_frame_layout(rng):
    state = make_state(rng, 3)
    res = virf(state, ["X0", "X1"], horizon=4, reps=40, seed=0)
    frame = res.to_frame()
    assert list(frame.columns) == ["shock", "response", "horizon", "estimate", "lower", "upper"]
    assert len(frame) == 2 * 9 * 5
    assert set(frame["response"]) == {"var[X0]", "var[X1]", "var[X2]", "cov[X0,X1]", "cov[X0,X2]",
                                      "cov[X1,X2]", "corr[X0,X1]", "corr[X0,X2]", "corr[X1,X2]"}
    row = frame[(frame.shock == "X1") & (frame.response == "corr[X0,X2]") & (frame.horizon == 3)]
    assert row["estimate"].item() == res.estimate[1, 3, res.responses.index("corr[X0,X2]")]
    path = res.response("var[X2]", shock="X1")
    np.testing.assert_array_equal(path["estimate"].to_numpy(), res.estimate[1, :, 2])
    assert res.reps == 40 and res.n_batches == N_BATCHES


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shock": "NVDA"}, "unknown asset 'NVDA'"),
        ({"shock": np.ones(2)}, "3 returns"),
        ({"shock": pd.Series([0.1, np.nan, 0.0], index=["X0", "X1", "X2"])}, r"missing or infinite.*X1"),
        ({"shock": pd.Series([0.1, 0.0], index=["X0", "X1"])}, r"missing \['X2'\]"),
        ({"shock": "X0", "horizon": 0}, "horizon must be"),
        ({"shock": "X0", "reps": 10}, "reps must be"),
        ({"shock": "X0", "level": 1.5}, "level must be"),
        ({"shock": "X0", "baseline": "none"}, "baseline must be"),
        ({"shock": "X0", "seed": -1}, "seed must be"),
        ({"shock": "X0", "at": "2024-01-02"}, "DCCState given is for 2025-01-27"),
    ],
)
def test_bad_input_is_a_clear_error(rng, kwargs, match):
    state = make_state(rng, 3)
    with pytest.raises(SpecificationError, match=match):
        virf(state, **kwargs)


def test_invalid_state_is_rejected(rng):
    state = make_state(rng, 3)
    with pytest.raises(SpecificationError, match="not positive"):
        virf(DCCState(**{**state.__dict__, "h": np.array([1.0, -1.0, 1.0])}), "X0")
    with pytest.raises(SpecificationError, match="gamma must be 0"):
        virf(DCCState(**{**state.__dict__, "gamma": np.full(3, 0.1)}), "X0")
    with pytest.raises(SpecificationError, match="positive semi-definite"):
        virf(DCCState(**{**state.__dict__, "model": "adcc", "g": 5.0}), "X0")


def test_exploding_paths_raise_estimation_error(rng):
    from contagion.errors import EstimationError

    state = make_state(rng, 2, volatility="egarch")
    exploding = DCCState(**{**state.__dict__, "omega": np.full(2, 5.0), "beta": np.full(2, 1.5)})
    with pytest.raises(EstimationError, match="exploded"):
        virf(exploding, {"X0": 10.0}, horizon=40, reps=40, seed=0)
