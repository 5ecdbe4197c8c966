"""Frequency connectedness (Barunik-Krehlik 2018): R fixtures (frequencyConnectedness, ConnectednessApproach)
on dy2012, the Parseval identity against connectedness(), white noise, rolling windows, outputs, bad input."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contagion._summary import Summary
from contagion.errors import SpecificationError
from contagion.spillover._frequency_kernels import band_bins
from contagion.spillover._utility import fit_static_var
from contagion.spillover.frequency import _band_tables, frequency_connectedness
from contagion.spillover.frequency_results import (
    FrequencyConnectednessResult,
    RollingFrequencyConnectednessResult,
)
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.rolling import rolling_connectedness
from contagion.spillover.static import connectedness
from contagion.var.fevd import generalized_fevd
from tests.spillover.test_connectedness_static import random_frame

FIXTURES = Path(__file__).parents[1] / "fixtures" / "r" / "frequency_dy2012"
PI = math.pi
PARTITIONS = {"two_band": (PI + 1e-5, PI / 4, 0.0), "three_band": (PI + 1e-5, PI / 5, PI / 20, 0.0)}
# dy2012.csv holds 10 significant digits (R fitted the same CSV, but its OLS runs in another order): the
# R comparison is set to 1e-6 percent points (1e-8 in fractions); the measured gap is 2.4e-15 in fractions.
R_TOL = 1e-6
# identities in the same arithmetic (Parseval, a loop of the same fits): rounding only
EXACT = 1e-10


@pytest.fixture(scope="module")
def dy2012(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dy2012.csv", index_col="date", parse_dates=True)


def _from_fc_scaling(measure: str, value: pd.Series, n_vars: int) -> pd.Series:
    """frequencyConnectedness -> our (ConnectednessApproach) scaling, both scenarios (fixture README).

    fC divides to / from / net / pairwise by k (``within = F``) or by the band-table sum (``within = T``);
    ours are undivided sums of the absolute table or of the within table (which sums to k): k times fC.
    fC's ``pairwise["A-B"]`` is (B -> A) - (A -> B), ours ``pairwise_net[A, B]`` is (A -> B) - (B -> A).
    ``overall`` is the TCI in both.
    """
    factor = {"total": 1.0, "to": n_vars, "from": n_vars, "net": n_vars, "pairwise": -n_vars}[measure]
    return value * factor


def _from_ca_label(name: str) -> str:
    """ConnectednessApproach band name ``round(pi / omega)`` ("1-4", "4-Inf") -> our period label 2 pi / omega."""
    low, high = name.split("-")
    return f"{2 * int(low)}-{'inf' if high == 'Inf' else 2 * int(high)} days"


def _label_of_r_band(result: FrequencyConnectednessResult, upper: float, lower: float) -> str:
    """Our band with the same radians as an R band (merge by label: the omega bounds, not the position)."""
    matches = [b.label for b in result.bands if math.isclose(b.omega_low, lower, abs_tol=1e-12)
               and math.isclose(b.omega_high, min(upper, PI), abs_tol=1e-12)]
    assert len(matches) == 1, f"R band [{lower}, {upper}) has no unique counterpart in {result.bands}"
    return matches[0]


def _merge(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Inner merge that fails on any label present on one side only."""
    merged = ours.merge(theirs, on=keys, how="outer", suffixes=("_ours", "_r"), indicator=True)
    orphans = merged[merged["_merge"] != "both"]
    assert orphans.empty, f"labels on one side only:\n{orphans[[*keys, '_merge']]}"
    return merged


def _our_tables(result: FrequencyConnectednessResult) -> pd.DataFrame:
    frame = result.to_frame()
    frame = frame[(frame.convention == "absolute") & (frame.measure == "table")]
    return frame.rename(columns={"variable": "receiver", "other": "transmitter"})[
        ["band", "receiver", "transmitter", "value"]]


# ------------------------------------------------------------------------------------- R fixtures
@pytest.mark.parametrize(("case", "grid"), [("two_band", "frequencyConnectedness"), ("two_band", "exact"),
                                            ("three_band", "frequencyConnectedness")])
def test_band_tables_match_frequency_connectedness(dy2012, case, grid):
    res = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS[case], grid=grid)
    ref = pd.read_csv(FIXTURES / f"fC_BK12_{case}_tables_long.csv")
    ref["band"] = [_label_of_r_band(res, u, lo) for u, lo in zip(ref.omega_upper, ref.omega_lower)]
    merged = _merge(_our_tables(res), ref[["band", "receiver", "transmitter", "value"]],
                    ["band", "receiver", "transmitter"])
    np.testing.assert_allclose(merged.value_ours, 100 * merged.value_r, rtol=0, atol=R_TOL)


def test_grid_quirk_moves_bin_10_with_pi_over_5(dy2012):
    """Bin 10 of 101: 2 pi 10/101 < pi/5 = 10 pi/50 (fC's label), so the grids disagree for the three bands."""
    fc = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS["three_band"],
                                 grid="frequencyConnectedness")
    exact = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS["three_band"])
    assert [b.n_bins for b in fc.bands] == [82, 14, 5] and [b.n_bins for b in exact.bands] == [80, 16, 5]
    assert abs(fc.tci.iloc[0] - exact.tci.iloc[0]) > 1e-3  # a real difference, not rounding
    np.testing.assert_allclose(fc.total_result.values, exact.total_result.values, rtol=0, atol=EXACT)


@pytest.mark.parametrize("case", ["two_band", "three_band"])
def test_summaries_match_frequency_connectedness(dy2012, case):
    res = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS[case],
                                  grid="frequencyConnectedness")
    ref = pd.read_csv(FIXTURES / f"fC_BK12_{case}_summary.csv", keep_default_na=False)
    ref["band"] = [_label_of_r_band(res, float(u), float(lo)) for u, lo in zip(ref.omega_upper, ref.omega_lower)]
    ref["convention"] = ref.scenario.map({"ABS": "absolute", "WTH": "within"})
    ref["value"] = [_from_fc_scaling(m, pd.Series([v]), 4).iloc[0] for m, v in zip(ref.measure, ref.value)]
    ref["variable"] = ref.variable.replace("", None)
    ours = res.to_frame()
    ours = ours[ours.measure.isin(["total", "to", "from", "net", "pairwise_net"])].copy()
    ours = ours[(ours.measure != "pairwise_net") | (ours.variable < ours.other)]  # fC lists each pair once
    ours.loc[ours.measure == "pairwise_net", "variable"] = ours.variable + "-" + ours.other
    ours["measure"] = ours.measure.replace("pairwise_net", "pairwise")
    ref_pairs = ref.measure == "pairwise"  # fC's pair "A-B" in its own order: sort the names as ours
    ref.loc[ref_pairs, "value"] = [v if a < b else -v for (a, b), v in
                                   zip(ref.loc[ref_pairs, "variable"].str.split("-"), ref.loc[ref_pairs, "value"])]
    ref.loc[ref_pairs, "variable"] = ["-".join(sorted(p)) for p in ref.loc[ref_pairs, "variable"].str.split("-")]
    keys = ["convention", "band", "measure", "variable"]
    merged = _merge(ours[[*keys, "value"]].fillna({"variable": ""}), ref[[*keys, "value"]].fillna({"variable": ""}),
                    keys)
    np.testing.assert_allclose(merged.value_ours, merged.value_r, rtol=0, atol=R_TOL)


def test_dy_total_matches_frequency_connectedness(dy2012):
    res = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS["two_band"])
    ref = pd.read_csv(FIXTURES / "fC_DY12_h100_table_long.csv")
    table = res.total_table.stack().rename("value").reset_index()
    table.columns = ["receiver", "transmitter", "value"]
    merged = _merge(table, ref, ["receiver", "transmitter"])
    np.testing.assert_allclose(merged.value_ours, 100 * merged.value_r, rtol=0, atol=R_TOL)
    assert res.total_result.total == pytest.approx(16.092250316655399, abs=R_TOL)


def _ca_result(dy2012: pd.DataFrame, case: str) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Our absolute and within band tables (percent) for a CA partition, keyed by our band label."""
    if case == "two_band_pi":
        # c(pi, pi/4, 0) leaves the bins labelled pi out; the public API refuses it, so use its pieces
        fit = fit_static_var(dy2012, 4)
        values = _band_tables(fit.coefs, fit.sigma, 101, band_bins(101, np.array([PI, PI / 4, 0.0]),
                                                                   "frequencyConnectedness"), "generalized")
        labels = ["2-8 days", "8-inf days"]
        absolute = dict(zip(labels, values))
        within = {k: 400 * v / v.sum() for k, v in absolute.items()}
    else:
        res = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS[case],
                                      grid="frequencyConnectedness")
        absolute = {k: r.values for k, r in res.absolute.items()}
        within = {k: r.values for k, r in res.within.items()}
    absolute["Total"] = sum(absolute.values())
    within["Total"] = sum(within.values())  # CA's "Total" sums whatever scenario was asked for
    return absolute, within


@pytest.mark.parametrize("case", ["two_band_pi", "two_band", "three_band"])
def test_connectedness_approach_tables_and_measures(dy2012, case):
    absolute, within = _ca_result(dy2012, case)
    names = list(dy2012.columns)
    rows, measures = [], []
    for scenario, tables in (("ABS", absolute), ("WTH", within)):
        for label, table in tables.items():
            result = ConnectednessResult(names=tuple(names), values=table, kind="generalized", horizon=101)
            for i, receiver in enumerate(names):
                for j, transmitter in enumerate(names):
                    rows.append((scenario, label, receiver, transmitter, table[i, j]))
            measures.append((scenario, label, "TCI", "", result.total))
            for key, series in (("TO", result.to), ("FROM", result.from_), ("NET", result.net)):
                measures.extend((scenario, label, key, v, float(series[v])) for v in names)
    keys = ["scenario", "band", "receiver", "transmitter"]
    ours = pd.DataFrame(rows, columns=[*keys, "value"])
    ref = pd.read_csv(FIXTURES / "CA_frequency_tables_long.csv")
    ref = ref[ref.partition == case].copy()
    ref["band"] = [n if n == "Total" else _from_ca_label(n) for n in ref.band_name]
    merged = _merge(ours, ref[[*keys, "value"]], keys)
    np.testing.assert_allclose(merged.value_ours, 100 * merged.value_r, rtol=0, atol=R_TOL)
    keys = ["scenario", "band", "measure", "variable"]
    ours = pd.DataFrame(measures, columns=[*keys, "value"])
    ref = pd.read_csv(FIXTURES / "CA_frequency_summary.csv", keep_default_na=False)
    ref = ref[ref.partition == case].copy()
    ref["band"] = [n if n == "Total" else _from_ca_label(n) for n in ref.band_name]
    merged = _merge(ours, ref[[*keys, "value"]], keys)
    np.testing.assert_allclose(merged.value_ours, merged.value_r, rtol=0, atol=R_TOL)


def test_ca_default_partition_is_refused_with_a_hint(dy2012):
    with pytest.raises(SpecificationError, match=r"k=50 \(omega=3\.1416.*pi \+ 1e-5"):
        frequency_connectedness(dy2012, lags=4, horizon=101, partition=(PI, PI / 4, 0), grid="frequencyConnectedness")
    # on the exact grid an odd H has no bin at pi: the same cut points then cover every bin
    a = frequency_connectedness(dy2012, lags=4, horizon=101, partition=(PI, PI / 4, 0))
    b = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS["two_band"])
    np.testing.assert_array_equal(a.values, b.values)


# -------------------------------------------------------------------------------------- identities
@pytest.mark.parametrize("kind", ["generalized", "cholesky"])
@pytest.mark.parametrize("horizon", [2, 37, 100])
def test_bands_sum_to_connectedness(rng, kind, horizon):
    df = random_frame(rng, n_vars=4)
    res = frequency_connectedness(df, lags=2, horizon=horizon, bands=[(2, 3), (3, 9), (9, None)]
                                  if horizon > 10 else [(2, 3), (3, None)], kind=kind)
    dy = connectedness(df, lags=2, horizon=horizon, kind=kind)
    np.testing.assert_allclose(res.values.sum(axis=0), dy.values, rtol=0, atol=EXACT)
    np.testing.assert_allclose(res.total_table.to_numpy(), dy.table.to_numpy(), rtol=0, atol=EXACT)
    assert res.tci.sum() == pytest.approx(dy.total, abs=EXACT)
    for label, within in res.within.items():  # within tables sum to 100 N; TCI = 100 (sum - trace) / sum
        table = res.absolute[label].values
        assert within.values.sum() == pytest.approx(400.0)
        assert within.total == pytest.approx(100 * (table.sum() - np.trace(table)) / table.sum())
    assert (res.n_lags, res.n_obs, res.start, res.end) == (dy.n_lags, dy.n_obs, dy.start, dy.end)


def test_dy2012_bands_sum_to_connectedness_h101(dy2012):
    res = frequency_connectedness(dy2012, lags=4, horizon=101, partition=PARTITIONS["three_band"],
                                  grid="frequencyConnectedness")
    dy = connectedness(dy2012, lags=4, horizon=101)
    np.testing.assert_allclose(res.values.sum(axis=0), dy.values, rtol=0, atol=EXACT)
    assert res.tci.sum() == pytest.approx(dy.total, abs=EXACT)


@dataclass
class _FixedVAR:
    coefs: np.ndarray
    sigma_u_ml: np.ndarray
    names: tuple[str, ...]


def test_white_noise_shares_are_proportional_to_band_width(rng):
    """Zero slopes: Psi_k = I, so band d holds (bins in d) / H of the h = 0 GFEVD, i.e. width / pi."""
    root = rng.normal(size=(3, 3))
    sigma = root @ root.T + np.eye(3)
    white = _FixedVAR(np.zeros((1, 3, 3)), sigma, ("a", "b", "c"))
    res = frequency_connectedness(white, horizon=100, bands=[(2, 8), (8, None)])
    static = 100 * generalized_fevd(np.eye(3)[None], sigma)
    assert [b.n_bins for b in res.bands] == [75, 25]  # [pi/4, pi] is 3/4 of [0, pi]
    np.testing.assert_allclose(res.absolute["2-8 days"].values, 0.75 * static, rtol=1e-12)
    np.testing.assert_allclose(res.absolute["8-inf days"].values, 0.25 * static, rtol=1e-12)
    np.testing.assert_allclose(res.tci_within.to_numpy(), connectedness(white, horizon=1).total, rtol=1e-12)


# --------------------------------------------------------------------------------------------- rolling
def test_rolling_equals_a_loop_of_static_fits(rng):
    df = random_frame(rng, n_obs=400, n_vars=3)
    calls = []
    res = frequency_connectedness(df, lags=2, horizon=30, bands=[(2, 6), (6, None)], rolling=120, step=37,
                                  progress=lambda done, total: calls.append((done, total)))
    assert isinstance(res, RollingFrequencyConnectednessResult)
    assert len(res.index) == 8 and calls[-1] == (8, 8)
    for w in (0, 3, 7):
        window = df.iloc[37 * w : 37 * w + 120]
        static = frequency_connectedness(window, lags=2, horizon=30, bands=[(2, 6), (6, None)])
        assert res.index[w] == window.index[-1]
        np.testing.assert_allclose(res.values[w], static.values, rtol=0, atol=EXACT)
        np.testing.assert_allclose(res.at(window.index[-1]).values, static.values, rtol=0, atol=EXACT)
        np.testing.assert_allclose(res.tci_within.iloc[w].to_numpy(), static.tci_within.to_numpy(), atol=EXACT)
    dy = rolling_connectedness(df, window=120, lags=2, horizon=30, step=37)
    np.testing.assert_allclose(res.tci.sum(axis=1).to_numpy(), dy.total.to_numpy(), rtol=0, atol=EXACT)
    np.testing.assert_allclose(res.total_result.values, dy.values, rtol=0, atol=EXACT)


def test_rolling_with_one_window_equals_static(rng):
    df = random_frame(rng, n_obs=300)
    rolled = frequency_connectedness(df, lags=1, horizon=20, rolling=len(df))
    static = frequency_connectedness(df, lags=1, horizon=20)
    assert len(rolled.index) == 1
    np.testing.assert_allclose(rolled.values[0], static.values, rtol=0, atol=EXACT)
    for label in static.labels:
        assert rolled.absolute[label].total.iloc[0] == pytest.approx(static.absolute[label].total, abs=EXACT)


# --------------------------------------------------------------------------------------------- outputs
def test_static_result_protocol(rng):
    res = frequency_connectedness(random_frame(rng), lags=1, horizon=40, bands=[(2, 8), (8, None)])
    assert res.labels == ("2-8 days", "8-inf days")
    band = res.bands[0]
    assert (band.period_low, band.period_high, band.omega_low, band.omega_high) == (2.0, 8.0, PI / 4, PI)
    s = res.summary()
    assert isinstance(s, Summary) and "n.ahead = 39" in s and "2-8 days" in s
    table = s.to_frame()
    assert table.loc[("TCI", "all"), "total"] == pytest.approx(res.total_result.total)
    assert table.loc[("NET", "V0"), "8-inf days"] == pytest.approx(res.absolute["8-inf days"].net["V0"])
    frame = res.to_frame()
    assert list(frame.columns) == ["convention", "band", "period_low", "period_high", "omega_low", "omega_high",
                                   "measure", "variable", "other", "value"]
    assert set(frame.convention) == {"absolute", "within"} and set(frame.band) == set(res.labels)
    assert np.isinf(frame.loc[frame.band == "8-inf days", "period_high"]).all()
    assert res.by_band("net").sum().abs().max() < 1e-9  # NET sums to 0 in every band
    for kind in ("net", "tci"):
        fig = res.plot(kind)
        assert isinstance(fig, Figure)
        plt.close(fig)
    with pytest.raises(SpecificationError, match="no such band"):
        res.band("1-2 days")


def test_rolling_result_protocol(rng):
    res = frequency_connectedness(random_frame(rng), lags=1, horizon=20, rolling=150, step=10)
    assert res.labels == ("2-5 days", "5-20 days", "20-inf days")  # the documented default bands
    assert list(res.tci.columns) == list(res.labels) and res.tci.index.equals(res.index)
    s = res.summary()
    assert isinstance(s, Summary) and f"{len(res.index)} windows of 150 rows" in s
    assert s.to_frame().loc[("absolute", "mean"), "total"] == pytest.approx(res.total_result.total.mean())
    frame = res.to_frame()
    assert {"convention", "band", "date", "measure", "value"} <= set(frame.columns)
    assert len(frame) == 2 * 3 * len(res.index) * (2 + 3 * 4)
    for convention in ("absolute", "within"):
        fig = res.plot(convention)
        assert isinstance(fig, Figure)
        plt.close(fig)
    with pytest.raises(SpecificationError, match="no window ends"):
        res.at("1990-01-01")


@pytest.mark.parametrize("cls", [FrequencyConnectednessResult, RollingFrequencyConnectednessResult])
def test_results_live_in_public_modules(cls):
    assert not any(part.startswith("_") for part in cls.__module__.split("."))


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bands": [(2, 8), (10, None)]}, re.escape("periods 8 to 10 days are in no band (a gap)")),
        ({"bands": [(2, 10), (8, None)]}, re.escape("periods 8 to 10 days are in two bands (an overlap)")),
        ({"bands": [(2, None), (8, None)]}, "in two bands"),
        ({"bands": [(-2, 8), (8, None)]}, r"bands\[0\]\[0\] \(period_low\) must be a positive number"),
        ({"bands": [(8, 2)]}, "period_high must exceed period_low"),
        ({"bands": [(4, 8), (8, None)]}, r"k=25..50 \(omega=1\.5708..3\.1416, periods 2..4 days\).*start the first band at period 2"),
        ({"bands": [(2, 8), (8, 200)]}, r"k=0 \(omega=0\.0000, period inf days\).*None \(infinite period"),
        ({"bands": [(2, 2.4), (2.4, 2.45), (2.45, None)], "horizon": 10}, "band 2.4-2.45 days .* holds no DFT bin"),
        ({"bands": "2-8"}, "list of .period_low, period_high. pairs"),
        ({"partition": (PI, PI / 4, 0)}, r"k=50 .*pi \+ 1e-5"),
        ({"partition": (PI + 1e-5, PI / 4, 0.1)}, r"no band: k=0..1 \(omega=0\.0000..0\.0628, periods 100..inf days\)"),
        ({"partition": (PI + 1e-5, 0.1, PI / 4, 0)}, "strictly decreasing"),
        ({"partition": (PI,)}, "at least two"),
        ({"bands": [(2, 8), (8, None)], "partition": (PI + 1e-5, 0)}, "not both"),
        ({"horizon": 1}, "horizon must be >= 2"),
        ({"horizon": 0}, "horizon must be an integer >= 1"),
        ({"grid": "fft"}, "grid must be 'exact' or 'frequencyConnectedness'"),
        ({"kind": "spectral"}, "kind must be"),
        ({"rolling": 5}, "window=5 is too short"),
        ({"rolling": 100, "step": 0}, "step must be an integer >= 1"),
    ],
)
def test_bad_input(rng, options, message):
    df = random_frame(rng, n_obs=200, n_vars=3)
    kwargs = {"lags": 1, "horizon": 100, **options}
    with pytest.raises(SpecificationError, match=message):
        frequency_connectedness(df, **kwargs)


def test_rolling_refuses_var_results(rng):
    white = _FixedVAR(np.zeros((1, 2, 2)), np.eye(2), ("a", "b"))
    with pytest.raises(SpecificationError, match=re.escape("rolling= needs the data")):
        frequency_connectedness(white, horizon=10, rolling=50)
