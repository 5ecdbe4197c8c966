"""Work a run starts before all its jobs are done, so that the jobs and the figures share the cores.

Two things on a run's critical path do not need every job:

- the robustness jobs need only the main job's **lag order** (a variant without its own ``lags`` uses it).
  :func:`main_lag_order` computes it up front, from the main job's panel and the same headline VAR
  (:func:`contagion.workflow.sections.connectedness.headline_var`), in a fraction of the main job's time,
  so that every job can run at once instead of the main job first and the rest after it;
- every report **figure** is drawn from the main job's tables. :class:`EarlyFigures` draws them in a forked
  process as soon as the main job is done, while the robustness jobs still run and the parent writes the
  tables; :func:`contagion.report.writer.write_report` then moves the finished files into the run folder.

Neither changes a number or a byte: the lag order is checked against the main job's own (a mismatch reruns
the robustness jobs with the job's value), and the figures are the same deterministic drawings of the same
rows (``tests/workflow/test_early.py`` compares the files with those of a run that draws them at the end).
Without ``fork`` (Windows, macOS spawn) or with one worker, the run draws at the end as before.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from contagion.workflow.jobs import Job, fixed_threads

if TYPE_CHECKING:
    from contagion.report.inputs import ReportInputs
    from contagion.workflow.pipeline import JobOutput

__all__ = ["EarlyFigures", "fork_available", "main_lag_order"]

logger = logging.getLogger(__name__)

#: the file the figure process writes last: the figure names it drew (absent: it did not finish)
DONE_FILE = "drawn.json"


def fork_available() -> bool:
    """Whether this platform can fork (the early figures and the worker pool rely on it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def main_lag_order(main_job: Job, frames: Mapping[str, pd.DataFrame], cached: JobOutput | None = None) -> int | None:
    """The lag order the main job will use, or None when it cannot be known before the job runs.

    A cached main job gives its own; otherwise the job's panel is built and the headline VAR fitted exactly
    as the job does (one thread, warnings discarded: the job records its own). Any error returns None, and
    the run falls back to running the main job first; the job then reports the error itself.
    """
    from contagion.errors import ContagionError
    from contagion.workflow.sections.connectedness import deterministic_terms, headline_var
    from contagion.workflow.sections.panel import panel_section
    from contagion.workflow.spec import Study

    if cached is not None:
        order = cached.info.get("var", {}).get("lag_order")
        return None if order is None else int(order)
    study = Study.model_validate(main_job.spec["study"])
    try:
        with warnings.catch_warnings(), fixed_threads():
            warnings.simplefilter("ignore")
            data, _ = panel_section(main_job, study, frames, None)
            return int(headline_var(data, deterministic_terms(data)).fit().n_lags)
    except (ContagionError, ValueError, ArithmeticError) as err:
        logger.debug("lag order not known before the main job: %s", err)
        return None


class EarlyFigures:
    """The report figures, drawn in a forked process from the main job's output while other work goes on.

    ``make_inputs(outputs)`` builds the :class:`~contagion.report.inputs.ReportInputs` of a run whose outputs
    are ``outputs``; :meth:`start` forks, :meth:`collect` waits and moves the files into the run folder.
    """

    def __init__(self, staging: Path, make_inputs: Callable[[dict[str, JobOutput]], ReportInputs],
                 n_jobs: int) -> None:
        self.staging = staging
        self._make_inputs = make_inputs
        self._n_jobs = max(1, n_jobs)
        self._process: Any = None

    @property
    def started(self) -> bool:
        return self._process is not None

    def start(self, main: JobOutput) -> None:
        """Fork the figure process (once; a second call does nothing)."""
        if self._process is not None or not fork_available():
            return
        inputs = self._make_inputs({"main": main})
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=_figure_process, args=(self.staging, inputs, self._n_jobs),
                                        name="contagion-figures", daemon=False)
        self._process.start()

    def collect(self, folder: Path, names: list[str], formats: tuple[str, ...]) -> bool:
        """Wait for the figure process and move its files to ``folder``; False (nothing moved) when it failed
        or drew other figures than ``names`` (the caller then draws them itself)."""
        if self._process is None:
            return False
        self._process.join()
        done = self.staging / DONE_FILE
        ok = self._process.exitcode == 0 and done.is_file()
        drawn = json.loads(done.read_text(encoding="utf-8")) if ok else None
        if not ok or drawn != {"names": names, "formats": list(formats)}:
            logger.info("early figures not used (exit code %s)", self._process.exitcode)
            self.discard()
            return False
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            for fmt in formats:
                os.replace(self.staging / "figures" / f"{name}.{fmt}", folder / f"{name}.{fmt}")
        self.discard()
        return True

    def discard(self) -> None:
        """Stop a running figure process and remove its files."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
        shutil.rmtree(self.staging, ignore_errors=True)


def _figure_process(staging: Path, inputs: ReportInputs, n_jobs: int) -> None:
    """Entry point of the forked process: a failure is an exit code (the run then draws the figures itself),
    not a traceback on the user's console."""
    try:
        _draw_main_figures(staging, inputs, n_jobs)
    except Exception as err:
        logger.debug("early figures failed: %s: %s", type(err).__name__, err)
        raise SystemExit(1) from None


def _draw_main_figures(staging: Path, inputs: ReportInputs, n_jobs: int) -> None:
    """The figure process: the main job's tables (not written), the figure plan, the drawings, ``drawn.json``."""
    from contagion.report.data_files import figure_tables
    from contagion.report.figure_plan import draw_figures, plan_figures

    with fixed_threads():
        tables = figure_tables(inputs)
        plan = plan_figures(inputs, tables)
        draw_figures(plan.drawings, staging / "figures", n_jobs, plan.formats)
    names = [name for _, name in plan.drawings]
    (staging / DONE_FILE).write_text(json.dumps({"names": names, "formats": list(plan.formats)}), encoding="utf-8")
