"""A ticker named `<script>` (from a user's CSV folder) does not inject anything into report.html."""

from __future__ import annotations

from pathlib import Path

import pytest

from contagion.workflow.runner import run_study

pytest.importorskip("contagion.data.demo", reason="the demo source (branch demo) is not installed")

STUDY = """
name = "injection"
title = "Injection check"
seed = 1

[groups]
"<b>equity</b>" = ["NVDA", "<script>"]
crypto_major = ["BTC-USD", "ETH-USD"]

[[events]]
name = "DeepSeek R1"
date = 2025-01-27

[data]
source = "csv"
data_dir = "DATA_DIR"
start = 2024-03-01
end = 2025-06-30

[var]
lags = 1
irf_horizon = 5
draws = 10

[connectedness]
rolling_window = 150
rolling_step = 25

[dcc]
assets = ["NVDA", "<script>", "BTC-USD"]

[virf]
horizon = 5
reps = 40
shocks = [{ name = "<script>alert('virf')</script>", asset = "<script>" }]
"""


def test_script_ticker_is_escaped_everywhere(tmp_path: Path) -> None:
    from contagion.data.demo import DemoSource

    data = tmp_path / "data"
    data.mkdir()
    frames = DemoSource(seed=2).load(["NVDA", "AMD", "BTC-USD", "ETH-USD"], "2024-01-01", "2025-06-30")
    for ticker, frame in frames.items():
        name = "<script>" if ticker == "AMD" else ticker
        frame.reset_index().to_csv(data / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    study = tmp_path / "injection.toml"
    study.write_text(STUDY.replace("DATA_DIR", str(data)), encoding="utf-8")
    result = run_study(study, out=tmp_path / "out", n_jobs=1)
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;" in html  # shown as text
    md = (result.folder / "report.md").read_text(encoding="utf-8")
    prose = "".join(md.split("```")[0::2])
    assert "<script" not in prose.lower() and "<b>" not in prose
    tex = "".join(p.read_text(encoding="utf-8") for p in (result.folder / "tables").glob("*.tex"))
    assert "<script>" not in tex and r"\textless{}script\textgreater{}" in tex
