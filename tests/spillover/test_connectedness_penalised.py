"""Penalised VARs in the connectedness estimators (Demirer, Diebold, Liu and Yilmaz 2018)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contagion import VAR, connectedness, rolling_connectedness
from contagion.errors import SpecificationError


@pytest.fixture(scope="module")
def sparse_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n_vars, n_obs = 8, 500
    coefs = 0.3 * np.eye(n_vars)
    coefs[rng.random((n_vars, n_vars)) < 0.1] = 0.2
    y = np.zeros((n_obs, n_vars))
    for t in range(1, n_obs):
        y[t] = coefs @ y[t - 1] + rng.normal(size=n_vars)
    return pd.DataFrame(y, columns=[f"V{i}" for i in range(n_vars)])


def test_rolling_penalty_zero_equals_ols(sparse_frame) -> None:
    ols = rolling_connectedness(sparse_frame, window=150, lags=1, step=25)
    lasso0 = rolling_connectedness(sparse_frame, window=150, lags=1, step=25, estimator="lasso", penalty=0.0)
    # lambda = 0 is least squares on the same Gram matrices: equal to rounding (1e-8 on percent tables)
    np.testing.assert_allclose(lasso0.values, ols.values, atol=1e-8)
    assert ols.options == {} and lasso0.options == {"estimator": "lasso", "penalty": 0.0, "l1_ratio": 1.0}


def test_rolling_lasso_window_equals_a_static_lasso_fit(sparse_frame) -> None:
    rolled = rolling_connectedness(sparse_frame, window=200, lags=1, step=150, estimator="lasso", penalty=0.05)
    first = connectedness(VAR(sparse_frame.iloc[:200], lags=1, estimator="lasso", penalty=0.05).fit(), horizon=10)
    # one window of the batched solver equals the single-sample fit up to the coordinate-descent
    # tolerance (coefficients to ~1e-6, tables in percent to ~1e-4)
    np.testing.assert_allclose(rolled.values[0], first.values, atol=1e-3)
    assert rolled.total.iloc[0] < rolling_connectedness(sparse_frame, window=200, lags=1, step=150).total.iloc[0]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"estimator": "lasso", "penalty": -1.0}, "penalty must be"),
    ({"estimator": "elastic_net", "l1_ratio": 0.0}, "l1_ratio must lie"),
    ({"estimator": "ols", "penalty": 0.1}, "needs a penalised estimator"),
    ({"estimator": "lars"}, "estimator must be one of"),
])
def test_bad_penalised_options(sparse_frame, kwargs, match) -> None:
    with pytest.raises(SpecificationError, match=match):
        rolling_connectedness(sparse_frame, window=150, lags=1, **kwargs)
