"""Static Diebold-Yilmaz connectedness: R fixtures (ConnectednessApproach, frequencyConnectedness),
identities, group (block) connectedness, outputs and bad input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contagion.errors import ContagionError, DataError, EstimationError, SpecificationError
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.static import connectedness
from contagion.var.fevd import generalized_fevd, ma_coefficients

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dy2012"
NAMES = ["SP500", "R_10Y", "DJUBSCOM", "USDX"]
# dy2012.csv carries 10 significant digits (R used the .rda at full precision): cells then agree to ~1e-8.
CSV_TOL = 1e-6


@pytest.fixture(scope="module")
def dy2012(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dy2012.csv", index_col="date", parse_dates=True)


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((FIXTURES / "dy2012_static_summary.json").read_text())


@pytest.fixture(scope="module")
def fitted(dy2012: pd.DataFrame) -> ConnectednessResult:
    return connectedness(dy2012, lags=4, horizon=10)


def random_frame(rng: np.random.Generator, n_obs: int = 400, n_vars: int = 4) -> pd.DataFrame:
    """A stationary VAR(1) sample with correlated shocks."""
    phi = 0.3 * np.eye(n_vars) + 0.1 * rng.normal(size=(n_vars, n_vars))
    root = rng.normal(size=(n_vars, n_vars))
    chol = np.linalg.cholesky(root @ root.T + n_vars * np.eye(n_vars))
    y = np.zeros((n_obs, n_vars))
    for t in range(1, n_obs):
        y[t] = phi @ y[t - 1] + chol @ rng.normal(size=n_vars)
    index = pd.date_range("2020-01-01", periods=n_obs, freq="B", name="date")
    return pd.DataFrame(y, index=index, columns=[f"V{k}" for k in range(n_vars)])


# ----------------------------------------------------------------------------------------------- R fixtures
def test_dy2012_table_every_cell(fitted, reference):
    table = pd.read_csv(FIXTURES / "dy2012_static_table_numeric.csv", index_col="variable")
    assert list(fitted.table.index) == NAMES and list(fitted.table.columns) == NAMES
    expected = table.loc[fitted.table.index, fitted.table.columns]  # merge by label
    np.testing.assert_allclose(fitted.table.to_numpy(), expected.to_numpy(), rtol=0, atol=CSV_TOL)
    np.testing.assert_allclose(fitted.table.to_numpy(), np.array(reference["gfevd_pct"]), atol=CSV_TOL)


def test_dy2012_tci_and_directional(fitted, reference):
    assert fitted.total == pytest.approx(12.5921130697, abs=CSV_TOL)
    assert fitted.total == pytest.approx(reference["TCI"], abs=CSV_TOL)
    assert fitted.corrected_total == pytest.approx(reference["cTCI"], abs=CSV_TOL)
    for ours, key in ((fitted.to, "TO"), (fitted.from_, "FROM"), (fitted.net, "NET")):
        expected = pd.Series(reference[key])
        pd.testing.assert_index_equal(ours.index.sort_values(), expected.index.sort_values())
        np.testing.assert_allclose(ours.loc[expected.index].to_numpy(), expected.to_numpy(), atol=CSV_TOL)
    assert fitted.npt.to_dict() == reference["NPT"]


def test_dy2012_pairwise_net_is_minus_npdc(fitted, reference):
    # ConnectednessApproach NPDC = CT - t(CT); ours is net *from* row to column = t(CT) - CT.
    np.testing.assert_allclose(fitted.pairwise_net.to_numpy(), -np.array(reference["NPDC"]), atol=CSV_TOL)
    np.testing.assert_allclose(fitted.pairwise_net.sum(axis=1).to_numpy(), fitted.net.to_numpy(), atol=1e-12)


def test_dy2012_static_sample_metadata(fitted, dy2012):
    assert fitted.n_lags == 4 and fitted.n_obs == len(dy2012) - 4 == 2767
    assert fitted.start == dy2012.index[4] and fitted.end == dy2012.index[-1]


@dataclass(frozen=True)
class _FakeVARResults:
    """The attributes of VARResults that connectedness() reads (CONTRACTS.md)."""

    coefs: np.ndarray
    sigma_u_ml: np.ndarray
    names: tuple[str, ...]
    n_obs: int = 2767


def test_var_results_input_with_r_coefficients_matches_to_1e10(reference):
    b = np.array(reference["var_B_no_intercept"])  # (N, N p): column block l holds lag l+1
    coefs = np.stack([b[:, 4 * lag : 4 * (lag + 1)] for lag in range(4)])
    result = connectedness(_FakeVARResults(coefs, np.array(reference["var_Sigma_ML"]), tuple(NAMES)))
    # identical closed-form arithmetic on R's own estimates
    np.testing.assert_allclose(result.values, np.array(reference["gfevd_pct"]), rtol=1e-10, atol=1e-10)
    assert result.total == pytest.approx(reference["TCI"], rel=1e-10)


def test_real_var_results_gives_same_table(dy2012, fitted):
    var = pytest.importorskip("contagion.var.model")
    try:
        results = var.VAR(dy2012, lags=4).fit()
    except Exception as exc:  # the VAR class belongs to another part; only its output contract matters here
        pytest.skip(f"contagion.var.model.VAR not usable yet: {exc}")
    result = connectedness(results, horizon=10)
    np.testing.assert_allclose(result.values, fitted.values, rtol=1e-9, atol=1e-9)


def test_frequency_connectedness_horizon_convention(dy2012):
    fc = json.loads((FIXTURES / "dy2012_static_fC_crosscheck.json").read_text())
    n_vars = 4
    h10 = connectedness(dy2012, lags=4, horizon=10)  # fC n.ahead = 9 sums h = 0..9
    h11 = connectedness(dy2012, lags=4, horizon=11)  # fC n.ahead = 10 sums h = 0..10
    assert h10.total == pytest.approx(fc["overall_nahead9"], abs=CSV_TOL)
    assert h11.total == pytest.approx(fc["overall_nahead10"], abs=CSV_TOL)
    assert h11.total == pytest.approx(12.98, abs=0.005)
    for ours, suffix in ((h10, "nahead9"), (h11, "nahead10")):
        for measure, key in ((ours.to, "to"), (ours.from_, "from"), (ours.net, "net")):
            expected = pd.Series(fc[f"{key}_{suffix}"])  # fC divides by k
            np.testing.assert_allclose(
                measure.loc[expected.index].to_numpy() / n_vars, expected.to_numpy(), atol=CSV_TOL
            )


# ------------------------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("kind", ["generalized", "cholesky"])
def test_identities(rng, kind):
    res = connectedness(random_frame(rng), lags=2, horizon=8, kind=kind)
    n = len(res.names)
    np.testing.assert_allclose(res.table.sum(axis=1).to_numpy(), 100.0, rtol=1e-13)
    assert res.to.sum() == pytest.approx(n * res.total, rel=1e-12)
    assert res.from_.sum() == pytest.approx(n * res.total, rel=1e-12)
    assert res.net.sum() == pytest.approx(0.0, abs=1e-11)
    assert res.corrected_total == pytest.approx(res.total * n / (n - 1), rel=1e-14)
    np.testing.assert_allclose(res.pairwise_net.to_numpy(), -res.pairwise_net.to_numpy().T, atol=1e-13)
    np.testing.assert_allclose(res.pairwise_net.sum(axis=1).to_numpy(), res.net.to_numpy(), atol=1e-11)
    assert (res.npt.to_numpy() == (res.pairwise_net.to_numpy() > 0).sum(axis=1)).all()


def test_generalized_invariant_to_column_order(rng):
    df = random_frame(rng, n_vars=5)
    base = connectedness(df, lags=2)
    order = ["V3", "V0", "V4", "V1", "V2"]
    shuffled = connectedness(df[order], lags=2)
    pd.testing.assert_frame_equal(shuffled.table.loc[order, order], base.table.loc[order, order], rtol=1e-9)
    assert shuffled.total == pytest.approx(base.total, rel=1e-11)


def test_cholesky_depends_on_order_generalized_does_not(rng):
    df = random_frame(rng)
    reversed_cols = list(df.columns[::-1])
    chol = connectedness(df, lags=1, kind="cholesky")
    chol_rev = connectedness(df[reversed_cols], lags=1, kind="cholesky")
    assert not np.allclose(chol.table.loc[reversed_cols, reversed_cols], chol_rev.table)


@pytest.mark.parametrize("kind", ["generalized", "cholesky"])
def test_invariant_to_rescaling_a_column(rng, kind):
    df = random_frame(rng)
    scaled = df.assign(V1=df["V1"] * 1000.0, V2=df["V2"] * 1e-3 + 7.0)
    a = connectedness(df, lags=2, kind=kind)
    b = connectedness(scaled, lags=2, kind=kind)
    np.testing.assert_allclose(b.values, a.values, rtol=1e-8, atol=1e-9)


def test_horizon_one_is_the_correlation_structure(rng):
    res = connectedness(random_frame(rng), lags=1, horizon=1)
    # at h = 0 only, theta_ij is proportional to sigma_ij^2 / sigma_jj (no dynamics)
    from contagion.spillover._kernels import var_ols

    _, _, sigma, _ = var_ols(random_frame(np.random.default_rng(20250127)).to_numpy(), 1)
    expected = sigma**2 / np.diag(sigma)[None, :]
    np.testing.assert_allclose(res.values, 100 * expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)


def test_n_equals_two_and_lag_one(rng):
    res = connectedness(random_frame(rng, n_vars=2), lags=1, horizon=1)
    assert res.table.shape == (2, 2)
    assert res.to.iloc[0] == pytest.approx(res.from_.iloc[1])


# ------------------------------------------------------------------------------------------------- groups
def test_groups_block_connectedness(rng):
    res = connectedness(random_frame(rng, n_vars=5), lags=1)
    mapping = {"equities": ["V0", "V1"], "tokens": ["V2", "V3", "V4"]}
    g = res.groups(mapping)
    assert g.groups == ("equities", "tokens")
    t = res.table
    assert g.table.loc["tokens", "equities"] == pytest.approx(
        t.loc[["V2", "V3", "V4"], ["V0", "V1"]].to_numpy().sum()
    )
    np.testing.assert_allclose(g.table.sum(axis=1).to_numpy(), [200.0, 300.0], rtol=1e-13)
    np.testing.assert_allclose(g.shares.sum(axis=1).to_numpy(), 100.0, rtol=1e-13)
    assert g.to["equities"] == pytest.approx(g.table.loc["tokens", "equities"])
    assert g.from_["equities"] == pytest.approx(g.table.loc["equities", "tokens"])
    assert g.net.sum() == pytest.approx(0.0, abs=1e-11)
    assert g.within["equities"] == pytest.approx(t.loc["V0", "V1"] + t.loc["V1", "V0"])
    assert g.between_total + g.within_total == pytest.approx(res.total, rel=1e-12)
    # {variable: group} form gives the same
    same = res.groups({"V0": "equities", "V1": "equities", "V2": "tokens", "V3": "tokens", "V4": "tokens"})
    pd.testing.assert_frame_equal(same.table, g.table)
    assert set(g.to_frame()["measure"]) == {"table", "to", "from", "net", "within"}
    assert list(g.summary().to_frame().index) == ["equities", "tokens", "TO", "NET", "WITHIN"]


def test_singleton_groups_reproduce_the_table(rng):
    res = connectedness(random_frame(rng), lags=1)
    g = res.groups({n: n for n in res.names})
    np.testing.assert_allclose(g.table.to_numpy(), res.values, rtol=1e-14)
    np.testing.assert_allclose(g.net.to_numpy(), res.net.to_numpy(), atol=1e-12)
    assert g.within_total == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("mapping", "match"),
    [
        ({"a": ["V0", "V1"], "b": ["V2"]}, "belong to no group"),
        ({"a": ["V0", "V1"], "b": ["V1", "V2", "V3"]}, "in both group"),
        ({"a": ["V0", "XX"], "b": ["V1", "V2", "V3"]}, "'XX'"),
        ({}, "empty"),
    ],
)
def test_groups_bad_mapping(rng, mapping, match):
    res = connectedness(random_frame(rng), lags=1)
    with pytest.raises(SpecificationError, match=match):
        res.groups(mapping)


# ------------------------------------------------------------------------------------------------ outputs
def test_summary_layout(fitted):
    s = fitted.summary().to_frame()
    assert list(s.index) == [*NAMES, "TO", "Inc.Own", "NET", "NPT"]
    assert list(s.columns) == [*NAMES, "FROM"]
    assert s.loc["NET", "FROM"] == pytest.approx(fitted.total)
    assert s.loc["TO", "FROM"] == pytest.approx(fitted.to.sum())
    np.testing.assert_allclose(
        s.loc["Inc.Own", NAMES].to_numpy(), fitted.to.to_numpy() + np.diag(fitted.values)
    )
    text = str(fitted)
    assert "TCI 12.59%" in text and "MA terms 0..9" in text


def test_to_frame_is_tidy_and_complete(fitted):
    frame = fitted.to_frame()
    assert list(frame.columns) == ["measure", "variable", "other", "value"]
    cells = frame[frame["measure"] == "table"].set_index(["variable", "other"])["value"]
    assert len(cells) == 16
    assert cells[("SP500", "R_10Y")] == pytest.approx(fitted.table.loc["SP500", "R_10Y"])
    assert frame.loc[frame["measure"] == "total", "value"].item() == pytest.approx(fitted.total)
    assert set(frame["measure"]) == {
        "table",
        "pairwise_net",
        "to",
        "from",
        "net",
        "npt",
        "total",
        "corrected_total",
    }


def test_result_is_immutable(fitted):
    with pytest.raises(ValueError, match="read-only"):
        fitted.values[0, 0] = 1.0
    with pytest.raises(AttributeError):
        fitted.horizon = 3  # type: ignore[misc]


def test_plots(fitted):
    from matplotlib.figure import Figure

    heat = fitted.plot()
    net = fitted.plot(kind="network")
    assert isinstance(heat, Figure) and isinstance(net, Figure)
    assert len(net.axes[0].texts) >= len(NAMES)
    with pytest.raises(SpecificationError, match="kind"):
        fitted.plot(kind="pie")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- bad input
def test_errors_are_contagion_errors(rng):
    df = random_frame(rng)
    cases = [
        (lambda: connectedness(df, horizon=0), SpecificationError, "horizon must be an integer >= 1"),
        (lambda: connectedness(df, lags=0), SpecificationError, "lags"),
        (lambda: connectedness(df, kind="orthogonal"), SpecificationError, "kind"),  # type: ignore[arg-type]
        (lambda: connectedness(df.iloc[:10], lags=4), SpecificationError, "at least 25 rows"),
        (
            lambda: connectedness(df.assign(V2=np.where(np.arange(len(df)) == 7, np.nan, df["V2"]))),
            DataError,
            "V2 has a missing",
        ),
        (lambda: connectedness(df.assign(V1=3.0)), DataError, "constant columns \\['V1'\\]"),
        (lambda: connectedness(df.assign(V1="x")), DataError, "non-numeric"),
        (lambda: connectedness(df.set_axis(["A", "B", "A", "C"], axis=1)), DataError, "duplicate"),
        (lambda: connectedness(df[["V0"]]), DataError, "at least 2 variables"),
        (lambda: connectedness([1, 2, 3]), DataError, "DataFrame"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()
        with pytest.raises(ContagionError):
            call()


def test_collinear_columns_raise_estimation_error(rng):
    df = random_frame(rng)
    df["V3"] = df["V0"] - 2.0 * df["V1"]
    with pytest.raises(EstimationError, match="singular"):
        connectedness(df, lags=1)


def test_explosive_var_refused():
    rng = np.random.default_rng(3)
    y = np.cumsum(np.cumsum(rng.normal(size=(300, 2)), axis=0), axis=0)  # I(2): OLS roots beyond 1
    df = pd.DataFrame(y, columns=["a", "b"])
    with pytest.raises(EstimationError, match="not stable"):
        connectedness(df, lags=2)


def test_population_gfevd_matches_formula_on_known_var():
    coefs = np.array([[[0.5, 0.2], [0.0, 0.3]]])
    sigma = np.array([[1.0, 0.4], [0.4, 2.0]])
    res = connectedness(_FakeVARResults(coefs, sigma, ("a", "b")), horizon=5)
    np.testing.assert_allclose(
        res.values, 100 * generalized_fevd(ma_coefficients(coefs, 5), sigma), rtol=1e-14
    )


def test_dy2009_cholesky_published_values(reference_dir):
    # ConnectednessApproach docs/2009DieboldYilmaz.html (docs/conventions.md, "Reference tables reproduced"):
    # dy2009 weekly returns, 19 markets, VAR(2), H = 10, orthogonalised FEVD in the data's column order
    # -> TCI 35.53, US NET +285.53.
    path = reference_dir / "connectedness_approach" / "dy2009.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data = pd.read_csv(path, index_col="date", parse_dates=True)
    res = connectedness(data, lags=2, horizon=10, kind="cholesky")
    # published to 2 decimals
    assert res.total == pytest.approx(35.53, abs=0.005)
    assert res.net["US"] == pytest.approx(285.53, abs=0.005)
    assert res.net.idxmax() == "US"


def test_exactly_collinear_lagged_regressors(rng):
    df = random_frame(rng)
    df["V3"] = 2.0 * df["V0"] + 1.0  # exactly collinear: X'X singular
    with pytest.raises(EstimationError, match=r"collinear|singular"):
        connectedness(df, lags=1)


def test_public_exports():
    import contagion
    from contagion.spillover import static as module

    assert contagion.connectedness is module.connectedness
    assert contagion.rolling_connectedness is module.rolling_connectedness
    assert contagion.tvp_connectedness is module.tvp_connectedness
    assert contagion.ConnectednessResult is module.ConnectednessResult
    assert contagion.RollingConnectednessResult is module.RollingConnectednessResult
