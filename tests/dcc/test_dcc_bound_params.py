"""Correlation-stage parameters on a bound: g = 0 (aDCC on symmetric data), nu at its cap (t on Gaussian data).

Regression: interior Newton gave up there and SLSQP needed 100-500 likelihood evaluations (5 s at N = 20), and
for aDCC with a t joint distribution it stopped at a + b ~ 1 ("Inequality constraints incompatible") with a
log-likelihood 100-2600 below the optimum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion.dcc import _kernels as K
from contagion.dcc import _stage as S
from contagion.dcc.model import simulate_dcc


def _z(seed: int, n: int = 8, n_obs: int = 1500) -> np.ndarray:
    """Gaussian standardised residuals with DCC(0.03, 0.95) correlations and no asymmetry."""
    rng = np.random.default_rng(seed)
    loadings = rng.standard_normal((n, 2))
    cov = loadings @ loadings.T * 0.2 + np.eye(n)
    d = np.sqrt(np.diag(cov))
    return simulate_dcc(n_obs, omega=np.ones(n), alpha=np.zeros(n), beta=np.zeros(n), a=0.03, b=0.95,
                        qbar=cov / np.outer(d, d), rng=rng)


@pytest.fixture
def counted(monkeypatch):
    calls = {"full": 0}
    real = K.dcc_loglik_terms

    def wrapped(data, *args, **kwargs):
        if data.pairs is None:
            calls["full"] += 1
        return real(data, *args, **kwargs)

    monkeypatch.setattr(K, "dcc_loglik_terms", wrapped)
    return calls


@pytest.mark.parametrize("seed", [3, 4])
def test_adcc_on_symmetric_data_puts_g_on_its_bound_quickly(seed, counted):
    z = _z(seed)
    plain = S._fit_correlation_stage(z, "dcc", "normal", False)
    counted["full"] = 0
    asym = S._fit_correlation_stage(z, "adcc", "normal", False)
    a, b, g = asym["params_array"]
    assert asym["converged"] and not asym["boundary"]
    if g == 0.0:  # on the bound: the DCC optimum, confirmed by the first-order condition
        np.testing.assert_allclose([a, b], plain["params_array"], atol=2e-4)
        assert "on its bound" in asym["optimizer_message"]
    assert asym["objective_value"] >= plain["objective_value"] - 1e-6  # g = 0 nests DCC
    assert counted["full"] < 80


@pytest.mark.parametrize("model", ["dcc", "adcc"])
def test_t_joint_on_gaussian_data_is_not_a_garbage_fit(model, counted):
    z = _z(5)
    plain = S._fit_correlation_stage(z, "dcc", "normal", False)
    res = S._fit_correlation_stage(z, model, "t", False)
    theta = res["params_array"]
    assert res["converged"] and not res["boundary"]
    assert theta[-1] > 30  # Gaussian data: nu large (often at its cap of 300)
    np.testing.assert_allclose(theta[:2], plain["params_array"], atol=3e-3)
    # the t term at large nu is close to the Gaussian one, never far below it
    assert res["objective_value"] >= plain["objective_value"] - 5.0
    assert counted["full"] < 400


def test_kkt_check_rejects_a_bound_the_data_move_away_from():
    """With real asymmetry the optimum is interior: g > 0, found by interior Newton or after the check."""
    rng = np.random.default_rng(7)
    n = 6
    qbar = 0.4 * np.ones((n, n)) + 0.6 * np.eye(n)
    x = simulate_dcc(2000, omega=np.ones(n), alpha=np.zeros(n), beta=np.zeros(n), a=0.02, b=0.9, g=0.06,
                     qbar=qbar, rng=rng)
    res = S._fit_correlation_stage(np.asarray(pd.DataFrame(x)), "adcc", "normal", False)
    assert res["converged"]
    assert res["params_array"][2] > 0.01


@pytest.mark.parametrize("composite", [False, True])
@pytest.mark.parametrize("seed", [0, 2])
def test_adcc_with_t_joint_converges_inside_the_stationarity_region(seed, composite):
    """Both extra parameters may sit on a bound (g = 0, nu = 300); the fit must not drift to a + b ~ 1
    (these seeds did, with 'Inequality constraints incompatible', before the active-set Newton)."""
    z = _z(seed, n=15)
    plain = S._fit_correlation_stage(z, "dcc", "normal", composite)
    res = S._fit_correlation_stage(z, "adcc", "t", composite)
    a, b, g, nu = res["params_array"]
    assert res["converged"] and not res["boundary"]
    assert a + b < 0.995
    np.testing.assert_allclose([a, b], plain["params_array"], atol=5e-3)
    assert g < 0.02 and nu > 30


def _returns(seed: int, n: int = 5, n_obs: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    loadings = rng.standard_normal((n, 2))
    cov = loadings @ loadings.T * 0.2 + np.eye(n)
    d = np.sqrt(np.diag(cov))
    x = simulate_dcc(n_obs, omega=np.full(n, 0.02), alpha=np.full(n, 0.06), beta=np.full(n, 0.9), a=0.03, b=0.95,
                     qbar=cov / np.outer(d, d), rng=rng)
    return pd.DataFrame(x, index=pd.bdate_range("2015-01-01", periods=n_obs, name="date"),
                        columns=[f"A{i}" for i in range(n)])


def test_standard_errors_with_g_on_its_bound():
    """g = 0: its SE is NaN (flagged), a and b keep finite SEs computed with g held fixed."""
    from contagion.dcc.model import DCCGARCH
    from contagion.errors import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="g = 0 on its bound"):
        res = DCCGARCH(_returns(0), model="adcc").fit(se=True)
    assert res.params["g"] == 0.0, "test design: expected g on its bound"
    se = res.std_errors
    assert np.isnan(se["g"])
    assert np.all(np.isfinite(se[["a", "b"]])) and np.all(se[["a", "b"]] < 0.05)
    assert "g = 0 is on its bound" in res.summary()


def test_large_nu_standard_error_does_not_blank_a_and_b():
    """Regression: a poorly identified nu (SE ~130 at nu ~200) made every DCC standard error NaN."""
    from contagion.dcc.model import DCCGARCH

    res = DCCGARCH(_returns(1), joint_dist="t").fit(se=True)
    assert 30 < res.params["nu"] < 300, "test design: expected an interior nu"
    se = res.std_errors
    assert np.all(np.isfinite(se)) and np.all(se[["a", "b"]] < 0.05)
    assert se["nu"] > 1.0
