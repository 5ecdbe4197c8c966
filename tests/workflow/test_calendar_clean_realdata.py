"""The real run of deepseek-2025: no weekly (h = 5) echo in the crypto responses, fixed group membership
recorded in the manifest and the report, main's lag order in every robustness job, wild bands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from contagion.workflow.runner import run_study


@pytest.fixture(scope="module")
def real_run(markets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calendar_clean")
    return run_study("deepseek-2025", data_dir=markets_dir, out=out).folder


@pytest.mark.slow
@pytest.mark.realdata
def test_no_h5_spike_in_crypto_responses(real_run: Path) -> None:
    irf = pd.read_csv(real_run / "irf/var_irf.csv")
    main = irf[(irf["job"] == "main") & (irf["kind"] == "generalized")]
    assert set(main["band_method"]) == {"wild"}
    for response in ("crypto_major", "altcoin", "ai_token"):
        for impulse in sorted(set(main["impulse"])):
            e = main[(main["impulse"] == impulse) & (main["response"] == response)].set_index("horizon")["estimate"]
            # the bar of issue 12: h = 5 no larger than 1.5 times the mean of its neighbours (before: 2.37 for
            # crypto_major on itself, a Monday echo one week after the shock)
            assert e[5] <= 1.5 * (e[4] + e[6]) / 2, (impulse, response, e[4], e[5], e[6])


@pytest.mark.slow
@pytest.mark.realdata
def test_membership_and_lags_are_recorded(real_run: Path) -> None:
    manifest = json.loads((real_run / "manifest.json").read_text(encoding="utf-8"))
    jobs = {job["name"]: job["info"] for job in manifest["jobs"]}
    main = jobs["main"]
    membership = main["membership"]
    assert membership["rule"] == "fixed"
    excluded = {r["ticker"]: r for r in membership["table"] if r["status"] == "excluded"}
    # CORZ relisted 2024-01-24, six AI tokens start in 2024, AKT also ends 2025-11-12: none covers 2023-2025
    assert set(excluded) == {"CORZ", "FET-USD", "RENDER-USD", "TAO-USD", "GRT-USD", "WLD-USD", "AKT-USD"}
    assert "leaves after 2025-11-12" in excluded["AKT-USD"]["reason"]
    assert main["members"]["ai_token"] == ["NEAR-USD", "ICP-USD"]
    assert main["members"]["benchmark"] == ["SPY", "QQQ"]
    for ticker in excluded:
        assert any("[main] DataQualityWarning: group" in w and ticker in w for w in manifest["warnings"]), ticker
    assert main["variance_scale"]["applied"] is True
    assert main["variance_scale"]["multi_day_bars"]["BTC-USD"] > 100
    lag = main["var"]["lag_order"]
    for name, info in jobs.items():
        if name != "main":
            assert info["var"]["lag_order"] == lag, name
    report = (real_run / "report.md").read_text(encoding="utf-8")
    assert "left out (why)" in report and "AKT-USD (enters on" in report
    assert "wild bootstrap" in report
    assert "on bound" in report  # GARCH margins on a bound are flagged, not printed as 0.0000
    params = pd.read_csv(real_run / "dcc/params.csv")
    flagged = params[params["on_bound"]]
    assert len(flagged) and (flagged["std_error"].isna()).all()
    assert "on_bound" in params.columns
