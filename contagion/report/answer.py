"""The "Answer" that opens report.md / report.html: plain sentences written from the run's own files.

Every number in the Answer is read back from a data file the run has just written (CSV, or Parquet when the
study writes no CSV), never from the in-memory job outputs, and each sentence ends with a compact source
line naming the file, the row (``column=value`` filters) and the columns, in the order the numbers appear::

    ... 2.31% [1.20, 3.85] ... (source: connectedness/groups.csv (job=main, model=group_var,
    transmitter=ai_equity, receiver=crypto_major): spillover, spillover_lower, spillover_upper)

A sentence whose file is absent (a section that was not computed, a table another version does not write)
is left out, never invented. ``tests/report/test_answer.py`` parses the Answer of a demo run and checks
that every decimal number equals the cell it cites (to the printed precision).

What is answered
    the share of each crypto group's forecast-error variance due to the first group (AI equities), with its
    interval; the net direction of the first group (NET, "not identified" when the interval covers 0); how
    fast the generalized response of the first crypto group to the first group fades (the half-life: steps
    from the peak of the absolute response until it first falls below half of the peak); whether
    connectedness changed after the first event (pre vs post test) and how that compares with the other
    events (``events/cross_event``, when present); what the contagion tests say; which seed claims of the
    news story the data confirm (``events/facts``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contagion.report.render import Section
from contagion.workflow.spec import Study

__all__ = ["Ref", "Statement", "answer_section", "answer_statements", "read_table"]

_MAIN = {"job": "main"}
_GROUP_VAR = {"job": "main", "model": "group_var"}


@dataclass(frozen=True)
class Ref:
    """Where numbers come from: one row of a run file (``where``: column -> value) and its ``columns``."""

    file: str
    where: Mapping[str, Any]
    columns: tuple[str, ...]

    def render(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.where.items())
        return f"{self.file} ({where}): {', '.join(self.columns)}"


@dataclass(frozen=True)
class Statement:
    """One sentence of the Answer and the cells its decimal numbers come from, in order."""

    text: str
    refs: tuple[Ref, ...]

    def render(self) -> str:
        return f"{self.text} (source: {'; '.join(r.render() for r in self.refs)})" if self.refs else self.text


def read_table(root: Path, stem: str) -> pd.DataFrame | None:
    """``<stem>.csv`` (or ``.parquet``) of the run folder ``root``; None when neither was written."""
    csv, parquet = root / f"{stem}.csv", root / f"{stem}.parquet"
    if csv.is_file():
        return pd.read_csv(csv, keep_default_na=False, na_values=[""])
    if parquet.is_file():
        return pd.read_parquet(parquet)
    return None


class _Files:
    """The run's files, read once each, and the rows the Answer cites."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, pd.DataFrame | None] = {}

    def table(self, stem: str) -> pd.DataFrame | None:
        if stem not in self._cache:
            self._cache[stem] = read_table(self.root, stem)
        return self._cache[stem]

    def name(self, stem: str) -> str:
        """The file name as cited (the CSV when it exists)."""
        return f"{stem}.csv" if (self.root / f"{stem}.csv").is_file() else f"{stem}.parquet"

    def rows(self, stem: str, where: Mapping[str, Any]) -> pd.DataFrame:
        frame = self.table(stem)
        if frame is None:
            return pd.DataFrame()
        mask = np.ones(len(frame), dtype=bool)
        for column, value in where.items():
            if column not in frame.columns:
                return frame.iloc[:0]
            mask &= frame[column].astype(str).to_numpy() == str(value)
        return frame[mask]

    def row(self, stem: str, where: Mapping[str, Any], columns: Sequence[str]) -> tuple[list[float], Ref] | None:
        """The values of ``columns`` in the one row matching ``where`` (None when absent, not unique or NaN)."""
        rows = self.rows(stem, where)
        if len(rows) != 1 or any(c not in rows.columns for c in columns):
            return None
        values = [float(rows[c].iloc[0]) for c in columns]
        if not all(np.isfinite(values)):
            return None
        return values, Ref(self.name(stem), dict(where), tuple(columns))


def _pct(value: float) -> str:
    return f"{value:.2f}"


def _interval(lower: float, upper: float, signed: bool = False) -> str:
    fmt = "{:+.2f}" if signed else "{:.2f}"
    return f"[{fmt.format(lower)}, {fmt.format(upper)}]"


def _crypto_groups(study: Study) -> list[str]:
    from contagion.data.universe import asset_class_of

    return [g for g, tickers in study.groups.items() if all(asset_class_of(t) == "crypto" for t in tickers)]


def _source_group(study: Study) -> str:
    return "ai_equity" if "ai_equity" in study.groups else next(iter(study.groups))


def _shares(files: _Files, study: Study, level: str) -> list[Statement]:
    source = _source_group(study)
    parts, refs = [], []
    for receiver in [g for g in _crypto_groups(study) if g != source]:
        got = files.row("connectedness/groups", {**_GROUP_VAR, "transmitter": source, "receiver": receiver},
                        ("spillover", "spillover_lower", "spillover_upper"))
        if got is None:
            continue
        (v, lo, hi), ref = got
        parts.append(f"{_pct(v)}% {_interval(lo, hi)} of {receiver}'s")
        refs.append(ref)
    if not parts:
        return []
    text = (f"Shocks to {source} account for " + ", ".join(parts) + f" forecast-error variance of volatility "
            f"(horizon {study.var.horizon}, {level} intervals in brackets).")
    return [Statement(text, tuple(refs))]


def _net(files: _Files, study: Study, level: str) -> list[Statement]:
    source = _source_group(study)
    out = []
    total = files.row("connectedness/static", {**_GROUP_VAR, "receiver": "TOTAL", "transmitter": "TOTAL"},
                      ("value", "lower", "upper"))
    if total is not None:
        (v, lo, hi), ref = total
        out.append(Statement(f"Total connectedness of the group indices is {_pct(v)}% {_interval(lo, hi)}.", (ref,)))
    got = files.row("connectedness/static", {**_GROUP_VAR, "receiver": "NET", "transmitter": source},
                    ("value", "lower", "upper"))
    if got is None:
        return out
    (v, lo, hi), ref = got
    if lo <= 0.0 <= hi:
        verdict = f"the net direction is not identified: the {level} interval covers 0"
    elif v > 0:
        verdict = f"{source} is a net transmitter of volatility"
    else:
        verdict = f"{source} is a net receiver of volatility"
    out.append(Statement(f"NET({source}) = {v:+.2f} percentage points {_interval(lo, hi, signed=True)}: {verdict}.",
                         (ref,)))
    return out


def half_life(estimates: pd.Series) -> tuple[int, int | None]:
    """Peak horizon of ``|estimate|`` (indexed by horizon) and the first later horizon below half the peak."""
    values = estimates.sort_index()
    magnitude = values.abs()
    peak = int(magnitude.index[int(np.argmax(magnitude.to_numpy()))])
    below = magnitude[(magnitude.index > peak) & (magnitude < 0.5 * magnitude.loc[peak])]
    return peak, (int(below.index[0]) if len(below) else None)


def _fade(files: _Files, study: Study) -> list[Statement]:
    source = _source_group(study)
    crypto = [g for g in _crypto_groups(study) if g != source]
    if not crypto:
        return []
    response = "crypto_major" if "crypto_major" in crypto else crypto[0]
    where = {**_GROUP_VAR, "kind": "generalized", "impulse": source, "response": response}
    rows = files.rows("irf/var_irf", where)
    if rows.empty:
        return []
    peak, half = half_life(rows.set_index("horizon")["estimate"].astype(float))
    first = files.row("irf/var_irf", {**where, "horizon": peak}, ("estimate", "lower", "upper"))
    if first is None:
        return []
    (v, lo, hi), ref = first
    text = (f"A one-standard-deviation generalized shock to {source} moves {response}'s log variance most at h = "
            f"{peak} ({v:.4f}, band {_interval4(lo, hi)})")
    if half is None:
        return [Statement(text + f" and the response does not fall below half of that peak within the "
                          f"{study.var.irf_horizon} steps computed.", (ref,))]
    second = files.row("irf/var_irf", {**where, "horizon": half}, ("estimate",))
    if second is None:
        return []
    (w,), ref2 = second
    return [Statement(text + f"; it first falls below half of that peak at h = {half} ({w:.4f}): a half-life of "
                      f"{half - peak} step{'s' if half - peak != 1 else ''}.", (ref, ref2))]


def _interval4(lower: float, upper: float) -> str:
    return f"[{lower:.4f}, {upper:.4f}]"


def _significance(p: float) -> str:
    return "significant at 5%" if p < 0.05 else "not significant at 5%"


def _change(files: _Files, study: Study, level: str) -> list[Statement]:
    if not study.events:
        return []
    event = study.events[0]
    cols = ("before", "after", "difference", "lower", "upper", "p_value")
    total = files.row("connectedness/change", {**_MAIN, "measure": "total"}, cols)
    if total is None:
        return []
    (b, a, d, lo, hi, p), ref = total
    rows = files.rows("connectedness/change", {**_MAIN, "measure": "total"})
    lags = int(rows["lags"].iloc[0]) if "lags" in rows.columns else None
    same = f"VAR({lags}) in both windows, same group members" if lags is not None else "same model in both windows"
    text = (f"After {event.name} ({event.date}) total connectedness went from {_pct(b)}% to {_pct(a)}%, a change "
            f"of {d:+.2f} points {_interval(lo, hi, signed=True)}, p = {p:.3f}: {_significance(p)} ({same}).")
    out = [Statement(text, (ref,))]
    source = _source_group(study)
    net = files.row("connectedness/change", {**_MAIN, "measure": "net", "transmitter": source},
                    ("difference", "lower", "upper", "p_value"))
    if net is not None:
        (d, lo, hi, p), ref = net
        out.append(Statement(f"NET({source}) changed by {d:+.2f} points {_interval(lo, hi, signed=True)}, p = "
                             f"{p:.3f}.", (ref,)))
    return out


def _cross_event(files: _Files, study: Study) -> list[Statement]:
    table = files.table("events/cross_event")
    if table is None or table.empty or "measure" not in table.columns:
        return []
    rows = table[(table["job"].astype(str) == "main") & (table["measure"] == "tci_change")
                 & (table["group"].astype(str) == "TOTAL")]
    parts, refs = [], []
    for event_date in sorted(dict.fromkeys(rows["event_date"].astype(str))):
        got = files.row("events/cross_event", {**_MAIN, "measure": "tci_change", "group": "TOTAL",
                                               "event_date": event_date}, ("estimate", "lower", "upper", "p_value"))
        if got is None:
            continue
        (d, lo, hi, p), ref = got
        name = rows.loc[rows["event_date"].astype(str) == event_date, "event"].iloc[0]
        parts.append(f"{name} ({event_date}) {d:+.2f} {_interval(lo, hi, signed=True)}, p = {p:.3f}")
        refs.append(ref)
    if len(parts) < 2:
        return []
    window = ""
    sessions = rows["sessions"].iloc[0] if "sessions" in rows.columns else None
    if isinstance(sessions, str) and sessions:
        window = " (equal windows before and after each event)"
    return [Statement("Change in total connectedness around each event" + window + ": " + "; ".join(parts) + ".",
                      tuple(refs))]


def _count(frame: pd.DataFrame, column: str, values: Sequence[str]) -> int:
    return int(frame[column].astype(str).isin(values).sum()) if column in frame.columns else 0


def _event_key(files: _Files, name: str, study: Study) -> dict[str, str]:
    """The main job's rows of a per-event test table: those of the study's first event (one row per market
    or pair), or every main-job row when the table has no ``event`` column."""
    rows = files.rows(name, _MAIN)
    if study.events and "event" in rows.columns:
        return {**_MAIN, "event": study.events[0].name}
    return dict(_MAIN)


def _tests(files: _Files, study: Study) -> list[Statement]:
    out = []
    forbes_key = _event_key(files, "tests/forbes_rigobon", study)
    forbes = files.rows("tests/forbes_rigobon", forbes_key)
    if len(forbes) and "p_value" in forbes.columns:
        best = forbes.iloc[int(np.argmin(forbes["p_value"].to_numpy(dtype=float)))]
        got = files.row("tests/forbes_rigobon", {**forbes_key, "market": best["market"]}, ("p_value",))
        if got is not None:
            n = _count(forbes, "verdict", ["contagion"])
            out.append(Statement(
                f"Forbes-Rigobon (source {best['source']}): the heteroskedasticity-adjusted correlation rises "
                f"significantly (contagion) for {n} of {len(forbes)} markets; the smallest p-value is "
                f"{got[0][0]:.3f} ({best['market']}).", (got[1],)))
    shift_key = _event_key(files, "tests/correlation_shift", study)
    shift = files.rows("tests/correlation_shift", shift_key)
    if len(shift) and "p_value" in shift.columns:
        best = shift.iloc[int(np.argmin(shift["p_value"].to_numpy(dtype=float)))]
        got = files.row("tests/correlation_shift", {**shift_key, "pair": best["pair"]}, ("shift", "p_value"))
        if got is not None:
            n = int((shift["p_value"].astype(float) < 0.05).sum())
            (s, p), ref = got
            out.append(Statement(
                f"Correlation shift (DCC): {n} of {len(shift)} pairs change significantly at 5%; the strongest, "
                f"{best['pair']}, by {s:+.4f} (p = {p:.3f}).", (ref,)))
    granger = files.rows("tests/granger_in_variance", _MAIN)
    if len(granger) and "p_value" in granger.columns:
        best = granger.iloc[int(np.argmin(granger["p_value"].to_numpy(dtype=float)))]
        got = files.row("tests/granger_in_variance", {**_MAIN, "cause": best["cause"], "effect": best["effect"]},
                        ("p_value",))
        if got is not None:
            n = int((granger["p_value"].astype(float) < 0.05).sum())
            out.append(Statement(
                f"Causality in variance (Cheung-Ng) from {best['cause']}: significant at 5% for {n} of "
                f"{len(granger)} groups; the smallest p-value is {got[0][0]:.3f} ({best['effect']}).", (got[1],)))
    return out


def _facts(files: _Files, study: Study) -> list[Statement]:
    facts = files.rows("events/facts", _MAIN)
    if facts.empty or "verdict" not in facts.columns:
        return []
    groups = []
    for verdict in ("confirmed", "partly confirmed", "not confirmed", "not assessed"):
        claims = facts.loc[facts["verdict"] == verdict, "claim"].astype(str).tolist()
        if claims:
            groups.append(f"{verdict}: " + "; ".join(claims))
    return [Statement(f"The news story against the data ({len(facts)} claims; a claim is confirmed only on "
                      "close-to-close or aligned-session moves, the intraday low never confirms alone): "
                      + ". ".join(groups) + ".", ())]


def answer_statements(root: Path, study: Study) -> list[Statement]:
    """Every sentence of the Answer, from the files under ``root`` (sentences whose files are absent are
    left out)."""
    files = _Files(root)
    level = f"{study.var.level:.0%}"
    out: list[Statement] = []
    for part in (_shares(files, study, level), _net(files, study, level), _fade(files, study),
                 _change(files, study, level), _cross_event(files, study), _tests(files, study),
                 _facts(files, study)):
        out.extend(part)
    return out


def answer_section(root: Path, study: Study) -> Section:
    """The "Answer" section of the pages."""
    section = Section("Answer")
    section.text = [s.render() for s in answer_statements(root, study)]
    if not section.text:
        section.unavailable = "No result file of this run holds the headline figures."
    return section
