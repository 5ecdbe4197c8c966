"""Publication tables as LaTeX (booktabs), built from the tidy result tables of a run.

Each function returns the text of a self-contained ``table`` environment (``\\usepackage{booktabs}`` in the
preamble). Every caption, header cell, body cell and note goes through one function, :func:`latex_escape`,
inside :func:`tabular`; builders pass plain text, and the few fragments that are LaTeX on purpose (math such
as ``$h = 0, \\dots$``) are marked :class:`TeX`. So a ticker such as ``^VIX``, a group such as ``ai_equity``
or an event name with ``&`` cannot break the document. A demo run puts ``% SIMULATED DATA`` at the top and a
note in the caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import pandas as pd

__all__ = [
    "TeX",
    "dcc_parameter_table",
    "dy_table",
    "event_table",
    "group_spillover_table",
    "latex_escape",
    "robustness_table",
    "simple_table",
    "tabular",
]

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (typed loosely: cells are whatever the tidy table holds)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


class TeX(str):
    """Text that is LaTeX already (math, commands): :func:`latex_escape` passes it through unchanged."""

    __slots__ = ()


def latex_escape(text: object) -> str:
    """Escape LaTeX's special characters in ``text``; a :class:`TeX` string is returned as it is."""
    if isinstance(text, TeX):
        return str(text)
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _to_float(value: object) -> float:
    """``float(value)`` for a table cell of any type; TypeError or ValueError when it is not a number."""
    if isinstance(value, str | bytes | bytearray | SupportsFloat | SupportsIndex):
        return float(value)
    raise TypeError(f"not a number: {type(value).__name__}")


def _finite(value: object) -> bool:
    try:
        return bool(np.isfinite(_to_float(value)))
    except (TypeError, ValueError):
        return False


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return ""
    try:
        number = _to_float(value)
    except (TypeError, ValueError):
        return str(value)  # plain text: tabular() escapes every cell
    if not np.isfinite(number):
        return ""
    text = f"{number:.{digits}f}"
    return "0." + "0" * digits if text in {"-0." + "0" * digits} else text


def tabular(header: Sequence[str], rows: Sequence[Sequence[str]], *, caption: str, label: str,
            align: str | None = None, notes: str = "", simulated: bool = False, midrules: Sequence[int] = ()) -> str:
    """A booktabs table from plain text: ``caption``, ``header``, ``rows`` and ``notes`` are escaped here
    (:func:`latex_escape`), except the parts marked :class:`TeX`."""
    align = align or ("l" + "r" * (len(header) - 1))
    header = [latex_escape(cell) for cell in header]
    rows = [[latex_escape(cell) for cell in row] for row in rows]
    caption, notes = latex_escape(caption), latex_escape(notes)
    lines = []
    if simulated:
        lines.append("% SIMULATED DATA (contagion run --demo): not market data")
        caption = caption + r" \emph{Simulated data (demo run), not market data.}"
    lines += [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{caption}}}",
        rf"\label{{{label}}}",
        r"\small",
        rf"\begin{{tabular}}{{{align}}}",
        r"\toprule",
        " & ".join(header) + r" \\",
        r"\midrule",
    ]
    for i, row in enumerate(rows):
        if i in midrules:
            lines.append(r"\midrule")
        lines.append(" & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if notes:
        lines.append(rf"\par\smallskip\footnotesize {notes}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def dy_table(static: pd.DataFrame, directional: pd.DataFrame, *, model: str, job: str, caption: str,
             label: str, simulated: bool = False, horizon: int | None = None) -> str:
    """The Diebold-Yilmaz (2012) table: cells (percent, rows receive), FROM column, TO, NET and total rows."""
    cells = static[(static["model"] == model) & (static["job"] == job)]
    names = list(dict.fromkeys(cells["receiver"]))
    matrix = cells.pivot(index="receiver", columns="transmitter", values="value").loc[names, names]
    direc = directional[(directional["model"] == model) & (directional["job"] == job)]
    get = {(str(r["series"]), str(r["measure"])): r["value"] for r in _records(direc)}
    header = ["", *names, "FROM others"]
    rows = []
    for name in names:
        rows.append([name, *[_fmt(matrix.loc[name, c]) for c in names], _fmt(get.get((name, "from")))])
    rows.append(["TO others", *[_fmt(get.get((n, "to"))) for n in names], ""])
    rows.append(["NET", *[_fmt(get.get((n, "net"))) for n in names], ""])
    rows.append(["Total", *[""] * len(names), _fmt(get.get(("TOTAL", "total")))])
    h = f" over a {horizon}-step horizon (MA terms $h = 0, \\dots, {horizon - 1}$)" if horizon else ""
    notes = TeX("Generalized forecast-error variance decomposition (Pesaran and Shin 1998; Diebold and Yilmaz "
                f"2012){h}, percent. Row $i$, column $j$: share of $i$'s forecast-error variance due to shocks in "
                "$j$.")
    return tabular(header, rows, caption=caption, label=label, notes=notes, simulated=simulated,
                   midrules=(len(names),))


def group_spillover_table(groups: pd.DataFrame, *, model: str, job: str, caption: str, label: str,
                          simulated: bool = False) -> str:
    """Between-group spillovers (percent): rows receive, columns transmit, with the net row."""
    sub = groups[(groups["model"] == model) & (groups["job"] == job)]
    names = list(dict.fromkeys([*sub["transmitter"], *sub["receiver"]]))
    value: dict[tuple[str, str], float] = {(str(r["transmitter"]), str(r["receiver"])): float(r["spillover"])
                                           for r in _records(sub)}
    header = [TeX("receiver $\\backslash$ transmitter"), *names]
    rows = []
    for receiver in names:
        rows.append([receiver,
                     *["--" if t == receiver and (t, receiver) not in value else _fmt(value.get((t, receiver)))
                       for t in names]])
    net = {n: sum(value.get((n, r), 0.0) - value.get((r, n), 0.0) for r in names if r != n) for n in names}
    rows.append([TeX("NET (to $-$ from)"), *[_fmt(net[n]) for n in names]])
    notes = ("Percent of the receiving group's forecast-error variance (averaged over its members for the "
             "asset-level network) due to shocks in the transmitting group.")
    return tabular(header, rows, caption=caption, label=label, notes=notes, simulated=simulated,
                   midrules=(len(names),))


def dcc_parameter_table(params: pd.DataFrame, *, caption: str, label: str, simulated: bool = False) -> str:
    """Univariate GARCH parameters per asset and the DCC parameters, with standard errors in parentheses."""
    uni = params[params["asset"] != "dcc"]
    dcc = params[params["asset"] == "dcc"]
    preferred = ["mu", "const", "ar1", "omega", "alpha", "alpha[1]", "gamma", "gamma[1]", "beta", "beta[1]", "nu",
                 "lambda", "eta"]
    found = list(dict.fromkeys(uni["parameter"]))
    parameters = [p for p in preferred if p in found] + [p for p in found if p not in preferred]
    assets = list(dict.fromkeys(uni["asset"]))
    header = ["Asset", *parameters]
    rows = []
    cells = {(str(r["asset"]), str(r["parameter"])): (r["estimate"], r["std_error"]) for r in _records(uni)}
    for asset in assets:
        row = [asset]
        for parameter in parameters:
            if (asset, parameter) in cells:
                est, se = cells[(asset, parameter)]
                row.append(_fmt(est, 4) + (f" ({_fmt(se, 4)})" if _finite(se) else ""))
            else:
                row.append("")
        rows.append(row)
    dcc_text = ", ".join(
        f"${latex_escape(r['parameter'])} = {_fmt(r['estimate'], 4)}$"
        + (f" ({_fmt(r['std_error'], 4)})" if _finite(r["std_error"]) else "")
        for r in _records(dcc)
    )
    notes = TeX(f"DCC(1,1) correlation parameters: {dcc_text}. Standard errors in parentheses.") if dcc_text else ""
    return tabular(header, rows, caption=caption, label=label, notes=notes, simulated=simulated)


def event_table(events: pd.DataFrame, *, caption: str, label: str, simulated: bool = False) -> str:
    """Event-day figures per asset: aligned log return (percent) and the jump in log variance."""
    header = ["Group", "Asset", "Return (%)", "Log-variance jump"]
    rows: list[list[str]] = []
    last_group: object = None
    midrules = []
    for r in _records(events):
        if last_group is not None and r["group"] != last_group:
            midrules.append(len(rows))
        rows.append([str(r["group"]) if r["group"] != last_group else "", str(r["asset"]),
                     _fmt(r["return_pct"]), _fmt(r["log_variance_jump"])])
        last_group = r["group"]
    notes = ("Return: log return of the aligned observation on the event date under the run's calendar policy. "
             "Log-variance jump: event-day log variance minus its mean over the 60 previous observations.")
    return tabular(header, rows, caption=caption, label=label, align="llrr", notes=notes, simulated=simulated,
                   midrules=midrules)


def simple_table(frame: pd.DataFrame, columns: Sequence[str], *, caption: str, label: str,
                 simulated: bool = False, digits: int = 3, notes: str = "") -> str:
    """A plain booktabs table of ``columns`` of a tidy frame (numbers with ``digits`` decimals)."""
    cols = [c for c in columns if c in frame.columns]
    header = [c.replace("_", " ") for c in cols]
    rows = []
    for record in frame[cols].to_dict(orient="records"):
        row = []
        for c in cols:
            value = record[c]
            if isinstance(value, float | np.floating):
                row.append(_fmt(value, digits))
            elif isinstance(value, int | np.integer) and not isinstance(value, bool):
                row.append(str(int(value)))
            else:
                row.append("" if value is None else str(value))
        rows.append(row)
    align = "".join("r" if pd.api.types.is_numeric_dtype(frame[c]) else "l" for c in cols)
    return tabular(header, rows, caption=caption, label=label, align=align, notes=notes, simulated=simulated)


def robustness_table(directional: pd.DataFrame, jobs: Sequence[str], *, source_group: str, caption: str,
                     label: str, simulated: bool = False) -> str:
    """Total connectedness and the net spillover of ``source_group`` across the main and robustness jobs."""
    header = ["Job", "Total (%)", f"NET {source_group}"]
    rows = []
    sub = directional[directional["model"] == "group_var"]
    for job in jobs:
        j = sub[sub["job"] == job]
        total = j[(j["series"] == "TOTAL") & (j["measure"] == "total")]["value"]
        net = j[(j["series"] == source_group) & (j["measure"] == "net")]["value"]
        rows.append([job, _fmt(total.iloc[0] if len(total) else None),
                     _fmt(net.iloc[0] if len(net) else None)])
    return tabular(header, rows, caption=caption, label=label, simulated=simulated)
