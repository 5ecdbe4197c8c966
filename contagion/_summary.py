"""The one summary object every results class returns (the statsmodels ``Summary`` pattern).

A :class:`Summary` holds a title, a few header lines (sample, options, fit facts), one or more labelled
tables and notes. It prints as text, renders as a booktabs LaTeX table or HTML, and gives its tables back as
DataFrames, so ``res.summary()`` means the same thing on a VAR, a connectedness table, a DCC fit, a VIRF,
a contagion test or an event study.

>>> import pandas as pd
>>> s = Summary("Example", header=("n_obs: 3",), tables=(("values", pd.DataFrame({"a": [1.0]})),))
>>> "n_obs" in s
True
>>> s.to_frame().loc[0, "a"]
np.float64(1.0)
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Summary", "SummaryReprMixin", "SummaryTable"]

#: One labelled table of a summary: (caption, frame).
SummaryTable = tuple[str, pd.DataFrame]

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


@dataclass(frozen=True, eq=False)
class Summary:
    """What ``summary()`` returns on every results object.

    Parameters
    ----------
    title : str
        One line naming the model or test.
    header : sequence of str
        Short facts shown above the tables (sample, options, fit statistics).
    tables : sequence of (caption, DataFrame)
        The tables, in display order; the first is the main one (:meth:`to_frame` without argument).
    notes : sequence of str
        Caveats shown below the tables (bounds hit, convergence, conventions).
    text : str, optional
        The printed form when a results class lays its text out itself; by default it is built from the
        parts above.
    digits : int
        Significant digits of numbers in the generated text, LaTeX and HTML.
    """

    title: str
    header: Sequence[str] = ()
    tables: Sequence[SummaryTable] = ()
    notes: Sequence[str] = ()
    text: str | None = None
    digits: int = field(default=5)

    # ---------------------------------------------------------------- frames
    def to_frame(self, table: int | str = 0) -> pd.DataFrame:
        """A copy of one table, by position or caption (default: the main table)."""
        if not self.tables:
            raise KeyError(f"the summary {self.title!r} has no tables")
        if isinstance(table, str):
            for caption, frame in self.tables:
                if caption == table:
                    return frame.copy()
            raise KeyError(f"no table {table!r} in this summary; tables: {[c for c, _ in self.tables]}")
        return self.tables[table][1].copy()

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table, keyed by caption."""
        return {caption: frame.copy() for caption, frame in self.tables}

    # ---------------------------------------------------------------- renderings
    def _fmt(self, value: object) -> str:
        if isinstance(value, float):
            return "" if value != value else f"{value:.{self.digits}g}"
        return str(value)

    def as_text(self) -> str:
        """The printed summary."""
        if self.text is not None:
            return self.text
        lines = [self.title, "=" * len(self.title), *self.header]
        for caption, frame in self.tables:
            lines += ["", f"{caption}:", frame.to_string(float_format=self._fmt, na_rep="")]
        if self.notes:
            lines += ["", *(f"note: {n}" for n in self.notes)]
        return "\n".join(lines)

    def as_latex(self) -> str:
        """The tables as booktabs LaTeX (one ``tabular`` per table, captions and notes escaped)."""
        parts = [f"% {_latex_escape(self.title)}"]
        for caption, frame in self.tables:
            cols = "l" + "r" * frame.shape[1]
            head = " & ".join([""] + [_latex_escape(str(c)) for c in frame.columns]) + r" \\"
            body = [" & ".join([_latex_escape(str(i))] + [_latex_escape(self._fmt(v)) for v in row]) + r" \\"
                    for i, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True)]
            parts += [f"% {_latex_escape(caption)}", rf"\begin{{tabular}}{{{cols}}}", r"\toprule", head,
                      r"\midrule", *body, r"\bottomrule", r"\end{tabular}"]
        parts += [f"% note: {_latex_escape(n)}" for n in self.notes]
        return "\n".join(parts) + "\n"

    def as_html(self) -> str:
        """A compact HTML rendering (title, header lines, tables, notes)."""
        out = [f"<h4>{html.escape(self.title)}</h4>"]
        if self.header:
            out.append("<p>" + "<br>".join(html.escape(h) for h in self.header) + "</p>")
        for caption, frame in self.tables:
            out.append(f"<p><b>{html.escape(caption)}</b></p>")
            out.append(frame.to_html(float_format=self._fmt, na_rep="", border=0))
        if self.notes:
            out.append("<p>" + "<br>".join(f"note: {html.escape(n)}" for n in self.notes) + "</p>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def __eq__(self, other: object) -> bool:
        """Equal to another summary or to a string with the same printed text."""
        if isinstance(other, Summary):
            other = other.as_text()
        return isinstance(other, str) and other == self.as_text()

    def __hash__(self) -> int:
        return hash(self.as_text())

    def __contains__(self, item: object) -> bool:
        """``"log-likelihood" in res.summary()`` searches the printed text."""
        return isinstance(item, str) and item in self.as_text()


class SummaryReprMixin:
    """Gives a results class a notebook display: ``_repr_html_`` renders its :meth:`summary` as HTML."""

    def summary(self) -> Summary:  # every results class defines its own
        raise NotImplementedError

    def _repr_html_(self) -> str:
        """Compact HTML of :meth:`summary` (Jupyter calls this to display the object)."""
        return self.summary().as_html()
