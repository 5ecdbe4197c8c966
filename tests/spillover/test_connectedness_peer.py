"""Static connectedness against the packaged Python peer ``diebold-yilmaz`` (the ``bench`` extra).

The peer is optional: these tests skip without it (CI installs ``.[dev,dask,docs]``, so they skip there) and
the dy2012 ones also skip without the shared reference data. Tolerance: both sides evaluate the same closed
form (DY2012 eqs. 2-3) in float64 with a different summation order, so only rounding separates them
(observed <= 4e-13 percentage points on dy2012); a convention slip moves the dy2012 TCI far outside ``TOL``
(measured: H + 1 MA terms +0.39, sigma_ii for sigma_jj +0.17, no row normalisation +1.6 points).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from contagion.spillover.results import ConnectednessResult
from contagion.spillover.static import connectedness
from contagion.var.model import VAR

dy = pytest.importorskip("diebold_yilmaz", reason="diebold-yilmaz is not installed (pip install -e '.[bench]')")

TOL = 1e-10  # percentage points; see the module docstring


@pytest.fixture(scope="module")
def dy2012(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dy2012.csv", index_col="date", parse_dates=True)


def assert_same(ours: ConnectednessResult, theirs: Any) -> None:
    """Every measure the peer reports, with its net pairwise table transposed (C_ij - C_ji: from j to i)."""
    np.testing.assert_allclose(theirs.table, ours.table.to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(theirs.to_others, ours.to.to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(theirs.from_others, ours.from_.to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(theirs.net, ours.net.to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(theirs.net_pairwise, ours.pairwise_net.to_numpy().T, rtol=0, atol=TOL)
    assert abs(theirs.total_index - ours.total) <= TOL


@pytest.mark.realdata
def test_dy2012_peer_on_our_var(dy2012: pd.DataFrame) -> None:
    """The peer's GFEVD of our VAR(4) slopes and E'E/(T - p) equals our table (TCI 12.5921)."""
    ours = connectedness(dy2012, lags=4, horizon=10)
    fit = VAR(dy2012, lags=4).fit()
    theirs = dy.connectedness(dy.ma_coefficients(list(fit.coefs), 10), fit.sigma_u_ml, horizon=10)
    assert_same(ours, theirs)
    assert round(theirs.total_index, 4) == 12.5921


@pytest.mark.realdata
def test_dy2012_peer_own_fit_var(dy2012: pd.DataFrame) -> None:
    """Its statsmodels ``fit_var`` divides Sigma by T - p - Np - 1, not T - p: the table is the same."""
    ours = connectedness(dy2012, lags=4, horizon=10)
    psi, sigma, p_used = dy.fit_var(dy2012.to_numpy(), p=4, horizon=10)
    assert p_used == 4 and psi.shape == (10, 4, 4)
    n_rows = len(dy2012) - 4
    np.testing.assert_allclose(sigma, VAR(dy2012, lags=4).fit().sigma_u_ml * n_rows / (n_rows - 17), rtol=1e-10)
    assert_same(ours, dy.connectedness(psi, sigma, horizon=10))


@pytest.mark.parametrize(("lags", "horizon"), [(1, 1), (2, 10), (3, 25)])
def test_synthetic_peer_agrees(lags: int, horizon: int) -> None:
    """No shared data needed: a correlated VAR(1) sample, several lag orders and horizons (H = 1 included)."""
    rng = np.random.default_rng(7)
    n_obs, n_vars = 500, 5
    root = rng.normal(size=(n_vars, n_vars))
    chol = np.linalg.cholesky(root @ root.T + n_vars * np.eye(n_vars))
    y = np.zeros((n_obs, n_vars))
    for t in range(1, n_obs):
        y[t] = 0.4 * y[t - 1] + chol @ rng.normal(size=n_vars)
    data = pd.DataFrame(y, columns=[f"V{k}" for k in range(n_vars)])
    ours = connectedness(data, lags=lags, horizon=horizon)
    psi, sigma, _ = dy.fit_var(y, p=lags, horizon=horizon)
    assert_same(ours, dy.connectedness(psi, sigma, horizon=horizon))
