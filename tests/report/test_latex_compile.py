"""Every tables/*.tex of a run compiles with pdflatex in a minimal document (issue 14 item 4), and every
caption, header and cell is escaped through one function."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from contagion.report.tables import TeX, latex_escape, robustness_table, tabular

PDFLATEX = shutil.which("pdflatex")
DOCUMENT = "\\documentclass{article}\\usepackage{booktabs}\\begin{document}\\input{%s}\\end{document}\n"


def _compile(tex_file: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    shutil.copy(tex_file, workdir / tex_file.name)
    doc = workdir / f"doc_{tex_file.stem}.tex"
    doc.write_text(DOCUMENT % tex_file.name, encoding="utf-8")
    return subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", doc.name], cwd=workdir,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (CI installs texlive-latex-base and "
                                             "texlive-latex-recommended)")
def test_every_table_of_a_demo_run_compiles(tiny_demo_run: Path, tmp_path: Path) -> None:
    tables = sorted((tiny_demo_run / "tables").glob("*.tex"))
    # the tiny study writes every table kind, robustness.tex (the 'ai_equity' caption of issue 14) included
    assert {"robustness", "dy_table", "dcc_parameters", "event_figures", "deepseek_facts"} <= {t.stem for t in tables}
    for table in tables:
        done = _compile(table, tmp_path)
        errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
        assert done.returncode == 0, f"{table.name}: {errors or done.stdout[-2000:]}"
        assert (tmp_path / f"doc_{table.stem}.pdf").stat().st_size > 0


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")
def test_hostile_names_compile(tmp_path: Path) -> None:
    name = "ai_equity & S&P 100% #1 $x$ {a} ~^\\ <b>"
    directional = pd.DataFrame({"job": ["main", "main", name, name], "model": ["group_var"] * 4,
                                "series": ["TOTAL", name, "TOTAL", name], "measure": ["total", "net"] * 2,
                                "value": [50.0, 10.0, 40.0, -5.0]})
    text = robustness_table(directional, ["main", name], source_group=name, caption=f"Robustness of {name}",
                            label="tab:x", simulated=True)
    (tmp_path / "src").mkdir()
    path = tmp_path / "src" / "hostile.tex"
    path.write_text(text, encoding="utf-8")
    assert _compile(path, tmp_path).returncode == 0, text


def test_tabular_escapes_caption_header_cells_and_notes_once() -> None:
    text = tabular(["a_b", TeX("$\\beta$")], [["x_y", "1.00"]], caption="net of ai_equity", label="tab:t",
                   notes="t_cross: 5%")
    assert r"\caption{net of ai\_equity}" in text
    assert r"a\_b & $\beta$ \\" in text and r"x\_y & 1.00 \\" in text
    assert r"t\_cross: 5\%" in text
    assert "\\\\_" not in text.replace("\\\\\n", "\n")  # nothing escaped twice (no "\\_")
    assert latex_escape(TeX("$a_b$")) == "$a_b$" and latex_escape("$a_b$") == r"\$a\_b\$"
