"""The model families of the built-in study on the real data (skipped without it): the lasso network holds
every ticker of the study, and the frequency, quantile and DCC-GARCH connectedness files are written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from contagion.workflow.runner import run_study
from contagion.workflow.spec import load_study


@pytest.mark.slow
@pytest.mark.realdata
def test_full_asset_network_and_families_on_real_data(markets_dir: Path, tmp_path: Path) -> None:
    study = load_study("deepseek-2025").with_overrides(robustness=())
    folder = run_study(study, data_dir=markets_dir, out=tmp_path, n_jobs=1).folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    [main] = [job for job in manifest["jobs"] if job["name"] == "main"]
    assert main["unavailable"] == {}
    network = main["info"]["asset_network"]
    # every one of the study's 31 tickers has data on 2024-07-29..2025-11-12 (RENDER starts, AKT ends there);
    # the 37 files of the market folder add 6 tickers that are in no group (BOTZ, SMH, SOXX, ^GSPC, ^IXIC, ^VIX)
    assert len(study.tickers) == 31
    assert network["assets"] == list(study.tickers) and network["left_out"] == []
    assert (network["start"], network["end"], network["n_obs"]) == ("2024-07-29", "2025-11-12", 326)
    assert network["filled"] == {"CLSK": 1}  # one missing session (2024-11-08), interpolated
    assert network["estimator"] == "lasso" and 0 < network["n_nonzero"] < network["n_coefficients"] == 31 * 31 * 2
    nodes = pd.read_csv(folder / "connectedness/asset_network_nodes.csv")
    assert len(nodes) == 31 and nodes["penalty"].gt(0).all()
    freq = pd.read_csv(folder / "connectedness/frequency.csv")
    tci = freq[(freq["convention"] == "absolute") & (freq["measure"] == "TCI")].set_index("band")["value"]
    assert tci.drop("total").sum() == pytest.approx(tci["total"], abs=1e-8)  # 12-digit files
    quantile = pd.read_csv(folder / "connectedness/quantile.csv")
    qtci = quantile[quantile["measure"] == "TCI"].set_index("tau")["value"]
    assert qtci[0.05] > qtci[0.5] < qtci[0.95]
    dcc = main["info"]["dcc_connectedness"]
    assert 0 < dcc["tci_mean"] < 100 and dcc["n_dates"] == main["info"]["dcc"]["n_obs"]
