"""The event design shared by the contagion tests, and the event-study section (main job only).

Design (documented in docs/report-folder.md): the source market is NVDA when present, else the first
ticker of the first group; tranquil window = the 250 observations before the first event, turmoil
window = the event observation and the 20 after it. The event study uses the defaults of
:func:`contagion.events.event_study` (estimation [-250, -11], windows [0,0], [0,1], [-1,1], [0,5]; market
model on SPY for equities, market-adjusted on BTC for crypto).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.errors import DataError
from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.spec import EventSpec

if TYPE_CHECKING:
    from contagion.events.results import EventStudyResult

__all__ = ["EventDesign", "event_design", "event_study_section"]


@dataclass(frozen=True)
class EventDesign:
    """Where the first event of the study falls in the panel and which windows the tests compare."""

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
    return pos


def event_design(data: JobData) -> EventDesign:
    """The design around the study's first event.

    Raises
    ------
    DataError
        The event lies after the last observation of the panel.
    """
    study, members = data.study, data.members
    index = pd.DatetimeIndex(data.panel.returns.index)
    event = study.events[0]
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


def event_study_section(data: JobData, design: EventDesign) -> SectionOutput:
    """Abnormal returns and CARs (asset and group level) around the first event."""
    study, name = data.study, data.name
    unavailable: dict[str, str] = {}
    es = catch(lambda: _event_study(data, design), "event study", unavailable)
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
    return SectionOutput(tables={"abnormal_returns": ar, "car": both}, unavailable=unavailable)


def _event_study(data: JobData, design: EventDesign) -> EventStudyResult:
    from contagion.events import event_study

    panel, members, pos = data.panel, data.members, design.position
    returns = panel.returns
    window = returns.iloc[max(0, pos - 1):pos + 6]
    usable = [t for t in design.tickers if t in window.columns and window[t].notna().all()]
    benchmark = "SPY" if "SPY" in returns.columns else None
    crypto_bm = "BTC-USD" if "BTC-USD" in returns.columns else None
    studied = [t for t in usable if t not in {benchmark, crypto_bm}]
    groups = {g: tuple(t for t in m if t in studied) for g, m in members.items()}
    groups = {g: m for g, m in groups.items() if m}
    kwargs: dict[str, Any] = {"groups": groups, "tickers": studied}
    if benchmark is None:
        kwargs.update(benchmark=studied[0], model="mean_adjusted")
    else:
        kwargs["benchmark"] = benchmark
    if crypto_bm is None:
        kwargs.update(crypto_benchmark=None, crypto_model="mean_adjusted")
    else:
        kwargs["crypto_benchmark"] = crypto_bm
    if panel.measure not in ("returns", "squared", "absolute"):
        kwargs["range_variance"] = panel
    return event_study(panel, {design.event.name: design.event.date}, **kwargs)
