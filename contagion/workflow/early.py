"""Work a run starts before all its jobs are done, so that the jobs and the figures share the cores.

Two things on a run's critical path do not need every job:

- the robustness jobs need only the main job's **lag order** (a variant without its own ``lags`` uses it).
  :func:`main_lag_order` computes it up front, from the main job's panel and the same headline VAR
  (:func:`contagion.workflow.sections.connectedness.headline_var`), in a fraction of the main job's time,
  so that every job can run at once instead of the main job first and the rest after it;
- every report **figure** is drawn from the main job's tables. :class:`EarlyFigures` forks its processes
  before the worker pool, hands them the main job's output as soon as it is done and lets them draw while the
  robustness jobs still run and the parent writes the tables; :func:`contagion.report.writer.write_report`
  then moves the finished files into the run folder.

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
    """The report figures, drawn by forked processes from the main job's output while other work goes on.

    :meth:`prepare` forks ``n_procs`` processes before the jobs start (each imports matplotlib and the report
    modules, then waits); :meth:`start` sends them the main job's output and each draws every
    ``n_procs``-th figure; :meth:`collect` waits and moves the files into the run folder. The processes are
    forked before any worker pool exists and never start processes of their own, so stopping one
    (:meth:`discard`) leaves nothing behind. ``make_inputs(outputs)`` builds the
    :class:`~contagion.report.inputs.ReportInputs` of a run whose outputs are ``outputs``.
    """

    def __init__(self, staging: Path, make_inputs: Callable[[dict[str, JobOutput]], ReportInputs],
                 n_procs: int) -> None:
        self.staging = staging
        self._make_inputs = make_inputs
        self._n_procs = max(1, n_procs)
        self._procs: list[tuple[Any, Any]] = []  # (process, connection)
        self._sent = False

    def prepare(self) -> None:
        """Fork the figure processes (they wait for :meth:`start`)."""
        if self._procs or not fork_available():
            return
        shutil.rmtree(self.staging, ignore_errors=True)
        (self.staging / "figures").mkdir(parents=True)
        context = multiprocessing.get_context("fork")
        for index in range(self._n_procs):
            ours, theirs = context.Pipe(duplex=False)
            process = context.Process(target=_figure_process, args=(ours, self.staging, index, self._n_procs),
                                      name=f"contagion-figures-{index}", daemon=True)
            process.start()
            ours.close()
            self._procs.append((process, theirs))

    def start(self, main: JobOutput) -> None:
        """Hand the main job's output to the figure processes (once; later calls do nothing)."""
        if self._sent or not self._procs:
            return
        self._sent = True
        inputs = self._make_inputs({"main": main})
        for process, conn in self._procs:
            try:
                conn.send(inputs)
            except (OSError, ValueError) as err:  # the process died: collect() then reports it unused
                logger.info("figure process %s not reachable: %s", process.name, err)

    def collect(self, folder: Path, names: list[str], formats: tuple[str, ...]) -> bool:
        """Wait for the figure processes and move their files to ``folder``; False (nothing moved) when one
        failed or they drew other figures than ``names`` (the caller then draws them itself)."""
        if not self._sent:
            self.discard()
            return False
        drawn: list[str] = []
        ok = True
        for index, (process, _) in enumerate(self._procs):
            process.join()
            done = self.staging / f"drawn-{index}.json"
            if process.exitcode != 0 or not done.is_file():
                ok = False
                continue
            doc = json.loads(done.read_text(encoding="utf-8"))
            ok = ok and doc["formats"] == list(formats)
            drawn += doc["names"]
        if not ok or sorted(drawn) != sorted(names):
            logger.info("early figures not used")
            self.discard()
            return False
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            for fmt in formats:
                os.replace(self.staging / "figures" / f"{name}.{fmt}", folder / f"{name}.{fmt}")
        self.discard()
        return True

    def discard(self) -> None:
        """Stop the figure processes (they have no children) and remove their files."""
        for process, conn in self._procs:
            conn.close()
            if process.is_alive():  # collect() joined the ones that finished; the others have nothing to keep
                process.kill()
            process.join()
        self._procs = []
        shutil.rmtree(self.staging, ignore_errors=True)


def _figure_process(conn: Any, staging: Path, index: int, n_procs: int) -> None:
    """Entry point of a figure process: import, wait for the main job's output, draw this process's share.

    A failure is an exit code (the run then draws the figures itself), not a traceback on the user's console;
    the end of the pipe without data (the run stopped first) is a quiet exit.
    """
    try:
        import contagion.report.data_files
        import contagion.report.figure_plan  # noqa: F401 - matplotlib and the report modules, while waiting

        inputs = conn.recv()
        _draw_main_figures(staging, inputs, index, n_procs)
    except EOFError:
        raise SystemExit(0) from None
    except Exception as err:
        logger.debug("early figures failed: %s: %s", type(err).__name__, err)
        raise SystemExit(1) from None


def _draw_main_figures(staging: Path, inputs: ReportInputs, index: int, n_procs: int) -> None:
    """Every ``n_procs``-th figure of the main job's plan, from ``index``, and ``drawn-<index>.json``."""
    from contagion.report.data_files import figure_tables
    from contagion.report.figure_plan import draw_figures, plan_figures

    with fixed_threads():
        tables = figure_tables(inputs)
        plan = plan_figures(inputs, tables)
        mine = plan.drawings[index::n_procs]
        draw_figures(mine, staging / "figures", 1, plan.formats)
    names = [name for _, name in mine]
    (staging / f"drawn-{index}.json").write_text(json.dumps({"names": names, "formats": list(plan.formats)}),
                                                 encoding="utf-8")
