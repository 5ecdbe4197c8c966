"""Report building blocks: escaping (HTML, Markdown, LaTeX), deterministic files and figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from contagion.report import figures as figs
from contagion.report.files import normalise, write_csv, write_json, write_parquet
from contagion.report.manifest import citation_cff, method_keys, references_bib
from contagion.report.render import (
    FigureRef,
    ReportContext,
    Section,
    md_escape,
    render_html,
    render_markdown,
    table_view,
)
from contagion.report.tables import dy_table, latex_escape

EVIL = "<script>alert('x')</script>"


def _context(simulated: bool = False) -> ReportContext:
    frame = pd.DataFrame({"ticker": [EVIL, "NVDA"], "value": [1.23456, -0.5]})
    section = Section(title=f"Section {EVIL}", text=[f"text {EVIL}"], tables=[table_view(frame, f"caption {EVIL}")],
                      figures=[FigureRef(file="figures/x", title=EVIL, caption=EVIL, png_base64="iVBORw0KGgo=")],
                      unavailable=f"not available: {EVIL}")
    return ReportContext(
        title=f"Study {EVIL}", study_name="s", run_id="20250101T000000Z-abcdef12", version="0.1", commit=None,
        simulated=simulated, question=[EVIL], data_facts=[(EVIL, EVIL)], data_tables=[], data_notes=[EVIL],
        sections=[section], caveats=[EVIL], warnings=[EVIL], references=[EVIL], rerun=f"contagion run {EVIL}",
    )


def test_html_escapes_every_text_field() -> None:
    html = render_html(_context())
    assert "<script" not in html.lower()
    assert html.count("&lt;script&gt;") >= 12
    assert '<img alt="&lt;script&gt;' in html and "data:image/png;base64,iVBORw0KGgo=" in html


def test_html_and_markdown_flag_simulated_data() -> None:
    assert "SIMULATED DATA" not in render_html(_context(False))
    html = render_html(_context(True))
    assert html.count("SIMULATED DATA") >= 2 and "<title>[SIMULATED DATA]" in html
    assert render_markdown(_context(True)).startswith("> **SIMULATED DATA**")


def test_markdown_escapes_html_and_table_syntax() -> None:
    md = render_markdown(_context())
    prose = "".join(md.split("```")[0::2])  # outside fenced code blocks (code is shown literally)
    assert "<script" not in prose
    assert md_escape("a|b <c> *d* _e_") == "a\\|b &lt;c&gt; \\*d\\* \\_e\\_"
    assert "| &lt;script&gt;alert('x')&lt;/script&gt; | 1.23 |" in md


def test_latex_escape_and_dy_table() -> None:
    assert latex_escape("^VIX & S_P 100% $#{}~\\") == (
        r"\textasciicircum{}VIX \& S\_P 100\% \$\#\{\}\textasciitilde{}\textbackslash{}")
    names = ["a_x", "^VIX"]
    static = pd.DataFrame({"job": "main", "model": "m", "receiver": np.repeat(names, 2), "transmitter": names * 2,
                           "value": [90.0, 10.0, 20.0, 80.0]})
    directional = pd.DataFrame({"job": "main", "model": "m", "series": ["a_x", "a_x", "a_x", "^VIX", "^VIX", "^VIX",
                                                                        "TOTAL"],
                                "measure": ["to", "from", "net", "to", "from", "net", "total"],
                                "value": [20.0, 10.0, 10.0, 10.0, 20.0, -10.0, 15.0]})
    text = dy_table(static, directional, model="m", job="main", caption="DY", label="tab:x", simulated=True, horizon=10)
    assert text.startswith("% SIMULATED DATA")
    assert r"a\_x & 90.00 & 10.00 & 10.00 \\" in text
    assert r"NET & 10.00 & -10.00 &  \\" in text and "15.00" in text and r"\textasciicircum{}VIX" in text


def test_deterministic_csv_parquet_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"job": ["b", "a", "a"], "date": pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-03"]),
                          "value": rng.standard_normal(3) / 3.0, "n": [1, 2, 3]})
    digests = []
    for k in range(2):
        folder = tmp_path / str(k)
        out = normalise(frame.sample(frac=1.0, random_state=k), ["job", "date"])
        write_csv(out, folder / "t.csv")
        write_parquet(out, folder / "t.parquet")
        write_json({"b": np.float64(0.1) + np.float64(0.2), "a": [np.nan, pd.Timestamp("2025-01-27")]},
                   folder / "t.json")
        digests.append([hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("t.csv", "t.parquet", "t.json")])
    assert digests[0] == digests[1]
    text = (tmp_path / "0" / "t.csv").read_text()
    assert text.splitlines()[1].startswith("a,2025-01-01,")
    table = pq.read_table(tmp_path / "0" / "t.parquet")
    assert table.schema.metadata is None and str(table.schema.field("date").type) == "date32[day]"
    assert (tmp_path / "0" / "t.json").read_text() == '{\n  "a": [\n    null,\n    "2025-01-27"\n  ],\n  "b": 0.3\n}\n'


def test_figures_are_byte_identical_across_saves(tmp_path: Path) -> None:
    irf = pd.DataFrame({"kind": "generalized", "impulse": np.repeat(["a", "b"], 6), "response": np.tile(np.repeat(["a", "b"], 3), 2),
                        "horizon": np.tile([0, 1, 2], 4), "estimate": np.linspace(1, 0, 12),
                        "lower": np.linspace(0.9, -0.1, 12), "upper": np.linspace(1.1, 0.1, 12)})
    digests = []
    for k in range(2):
        fig = figs.irf_grid(irf, kind="generalized", title="IRF", simulated=True)
        paths = figs.save_figure(fig, tmp_path / str(k), "irf")
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]
    assert b"CreationDate" not in (tmp_path / "0" / "irf.pdf").read_bytes()


def test_citation_and_references() -> None:
    cff = citation_cff(title="T", study="s", run_id="r1", commit="a" * 40, simulated=True, date_released="2025-01-01")
    assert "cff-version: 1.2.0" in cff and 'commit: "' + "a" * 40 in cff and "SIMULATED DATA" in cff
    keys = method_keys({"var": {"bands": "kilian"}, "connectedness": {"tvp": True}}, ["garman_klass"], {"dcc", "virf"})
    bib = references_bib(keys)
    for key in ("diebold2012", "kilian1998", "antonakakis2020", "engle2002", "hafner2006", "garman1980"):
        assert f"@article{{{key}," in bib or f"@techreport{{{key}," in bib
