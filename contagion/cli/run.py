"""``contagion run``, ``contagion studies`` and ``contagion fetch`` (study runner commands).

Thin layer over :func:`contagion.workflow.runner.run_study`: parse options, draw progress bars with rich, print a
final summary naming the run folder. Errors are :class:`~contagion.errors.ContagionError` subclasses, which
the ``contagion`` group turns into ``error: ...`` and a non-zero exit code (no traceback).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import click

#: Defaults of the run options, in one place (as pytask's DEFAULTS_FROM_CLI).
DEFAULTS: dict[str, Any] = {"study": "deepseek-2025", "out": "reports", "jobs": min(2, os.cpu_count() or 1)}


class _Bars:
    """Rich progress bars for the data, each job and the bootstrap / VIRF draws."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _Bars:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def __call__(self, task: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        if task.startswith("draws:"):
            _, job, stage = task.split(":", 2)
            label = f"  {job}: {stage}"
        elif task.startswith("job:"):
            label = f"job {task[4:]}"
        else:
            label = {"data": "loading data"}.get(task, task)
        if task not in self.tasks:
            self.tasks[task] = self.progress.add_task(label, total=max(total, 1))
        self.progress.update(self.tasks[task], completed=done, total=max(total, 1))


@click.command("run")
@click.argument("study", required=False, default=DEFAULTS["study"])
@click.option("--demo", is_flag=True, help="Use the built-in simulated market (offline; results are marked as simulated).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Read <TICKER>.csv files from this folder instead of Yahoo.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path(DEFAULTS["out"]),
              show_default=True, help="Output root: the run folder is OUT/<study>/<run-id>/.")
@click.option("--jobs", "n_jobs", type=click.IntRange(min=1), default=DEFAULTS["jobs"], show_default=True,
              help="Run the study's jobs in this many local processes (default: 2, or 1 on a single core).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the jobs on a Dask distributed scheduler (tcp://host:port); needs contagion[dask].")
@click.option("--seed", type=click.IntRange(min=0, max=2**32 - 1), default=None,
              help="Override the study's seed (bootstrap and VIRF draws, demo market).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def run_command(study: str, demo: bool, data_dir: Path | None, out: Path, n_jobs: int, scheduler: str | None,
                seed: int | None, quiet: bool) -> None:
    """Run STUDY (a built-in name or a path to a .toml file; default deepseek-2025) into a report folder."""
    from contagion.workflow.runner import run_study

    show = not quiet and not os.environ.get("CONTAGION_NO_PROGRESS")
    with _Bars(show) as bars, warnings.catch_warnings():
        # third-party deprecation notices (yfinance, pandas) are not for the user; model warnings are
        # recorded by the jobs and listed in the report and manifest
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        result = run_study(study, demo=demo, data_dir=data_dir, out=out, n_jobs=n_jobs, scheduler=scheduler,
                           seed=seed, progress=bars)
    seconds = result.timings.get("total_seconds", 0.0)
    click.echo(f"Run folder: {result.folder}")
    lines = [
        f"study {result.study.name}: {len(result.jobs)} jobs ({', '.join(result.jobs)})"
        + (f", {len(result.from_cache)} from cache" if result.from_cache else "") + f", {seconds:.1f} s",
    ]
    if result.simulated:
        lines.append("SIMULATED DATA: this demo run used a synthetic market; do not cite its numbers as empirical.")
    for section, why in sorted(result.unavailable.items()):
        lines.append(f"not available: {section}: {why}")
    # name only files that exist: the study's [output] formats may leave out the pages
    pages = [name for name in ("report.html", "report.md") if (result.folder / name).is_file()]
    if result.warnings:
        lines.append(f"{len(result.warnings)} warning(s): see {' or '.join([*pages, 'manifest.json'])}")
    lines.append(f"open {result.folder / pages[0]}" if pages else
                 f"no report page (the study's [output] formats list neither html nor md); files in {result.folder}")
    for line in lines:
        click.echo(f"  {line}")


@click.command("studies")
def studies_command() -> None:
    """List the built-in studies."""
    from contagion.workflow.spec import list_studies

    for name, title in list_studies():
        click.echo(f"{name}\t{title}")


@click.command("fetch")
@click.argument("study", required=False, default=DEFAULTS["study"])
def fetch_command(study: str) -> None:
    """Download every series of STUDY from Yahoo into the local cache (for later offline runs)."""
    from contagion.workflow.runner import fetch_study

    with _Bars(True) as bars, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        rows = fetch_study(study, progress=bars)
    click.echo(f"cached {len(rows)} series: " + ", ".join(f"{t} ({n} rows)" for t, n in rows.items()))
