"""``report.html`` (self-contained) and ``report.md`` from one context, through jinja2 templates.

Safety: the HTML environment has autoescaping on and no template marks anything ``|safe``; every string
that reaches a page -- tickers, group names, study titles, warnings, table cells -- is escaped, so a ticker
named ``<script>`` is shown as text and never runs. Figures are embedded as base64 PNG data URIs (the only
non-text content), so the page needs no other file. The Markdown renderer escapes ``< > &`` as HTML
entities and the Markdown table and emphasis characters.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

__all__ = ["FigureRef", "ReportContext", "Section", "TableView", "md_escape", "render_html", "render_markdown",
           "table_view"]


@dataclass
class TableView:
    """A table ready for the page: caption, column labels and rows of display strings."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [i > 0 and _is_numeric([row[i] for row in self.rows]) for i in range(len(self.columns))]


def _is_numeric(cells: Sequence[str]) -> bool:
    values = [c for c in cells if c not in ("", "-")]
    try:
        [float(c) for c in values]
    except ValueError:
        return False
    return bool(values)


@dataclass
class FigureRef:
    """A figure of the report: ``file`` is the path stem relative to the run folder (``figures/irf_grid``).

    ``formats`` are the files written (``("png", "pdf")`` by default; ``()`` when the study's formats list
    neither, and the pages then say the figure was not written).
    """

    file: str
    title: str
    caption: str
    png_base64: str = ""
    formats: tuple[str, ...] = ("png", "pdf")

    @property
    def files(self) -> list[str]:
        """The figure's files in the run folder (``figures/irf_grid.png``, ...)."""
        return [f"{self.file}.{fmt}" for fmt in self.formats]


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)
    figures: list[FigureRef] = field(default_factory=list)
    unavailable: str = ""


@dataclass
class ReportContext:
    title: str
    study_name: str
    run_id: str
    version: str
    commit: str | None
    simulated: bool
    question: list[str]
    data_facts: list[tuple[str, str]]
    data_tables: list[TableView]
    data_notes: list[str]
    sections: list[Section]
    caveats: list[str]
    warnings: list[str]
    references: list[str]
    rerun: str
    answer: Section | None = None  # opens the page (contagion.report.answer)


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return ""
        return f"{float(value):.{digits}f}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def table_view(frame: pd.DataFrame, caption: str, *, digits: int = 2, note: str = "",
               index: bool = False) -> TableView:
    """A DataFrame as a :class:`TableView` (numbers formatted with ``digits`` decimals)."""
    data = frame.reset_index() if index else frame
    columns = [str(c) for c in data.columns]
    counts = [_is_count_column(data[c]) for c in data.columns]
    rows = [[_cell(int(v), digits) if is_count and _finite(v) else _cell(v, digits)
             for v, is_count in zip(row, counts, strict=True)]
            for row in data.itertuples(index=False, name=None)]
    return TableView(caption=caption, columns=columns, rows=rows, note=note)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and bool(np.isfinite(value))


def _is_count_column(column: pd.Series) -> bool:
    """Counts (``n_*`` columns, observations) print as integers even when stored as floats."""
    name = str(column.name).lower()
    if not (name.startswith("n_") or name in {"observations", "n", "count"}):
        return False
    values = pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(values.size) and bool(np.all(values == np.round(values)))


def embed_figures(sections: Sequence[Section], root: Path) -> None:
    """Fill each figure's ``png_base64`` from ``root/<file>.png`` (figures written as PNG only)."""
    for section in sections:
        for figure in section.figures:
            if "png" not in figure.formats:
                continue
            figure.png_base64 = base64.b64encode((root / f"{figure.file}.png").read_bytes()).decode("ascii")


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("contagion.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["md"] = md_escape
    env.filters["mdtable"] = _md_table
    return env


_MD_SPECIAL = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "*": "\\*", "_": "\\_", "`": "\\`", "[": "\\[",
    "]": "\\]", "\\": "\\\\", "#": "\\#",
})


def md_escape(text: Any) -> str:
    """Escape text for Markdown: HTML-significant characters as entities, Markdown syntax with backslashes."""
    return str(text).replace("\n", " ").translate(_MD_SPECIAL)


def _md_table(table: TableView) -> str:
    lines = [f"**{md_escape(table.caption)}**", ""]
    lines.append("| " + " | ".join(md_escape(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if table.numeric[i] else ":---" for i in range(len(table.columns))) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(md_escape(c) for c in row) + " |")
    if table.note:
        lines += ["", f"*{md_escape(table.note)}*"]
    return "\n".join(lines) + "\n"


def _as_mapping(context: ReportContext) -> Mapping[str, Any]:
    return dict(context.__dict__)


def render_html(context: ReportContext) -> str:
    """The self-contained HTML page (autoescaped; figures embedded)."""
    return _environment(True).get_template("report.html.j2").render(**_as_mapping(context))


def render_markdown(context: ReportContext) -> str:
    """The Markdown page (figures linked as files of the run folder)."""
    return _environment(False).get_template("report.md.j2").render(**_as_mapping(context))
