"""The event design shared by the contagion tests, and the event-study section (every event, every job).

Design (documented in docs/report-folder.md and docs/events.md): every ``[[events]]`` entry of the study is
analysed on its own. The event row is the first session on or after the event date; the source market is
NVDA when present, else the first ticker of the first group; tranquil window = the 250 observations before
the event, turmoil window = the event observation and the 20 after it. The event study uses the study's
``[event_study]`` block (defaults: estimation [-250, -11], windows [0,0], [0,1], [-1,1], [0,5]; market model
on SPY for equities, market model on the equal-weighted crypto index for crypto, BTC included); every other
listed event and every ``[[context_events]]`` entry that falls inside a window is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.errors import DataError
from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.spec import EventSpec

if TYPE_CHECKING:
    from contagion.events.results import EventStudyResult

__all__ = ["EventDesign", "event_design", "event_designs", "event_study_section", "outside_windows"]

#: An asset enters an event's study only with this many returns in the estimation window (the default
#: ``min_estimation`` of :func:`contagion.events.event_study`).
_MIN_ESTIMATION = 30


@dataclass(frozen=True)
class EventDesign:
    """Where one event of the study falls in the panel and which windows the tests compare."""

    event: EventSpec
    position: int                                   # row of the event observation in the panel
    source: str
    tickers: tuple[str, ...]                        # every member of a group index, in group order
    first_group: str
    tranquil: tuple[pd.Timestamp, pd.Timestamp]
    turmoil: tuple[pd.Timestamp, pd.Timestamp]
    event_row: pd.Timestamp

    def to_info(self) -> dict[str, Any]:
        """The design as JSON-able facts (``events_design`` in the manifest)."""
        return {
            "event": self.event.name, "event_date": self.event.date.isoformat(),
            "event_row": self.event_row.date().isoformat(), "source": self.source,
            "tranquil": [d.date().isoformat() for d in self.tranquil],
            "turmoil": [d.date().isoformat() for d in self.turmoil],
        }


def _event_rows(index: pd.DatetimeIndex, day: date) -> int:
    pos = int(index.searchsorted(pd.Timestamp(day)))
    if pos >= len(index):
        raise DataError(f"event {day} lies after the last observation ({index[-1].date()}).")
    if pos == 0 and pd.Timestamp(day) < index[0]:
        raise DataError(f"event {day} lies before the first observation ({index[0].date()}).")
    return pos


def event_design(data: JobData, event: EventSpec | None = None) -> EventDesign:
    """The design around ``event`` (default: the study's first event).

    Raises
    ------
    DataError
        The event lies outside the panel of the job.
    """
    study, members = data.study, data.members
    index = pd.DatetimeIndex(data.panel.returns.index)
    event = event if event is not None else study.events[0]
    pos = _event_rows(index, event.date)
    tickers = tuple(t for group in members.values() for t in group)
    first_group = next(iter(study.groups))
    return EventDesign(
        event=event, position=pos, tickers=tickers, first_group=first_group,
        source="NVDA" if "NVDA" in tickers else members[first_group][0],
        tranquil=(index[max(0, pos - 250)], index[max(0, pos - 1)]),
        turmoil=(index[pos], index[min(len(index) - 1, pos + 20)]),
        event_row=index[pos],
    )


def event_designs(data: JobData) -> tuple[list[EventDesign], dict[str, str]]:
    """The design of every event inside the job's panel, and a note for each event outside it."""
    designs: list[EventDesign] = []
    notes: dict[str, str] = {}
    for event in data.study.events:
        try:
            designs.append(event_design(data, event))
        except DataError as err:
            notes[f"event study ({event.name})"] = f"not available in this job's sample: {err}"
    return designs, notes


def outside_windows(data: JobData, design: EventDesign) -> str:
    """Why the event's estimation or event windows do not fit in the job's panel ("" when they do): a design
    fact of a robustness job whose sample starts or ends near the event, not a failure."""
    start, _ = _estimation_window(data)
    hi = max(b for _, b in data.study.event_study.windows)
    n_rows = len(data.panel.returns.index)
    if design.position + start < 0:
        return (f"the estimation window needs {-start} rows before {design.event_row.date()}, the job's sample "
                f"has {design.position}")
    if design.position + hi >= n_rows:
        return f"the event windows need {hi} rows after {design.event_row.date()}, the job's sample has " \
               f"{n_rows - 1 - design.position}"
    return ""


def event_study_section(data: JobData, design: EventDesign) -> SectionOutput:
    """Abnormal returns and CARs (asset and group level) around one event; ``model`` is the
    :class:`~contagion.events.EventStudyResult`."""
    study, name = data.study, data.name
    unavailable: dict[str, str] = {}
    es = catch(lambda: _event_study(data, design), f"event study ({design.event.name})", unavailable)
    if es is None:
        return SectionOutput(unavailable=unavailable)
    ar = es.abnormal_returns.copy()
    ar.insert(0, "job", name)
    ar["group"] = ar["ticker"].map(study.group_of)
    car = es.car.copy()
    car.insert(0, "level", "asset")
    car["group"] = car["ticker"].map(study.group_of)
    group_car = es.group_car.copy()
    group_car.insert(0, "level", "group")
    both = pd.concat([car, group_car], ignore_index=True)
    both.insert(0, "job", name)
    for frame in (ar, both):
        frame.insert(list(frame.columns).index("event_date") + 1, "event_calendar_date",
                     design.event.date.isoformat())
    return SectionOutput(tables={"abnormal_returns": ar, "car": both}, unavailable=unavailable, model=es)


def _crypto_benchmark(data: JobData, columns: Sequence[str]) -> tuple[Any, str]:
    """The ``crypto_benchmark`` argument (a ticker, index members, or None) and the crypto model."""
    spec = data.study.event_study
    if spec.crypto_benchmark != "index":
        if spec.crypto_benchmark in columns:
            return spec.crypto_benchmark, spec.crypto_model
        return None, "mean_adjusted"
    from contagion.data.universe import asset_class_of

    groups = spec.crypto_index or tuple(data.members)
    members = [t for g in groups for t in data.members.get(g, []) if t in columns]
    if not spec.crypto_index:
        members = [t for t in members if asset_class_of(t) == "crypto"]
    return (members, spec.crypto_model) if members else (None, "mean_adjusted")


def _estimation_window(data: JobData) -> tuple[int, int]:
    """The study's estimation window in rows; under the weekly calendar a row is a week, so the window is
    divided by 5 (e.g. [-250, -11] sessions -> [-50, -3] weeks; the event windows stay in rows)."""
    start, end = data.study.event_study.estimation
    if data.study.data.calendar != "weekly":
        return start, end
    return start // 5, min(end // 5, min(a for a, _ in data.study.event_study.windows) - 1)


def _event_study(data: JobData, design: EventDesign) -> EventStudyResult:
    from contagion.events import event_study

    spec, study = data.study.event_study, data.study
    panel, members, pos = data.panel, data.members, design.position
    returns = panel.returns
    lo, hi = min(a for a, _ in spec.windows), max(b for _, b in spec.windows)
    estimation = _estimation_window(data)
    window = returns.iloc[max(0, pos + lo):pos + hi + 1]
    history = returns.iloc[max(0, pos + estimation[0]):max(0, pos + estimation[1] + 1)]
    usable = [t for t in design.tickers if t in window.columns and window[t].notna().all()
              and int(history[t].notna().sum()) >= _MIN_ESTIMATION]        # young tokens are left out
    benchmark = "SPY" if "SPY" in returns.columns else None
    crypto_bm, crypto_model = _crypto_benchmark(data, list(returns.columns))
    studied = [t for t in usable if t != benchmark and not (isinstance(crypto_bm, str) and t == crypto_bm)]
    groups = {g: tuple(t for t in m if t in studied) for g, m in members.items()}
    groups = {g: m for g, m in groups.items() if m}
    kwargs: dict[str, Any] = {"groups": groups, "tickers": studied, "estimation": estimation,
                              "windows": spec.windows, "crypto_model": crypto_model}
    if benchmark is None:
        kwargs.update(benchmark=studied[0], model="mean_adjusted")
    else:
        kwargs["benchmark"] = benchmark
    kwargs["crypto_benchmark"] = crypto_bm
    if panel.measure not in ("returns", "squared", "absolute"):
        kwargs["range_variance"] = panel
    others = {e.name: e.date for e in (*study.events, *study.context_events) if e.name != design.event.name}
    return event_study(panel, {design.event.name: design.event_row}, context_events=others, **kwargs)
