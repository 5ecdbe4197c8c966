"""The DeepSeek facts table: the claims of the news story checked against the data (``facts = "deepseek"``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.sections.events import EventDesign

if TYPE_CHECKING:
    from contagion.events.facts import FactsTable

__all__ = ["facts_section"]


def facts_section(data: JobData, design: EventDesign) -> SectionOutput:
    """One row per claim with the figures that test it and its verdict; the assumptions go to the facts."""
    unavailable: dict[str, str] = {}

    def _facts() -> FactsTable:
        from contagion.events import deepseek_facts

        return deepseek_facts(data.frames, data.panel, event=design.event.date)

    facts = catch(_facts, "DeepSeek facts table", unavailable)
    if facts is None:
        return SectionOutput(unavailable=unavailable)
    table = facts.to_frame()
    table.insert(0, "job", data.name)
    return SectionOutput(tables={"facts": table}, info={"facts_assumptions": list(facts.assumptions)},
                         unavailable=unavailable)
