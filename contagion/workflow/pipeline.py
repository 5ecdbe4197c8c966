"""What one job computes: panel -> group indices -> VAR / connectedness -> DCC / VIRF -> tidy tables.

A job is a pure function of its spec and the raw input series (:func:`run_job`), so its result can be cached
by content hash (:mod:`contagion.workflow.jobs`) and computed in another process or on a Dask worker. It returns a
:class:`JobOutput`: tidy (long) DataFrames keyed by table name plus JSON-able facts (lag order, samples,
warnings, sections that were not available). The report is drawn from these tables only; it never refits.

Headline model (main job and every robustness job)
    a VAR on the log volatility of equal-weighted group indices. The index of group g on date t is the
    mean of the members' log variance (``panel.values``, e.g. log Garman-Klass) over the members with data on
    t; a member enters only if it has at least ``data.min_obs`` observations in the sample (availability
    filter). A young token thus joins its group's index when it starts trading instead of cutting the
    whole sample. Connectedness is invariant to rescaling a column, so log variance and log volatility
    (half of it) give the same tables.
Every job
    the event study of every ``[[events]]`` entry inside the job's sample (tables carry a ``job`` column).
Main job only
    impulse responses with bands, rolling and TVP-VAR connectedness, frequency and quantile connectedness
    (when the study switches them on), the asset-level network (OLS with at most 2 lags, or a penalised VAR),
    DCC-GARCH on returns, its connectedness and the VIRFs, the contagion tests of every event, the event
    study, the cross-event table and the facts table.

Each of these is a section (:mod:`contagion.workflow.sections`): a function of the job's data that returns
a :class:`~contagion.workflow.sections.SectionOutput`; :func:`run_job` runs them in order and merges them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from contagion.workflow.jobs import Job
from contagion.workflow.sections._common import (
    JobData,
    SectionOutput,
    StageProgress,
    merge_sections,
)
from contagion.workflow.sections.change import change_section
from contagion.workflow.sections.connectedness import asset_network_section, headline_section, rolling_section
from contagion.workflow.sections.cross_event import cross_event_section
from contagion.workflow.sections.dcc import dcc_section
from contagion.workflow.sections.dcc_connectedness import dcc_connectedness_section
from contagion.workflow.sections.events import event_designs, event_study_section, outside_windows
from contagion.workflow.sections.facts import facts_section
from contagion.workflow.sections.frequency import frequency_section
from contagion.workflow.sections.hypothesis import (
    correlation_shift_section,
    forbes_rigobon_section,
    granger_section,
)
from contagion.workflow.sections.irf import irf_section
from contagion.workflow.sections.panel import FramesSource, group_indices, panel_section
from contagion.workflow.sections.quantile import quantile_section
from contagion.workflow.spec import Study

__all__ = ["FramesSource", "JobOutput", "group_indices", "run_job"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOutput:
    """A job's result: tidy tables by name, JSON-able facts, and sections that could not be computed."""

    job: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def run_job(job: Job, frames: Mapping[str, pd.DataFrame], progress: StageProgress | None = None) -> JobOutput:
    """Compute one job (module-level so that processes and Dask workers can run it)."""
    study = Study.model_validate(job.spec["study"])
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        parts = [SectionOutput(info={"role": job.kind}), *_job_sections(job, study, frames, progress)]
    for record in records:
        text = f"{record.category.__name__}: {record.message}"
        if text not in caught and issubclass(record.category, UserWarning):
            caught.append(text)
    tables, info, unavailable = merge_sections(parts)
    # membership exclusions and changes are job warnings, added here rather than through warnings.warn so
    # that jobs running in threads (Dask workers) cannot catch each other's
    for note in info.get("membership", {}).get("notes", []):
        text = f"DataQualityWarning: {note}"
        if text not in caught:
            caught.append(text)
    return JobOutput(job=job.name, tables=tables, info=info, unavailable=unavailable, warnings=tuple(caught))


def _job_sections(job: Job, study: Study, frames: Mapping[str, pd.DataFrame], progress: StageProgress | None
                  ) -> list[SectionOutput]:
    """The sections of ``job`` in order: the headline model for every job, the rest for the main job only."""
    data, panel = panel_section(job, study, frames, progress)
    headline = headline_section(data)
    parts = [panel, headline]
    if job.kind != "main":
        parts.extend(_robustness_event_sections(data))
        return parts
    lag_order = int(headline.model.n_lags)
    parts.append(irf_section(data, headline.model))
    parts.append(rolling_section(data, lag_order))
    conn = study.connectedness
    if conn.frequency:
        parts.append(frequency_section(data, headline.model, lag_order))
    if conn.quantile:
        parts.append(quantile_section(data, lag_order))
    if conn.asset_network:
        parts.append(asset_network_section(data, lag_order))
    parts.append(change_section(data, lag_order))  # pre vs post the first event (nothing without events)
    dcc = SectionOutput()
    if study.dcc.enabled and study.dcc.assets:
        dcc = dcc_section(data)
        parts.append(dcc)
    if conn.dcc_connectedness:  # reads the DCC fit above (None without one: a note), never refits
        parts.append(dcc_connectedness_section(data, dcc.model))
    if study.events:
        parts.extend(_event_sections(data, dcc.model, lag_order))
    return parts


def _event_sections(data: JobData, dcc_result: Any, lag_order: int) -> list[SectionOutput]:
    """For every event: the contagion tests and the event study; then causality in variance (whole sample),
    the cross-event table and (optionally) the facts table around the first event."""
    designs, notes = event_designs(data)
    if not designs:
        return [SectionOutput(unavailable=notes)]
    parts = [SectionOutput(info={"events_design": designs[0].to_info(),
                                 "events_designs": {d.event.name: d.to_info() for d in designs}},
                           unavailable=notes)]
    studies = []
    for design in designs:
        study_part = event_study_section(data, design)
        parts += [forbes_rigobon_section(data, design), correlation_shift_section(data, design, dcc_result),
                  study_part]
        studies.append((design, study_part.model))
    parts.append(granger_section(data, designs[0]))
    parts.append(cross_event_section(data, studies, lag_order))
    if data.study.facts == "deepseek":
        parts.append(facts_section(data, designs[0]))
    return parts


def _robustness_event_sections(data: JobData) -> list[SectionOutput]:
    """The event study of every event whose windows fit in a robustness job's sample; the others are named in
    ``event_study_skipped`` (a design fact of the job, shown in the report, not a failure)."""
    designs, _ = event_designs(data)
    skipped = {d.event.name: why for d in designs if (why := outside_windows(data, d))}
    return [SectionOutput(info={"event_study_skipped": skipped}),
            *(event_study_section(data, d) for d in designs if d.event.name not in skipped)]
