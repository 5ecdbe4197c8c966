"""What the report writer reads: the run's inputs (:class:`ReportInputs`) and the tables it wrote
(:class:`ReportTables`), each a frozen parameter object handed from one section of the run folder to the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from contagion.workflow.jobs import Job
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["DrawnFigures", "ReportInputs", "ReportTables"]


class DrawnFigures(Protocol):
    """Figures drawn elsewhere while the run wrote its tables (:class:`contagion.workflow.early.EarlyFigures`)."""

    def collect(self, folder: Path, names: list[str], formats: tuple[str, ...]) -> bool:
        """Move the figure files ``names`` x ``formats`` into ``folder``; False when they are not all there."""
        ...


@dataclass(frozen=True, kw_only=True)
class ReportInputs:
    """Everything a run folder is written from.

    Attributes
    ----------
    study
        The resolved study.
    run_id
        ``YYYYMMDDTHHMMSSZ-<hash>``, the name of the run folder.
    outputs
        The job outputs by job name (``"main"`` is always there).
    jobs, keys
        The jobs in run order and their content keys (recorded in the manifest).
    hashes, frames
        SHA-256 and raw frame of every input series, by ticker.
    source_description
        The data source's ``describe()``.
    simulated
        The data are the simulated demo market (every file then says so).
    volatile
        Run-specific manifest fields (run id, folder, start time, cache hits, timings).
    clock_start
        ``time.perf_counter()`` at the start of the run, for the total time in the manifest.
    n_jobs
        Local processes for drawing the figures.
    study_ref
        The built-in name or study file given on the command line (for the rerun command).
    drawn_figures
        Figures already being drawn in another process (from the main job, while the other jobs ran); the
        writer collects them instead of drawing, and draws them itself when that fails.
    """

    study: Study
    run_id: str
    outputs: Mapping[str, JobOutput]
    jobs: Sequence[Job]
    keys: Mapping[str, str]
    hashes: Mapping[str, str]
    frames: Mapping[str, pd.DataFrame]
    source_description: Mapping[str, Any]
    simulated: bool
    volatile: Mapping[str, Any] = field(default_factory=dict)
    clock_start: float = 0.0
    n_jobs: int = 1
    study_ref: str | None = None
    drawn_figures: DrawnFigures | None = None

    @property
    def main(self) -> JobOutput:
        """The main job's output."""
        return self.outputs["main"]

    @property
    def formats(self) -> set[str]:
        """The output formats of the study's ``[output] formats``: exactly the files written (JSON always)."""
        return set(self.study.output.formats)

    @property
    def job_names(self) -> list[str]:
        return [job.name for job in self.jobs]


@dataclass(frozen=True, kw_only=True)
class ReportTables:
    """The tidy tables as written to the data files (rounded, sorted), which the pages and figures draw on."""

    var_irf: pd.DataFrame
    dcc_virf: pd.DataFrame
    static_cells: pd.DataFrame          # the DY cells only (the file adds the margins)
    directional: pd.DataFrame
    groups: pd.DataFrame
    rolling: pd.DataFrame
    dcc_params: pd.DataFrame
    dcc_correlations: pd.DataFrame
    panel: pd.DataFrame
    forbes: pd.DataFrame
    shift: pd.DataFrame
    granger: pd.DataFrame
    abnormal: pd.DataFrame
    car: pd.DataFrame
    facts: pd.DataFrame
    event_facts: pd.DataFrame           # event-day moves per asset, from the panel table
    cross_event: pd.DataFrame = field(default_factory=pd.DataFrame)   # events/cross_event
    headline_event: str = ""            # name of the study's first event
    forbes_all: pd.DataFrame = field(default_factory=pd.DataFrame)   # ``forbes``, ``shift``: first event only
    shift_all: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def group_car_all(self) -> pd.DataFrame:
        """The group-level rows of the CAR table: every job and every event."""
        car = self.car
        return car[car["level"] == "group"] if not car.empty and "level" in car.columns else pd.DataFrame()
    change: pd.DataFrame = field(default_factory=pd.DataFrame)    # connectedness/change: pre vs post
    describe: pd.DataFrame = field(default_factory=pd.DataFrame)  # tables/descriptive_statistics
    # the model families beyond the headline VAR (empty when the study does not switch them on)
    frequency: pd.DataFrame = field(default_factory=pd.DataFrame)
    frequency_rolling: pd.DataFrame = field(default_factory=pd.DataFrame)
    quantile: pd.DataFrame = field(default_factory=pd.DataFrame)
    quantile_rolling: pd.DataFrame = field(default_factory=pd.DataFrame)
    dcc_connectedness: pd.DataFrame = field(default_factory=pd.DataFrame)
    asset_network_nodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    asset_network_edges: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def group_car(self) -> pd.DataFrame:
        """The group-level rows of the CAR table of the main job and the study's first event (the headline
        event); :attr:`group_car_all` has every job and event."""
        car = self.group_car_all
        if car.empty or "job" not in car.columns:
            return car
        return car[(car["job"] == "main") & (car["event"] == self.headline_event)]
