"""VAR with deterministic exogenous terms: recovery of a Monday effect, the Frisch-Waugh-Lovell identity,
statsmodels agreement, bootstrap paths that carry the exogenous term, exog=None unchanged, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.api import VAR as StatsmodelsVAR

from contagion.errors import DataError, SpecificationError
from contagion.var import _kernels as kernels
from contagion.var.exog import day_of_week_dummies, event_dummies
from contagion.var.fevd import ma_coefficients
from contagion.var.model import VAR
from tests.var.test_var_model import make_data

MONDAY = np.array([0.6, 0.0, -0.4])  # true Monday shift of each equation (relative to Wednesday)


def monday_var(seed: int, n_obs: int = 1500) -> pd.DataFrame:
    """A VAR(1), N = 3, on business days with a known Monday effect in the conditional mean."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2018-01-01", periods=n_obs, name="date")
    phi = np.array([[0.4, 0.1, 0.0], [0.0, 0.3, 0.2], [0.1, 0.0, 0.2]])
    det = (index.day_of_week.to_numpy() == 0)[:, None] * MONDAY[None, :]
    innov = rng.standard_normal((1, n_obs - 1, 3))
    y = kernels.simulate_var(phi[None], np.full(3, 0.1), np.zeros((1, 3)), innov, det[1:])[0]
    return pd.DataFrame(y, index=index, columns=["a", "b", "c"])


def test_monday_effect_recovered_within_4_se():
    data = monday_var(0)
    res = VAR(data, lags=1, exog=day_of_week_dummies(data.index)).fit()
    assert res.exog_names == ("Monday", "Tuesday", "Thursday", "Friday")
    frame = res.to_frame().set_index(["equation", "regressor"])
    for i, eq in enumerate(data.columns):
        row = frame.loc[(eq, "Monday")]
        # 4 standard errors: a recovery test on one seeded sample (house rule for Monte Carlo checks)
        assert abs(row["coefficient"] - MONDAY[i]) < 4 * row["std_error"]
        for day in ("Tuesday", "Thursday", "Friday"):
            assert abs(frame.loc[(eq, day), "coefficient"]) < 4 * frame.loc[(eq, day), "std_error"]
    assert frame.loc[("a", "Monday"), "lag"] == 0
    assert "exogenous terms" in res.summary() and "Monday" in res.summary()


def test_frisch_waugh_lovell_identity():
    """Lag coefficients with exog = OLS of the exog-partialled response on the exog-partialled lags.

    Identity (Frisch-Waugh-Lovell): with M = I - D(D'D)^{-1}D', D = (1, x_t), the VARX slopes equal
    (L'ML)^{-1} L'MY and the residuals are MY - ML B; so the MA terms (IRFs, FEVD) equal those of the
    partialled regression and sigma_u_ml is the same. Closed-form arithmetic: 1e-10.
    """
    data = monday_var(1, n_obs=600)
    exog = pd.concat([day_of_week_dummies(data.index), event_dummies(data.index, ["2018-06-01"], width=3)], axis=1)
    res = VAR(data, lags=2, exog=exog).fit()
    y = data.to_numpy()
    yy, lags = kernels.lag_design(y, 2, "n")
    d = np.column_stack([np.ones(len(yy)), exog.to_numpy()[2:]])
    proj = d @ np.linalg.solve(d.T @ d, d.T)
    my, ml = yy - proj @ yy, lags - proj @ lags
    b = np.linalg.lstsq(ml, my, rcond=None)[0]
    fwl_coefs = np.swapaxes(b.reshape(2, 3, 3), -1, -2)
    np.testing.assert_allclose(res.coefs, fwl_coefs, rtol=1e-10, atol=1e-12)
    resid = my - ml @ b
    np.testing.assert_allclose(res.resid, resid, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.sigma_u_ml, resid.T @ resid / len(resid), rtol=1e-10)
    np.testing.assert_allclose(res.irf(10, kind="unit").estimate, ma_coefficients(fwl_coefs, 11), rtol=1e-10, atol=1e-12)


def test_matches_statsmodels_var_with_exog():
    data = monday_var(2, n_obs=500)
    exog = day_of_week_dummies(data.index)
    res = VAR(data, lags=2, exog=exog).fit()
    sm = StatsmodelsVAR(data, exog=exog).fit(2)
    np.testing.assert_allclose(res.coefs, sm.coefs, rtol=1e-10, atol=1e-12)
    # statsmodels orders the deterministic rows (const, exog...) before the lags
    np.testing.assert_allclose(res.intercept, sm.params.iloc[0].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(res.exog_coefs, sm.params.iloc[1:5].to_numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.sigma_u, sm.sigma_u, rtol=1e-10)  # d.o.f. T - Np - 1 - k in both
    frame = res.to_frame()
    se = frame[frame.regressor == "Monday"]["std_error"].to_numpy()
    np.testing.assert_allclose(se, np.asarray(sm.stderr.loc["Monday"]), rtol=1e-8)


def test_exog_none_is_the_plain_ols_path(rng):
    data = make_data(rng)
    res = VAR(data, lags=2).fit()
    coefs, intercept, resid = kernels.ols_var(data.to_numpy(), 2, "c")
    np.testing.assert_array_equal(res.coefs, coefs)  # byte-for-byte: the same kernel, the same arithmetic
    np.testing.assert_array_equal(res.intercept, intercept)
    np.testing.assert_array_equal(res.resid, resid)
    sse = np.einsum("ti,tj->ij", resid, resid)
    np.testing.assert_array_equal(res.sigma_u, sse / (len(resid) - 9))
    assert res.exog_coefs is None and res.exog_names == () and res.estimator == "ols" and res.penalty is None


def test_bootstrap_paths_carry_the_exogenous_term():
    """bootstrap_coefs with exog = a loop: simulate y*_t = nu + Gamma x_t + Phi y*_{t-1} + u*_t, refit by ols_varx."""
    data = monday_var(3, n_obs=300)
    exog = day_of_week_dummies(data.index)
    res = VAR(data, lags=1, exog=exog).fit()
    y, x = data.to_numpy(), exog.to_numpy()
    plan = kernels.BootstrapPlan(n_draws=4, scheme="iid")
    fast, sigma = kernels.bootstrap_coefs(y, res.coefs, res.intercept, res.resid, np.random.default_rng(7), plan, x,
                                          res.exog_coefs)
    innov = kernels._innovations(res.resid, 4, "iid", np.random.default_rng(7))
    for d in range(4):
        ystar = np.empty_like(y)
        ystar[0] = y[0]
        for t in range(1, len(y)):
            ystar[t] = res.intercept + res.exog_coefs @ x[t] + res.coefs[0] @ ystar[t - 1] + innov[d, t - 1]
        c_ref, _, _, u_ref = kernels.ols_varx(ystar, 1, "c", x)
        np.testing.assert_allclose(fast[d], c_ref, rtol=1e-9, atol=1e-12)  # batched vs loop: rounding only
        np.testing.assert_allclose(sigma[d], u_ref.T @ u_ref / (len(u_ref) - 3 - 1 - 4), rtol=1e-9)


@pytest.mark.parametrize("bands", ["bootstrap", "wild", "kilian", "asymptotic"])
def test_irf_bands_with_exog(bands):
    data = monday_var(4, n_obs=400)
    res = VAR(data, lags=1, exog=day_of_week_dummies(data.index)).fit()
    irf = res.irf(6, bands=bands, reps=60, seed=1)
    assert irf.lower is not None and irf.upper is not None
    assert np.all(irf.lower <= irf.estimate + 1e-12) or bands == "kilian"  # Kilian bands are not centred
    assert np.all(irf.lower <= irf.upper)


def test_lag_selection_with_exog():
    data = monday_var(5, n_obs=400)
    res = VAR(data, lags="bic", max_lags=4, exog=day_of_week_dummies(data.index)).fit()
    assert res.lag_order == 1 and res.exog_coefs is not None and res.exog_coefs.shape == (3, 4)


# --------------------------------------------------------------------------------------- bad input
def test_full_weekday_set_with_intercept_is_refused():
    data = monday_var(6, n_obs=200)
    full = day_of_week_dummies(data.index, drop=None)
    with pytest.raises(SpecificationError, match=r"collinear with the intercept.*drop one"):
        VAR(data, lags=1, exog=full)
    VAR(data, lags=1, trend="n", exog=full).fit()  # without an intercept the full set is fine


def test_exog_must_cover_the_sample_and_be_finite():
    data = monday_var(7, n_obs=200)
    exog = day_of_week_dummies(data.index)
    with pytest.raises(DataError, match=r"does not cover the sample.*missing"):
        VAR(data, lags=1, exog=exog.iloc[5:])
    bad = exog.copy()
    bad.iloc[10, 1] = np.nan
    with pytest.raises(DataError, match="'Tuesday' has 1 missing"):
        VAR(data, lags=1, exog=bad)
    with pytest.raises(DataError, match="DataFrame"):
        VAR(data, lags=1, exog=exog.to_numpy())
    with pytest.raises(DataError, match="clash"):
        VAR(data, lags=1, exog=exog.rename(columns={"Monday": "a"}))
    with pytest.raises(SpecificationError, match=r"\[.one.\] are collinear with the intercept"):
        VAR(data, lags=1, exog=pd.DataFrame({"one": 1.0}, index=data.index))


def test_event_inside_the_lag_rows_is_refused():
    data = monday_var(8, n_obs=200)
    first = event_dummies(data.index, [data.index[0]])
    with pytest.raises(SpecificationError, match="zero on every row of the regression sample"):
        VAR(data, lags=2, exog=first).fit()


def test_helper_errors():
    index = pd.bdate_range("2024-01-01", periods=20)
    with pytest.raises(SpecificationError, match="weekday name"):
        day_of_week_dummies(index, drop="Funday")
    with pytest.raises(SpecificationError, match="does not occur"):
        day_of_week_dummies(index, drop="Saturday")
    with pytest.raises(DataError, match="not a row of the index"):
        event_dummies(index, ["2024-01-06"])  # a Saturday
    with pytest.raises(SpecificationError, match="repeat"):
        event_dummies(index, ["2024-01-08", "2024-01-08"])
    pulse = event_dummies(index, ["2024-01-08"], width=3)
    assert pulse["event_2024-01-08"].sum() == 3 and pulse.loc["2024-01-08", "event_2024-01-08"] == 1
