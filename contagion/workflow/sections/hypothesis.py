"""The contagion tests around each event: Forbes-Rigobon, correlation shift; causality in variance once.

Forbes-Rigobon compares the source market's correlation with every market of another group over the
tranquil and turmoil windows of :class:`~contagion.workflow.sections.events.EventDesign`. The
correlation-shift test compares the DCC correlations of the source with every other DCC asset over the same
windows (at most 250 observations before, inside the DCC sample) in the autoregressive form
(``ar_lags=1``), which over-rejects less. Both run for every event of the study (an ``event`` column names
it). Causality in variance runs from the first group's members to each other group (5 lags) on the whole
sample: it does not depend on an event, so it runs once.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.sections.events import EventDesign

if TYPE_CHECKING:
    from contagion.dcc.results import DCCResult
    from contagion.hypothesis.results import (
        CorrelationShiftResult,
        ForbesRigobonResult,
        GrangerInVarianceResult,
    )

__all__ = ["correlation_shift_section", "forbes_rigobon_section", "granger_section"]


def _tagged(frame: pd.DataFrame, job: str, event: str | None = None) -> pd.DataFrame:
    frame.insert(0, "job", job)
    if event is not None:
        frame.insert(1, "event", event)
    return frame


def forbes_rigobon_section(data: JobData, design: EventDesign) -> SectionOutput:
    """Heteroskedasticity-adjusted correlations of the source with the markets of the other groups."""
    study = data.study
    unavailable: dict[str, str] = {}

    def _forbes() -> ForbesRigobonResult:
        from contagion.hypothesis import forbes_rigobon

        group_of = study.group_of
        returns = data.panel.returns
        calm = returns.loc[design.tranquil[0]:design.tranquil[1]]
        markets = [t for t in design.tickers if t != design.source and group_of.get(t) != group_of.get(design.source)
                   and int((calm[t].notna() & calm[design.source].notna()).sum()) >= 20]  # young tokens left out
        return forbes_rigobon(data.panel, design.source, design.tranquil, design.turmoil, markets=markets)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fr = catch(_forbes, f"Forbes-Rigobon test ({design.event.name})", unavailable)
    for w in caught:   # re-issued with the event's name: several events run the same test
        warnings.warn_explicit(f"{design.event.name}: {w.message}", w.category, w.filename, w.lineno)
    if fr is None:
        return SectionOutput(unavailable=unavailable)
    frame = _tagged(fr.to_frame(), data.name, design.event.name)
    frame["group"] = frame["market"].map(study.group_of)
    return SectionOutput(tables={"forbes_rigobon": frame}, unavailable=unavailable)


def correlation_shift_section(data: JobData, design: EventDesign, dcc_result: DCCResult | None) -> SectionOutput:
    """Mean DCC correlation of the source with each DCC asset before versus after the event (HAC t)."""
    unavailable: dict[str, str] = {}
    info: dict[str, Any] = {}

    def _shift() -> CorrelationShiftResult:
        from contagion.hypothesis import correlation_shift

        if dcc_result is None:
            raise NotImplementedError("the correlation-shift test needs the DCC model, which was not estimated")
        dcc_index = pd.DatetimeIndex(dcc_result.index)
        at = int(dcc_index.searchsorted(pd.Timestamp(design.event.date)))
        names = list(dcc_result.names)
        anchor = design.source if design.source in names else names[0]
        pairs = [(anchor, other) for other in names if other != anchor]
        facts = {"pairs_with": anchor, "pre_observations": min(250, at), "post_observations": 21, "ar_lags": 1}
        info["correlation_shift_design"] = {design.event.name: facts}
        if design.event == data.study.events[0]:
            info["events_design"] = {"correlation_shift": facts}
        return correlation_shift(dcc_result, dcc_index[at], pre=min(250, at), post=21, pairs=pairs, ar_lags=1)

    shift = catch(_shift, f"correlation-shift test ({design.event.name})", unavailable)
    tables = ({"correlation_shift": _tagged(shift.to_frame(), data.name, design.event.name)}
              if shift is not None else {})
    return SectionOutput(tables=tables, info=info, unavailable=unavailable)


def granger_section(data: JobData, design: EventDesign) -> SectionOutput:
    """Causality in variance (Cheung and Ng 1996) from the first group to each other group."""
    members, first = data.members, design.first_group
    unavailable: dict[str, str] = {}

    def _granger() -> GrangerInVarianceResult:
        from contagion.hypothesis import granger_in_variance

        cause = {first: tuple(members[first])}
        effects = {g: tuple(m) for g, m in members.items() if g != first}
        return granger_in_variance(data.panel.returns, cause, effects, lags=5)

    gv = catch(_granger, "causality-in-variance test", unavailable)
    tables = {"granger_in_variance": _tagged(gv.to_frame(), data.name)} if gv is not None else {}
    return SectionOutput(tables=tables, unavailable=unavailable)
