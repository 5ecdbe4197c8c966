"""The Answer that opens report.md: every number equals the cell of the file and columns it cites.

The Answer is parsed from report.md as a reader sees it (Markdown escapes undone): each bullet is a sentence
followed by ``(source: FILE (col=value, ...): column, column; ...)``. The decimal numbers of the sentence,
in order, must equal the cited cells, in order, to the printed precision (half a unit of the last printed
digit). Integers (horizons, counts) are checked against an independent recomputation from the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d+")
_REF = re.compile(r"^(?P<file>[\w/]+\.(?:csv|parquet)) \((?P<where>[^()]*)\): (?P<columns>[\w, ]+)$")


def _unescape(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def answer_lines(folder: Path) -> list[str]:
    """The bullets of the Answer section of ``report.md``."""
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "## Answer" in md
    block = md.split("## Answer", 1)[1].split("\n## ", 1)[0]
    assert md.index("## Answer") < md.index("## The question")  # the Answer opens the report
    return [_unescape(line[2:]) for line in block.splitlines() if line.startswith("- ")]


def split_source(line: str) -> tuple[str, list[tuple[str, dict[str, str], list[str]]]]:
    """The sentence and its references ``(file, where, columns)``."""
    if " (source: " not in line:
        return line, []
    text, source = line.rsplit(" (source: ", 1)
    assert source.endswith(")"), line
    refs = []
    for part in source[:-1].split("; "):
        match = _REF.match(part)
        assert match is not None, part
        where = dict(item.split("=", 1) for item in match["where"].split(", "))
        refs.append((match["file"], where, [c.strip() for c in match["columns"].split(",")]))
    return text, refs


def cited_values(folder: Path, refs: list[tuple[str, dict[str, str], list[str]]]) -> list[float]:
    values = []
    for file, where, columns in refs:
        path = folder / file
        assert path.is_file(), file
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""]) if file.endswith(".csv") \
            else pd.read_parquet(path)
        mask = np.ones(len(frame), dtype=bool)
        for column, value in where.items():
            mask &= frame[column].astype(str).to_numpy() == value
        assert mask.sum() == 1, (file, where)
        values += [float(frame.loc[mask, c].iloc[0]) for c in columns]
    return values


def check_answer(folder: Path) -> list[str]:
    """Assert every number of the Answer against its cited cells; returns the Answer's lines."""
    lines = answer_lines(folder)
    assert len(lines) >= 4, lines
    n_checked = 0
    for line in lines:
        text, refs = split_source(line)
        printed = _NUMBER.findall(text)
        values = cited_values(folder, refs)
        assert len(printed) == len(values), (text, refs)
        for shown, value in zip(printed, values, strict=True):
            decimals = len(shown.split(".")[1])
            # the Answer rounds to `decimals`; the file holds the value itself
            assert abs(float(shown) - value) <= 0.5 * 10.0**-decimals + 1e-12, (shown, value, text)
            n_checked += 1
    assert n_checked >= 10
    return lines


def check_claims(folder: Path, lines: list[str]) -> None:
    """The words and integers of the Answer against an independent reading of the same files."""
    from contagion.report.answer import half_life

    static = pd.read_csv(folder / "connectedness/static.csv")
    net = static[(static["job"] == "main") & (static["model"] == "group_var") & (static["receiver"] == "NET")
                 & (static["transmitter"] == "ai_equity")].iloc[0]
    net_line = next(line for line in lines if line.startswith("NET(ai_equity) ="))
    covers = net["lower"] <= 0.0 <= net["upper"]
    assert ("not identified" in net_line) == covers
    irf = pd.read_csv(folder / "irf/var_irf.csv")
    rows = irf[(irf["job"] == "main") & (irf["impulse"] == "ai_equity") & (irf["response"] == "crypto_major")
               & (irf["kind"] == "generalized")].set_index("horizon")["estimate"]
    magnitude = rows.abs().sort_index()
    peak = int(magnitude.idxmax())
    fade_line = next(line for line in lines if "most at h = " in line)
    assert f"most at h = {peak} " in fade_line
    later = magnitude[(magnitude.index > peak) & (magnitude < magnitude[peak] / 2)]
    if len(later):
        assert f"falls below half of that peak at h = {int(later.index[0])} " in fade_line
        assert half_life(rows) == (peak, int(later.index[0]))
    change = pd.read_csv(folder / "connectedness/change.csv")
    total = change[(change["job"] == "main") & (change["measure"] == "total")].iloc[0]
    change_line = next(line for line in lines if "total connectedness went from" in line)
    assert ("not significant at 5%" in change_line) == (total["p_value"] >= 0.05)
    assert f"VAR({int(total['lags'])}) in both windows" in change_line
    granger = pd.read_csv(folder / "tests/granger_in_variance.csv")
    granger = granger[granger["job"] == "main"]
    n_sig = int((granger["p_value"] < 0.05).sum())
    assert any(f"significant at 5% for {n_sig} of {len(granger)} groups" in line for line in lines)


def test_answer_numbers_equal_the_cited_cells(tiny_demo_run: Path) -> None:
    lines = check_answer(tiny_demo_run)
    check_claims(tiny_demo_run, lines)
    assert any(line.startswith("Shocks to ai_equity account for") for line in lines)
    # the HTML page opens with the same Answer
    html = (tiny_demo_run / "report.html").read_text(encoding="utf-8")
    assert html.index("<h2>Answer</h2>") < html.index("<h2>The question</h2>")


def test_a_sentence_whose_file_is_absent_is_left_out(tiny_demo_run: Path, tmp_path: Path) -> None:
    """No cross-event file in the run: no comparison sentence; remove the change file: no change sentence."""
    import shutil

    from contagion.report.answer import answer_statements
    from contagion.workflow.spec import load_study

    copy = tmp_path / "run"
    shutil.copytree(tiny_demo_run, copy)
    study = load_study(next(tiny_demo_run.parent.parent.parent.glob("*.toml")))
    before = [s.text for s in answer_statements(copy, study)]
    assert any("total connectedness went from" in t for t in before)
    (copy / "connectedness/change.csv").unlink()
    (copy / "connectedness/change.parquet").unlink()
    after = [s.text for s in answer_statements(copy, study)]
    assert not any("total connectedness went from" in t for t in after)
    assert len(after) < len(before)
    if not (copy / "events/cross_event.csv").is_file():
        assert not any("around each event" in t for t in before)


@pytest.mark.slow
@pytest.mark.realdata
def test_answer_of_the_real_run(markets_dir: Path, tmp_path: Path) -> None:
    from contagion.workflow.runner import run_study

    folder = run_study("deepseek-2025", data_dir=markets_dir, out=tmp_path, n_jobs=2).folder
    lines = check_answer(folder)
    check_claims(folder, lines)
    # the built-in study has three events: the per-event test sentences use the first event's rows
    assert any(line.startswith("Forbes-Rigobon") for line in lines)
    assert any(line.startswith("Correlation shift") for line in lines)
