"""Quantile connectedness: OLS limit at the median, tail symmetry, invariances, batching, the published
ConnectednessApproach example (Chatziantoniou, Gabauer and Stenfors 2021), bad input, result protocol."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.errors import ContagionError, ContagionWarning, DataError, SpecificationError
from contagion.spillover._quantile_kernels import quantile_var
from contagion.spillover.quantile import quantile_connectedness
from contagion.spillover.quantile_results import (
    QuantileConnectednessResult,
    QuantileConnectednessTable,
    RollingQuantileConnectednessResult,
)
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.rolling_results import RollingConnectednessResult
from contagion.spillover.static import connectedness

PHI = np.array([[0.3, 0.1, 0.0], [0.0, 0.2, 0.2], [0.1, 0.0, 0.3]])
SIGMA = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])


def _simulate(seed: int, n_obs: int, dist: str = "normal") -> pd.DataFrame:
    """VAR(1) with symmetric innovations (Gaussian or unit-variance t(5)), 100 burn-in rows dropped."""
    rng = np.random.default_rng(seed)
    if dist == "normal":
        raw = rng.standard_normal((n_obs + 100, 3))
    else:
        raw = rng.standard_t(5, (n_obs + 100, 3)) / np.sqrt(5 / 3)
    shocks = raw @ np.linalg.cholesky(SIGMA).T
    y = np.zeros((n_obs + 100, 3))
    for t in range(1, n_obs + 100):
        y[t] = PHI @ y[t - 1] + shocks[t]
    index = pd.date_range("2000-01-03", periods=n_obs, freq="B", name="date")
    return pd.DataFrame(y[100:], index=index, columns=["A", "B", "C"])


# -------------------------------------------------------------------------------------- statistics
def test_median_is_close_to_ols_on_gaussian_data() -> None:
    """tau = 0.5 is the LAD VAR: on Gaussian data its slopes differ from OLS by N(0, (pi/2 - 1) se_OLS^2).

    OLS is efficient here, so Var(LAD - OLS) = Var(LAD) - Var(OLS) = (pi/2 - 1) Var(OLS) (the median's
    efficiency 2/pi). The two Sigmas are second moments of nearly the same residuals, so the tables differ
    only through the slopes: over 30 seeds at T = 10000 the TCI difference had sd 0.14 pp (the OLS TCI's own
    sampling sd is 0.49 pp); 0.6 pp is about 4 sd.
    """
    df = _simulate(1, 10_000)
    ours = quantile_connectedness(df, tau=0.5, lags=1, horizon=10)
    ols = connectedness(df, lags=1, horizon=10)
    assert abs(ours.total - ols.total) < 0.6
    np.testing.assert_allclose(ours.values, ols.values, atol=1.5)  # cells: same 4-sd argument, larger cells
    # the slopes themselves, in OLS standard errors: |z| < 4 sqrt(pi/2 - 1) for each of the 9
    y = df.to_numpy()
    design = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    beta_ols, *_ = np.linalg.lstsq(design, y[1:], rcond=None)
    resid = y[1:] - design @ beta_ols
    se = np.sqrt(np.outer(np.diag(np.linalg.inv(design.T @ design))[1:], resid.var(axis=0)))  # (j, i)
    coefs, _, _, _ = quantile_var(y, 1, 0.5)
    z = (coefs[0].T - beta_ols[1:]) / se
    assert np.abs(z).max() < 4 * np.sqrt(np.pi / 2 - 1)


@pytest.mark.parametrize("dist", ["normal", "t"])
def test_symmetric_innovations_give_equal_tci_at_tau_and_one_minus_tau(dist: str) -> None:
    """Symmetric iid innovations: Phi(tau) = Phi(1 - tau) and Sigma(tau) = Sigma + q q' = Sigma(1 - tau).

    Tolerance: over 30 seeds at T = 10000 the difference TCI(tau) - TCI(1 - tau) had sd 0.2 pp (Gaussian)
    and 0.36 pp (t(5)); the mean over 4 seeds has sd <= 0.18 pp, so 0.75 pp is about 4 sd. The tails are
    far from the median (TCI ~ 45% at 0.1 vs ~ 28% at 0.5), so the check has power.
    """
    taus = [0.1, 0.25, 0.5, 0.75, 0.9]
    totals = np.array(
        [
            quantile_connectedness(_simulate(seed, 10_000, dist), tau=taus).total.to_numpy()
            for seed in range(4)
        ]
    )
    mean = totals.mean(axis=0)
    assert abs(mean[0] - mean[4]) < 0.75
    assert abs(mean[1] - mean[3]) < 0.75
    assert mean[0] > mean[2] + 5.0  # the non-demeaned Sigma(tau) adds q q': tails look more connected


def test_column_permutation_permutes_the_table(rng: np.random.Generator) -> None:
    """P theta P': exact up to the LP tolerance (coefficients to ~1e-8), so 1e-6 percent points."""
    df = _simulate(3, 600, "t")
    perm = [2, 0, 1]
    for tau in (0.05, 0.5, 0.9):
        base = quantile_connectedness(df, tau=tau, horizon=8)
        other = quantile_connectedness(df.iloc[:, perm], tau=tau, horizon=8)
        np.testing.assert_allclose(other.values, base.values[np.ix_(perm, perm)], atol=1e-6)
        assert other.total == pytest.approx(base.total, abs=1e-6)


# ------------------------------------------------------------------------------------------ batching
def test_rolling_equals_a_loop_of_single_window_fits() -> None:
    df = _simulate(4, 260, "t")
    window, step = 150, 20
    res = quantile_connectedness(df, tau=0.1, lags=2, horizon=6, window=window, step=step)
    assert isinstance(res, RollingConnectednessResult)
    assert res.method == "quantile" and res.options == {"tau": 0.1} and res.window == window
    starts = range(0, len(df) - window + 1, step)
    assert len(res.index) == len(starts)
    for w, start in enumerate(starts):
        single = quantile_connectedness(df.iloc[start : start + window], tau=0.1, lags=2, horizon=6)
        assert res.index[w] == df.index[start + window - 1]  # dated by the window's last row
        # same kernel on the same numbers, batched or not: agreement to rounding of the batched products
        np.testing.assert_allclose(res.values[w], single.values, atol=1e-8)


def test_several_taus_equal_separate_calls() -> None:
    df = _simulate(5, 400)
    multi = quantile_connectedness(df, tau=[0.9, 0.05, 0.5], horizon=5)
    assert isinstance(multi, QuantileConnectednessResult)
    assert multi.taus == (0.9, 0.05, 0.5)
    for tau in multi.taus:
        np.testing.assert_array_equal(multi.at(tau).values, quantile_connectedness(df, tau, horizon=5).values)
    rolling = quantile_connectedness(df, tau=[0.05, 0.95], horizon=5, window=300, step=50)
    assert isinstance(rolling, RollingQuantileConnectednessResult)
    single = quantile_connectedness(df, tau=0.95, horizon=5, window=300, step=50)
    np.testing.assert_array_equal(rolling.at(0.95).values, single.values)
    pd.testing.assert_series_equal(rolling.total[0.95], single.total, check_names=False)


def test_progress_counts_windows_times_taus() -> None:
    calls: list[tuple[int, int]] = []
    quantile_connectedness(
        _simulate(6, 300), tau=[0.25, 0.75], window=200, step=10, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (22, 22) and all(t == 22 for _, t in calls)


# --------------------------------------------------------------------------------- explosive quantiles
def test_explosive_tail_quantile_var_is_warned_and_flagged() -> None:
    """A random-coefficient AR on positive data: y_t = a_t y_{t-1} + 1, a_t ~ U(0.3, 1.2), so the
    conditional 0.95-quantile slope is 1.155 > 1 while the median slope 0.75 is stable."""
    rng = np.random.default_rng(7)
    y = np.ones((3000, 2))
    for t in range(1, 3000):
        y[t] = rng.uniform(0.3, 1.2, size=2) * y[t - 1] + 1.0 + 0.1 * rng.standard_normal(2)
    df = pd.DataFrame(y, columns=["X", "Y"])
    with pytest.warns(
        ContagionWarning, match=r"tau=0\.95: 1 of 1 quantile VAR\(1\) estimates are not stable"
    ):
        tail = quantile_connectedness(df, tau=0.95)
    assert tail.explosive and tail.companion_modulus is not None and tail.companion_modulus > 1.0
    assert np.isfinite(tail.values).all()  # kept, never silently NaN
    assert "not stable" in str(tail.summary())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        median = quantile_connectedness(df, tau=0.5)
    assert not median.explosive
    with pytest.warns(ContagionWarning, match="not stable"):
        rolling = quantile_connectedness(df, tau=[0.5, 0.95], window=1000, step=500)
    assert rolling.explosive[0.95].all() and not rolling.explosive[0.5].any()


# --------------------------------------------------------------------------------------- reference
# ConnectednessApproach's documentation page docs/2021ChatziantoniouGabauerStenfors.html (GitHub
# GabauerDavid/ConnectednessApproach): ConnectednessApproach(cgs2021, model = "QVAR", nlag = 1, nfore = 20,
# window.size = 200, corrected = TRUE, VAR_config = list(QVAR = list(tau = 0.5))); kable(dca$TABLE), printed
# to 2 decimals (rows receive; cTCI/TCI 27.87/20.90).
PUBLISHED_CGS2021 = {
    "USD1Y": [75.84, 10.45, 11.12, 2.60],
    "EUR1Y": [10.21, 76.47, 11.14, 2.18],
    "GBP1Y": [11.87, 11.15, 74.82, 2.15],
    "JPY1Y": [5.01, 2.86, 2.85, 89.27],
}
PUBLISHED_CGS2021_ROWS = {
    "FROM": [24.16, 23.53, 25.18, 10.73],
    "TO": [27.10, 24.46, 25.11, 6.93],
    "NET": [2.93, 0.94, -0.07, -3.80],
}


def test_reproduces_the_published_connectednessapproach_qvar_table(reference_dir: Path) -> None:
    path = reference_dir / "connectedness_approach" / "cgs2021.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data = pd.read_csv(path, index_col="date", parse_dates=True)
    # window.size = 200 in ConnectednessApproach uses window.size - nlag = 199 data rows per window
    res = quantile_connectedness(data, tau=0.5, lags=1, horizon=20, window=199)
    assert len(res.index) == len(data) - 199 + 1
    mean = res.mean_result()
    expected = pd.DataFrame(PUBLISHED_CGS2021, index=list(PUBLISHED_CGS2021)).T  # rows receive
    table = mean.table
    assert sorted(table.index) == sorted(expected.index) and sorted(table.columns) == sorted(expected.columns)
    for receiver in expected.index:  # merged by label, not by position
        for transmitter in expected.columns:
            # published to 2 decimals
            assert table.loc[receiver, transmitter] == pytest.approx(
                expected.loc[receiver, transmitter], abs=0.005
            )
    for measure, series in (("FROM", mean.from_), ("TO", mean.to), ("NET", mean.net)):
        for name, value in zip(PUBLISHED_CGS2021, PUBLISHED_CGS2021_ROWS[measure], strict=True):
            assert series[name] == pytest.approx(value, abs=0.005), (measure, name)
    assert mean.total == pytest.approx(20.90, abs=0.005)
    assert mean.corrected_total == pytest.approx(27.87, abs=0.005)


# -------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tau": 0.0}, r"tau=0\.0 is outside \(0, 1\)"),
        ({"tau": 1.0}, r"outside \(0, 1\)"),
        ({"tau": [0.5, 1.5]}, r"tau=1\.5 is outside"),
        ({"tau": float("nan")}, "outside"),
        ({"tau": []}, "tau is empty"),
        ({"tau": [0.5, 0.5]}, "repeated"),
        ({"tau": "0.5"}, "tau must be a number"),
        ({"tau": [0.5, None]}, "tau must hold numbers"),
        ({"lags": 0}, "lags must be an integer >= 1"),
        ({"horizon": 0}, "horizon must be an integer >= 1"),
        ({"kind": "orthogonal"}, "kind must be"),
        ({"window": 7}, r"window=7 is too short for a quantile VAR\(1\) with 3 variables"),
        ({"window": 10_000}, "longer than the sample"),
        ({"window": 100, "step": 0}, "step must be an integer >= 1"),
    ],
)
def test_bad_input_raises_specification_error(kwargs: dict[str, object], match: str) -> None:
    df = _simulate(8, 200)
    with pytest.raises(SpecificationError, match=match):
        quantile_connectedness(df, **kwargs)  # type: ignore[call-overload]


def test_bad_data_and_too_short_sample() -> None:
    df = _simulate(9, 200)
    with pytest.raises(SpecificationError, match="too few observations"):
        quantile_connectedness(df.iloc[:7])  # a VAR(1) of 3 variables needs 8 rows
    bad = df.copy()
    bad.iloc[5, 1] = np.nan
    with pytest.raises(DataError, match="B has a missing"):
        quantile_connectedness(bad)
    assert issubclass(SpecificationError, ContagionError)


# ------------------------------------------------------------------------------------ result protocol
def test_result_protocol_static() -> None:
    df = _simulate(10, 500, "t")
    one = quantile_connectedness(df, tau=0.05)
    assert isinstance(one, QuantileConnectednessTable) and isinstance(one, ConnectednessResult)
    assert one.tau == 0.05 and "tau = 0.05" in str(one.summary()) and "tau=0.05" in repr(one)
    assert (one.to_frame()["tau"] == 0.05).all()
    res = quantile_connectedness(df, tau=[0.05, 0.5, 0.95])
    measures = res.measures
    assert list(measures.index) == [0.05, 0.5, 0.95]
    np.testing.assert_allclose(measures[("TCI", "")].to_numpy(), [r.total for r in res.results])
    np.testing.assert_allclose(res.net.sum(axis=1), 0.0, atol=1e-10)  # NET sums to 0 at every tau
    np.testing.assert_allclose(res.to.sum(axis=1), res.from_.sum(axis=1), rtol=1e-12)
    main = res.summary().to_frame()
    assert list(main.columns) == ["TCI", "cTCI", "NET A", "NET B", "NET C"]
    frame = res.to_frame()
    assert set(frame.columns) >= {"tau", "measure", "variable", "value"} and set(frame["tau"]) == {
        0.05,
        0.5,
        0.95,
    }
    total = frame[frame["measure"] == "total"].set_index("tau")["value"]
    pd.testing.assert_series_equal(total, res.total, check_names=False)
    fig = res.plot()
    assert len(fig.axes) == 2
    with pytest.raises(SpecificationError, match="no result at that quantile"):
        res.at(0.25)


def test_result_protocol_rolling() -> None:
    df = _simulate(11, 400, "t")
    res = quantile_connectedness(df, tau=[0.05, 0.5, 0.95], window=250, step=25)
    assert list(res.total.columns) == [0.05, 0.5, 0.95] and res.total.index.equals(res.index)
    assert res.net.columns.names == ["tau", "variable"]
    np.testing.assert_allclose(res.net.T.groupby(level="tau").sum().T.to_numpy(), 0.0, atol=1e-10)
    mean = res.mean_result()
    np.testing.assert_allclose(
        mean.total.to_numpy(), res.total.mean().to_numpy(), rtol=1e-12
    )  # TCI is linear
    summary = res.summary()
    assert list(summary.to_frame().index) == [0.05, 0.5, 0.95] and "window 250 rows" in str(summary)
    frame = res.to_frame()
    assert list(frame.columns[:3]) == ["date", "tau", "measure"]
    assert len(frame) == 3 * len(res.index) * (2 + 3 * 3)
    assert len(res.plot().axes) == 1
    assert len(res.plot(kind="surface").axes) == 2  # contour + colour bar
    with pytest.raises(SpecificationError, match="kind must be"):
        res.plot(kind="heatmap")  # type: ignore[arg-type]
