"""The event blocks of a study: ``[[events]]``, ``[[context_events]]`` and ``[event_study]``.

Split from :mod:`contagion.workflow.spec` (which re-exports them) so that each file holds one concept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["EventSpec", "EventStudySpec", "check_events"]


class _Spec(BaseModel):
    """Unknown keys are errors and specs are immutable (as every block of :mod:`contagion.workflow.spec`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EventSpec(_Spec):
    """A dated event (e.g. the DeepSeek R1 release on 2025-01-27)."""

    name: str = Field(min_length=1)
    date: dt.date


Window = tuple[int, int]


class EventStudySpec(_Spec):
    """How every ``[[events]]`` entry is analysed (``[event_study]``; docs/events.md).

    ``crypto_benchmark = "index"`` measures crypto abnormal returns against the equal-weighted index of the
    members of the ``crypto_index`` groups (default: every crypto asset of the study) that have returns over
    the event's estimation and event windows; a ticker instead uses that asset. ``summary_window`` is the
    window of the cross-event table. ``change_window`` sessions before the event and as many from the event
    on are compared by :func:`contagion.connectedness_change` (same lag order, same index composition).
    """

    crypto_benchmark: str = "index"
    crypto_index: tuple[str, ...] = ()
    crypto_model: Literal["market", "market_adjusted", "mean_adjusted"] = "market"
    estimation: Window = (-250, -11)
    windows: tuple[Window, ...] = ((0, 0), (0, 1), (-1, 1), (0, 5))
    summary_window: Window = (0, 1)
    change_window: int = Field(default=120, ge=20, le=2000)
    change_bands: Literal["bootstrap", "wild"] = "wild"
    change_reps: int | None = Field(default=None, ge=20, le=100_000)

    @model_validator(mode="after")
    def _check(self) -> EventStudySpec:
        if not self.windows:
            raise ValueError("windows must list at least one [start, end] pair")
        if self.summary_window not in self.windows:
            raise ValueError(f"summary_window {list(self.summary_window)} is not one of the windows "
                             f"{[list(w) for w in self.windows]}")
        if self.estimation[0] >= self.estimation[1] or self.estimation[1] >= min(a for a, _ in self.windows):
            raise ValueError(f"estimation {list(self.estimation)} must be a [start, end] pair ending before "
                             "the earliest event-window session")
        return self


def check_events(events: Sequence[EventSpec], context: Sequence[EventSpec], spec: EventStudySpec,
                 groups: Mapping[str, Sequence[str]]) -> None:
    """Event names unique; the crypto index names groups and the crypto benchmark a ticker.

    Raises
    ------
    ValueError
        (pydantic turns it into the study's validation error, with the file and key.)
    """
    names = [e.name for e in (*events, *context)]
    if len(set(names)) != len(names):
        raise ValueError(f"event and context-event names must be unique (got {names})")
    for group in spec.crypto_index:
        if group not in groups:
            raise ValueError(f"event_study.crypto_index: {group!r} is not a group ({', '.join(groups)})")
    tickers = {t for members in groups.values() for t in members}
    if spec.crypto_benchmark != "index" and spec.crypto_benchmark not in tickers:
        raise ValueError(f"event_study.crypto_benchmark: {spec.crypto_benchmark!r} is neither 'index' nor a "
                         "ticker of the study")
