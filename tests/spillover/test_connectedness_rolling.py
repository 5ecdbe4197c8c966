"""Rolling-window connectedness: batched kernel vs loop twin, whole-sample window vs static fit,
batched windows vs a loop of single fits, the R window conventions, outputs and bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.errors import ContagionWarning, DataError, EstimationError, SpecificationError
from contagion.spillover import _kernels as _conn_kernels
from contagion.spillover.rolling import rolling_connectedness
from contagion.spillover.static import connectedness
from tests.reference import connectedness as _conn_reference


def random_frame(
    rng: np.random.Generator, n_obs: int = 300, n_vars: int = 3, level: float = 0.0
) -> pd.DataFrame:
    phi = 0.4 * np.eye(n_vars) + 0.1 * rng.normal(size=(n_vars, n_vars))
    root = rng.normal(size=(n_vars, n_vars))
    chol = np.linalg.cholesky(root @ root.T + n_vars * np.eye(n_vars))
    y = np.zeros((n_obs, n_vars))
    for t in range(1, n_obs):
        y[t] = phi @ y[t - 1] + chol @ rng.normal(size=n_vars)
    index = pd.date_range("2021-01-04", periods=n_obs, freq="B", name="date")
    return pd.DataFrame(y + level, index=index, columns=[f"X{k}" for k in range(n_vars)])


@pytest.fixture(scope="module")
def dy2012(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dy2012.csv", index_col="date", parse_dates=True)


@pytest.mark.parametrize(
    ("n_vars", "n_lags", "window", "step"), [(1, 1, 5, 1), (2, 1, 8, 3), (3, 2, 40, 1), (4, 4, 60, 7)]
)
def test_rolling_ols_kernel_matches_loop_twin(rng, n_vars, n_lags, window, step):
    # a level far from zero checks that the cumulative sums do not lose precision
    y = random_frame(rng, n_obs=150, n_vars=n_vars, level=-10.0).to_numpy()
    starts = np.arange(0, len(y) - window + 1, step)
    coefs, sigma = _conn_kernels.rolling_var_ols(y, n_lags, window, starts)
    coefs_ref, sigma_ref = _conn_reference.rolling_var_ols(y, n_lags, window, starts)
    np.testing.assert_allclose(coefs, coefs_ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sigma, sigma_ref, rtol=1e-8, atol=1e-12)


def test_spillover_measures_kernel_matches_twin(rng):
    raw = rng.uniform(size=(6, 5, 5))
    tables = 100 * raw / raw.sum(axis=-1, keepdims=True)
    batched = _conn_kernels.spillover_measures(tables)
    for w in range(6):
        single = _conn_reference.spillover_measures(tables[w])
        for key, value in single.items():
            np.testing.assert_allclose(batched[key][w], value, rtol=1e-13, atol=1e-13, err_msg=key)


@pytest.mark.parametrize("kind", ["generalized", "cholesky"])
def test_window_spanning_whole_sample_equals_static(rng, kind):
    df = random_frame(rng)
    rolled = rolling_connectedness(df, window=len(df), lags=2, horizon=7, kind=kind)
    static = connectedness(df, lags=2, horizon=7, kind=kind)
    assert len(rolled.total) == 1 and rolled.total.index[0] == df.index[-1]
    np.testing.assert_allclose(rolled.values[0], static.values, rtol=1e-9)


def test_batched_windows_equal_loop_of_single_fits(rng):
    df = random_frame(rng, n_obs=120)
    window, lags, step = 50, 2, 4
    rolled = rolling_connectedness(df, window=window, lags=lags, horizon=6, step=step)
    starts = range(0, len(df) - window + 1, step)
    assert list(rolled.index) == [df.index[s + window - 1] for s in starts]
    for k, s in enumerate(starts):
        single = connectedness(df.iloc[s : s + window], lags=lags, horizon=6)
        np.testing.assert_allclose(rolled.values[k], single.values, rtol=1e-8, atol=1e-10)
        assert rolled.total.iloc[k] == pytest.approx(single.total, rel=1e-9)
        np.testing.assert_allclose(rolled.net.iloc[k].to_numpy(), single.net.to_numpy(), atol=1e-8)


def test_dy2012_window_conventions(dy2012):
    # frequencyConnectedness spilloverRollingDY12(window = 200): 200 data rows, 2572 windows
    fc = rolling_connectedness(dy2012, window=200, lags=4, horizon=10)
    assert len(fc.total) == 2771 - 200 + 1 == 2572
    assert fc.total.index[0] == dy2012.index[199] and fc.total.index[-1] == dy2012.index[-1]
    # ConnectednessApproach window.size = 200 with nlag = 4 uses 196 rows: 2576 windows
    ca = rolling_connectedness(dy2012, window=196, lags=4, horizon=10)
    assert len(ca.total) == 2576 and ca.total.index[0] == dy2012.index[195]
    assert ca.window == 196 and ca.method == "rolling"
    # the last window equals a static fit on the last 196 rows
    last = connectedness(dy2012.iloc[-196:], lags=4, horizon=10)
    np.testing.assert_allclose(ca.values[-1], last.values, rtol=1e-8)
    assert 0.0 < ca.total.min() < ca.total.max() < 100.0


def test_rolling_identities_and_outputs(rng):
    df = random_frame(rng, n_obs=200, n_vars=4)
    res = rolling_connectedness(df, window=80, lags=1, horizon=10, step=5)
    n = 4
    np.testing.assert_allclose(res.values.sum(axis=-1), 100.0, rtol=1e-12)
    np.testing.assert_allclose(res.to.sum(axis=1), n * res.total, rtol=1e-12)
    np.testing.assert_allclose(res.from_.sum(axis=1), n * res.total, rtol=1e-12)
    np.testing.assert_allclose(res.net.sum(axis=1), 0.0, atol=1e-10)
    np.testing.assert_allclose(res.corrected_total, res.total * n / (n - 1), rtol=1e-14)
    assert list(res.pairwise_net.columns) == ["X0->X1", "X0->X2", "X0->X3", "X1->X2", "X1->X3", "X2->X3"]
    date = res.index[3]
    one = res.at(date)
    assert one.total == pytest.approx(res.total.iloc[3])
    assert res.pairwise_net.loc[date, "X1->X3"] == pytest.approx(one.pairwise_net.loc["X1", "X3"])
    assert (res.npt.loc[date] == one.npt).all()
    mean = res.mean_table()
    np.testing.assert_allclose(mean.to_numpy(), res.values.mean(axis=0), rtol=1e-14)
    assert res.mean_result().total == pytest.approx(res.total.mean(), rel=1e-12)
    frame = res.to_frame()
    assert list(frame.columns) == ["date", "measure", "variable", "value"]
    assert len(frame) == len(res.index) * (2 + 3 * n)
    net_long = frame[frame["measure"] == "net"].pivot(index="date", columns="variable", values="value")
    np.testing.assert_allclose(net_long.loc[res.index, list(res.names)].to_numpy(), res.net.to_numpy())
    groups = res.groups({"a": ["X0", "X1"], "b": ["X2", "X3"]})
    assert groups["net"].sum(axis=1).abs().max() < 1e-10
    static_groups = one.groups({"a": ["X0", "X1"], "b": ["X2", "X3"]})
    assert groups.loc[date, ("to", "a")] == pytest.approx(static_groups.to["a"])
    assert groups.loc[date, ("within", "b")] == pytest.approx(static_groups.within["b"])
    with pytest.raises(SpecificationError, match="no estimate dated"):
        res.at("1990-01-01")
    assert repr(res).startswith("RollingConnectednessResult(method='rolling'") and "n_dates=25" in repr(res)
    assert "total=" in repr(one) and len(repr(one)) < 300


def test_rolling_plots(rng):
    from matplotlib.figure import Figure

    res = rolling_connectedness(random_frame(rng), window=60, lags=1, step=10)
    assert isinstance(res.plot(), Figure)
    assert isinstance(res.plot(kind="net"), Figure)


def test_progress_callback_reports_all_windows(rng, monkeypatch):
    from contagion.spillover import rolling as module

    monkeypatch.setattr(module, "_CHUNK", 7)
    calls: list[tuple[int, int]] = []
    res = rolling_connectedness(
        random_frame(rng), window=260, lags=1, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (len(res.total), len(res.total))
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) == int(np.ceil(41 / 7))


def test_explosive_windows_are_flagged_and_warned():
    rng = np.random.default_rng(5)
    calm = rng.normal(size=(200, 2))
    trend = np.cumsum(np.cumsum(rng.normal(size=(60, 2)), axis=0), axis=0)  # I(2) stretch at the end
    df = pd.DataFrame(np.vstack([calm, trend * 0.1 + calm[-1]]), columns=["a", "b"])
    with pytest.warns(ContagionWarning, match="unstable VAR"):
        res = rolling_connectedness(df, window=40, lags=2)
    assert res.explosive.any() and not res.explosive[:100].any()


def test_rolling_bad_input(rng):
    df = random_frame(rng, n_vars=3)
    with pytest.raises(SpecificationError, match=r"window=10 is too short .* at least 16 data rows"):
        rolling_connectedness(df, window=10, lags=3)
    with warnings.catch_warnings():  # 6 observations for 10 parameters: some windows are explosive
        warnings.simplefilter("ignore", ContagionWarning)
        assert (
            len(rolling_connectedness(df, window=16, lags=3, step=50).total) == 6
        )  # the stated minimum works
    with pytest.raises(SpecificationError, match="longer than the sample"):
        rolling_connectedness(df, window=1000, lags=1)
    with pytest.raises(SpecificationError, match="step"):
        rolling_connectedness(df, window=50, lags=1, step=0)
    with pytest.raises(SpecificationError, match="horizon"):
        rolling_connectedness(df, window=50, lags=1, horizon=0)
    with pytest.raises(DataError, match="X1 has a missing"):
        rolling_connectedness(df.assign(X1=df["X1"].where(df.index != df.index[20])), window=50, lags=1)


@pytest.mark.parametrize(("n_vars", "n_lags"), [(1, 1), (3, 2), (4, 4), (6, 1)])
def test_is_stable_matches_eigenvalues(rng, n_vars, n_lags):
    # scales straddle the unit circle so both branches (squaring proof, eigenvalue fallback) are used
    scale = rng.uniform(0.1, 1.2, size=(400, 1, 1, 1)) / np.sqrt(n_vars * n_lags)
    coefs = rng.normal(size=(400, n_lags, n_vars, n_vars)) * scale
    radius = np.abs(np.linalg.eigvals(_conn_kernels.companion(coefs))).max(axis=-1)
    stable = _conn_kernels.is_stable(coefs)
    assert stable.shape == (400,) and stable.any() and not stable.all()
    np.testing.assert_array_equal(stable, radius < 1.0)


def test_irregular_starts_use_direct_grams(rng):
    y = random_frame(rng, n_obs=120, n_vars=3, level=4.0).to_numpy()
    starts = np.array([0, 3, 4, 20, 50])
    coefs, sigma = _conn_kernels.rolling_var_ols(y, 2, 40, starts)
    coefs_ref, sigma_ref = _conn_reference.rolling_var_ols(y, 2, 40, starts)
    np.testing.assert_allclose(coefs, coefs_ref, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(sigma, sigma_ref, rtol=1e-9, atol=1e-12)


def test_memory_batches_do_not_change_results(rng, monkeypatch):
    from contagion.spillover import rolling as module

    df = random_frame(rng, n_obs=200)
    whole = rolling_connectedness(df, window=60, lags=2, step=3)
    monkeypatch.setattr(module, "_BATCH_BYTES", 1)  # one window per batch
    batched = rolling_connectedness(df, window=60, lags=2, step=3)
    np.testing.assert_allclose(batched.values, whole.values, rtol=1e-9, atol=1e-11)


def test_singular_window_is_named(rng):
    df = random_frame(rng, n_obs=300)
    df.iloc[200:260, 2] = 2.0 * df.iloc[200:260, 0] + 1.0  # X2 collinear with X0 for 60 rows
    with pytest.raises(EstimationError, match=r"singular .* in the window 2021-10-08"):
        rolling_connectedness(df, window=40, lags=1)
