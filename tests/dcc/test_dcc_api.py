"""DCCGARCH public API: validation, flags, accessors, forecasts, simulation, other specifications."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from contagion.dcc.model import DCCGARCH, DCCResult, _fit_correlation_stage, simulate_dcc
from contagion.dcc.state import DCCState
from contagion.errors import ContagionError, ConvergenceWarning, DataError, SpecificationError

NAMES = ["NVDA", "MSFT", "BTC", "ETH"]


def _panel(seed: int = 3, n_obs: int = 800, n: int = 4, a: float = 0.04, b: float = 0.93) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    qbar = 0.35 * np.ones((n, n)) + 0.65 * np.eye(n)
    x = simulate_dcc(n_obs, omega=np.full(n, 2e-6), alpha=np.full(n, 0.07), beta=np.full(n, 0.9), a=a, b=b,
                     qbar=qbar, mu=np.full(n, 3e-4), rng=rng)
    idx = pd.bdate_range("2016-01-04", periods=n_obs, name="date")
    return pd.DataFrame(x, index=idx, columns=NAMES[:n])


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return _panel()


@pytest.fixture(scope="module")
def fitted(panel: pd.DataFrame) -> DCCResult:
    return DCCGARCH(panel).fit(se=False)


def test_nan_is_rejected_with_ticker_and_date(panel):
    bad = panel.copy()
    bad.iloc[10, 2] = np.nan
    with pytest.raises(DataError, match=r"BTC .*first at 2016-01-18\)"):
        DCCGARCH(bad)


def test_constant_series_is_rejected(panel):
    bad = panel.copy()
    bad["ETH"] = 0.0
    with pytest.raises(DataError, match="ETH is constant"):
        DCCGARCH(bad)


def test_duplicate_and_non_numeric_columns_are_named(panel):
    cols = list(panel.columns)
    with pytest.raises(DataError, match=r"duplicate column names \['NVDA'\]"):
        DCCGARCH(panel.set_axis(["NVDA", *cols[1:-1], "NVDA"], axis=1))
    with pytest.raises(DataError, match=r"non-numeric columns \['ETH'\]"):
        DCCGARCH(panel.assign(ETH=panel["ETH"].astype(str)))


def test_short_sample_is_rejected(panel):
    with pytest.raises(DataError, match=r"at least 250 observations.*got 249"):
        DCCGARCH(panel.iloc[:249])


def test_single_asset_and_bad_options_are_rejected(panel):
    with pytest.raises(DataError, match="at least two assets"):
        DCCGARCH(panel[["NVDA"]])
    with pytest.raises(SpecificationError, match="volatility='figarch'"):
        DCCGARCH(panel, volatility="figarch")  # type: ignore[arg-type]
    with pytest.raises(ContagionError):
        DCCGARCH(panel, model="fdcc")  # type: ignore[arg-type]


def test_rescaling_is_recorded_and_undone(panel, fitted):
    # small decimal returns are multiplied by a power of ten (median sd in [1, 10)); the scale is recorded
    # and the likelihood shift T N log(scale) undone
    scale = fitted.scale
    assert 1.0 <= np.median(panel.std(ddof=0)) * scale < 10.0
    pct = DCCGARCH(panel * scale).fit(se=False)
    assert pct.scale == 1.0
    np.testing.assert_allclose(pct.params.to_numpy(), fitted.params.to_numpy(), atol=1e-7)
    shift = fitted.n_obs * fitted.n_assets * np.log(scale)
    assert fitted.loglikelihood == pytest.approx(pct.loglikelihood + shift, abs=1e-4)
    np.testing.assert_allclose(pct.conditional_volatility.to_numpy() / scale,
                               fitted.conditional_volatility.to_numpy(), rtol=1e-5)
    assert fitted.state_at().scale == scale


def test_mixed_units_warn(panel):
    mixed = panel.copy()
    mixed["ETH"] = mixed["ETH"] * 1e4
    with pytest.warns(Warning, match="scales differ"):
        DCCGARCH(mixed).fit(se=False)


def test_boundary_is_flagged():
    # the correlation follows a random walk (integrated dynamics): the likelihood is maximised at a + b = 1
    rng = np.random.default_rng(1)
    rho = np.tanh(np.cumsum(rng.normal(0.0, 0.08, 800)))
    e = rng.standard_normal((800, 2))
    z = np.column_stack([e[:, 0], rho * e[:, 0] + np.sqrt(1 - rho**2) * e[:, 1]])
    with pytest.warns(ConvergenceWarning, match="stationarity boundary"):
        stage = _fit_correlation_stage(z, "dcc", "normal", False)
    assert stage["boundary"]
    assert stage["params_array"].sum() > 0.999


def test_accessors_are_labelled(fitted, panel):
    assert list(fitted.params.index) == ["a", "b"]
    assert fitted.std_errors.isna().all()  # se=False
    assert list(fitted.univariate.index) == NAMES
    assert {"mu", "omega", "alpha", "beta", "se_alpha", "loglik", "start"} <= set(fitted.univariate.columns)
    vol = fitted.conditional_volatility
    assert vol.shape == panel.shape and list(vol.columns) == NAMES and vol.index.equals(panel.index)
    z = fitted.standardized_residuals
    # rmgarch: z = (x - mu) / sigma
    mu = fitted.univariate["mu"]
    np.testing.assert_allclose(z.to_numpy(), ((panel - mu) / vol).to_numpy(), rtol=1e-8)
    corr = fitted.correlation
    assert list(corr.columns) == ["date", "x", "y", "value"]
    assert len(corr) == fitted.n_obs * 6
    pair = fitted.correlation_pair("BTC", "NVDA")
    assert pair.name == "BTC~NVDA" and pair.index.equals(panel.index)
    sub = corr[(corr.x == "NVDA") & (corr.y == "BTC")].set_index("date")["value"]
    np.testing.assert_allclose(sub.to_numpy(), pair.to_numpy())
    assert (pair.abs() < 1).all()
    m = fitted.correlation_matrix(panel.index[100])
    assert m.loc["NVDA", "BTC"] == pytest.approx(pair.iloc[100])
    with pytest.raises(SpecificationError, match="unknown asset 'SOL'"):
        fitted.correlation_pair("SOL", "BTC")
    assert "log-likelihood" in fitted.summary()
    assert isinstance(fitted.to_frame(), pd.DataFrame)
    fig = fitted.plot()
    plt.close(fig)


def test_result_is_immutable(fitted):
    with pytest.raises(AttributeError):
        fitted.scale = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        fitted.h[0, 0] = 1.0


def test_state_at_contract(fitted, panel):
    st = fitted.state_at(str(panel.index[300].date()))
    assert isinstance(st, DCCState)
    assert st.date == panel.index[300] and st.names == tuple(NAMES)
    assert st.Q.shape == (4, 4) and st.h.shape == (4,)
    np.testing.assert_allclose(st.Q, st.Q.T)
    assert st.volatility == "garch" and st.model == "dcc" and st.g == 0.0
    with pytest.raises(DataError, match="not in the fitted sample"):
        fitted.state_at("1999-01-01")


def test_forecast_converges_to_long_run(fitted):
    fc = fitted.forecast(400)
    assert set(fc.columns) == {"horizon", "x", "y", "covariance", "correlation"}
    st = fitted.state_at()
    last = fc[fc.horizon == 400]
    d = np.sqrt(np.diag(st.Qbar))
    rbar = st.Qbar / np.outer(d, d)
    c = last[(last.x == "NVDA") & (last.y == "MSFT")]["correlation"].iloc[0]
    assert c == pytest.approx(rbar[0, 1], abs=1e-3)
    var = last[last.x == last.y]["covariance"].to_numpy()
    long_run = (st.omega / (1 - st.alpha - st.beta)) / st.scale**2
    np.testing.assert_allclose(var, long_run, rtol=0.05)
    one = fc[(fc.horizon == 1) & (fc.x == fc.y)]["covariance"].to_numpy()
    eps, h = fitted.eps[-1], fitted.h[-1]
    np.testing.assert_allclose(one, (st.omega + st.alpha * eps**2 + st.beta * h) / st.scale**2, rtol=1e-12)


def test_simulate_is_seeded(fitted):
    a = fitted.simulate(50, seed=7)
    b = fitted.simulate(50, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(fitted.simulate(50, seed=8))
    assert list(a.columns) == NAMES and a.shape == (50, 4)


@pytest.mark.parametrize(("volatility", "mean", "dist"), [("gjr", "ar1", "t"), ("egarch", "zero", "skewt"),
                                                          ("garch", "constant", "t")])
def test_arch_engine_specifications(panel, volatility, mean, dist):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = DCCGARCH(panel, volatility=volatility, mean=mean, dist=dist).fit(se=False)
    assert (res.univariate["engine"] == "arch").all()
    assert res.n_obs == (len(panel) - 1 if mean == "ar1" else len(panel))
    st = res.state_at(panel.index[10])
    # the state's mean makes the observed return minus mu the fitted innovation (AR(1): c + phi x_{t-1})
    t = res.index.get_loc(panel.index[10])
    np.testing.assert_allclose(panel.iloc[10].to_numpy() * res.scale - st.mu, res.eps[t], rtol=1e-9, atol=1e-12)
    assert 0 < res.params["a"] < 0.2 and 0.7 < res.params["b"] < 1
    assert np.isfinite(res.loglikelihood)
    fc = res.forecast(3)
    assert np.isfinite(fc["covariance"]).all()


def test_adcc_t_and_composite_run(panel):
    adcc = DCCGARCH(panel, model="adcc").fit(se=True)
    assert list(adcc.params.index) == ["a", "b", "g"]
    assert adcc.state_at().g == adcc.params["g"]
    assert np.isfinite(adcc.std_errors[["a", "b"]]).all()
    t = DCCGARCH(panel, joint_dist="t").fit(se=False)
    assert list(t.params.index) == ["a", "b", "nu"] and t.params["nu"] > 2
    comp = DCCGARCH(panel, composite=True).fit(se=False)
    full = DCCGARCH(panel).fit(se=False)
    # composite and full likelihood estimate the same parameters (ESS 2008); not identical in finite samples
    assert comp.params["a"] == pytest.approx(full.params["a"], abs=0.02)
    assert comp.params["b"] == pytest.approx(full.params["b"], abs=0.05)


def test_first_stage_failure_names_asset_and_stage(panel, monkeypatch):
    import contagion.dcc.margins as garch_module
    import contagion.dcc.model as dcc_module

    real = garch_module.fit_margin

    def failing(x, name, **kw):
        if name == "BTC":
            raise FloatingPointError("overflow in variance recursion")
        return real(x, name, **kw)

    # the batched Newton path hands every asset to the one-by-one path, where BTC fails
    monkeypatch.setattr(garch_module, "_fit_rugarch_batch", lambda x, names, mean, se: [None] * len(names))
    monkeypatch.setattr(garch_module, "fit_margin", failing)
    with pytest.raises(dcc_module.EstimationError, match=r"first stage \(univariate garch\) failed for BTC"):
        DCCGARCH(panel).fit(se=False)


def test_non_convergence_warning_names_asset(panel, monkeypatch):
    from scipy import optimize

    import contagion.dcc.margins as garch_module

    real = optimize.minimize

    def stalled(*args, **kwargs):
        res = real(*args, **kwargs)
        res.success = False
        return res

    # Newton does not converge for any asset (as on a boundary optimum), and SLSQP then stalls
    def no_newton(x, p0, free, lower, upper):
        return p0, np.zeros(p0.shape[0], dtype=bool)

    monkeypatch.setattr(garch_module, "_newton_batch", no_newton)
    monkeypatch.setattr(garch_module.optimize, "minimize", stalled)
    with pytest.warns(ConvergenceWarning, match="first stage for NVDA"):
        res = DCCGARCH(panel).fit(se=False)
    assert "did not converge" in res.summary()
