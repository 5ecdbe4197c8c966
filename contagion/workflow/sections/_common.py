"""What every section of a job shares: its inputs (:class:`JobData`), its result (:class:`SectionOutput`),
the failure rule (:func:`catch`) and the progress plumbing.

A section is a function ``JobData -> SectionOutput``. It never writes into the job's tables: it returns
the tables, facts and "not available" notes it produced, and :func:`merge_sections` folds the outputs of
all sections into the job's result in the order they ran.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from contagion.errors import ContagionError
from contagion.workflow.spec import Study

if TYPE_CHECKING:
    from contagion.data.panel import Panel

__all__ = [
    "JobData",
    "SectionOutput",
    "StageProgress",
    "call_with_progress",
    "catch",
    "merge_sections",
    "stage",
]

#: ``progress(stage, done, total)`` as a job reports it.
StageProgress = Callable[[str, int, int], None]

T = TypeVar("T")


@dataclass(frozen=True)
class JobData:
    """The inputs every section of one job reads: the study, the panel and the group indices built from it.

    ``frames`` are the raw series (the facts table reads them); ``members`` the tickers that entered each
    group's index after the availability filter.
    """

    study: Study
    name: str
    frames: Mapping[str, pd.DataFrame]
    panel: Panel
    indices: pd.DataFrame
    members: Mapping[str, list[str]]
    progress: StageProgress | None = None

    def report(self, stage: str, done: int, total: int) -> None:
        """Report progress of ``stage`` when the job was given a progress callback."""
        if self.progress is not None:
            self.progress(stage, done, total)


@dataclass(frozen=True)
class SectionOutput:
    """What one section produced: tidy tables by name, JSON-able facts and the parts that are not available.

    ``model`` is the fitted result a later section builds on (the VAR for the impulse responses, the DCC
    model for the correlation-shift test); it is not part of the job's output.
    """

    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)
    unavailable: Mapping[str, str] = field(default_factory=dict)
    model: Any = None


def merge_sections(parts: Iterable[SectionOutput]
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, Any], dict[str, str]]:
    """Fold section outputs, in order, into one job's tables, facts and notes.

    A table named twice is stacked (the asset-level network adds rows to the group tables); a fact that is
    a dict in both is merged key by key and a list is extended (``notes``); anything else is replaced.
    """
    tables: dict[str, pd.DataFrame] = {}
    info: dict[str, Any] = {}
    unavailable: dict[str, str] = {}
    for part in parts:
        for name, table in part.tables.items():
            tables[name] = pd.concat([tables[name], table], ignore_index=True) if name in tables else table
        for key, value in part.info.items():
            old = info.get(key)
            if isinstance(old, dict) and isinstance(value, dict):
                info[key] = {**old, **value}
            elif isinstance(old, list) and isinstance(value, list):
                info[key] = [*old, *value]
            else:
                info[key] = value
        unavailable.update(part.unavailable)
    return tables, info, unavailable


def catch(fn: Callable[[], T], section: str, unavailable: dict[str, str]) -> T | None:
    """Run an optional part of a section; an estimation failure becomes a note in the section's own
    ``unavailable`` (import errors propagate)."""
    try:
        return fn()
    except NotImplementedError as err:
        unavailable[section] = f"not available: {err}"
    except ContagionError as err:
        unavailable[section] = f"could not be estimated: {err}"
    return None


def stage(progress: StageProgress | None, name: str) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback that reports as stage ``name``."""
    def callback(done: int, total: int) -> None:
        if progress is not None:
            progress(name, done, total)
    return callback


def call_with_progress(method: Callable[..., T], callback: Callable[[int, int], None], **kwargs: Any) -> T:
    """Call ``method`` with ``progress=callback`` when it accepts one (older model versions do not)."""
    try:
        accepts = "progress" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        kwargs["progress"] = callback
    return method(**kwargs)
