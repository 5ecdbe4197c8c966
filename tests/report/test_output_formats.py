"""`[output] formats` decides exactly what is written, and the console names only files that exist (issue 14
item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from contagion.cli import main
from tests._runner_support import run_folders
from tests.report.conftest import tiny_study

pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")


def _run(tmp_path: Path, formats: list[str]) -> tuple[Path, str]:
    study = tiny_study(tmp_path, formats=formats)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(study), "--demo", "--out", str(out), "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    (folder,) = run_folders(out, "demo-tiny")
    return folder, result.output


def _suffixes(folder: Path) -> set[str]:
    return {p.suffix for p in folder.rglob("*") if p.is_file()}


def test_csv_and_md_only(tmp_path: Path) -> None:
    folder, output = _run(tmp_path, ["csv", "md"])
    assert _suffixes(folder) == {".csv", ".json", ".md", ".cff", ".bib"}
    assert not (folder / "figures").exists()
    # no LaTeX without "tex"; tables/ holds only the descriptive statistics CSV
    assert sorted(p.name for p in (folder / "tables").iterdir()) == ["descriptive_statistics.csv"]
    assert not (folder / "report.html").exists() and (folder / "report.md").is_file()
    # the Parquet-only tables fall back to CSV when only CSV is asked for
    assert (folder / "dcc/correlations.csv").is_file() and (folder / "data/panel.csv").is_file()
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert ".png)" not in md and ".pdf`" not in md and "figure not written" in md
    assert "report.html" not in output and f"open {folder / 'report.md'}" in output
    for line in output.splitlines():  # every path the console names exists
        for word in line.split():
            if word.startswith(str(tmp_path)):
                assert Path(word.rstrip(".,;")).exists(), line


def test_pdf_and_html_only(tmp_path: Path) -> None:
    folder, output = _run(tmp_path, ["parquet", "pdf", "html"])
    assert _suffixes(folder) == {".parquet", ".json", ".pdf", ".html", ".cff", ".bib"}
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "data:image/png" not in html and "figures/irf_grid.pdf" in html and "irf_grid.png" not in html
    assert f"open {folder / 'report.html'}" in output


def test_no_pages_no_figures(tmp_path: Path) -> None:
    folder, output = _run(tmp_path, ["tex"])
    assert _suffixes(folder) == {".tex", ".json", ".cff", ".bib"}
    assert "open " not in output and "no report page" in output
