"""Event studies of dated shocks and the DeepSeek facts table."""

from __future__ import annotations

from contagion.events.facts import FactsTable, FactThresholds, deepseek_facts
from contagion.events.study import EventStudyResult, event_study

__all__ = ["EventStudyResult", "FactThresholds", "FactsTable", "deepseek_facts", "event_study"]
