"""Penalised VARs (lasso, ridge, elastic net): penalty 0 = OLS, agreement with scikit-learn on explicitly
standardised data, a sparse network recovered better than by OLS, BIC / CV choices inside the grid, the
CV's lack of look-ahead, the batched window kernel, and the errors bad options raise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from contagion.errors import SpecificationError
from contagion.spillover._kernels import rolling_var_ols, spillover_measures
from contagion.spillover._utility import fevd_tables
from contagion.spillover.static import connectedness
from contagion.var import _kernels as kernels
from contagion.var import _penalised as P
from contagion.var.exog import day_of_week_dummies
from contagion.var.model import VAR
from tests.var.test_var_model import make_data


def sparse_var(seed: int, n_vars: int = 30, n_obs: int = 400) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A sparse stable VAR(1): own lags 0.4 and about 2N off-diagonal links of +-0.25, correlated shocks."""
    rng = np.random.default_rng(seed)
    phi = 0.4 * np.eye(n_vars)
    for k in rng.choice(n_vars * n_vars, 2 * n_vars, replace=False):
        i, j = divmod(int(k), n_vars)
        if i != j:
            phi[i, j] = rng.choice([-1.0, 1.0]) * 0.25
    while np.abs(np.linalg.eigvals(phi)).max() >= 0.95:
        phi *= 0.95
    root = rng.normal(size=(n_vars, n_vars)) * 0.3
    sigma = root @ root.T / n_vars + np.eye(n_vars)
    innov = rng.multivariate_normal(np.zeros(n_vars), sigma, size=(1, n_obs + 100))
    y = kernels.simulate_var(phi[None], np.zeros(n_vars), np.zeros((1, n_vars)), innov)[0, -n_obs:]
    index = pd.bdate_range("2020-01-01", periods=n_obs, name="date")
    return pd.DataFrame(y, index=index, columns=[f"x{i:02d}" for i in range(n_vars)]), phi, sigma


@pytest.fixture()
def data(rng) -> pd.DataFrame:
    return make_data(rng)


# ------------------------------------------------------------------------------------ penalty 0 = OLS
@pytest.mark.parametrize("estimator", ["lasso", "ridge", "elastic_net"])
def test_penalty_zero_equals_ols(data, estimator):
    ols = VAR(data, lags=2).fit()
    pen = VAR(data, lags=2, estimator=estimator, penalty=0.0).fit()
    # tolerance 1e-8 (the issue's): standardised normal equations vs equilibrated QR-grade least squares
    np.testing.assert_allclose(pen.coefs, ols.coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pen.intercept, ols.intercept, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pen.resid, ols.resid, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pen.sigma_u_ml, ols.sigma_u_ml, rtol=1e-8)
    np.testing.assert_array_equal(pen.sigma_u, pen.sigma_u_ml)  # penalised convention: U'U / T for both
    np.testing.assert_array_equal(pen.penalty, 0.0)


def test_penalty_zero_with_exog_equals_ols_with_exog(data):
    exog = day_of_week_dummies(data.index)
    ols = VAR(data, lags=1, exog=exog).fit()
    pen = VAR(data, lags=1, exog=exog, estimator="lasso", penalty=0).fit()
    np.testing.assert_allclose(pen.coefs, ols.coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pen.exog_coefs, ols.exog_coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pen.intercept, ols.intercept, rtol=1e-8, atol=1e-10)


def test_penalty_zero_windows_equal_rolling_ols():
    data, _, _ = sparse_var(1, n_vars=5, n_obs=300)
    y = data.to_numpy() + 5.0  # a level shift: the running sums work on globally demeaned data
    starts = np.arange(0, 300 - 120 + 1, 7)
    fit = P.penalised_var_windows(y, 2, 120, starts, "lasso", 0.0)
    coefs, sigma = rolling_var_ols(y, 2, 120, starts)
    np.testing.assert_allclose(fit.coefs, coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.sigma, sigma, rtol=1e-8)


# ---------------------------------------------------------------------- against scikit-learn directly
def _standardised_design(data: pd.DataFrame, n_lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    yy, lags = kernels.lag_design(data.to_numpy(), n_lags, "n")
    xc, yc = lags - lags.mean(axis=0), yy - yy.mean(axis=0)
    sx, sy = xc.std(axis=0), yc.std(axis=0)  # divisor n, as glmnet
    return xc / sx, yc / sy, sx, sy


@pytest.mark.parametrize(
    ("estimator", "model"),
    [
        ("lasso", lambda lam: Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=200_000)),
        ("elastic_net", lambda lam: ElasticNet(alpha=lam, l1_ratio=0.5, fit_intercept=False, tol=1e-14, max_iter=200_000)),
    ],
)
def test_matches_sklearn_on_standardised_data(data, estimator, model):
    """The penalty applies to standardised lag coefficients with an unpenalised intercept (glmnet's convention)."""
    lam = 0.05
    res = VAR(data, lags=2, estimator=estimator, penalty=lam).fit()
    x, y, sx, sy = _standardised_design(data, 2)
    for i in range(data.shape[1]):
        w = model(lam).fit(x, y[:, i]).coef_
        b = w * sy[i] / sx
        # coordinate descent stops at a duality gap of 1e-8 y'y in ours: coefficients agree to ~1e-6
        np.testing.assert_allclose(np.swapaxes(res.coefs, 1, 2)[:, :, i].ravel(), b, atol=1e-6)
    assert 0 < res.n_nonzero < res.coefs.size


def test_ridge_is_closed_form(data):
    lam = 0.3
    res = VAR(data, lags=2, estimator="ridge", penalty=lam).fit()
    x, y, sx, sy = _standardised_design(data, 2)
    n = x.shape[0]
    for i in range(data.shape[1]):
        w = Ridge(alpha=n * lam, fit_intercept=False, solver="cholesky").fit(x, y[:, i]).coef_
        np.testing.assert_allclose(np.swapaxes(res.coefs, 1, 2)[:, :, i].ravel(), w * sy[i] / sx, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------- sparse network, N = 30
def test_lasso_network_closer_to_true_tci_than_ols():
    """Seed 0: true TCI 19.99, OLS 31.19 (error 11.2), lasso with BIC 15.89 (error 4.1), lasso CV 15.19."""
    data, phi, sigma = sparse_var(0)
    true = float(np.ravel(spillover_measures(fevd_tables(phi[None], sigma, 10, "generalized"))["total"])[0])
    ols = connectedness(VAR(data, lags=1).fit(), horizon=10).total
    errors = {}
    for penalty in ("bic", "cv"):
        res = VAR(data, lags=1, estimator="lasso", penalty=penalty).fit()
        errors[penalty] = abs(connectedness(res, horizon=10).total - true)
        assert errors[penalty] < 0.5 * abs(ols - true)  # about 4 vs 11 points of TCI
        assert res.n_nonzero < 200  # 88 true links of 900; OLS has all 900
    assert abs(true - 19.99) < 0.01 and abs(ols - 31.19) < 0.01


@pytest.mark.parametrize(("estimator", "penalty"), [("lasso", "bic"), ("lasso", "cv"), ("elastic_net", "cv")])
def test_penalty_choice_inside_the_grid(estimator, penalty):
    data, _, _ = sparse_var(0)
    res = VAR(data, lags=1, estimator=estimator, penalty=penalty).fit()
    path = res.penalty_path
    assert path is not None and set(path["method"]) == {penalty}
    for eq, group in path.groupby("equation"):
        k = int(np.argmin(group["criterion"].to_numpy()))
        assert 0 < k < len(group) - 1, eq  # neither the empty model nor the least-penalised end
        assert res.penalty[res.names.index(eq)] == group["penalty"].iloc[k]


def test_cv_training_fit_never_sees_the_future():
    """Perturbing observations after a fold's forecast origin leaves that fold's training fit unchanged,
    and perturbing after the fold's test block leaves its forecast errors unchanged."""
    data, _, _ = sparse_var(2, n_vars=6, n_obs=300)
    y = data.to_numpy() - data.to_numpy()[:60].mean(axis=0)
    unpen = np.ones((300, 1))
    z = P.design_rows(y, 1, unpen)
    k = 6
    prob = P.GramProblem.from_grams(P.window_grams(z, len(z), np.zeros(1, dtype=np.int64)), len(z), 1, k)
    grid = P.lambda_grid(prob.q_vec[0], len(z), 1.0, 20)
    edges = P.cv_edges(len(z), 5)
    base = P.cv_penalty(z, 1, k, grid, 1.0, 5)
    origin, end = edges[1]
    y_late = y.copy()
    y_late[origin + 1 :] += 10.0 * np.random.default_rng(0).standard_normal(y_late[origin + 1 :].shape)
    z_late = P.design_rows(y_late, 1, unpen)  # z rows >= origin change (they hold y_{t >= origin + 1})
    assert not np.array_equal(z_late[origin:], z[origin:]) and np.array_equal(z_late[:origin], z[:origin])
    for a, b in zip(P.fold_path(z, origin, 1, k, grid, 1.0), P.fold_path(z_late, origin, 1, k, grid, 1.0)):
        np.testing.assert_array_equal(a, b)
    y_after = y.copy()
    y_after[end + 1 :] += 10.0
    perturbed = P.cv_penalty(P.design_rows(y_after, 1, unpen), 1, k, grid, 1.0, 5)
    np.testing.assert_array_equal(perturbed.mse[:2], base.mse[:2])  # folds 0 and 1 end before the change
    assert not np.array_equal(perturbed.mse[2:], base.mse[2:])


# ------------------------------------------------------------------------------------ window kernel
def test_windows_equal_single_fits():
    data, _, _ = sparse_var(3, n_vars=8, n_obs=260)
    y = data.to_numpy()
    starts = np.array([0, 5, 10])
    for penalty in (0.08, "bic"):
        fit = P.penalised_var_windows(y, 1, 200, starts, "lasso", penalty)
        for w, s in enumerate(starts):
            single = VAR(data.iloc[s : s + 200], lags=1, estimator="lasso", penalty=penalty).fit()
            np.testing.assert_allclose(fit.penalty[w], single.penalty, rtol=1e-12)
            # running sums vs a direct Gram, both solved to a duality gap of 1e-8: ~1e-6 on coefficients
            np.testing.assert_allclose(fit.coefs[w], single.coefs, atol=1e-6)
            np.testing.assert_allclose(fit.sigma[w], single.sigma_u_ml, rtol=1e-6)
            np.testing.assert_allclose(fit.intercept[w], single.intercept, atol=1e-6)
            assert fit.n_nonzero[w] == single.n_nonzero


def test_penalised_results_feed_connectedness_and_refuse_ols_inference(data):
    res = VAR(data, lags=2, estimator="elastic_net", penalty="bic", l1_ratio=0.7).fit()
    table = connectedness(res, horizon=10).table
    np.testing.assert_allclose(table.sum(axis=1), 100.0)
    frame = res.to_frame()
    assert frame["std_error"].isna().all() and frame["coefficient"].notna().all()
    text = res.summary().as_text()
    assert "estimator elastic_net" in text and "nonzero" in text and "penalty bic" in text
    res.irf(5, kind="generalized")  # point responses are fine
    with pytest.raises(SpecificationError, match="IRF bands need estimator='ols'"):
        res.irf(5, bands="bootstrap")
    with pytest.raises(SpecificationError, match="Granger tests need estimator='ols'"):
        res.granger("NVDA")


# --------------------------------------------------------------------------------------- bad input
def test_bad_options(data):
    with pytest.raises(SpecificationError, match="penalty must be a finite float >= 0"):
        VAR(data, lags=1, estimator="lasso", penalty=-0.1)
    with pytest.raises(SpecificationError, match="penalty must be a finite float >= 0"):
        VAR(data, lags=1, estimator="lasso", penalty=float("inf"))
    for ratio in (0.0, 1.5, -1.0):
        with pytest.raises(SpecificationError, match=r"l1_ratio must lie in \(0, 1\]"):
            VAR(data, lags=1, estimator="elastic_net", l1_ratio=ratio)
    with pytest.raises(SpecificationError, match="estimator must be one of"):
        VAR(data, lags=1, estimator="adalasso")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="needs a penalised estimator"):
        VAR(data, lags=1, penalty=0.1)
    with pytest.raises(SpecificationError, match="penalty must be None, a float"):
        VAR(data, lags=1, estimator="ridge", penalty="aic")
