"""The four model families beyond the headline VAR in a run folder (issue 13 item 5): the tiny demo study with
frequency, quantile and DCC-GARCH connectedness and a lasso asset network switched on writes every file with
its documented columns, the identities of each family hold in the files, and the pages, LaTeX tables,
figures and `load_run` carry them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import contagion
from contagion.report.data_files import MODEL_FILES, SCHEMAS

#: The documented columns of each file (docs/report-folder.md); demo files add a last ``data_note``.
COLUMNS = {name: [*SCHEMAS[name], "data_note"] for name in MODEL_FILES}


def _read(folder: Path, name: str) -> pd.DataFrame:
    stem = MODEL_FILES[name][0]
    csv = folder / f"{stem}.csv"
    return pd.read_csv(csv) if csv.is_file() else pd.read_parquet(folder / f"{stem}.parquet")


def _main_info(folder: Path) -> dict[str, object]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    [main] = [job for job in manifest["jobs"] if job["name"] == "main"]
    assert main["unavailable"] == {}, main["unavailable"]
    info: dict[str, object] = main["info"]
    return info


@pytest.mark.parametrize("name", list(MODEL_FILES))
def test_every_file_has_its_documented_columns(tiny_demo_run: Path, name: str) -> None:
    stem, formats = MODEL_FILES[name]
    for fmt in formats:
        assert (tiny_demo_run / f"{stem}.{fmt}").is_file(), f"{stem}.{fmt}"
    frame = _read(tiny_demo_run, name)
    assert list(frame.columns) == COLUMNS[name]
    assert len(frame) > 0
    assert set(frame["job"]) == {"main"}  # robustness jobs never run the families
    docs = (Path(__file__).resolve().parents[2] / "docs" / "report-folder.md").read_text(encoding="utf-8")
    assert f"`{stem}." in docs, f"{stem} is not documented in docs/report-folder.md"


def test_frequency_bands_sum_to_the_total_table(tiny_demo_run: Path) -> None:
    freq = _read(tiny_demo_run, "frequency")
    absolute = freq[freq["convention"] == "absolute"]
    tci = absolute[absolute["measure"] == "TCI"].set_index("band")["value"]
    assert set(tci.index) == {"2-5 days", "5-20 days", "20-inf days", "total"}
    # the files carry 12 significant digits: the identity (exact to 1e-10 in the library) holds to 1e-8
    assert tci.drop("total").sum() == pytest.approx(tci["total"], abs=1e-8)
    net = absolute[absolute["measure"] == "NET"].pivot(index="series", columns="band", values="value")
    np.testing.assert_allclose(net.drop(columns="total").sum(axis=1), net["total"], atol=1e-8)
    assert np.isinf(freq.loc[freq["band"] == "20-inf days", "period_high"]).all()  # "inf" round-trips
    within = freq[(freq["convention"] == "within") & (freq["measure"] == "TCI")]["value"]
    assert within.between(0, 100).all() and len(within) == 3
    # the static total is the headline VAR's DY table at frequency_horizon MA terms (not var.horizon)
    info = _main_info(tiny_demo_run)
    frequency = info["frequency"]
    assert isinstance(frequency, dict) and frequency["horizon"] == 100
    assert frequency["total"] == pytest.approx(tci["total"], abs=1e-8)
    rolling = _read(tiny_demo_run, "frequency_rolling")
    wide = rolling[rolling["convention"] == "absolute"].pivot(index="date", columns="band", values="value")
    assert wide.shape[1] == 3 and (wide.sum(axis=1) > 0).all()


def test_quantile_table_and_paths(tiny_demo_run: Path) -> None:
    quantile = _read(tiny_demo_run, "quantile")
    tci = quantile[quantile["measure"] == "TCI"].set_index("tau")["value"]
    assert list(tci.index) == [0.05, 0.5, 0.95]
    assert tci.between(0, 100).all()
    # Sigma(tau) is not demeaned (docs/quantile.md): the tails are more connected than the median
    assert tci[0.05] > tci[0.5] and tci[0.95] > tci[0.5]
    net = quantile[quantile["measure"] == "NET"].groupby("tau")["value"].sum()
    np.testing.assert_allclose(net.to_numpy(), 0.0, atol=1e-8)  # NET sums to zero at every tau
    paths = _read(tiny_demo_run, "quantile_rolling")
    assert sorted(set(paths["tau"])) == [0.05, 0.5, 0.95]
    counts = paths.groupby("tau").size()
    assert counts.nunique() == 1 and counts.iloc[0] > 1
    assert paths["explosive"].dtype == bool


def test_dcc_connectedness_reads_the_dcc_fit(tiny_demo_run: Path) -> None:
    dcc = _read(tiny_demo_run, "dcc_connectedness")
    info = _main_info(tiny_demo_run)
    block = info["dcc_connectedness"]
    assert isinstance(block, dict)
    dcc_info = info["dcc"]
    assert isinstance(dcc_info, dict) and block["assets"] == dcc_info["assets"]
    total = dcc[(dcc["series"] == "TOTAL") & (dcc["measure"] == "total")]
    # one table per date of the DCC fit: the dates of the conditional correlations
    correlations = pd.read_parquet(tiny_demo_run / "dcc/correlations.parquet")
    assert total["date"].nunique() == correlations["date"].nunique() == block["n_dates"]
    assert total["value"].mean() == pytest.approx(block["tci_mean"], rel=1e-9)
    # TCI = sum of FROM / N on every date (DY 2012, rows receive)
    from_ = dcc[dcc["measure"] == "from"].groupby("date")["value"].sum() / len(dcc_info["assets"])
    np.testing.assert_allclose(from_.sort_index().to_numpy(), total.set_index("date")["value"].sort_index(),
                               atol=1e-8)


def test_lasso_asset_network(tiny_demo_run: Path) -> None:
    nodes = _read(tiny_demo_run, "asset_network_nodes")
    edges = _read(tiny_demo_run, "asset_network_edges")
    info = _main_info(tiny_demo_run)
    network = info["asset_network"]
    assert isinstance(network, dict)
    assert network["estimator"] == "lasso" and network["penalty_rule"] == "bic"
    assert network["start"] >= "2024-08-01"
    assert list(nodes["asset"]) != [] and set(nodes["asset"]) == set(network["assets"])
    n = len(nodes)
    assert len(edges) == n * (n - 1)
    assert nodes["net"].sum() == pytest.approx(0.0, abs=1e-8)
    assert sorted(nodes["rank"]) == list(range(1, n + 1))
    assert (nodes["penalty"] > 0).all()  # BIC chose a positive lambda for every equation
    assert 0 < network["n_nonzero"] < network["n_coefficients"]  # the lasso set some coefficients to zero
    assert nodes.sort_values("rank")["net"].is_monotonic_decreasing


def test_pages_tables_figures_and_load_run(tiny_demo_run: Path) -> None:
    md = (tiny_demo_run / "report.md").read_text(encoding="utf-8")
    for title in ("Short run and long run: connectedness by frequency band", "Connectedness in the tails",
                  "DCC-GARCH connectedness", "Largest net transmitters and receivers"):
        assert title in md, title
    for table in ("frequency_bands", "quantile_connectedness", "asset_network_top"):
        text = (tiny_demo_run / "tables" / f"{table}.tex").read_text(encoding="utf-8")
        assert "\\toprule" in text and "\\bottomrule" in text, table
    for figure in ("frequency_rolling", "quantile_tci", "tci_paths", "asset_network"):
        assert (tiny_demo_run / "figures" / f"{figure}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", figure
    bib = (tiny_demo_run / "references.bib").read_text(encoding="utf-8")
    for key in ("barunik2018", "ando2022", "gabauer2020", "demirer2018"):  # each family cites its paper
        assert f"@article{{{key}," in bib, key
    manifest = json.loads((tiny_demo_run / "manifest.json").read_text(encoding="utf-8"))
    for stem, formats in MODEL_FILES.values():
        assert f"{stem}.{formats[0]}" in manifest["outputs_sha256"], stem
    run = contagion.load_run(tiny_demo_run)
    for name in ("connectedness_frequency", "connectedness_frequency_rolling", "connectedness_quantile",
                 "connectedness_quantile_rolling", "connectedness_dcc", "asset_network_nodes",
                 "asset_network_edges"):
        assert len(run.to_frame(name)), name
    assert pd.api.types.is_datetime64_any_dtype(run.to_frame("connectedness_dcc")["date"])
