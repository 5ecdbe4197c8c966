"""``run_study``: a study -> jobs -> cached results -> a complete, citable report folder.

This is the Python API behind ``contagion run`` (the CLI only parses options and draws progress bars).

Flow
----
1. resolve the study (built-in name, path or :class:`~contagion.workflow.spec.Study`) and the CLI overrides (source,
   seed);
2. check the output folder is writable; remove leftovers of killed runs (``.incomplete-*`` folders whose
   process is gone);
3. load the raw series once (Yahoo with its cache, a CSV folder, or the simulated demo market) and hash them;
4. expand the study into jobs (``main`` + one per robustness variant) and run them through
   :func:`contagion.workflow.jobs.run_jobs` (cache, local processes or Dask). The robustness variants reuse
   the main job's lag order: it is computed up front (:mod:`contagion.workflow.early`) so that all jobs run at
   once, and with several workers the figures are drawn in a fork as soon as the main job is done;
5. write the report into ``<out>/<study>/.incomplete-<run-id>-<pid>/`` and rename it to
   ``<out>/<study>/<run-id>/`` when every file is written and flushed. A run never overwrites another.

The run id is ``YYYYMMDDTHHMMSSZ-<hash>``: the UTC start time plus the first 8 hex digits of the SHA-256 of
the resolved spec and the input-series hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, resolve_seed
from contagion.errors import ContagionError, DataError, NetworkError, SpecificationError
from contagion.workflow.early import EarlyFigures, fork_available, main_lag_order
from contagion.workflow.folders import (
    INCOMPLETE_PREFIX,
    claim_run_folder,
    disk_full,
    prepare_output,
    unwritable,
)
from contagion.workflow.jobs import Job, ResultCache, canonical_json, job_key, run_jobs, thread_limits_record
from contagion.workflow.pipeline import JobOutput, run_job
from contagion.workflow.sections.panel import sharing_panels
from contagion.workflow.spec import Study, load_study, set_dotted

if TYPE_CHECKING:
    from contagion.data.sources import Source

__all__ = ["RunProgress", "RunResult", "expand_jobs", "hash_frame", "load_data", "make_source", "run_study"]

logger = logging.getLogger(__name__)

#: ``progress(task, done, total)``; tasks are ``"data"``, ``"job:<name>"`` and ``"draws:<name>:<stage>"``.
RunProgress = Callable[[str, int, int], None]

CACHE_DIRNAME = ".cache"


@dataclass(frozen=True)
class RunResult:
    """What a finished run returns: the folder and a few facts for the console summary."""

    folder: Path
    run_id: str
    study: Study
    simulated: bool
    jobs: tuple[str, ...]
    from_cache: tuple[str, ...]
    timings: Mapping[str, float]
    warnings: tuple[str, ...]
    unavailable: Mapping[str, str]


# ---------------------------------------------------------------------- study and sources
def resolve_study(study: str | Path | Study, *, demo: bool = False, data_dir: str | Path | None = None,
                  seed: SeedLike = None) -> Study:
    """Load ``study`` and apply the CLI overrides (``--demo``, ``--data-dir``, ``--seed``).

    ``seed`` (int or :class:`numpy.random.Generator`; None keeps the study's seed) replaces the study's seed; a
    Generator gives one draw in the study's seed range, recorded in the resolved study and the manifest.
    """
    spec = study if isinstance(study, Study) else load_study(study)
    changes: dict[str, Any] = {}
    if demo and data_dir is not None:
        raise SpecificationError("--demo and --data-dir exclude each other; choose one data source.")
    if demo:
        changes["data.source"] = "demo"
        changes["data.data_dir"] = None
    elif data_dir is not None:
        changes["data.source"] = "csv"
        changes["data.data_dir"] = str(Path(data_dir).expanduser().resolve())
    if seed is not None:
        changes["seed"] = _study_seed(seed)
    return spec.with_overrides(**changes) if changes else spec


def _study_seed(seed: SeedLike) -> int:
    """The integer seed a run records: ``seed`` itself, or one draw in [0, 2**32) from a Generator."""
    value = resolve_seed(seed)
    return value % 2**32 if isinstance(seed, np.random.Generator) else value


def make_source(study: Study) -> Source:
    """The data source named by the (resolved) study."""
    kind = study.data.source
    if kind == "demo":
        from contagion.data.demo import DemoSource

        return DemoSource(seed=study.seed)
    if kind == "csv":
        from contagion.data.sources import CsvSource

        folder = Path(str(study.data.data_dir))
        if not folder.is_dir():
            raise DataError(f"--data-dir {folder} is not a folder (it should hold one <TICKER>.csv per ticker).")
        return CsvSource(folder)
    from contagion.data.yahoo import YahooSource

    return YahooSource()


def _check_tickers(study: Study) -> None:
    """Unknown tickers fail early for the demo market, which simulates the registry's assets only.

    A CSV folder may hold any ticker, and Yahoo accepts symbols outside the registry (a symbol Yahoo does not
    know comes back empty and is reported by :func:`load_data`).
    """
    if study.data.source != "demo":
        return
    from contagion.data.universe import get_asset

    for ticker in study.tickers:
        try:
            get_asset(ticker)
        except DataError as err:
            group = study.group_of[ticker]
            raise DataError(f"study {study.name!r}, group {group!r}: {err}") from None


def hash_frame(frame: pd.DataFrame) -> str:
    """SHA-256 of a raw series: :func:`contagion.data.panel.frame_hash` (canonical bytes of dates and prices)."""
    from contagion.data.panel import frame_hash

    return str(frame_hash(frame))


def load_data(study: Study, source: Source, progress: RunProgress | None = None) -> dict[str, pd.DataFrame]:
    """Load every ticker of the study from ``source`` (with five weeks of history before the start)."""
    _check_tickers(study)
    start = study.data.start - dt.timedelta(days=35)
    end = study.data.end
    tickers = list(study.tickers)
    if progress:
        progress("data", 0, len(tickers))
    try:
        frames = dict(source.load(tickers, start=start, end=end))
    except NetworkError as err:
        if "--demo" in str(err):
            raise
        raise NetworkError(f"{err} Run offline with --demo, or on your own files with --data-dir DIR.") from None
    except (ConnectionError, TimeoutError) as err:
        raise NetworkError(
            f"cannot reach the data source ({type(err).__name__}: {err}). Check your connection, or run "
            f"offline with --demo (simulated data) or --data-dir DIR (a folder of <TICKER>.csv files)."
        ) from None
    missing = [t for t in tickers if t not in frames]
    if missing:
        raise DataError(f"the data source returned nothing for {', '.join(missing)}; check the tickers "
                        f"(contagion.data.universe lists the known ones) or the data folder.")
    if progress:
        progress("data", len(tickers), len(tickers))
    return {t: frames[t] for t in tickers}


# ---------------------------------------------------------------------- jobs
def _job_study(study: Study, **changes: Any) -> dict[str, Any]:
    raw = study.model_dump(mode="json")
    # the source is described by the data hashes; keep jobs shareable between sources with equal data
    raw["data"]["source"] = "memory"
    raw["data"]["data_dir"] = None
    raw["robustness"] = []
    set_dotted(raw, changes)
    return raw


def expand_jobs(study: Study, source_name: str = "memory", main_lags: int | None = None) -> list[Job]:
    """The main job plus one job per robustness variant (each a resolved, JSON-able study).

    ``source_name`` only labels data-quality messages (``"NVDA (csv): ..."``). ``main_lags`` is the lag order
    the main job used: a variant without its own ``lags`` gets it (``var.lags = main_lags``), so that a
    robustness job differs from ``main`` only in what it names; without ``main_lags`` (the main job has not
    run yet) a variant without ``lags`` keeps the study's rule. :func:`run_study` runs the main job first.
    """
    jobs = [Job("main", "main", {"study": _job_study(study), "source_name": source_name})]
    first_event = study.events[0].date if study.events else None
    for variant in study.robustness:
        start = variant.start or study.data.start
        end = variant.end or study.data.end
        if variant.window == "pre" and first_event is not None:
            end = first_event - dt.timedelta(days=1)
        elif variant.window == "post" and first_event is not None:
            start = first_event
        # the events inside the job's sample get their event study in the job too
        events = [e.model_dump(mode="json") for e in study.events if start < e.date <= end]
        changes: dict[str, Any] = {
            "data.start": start.isoformat(), "data.end": end.isoformat(), "events": events,
        }
        if variant.calendar is not None:
            changes["data.calendar"] = variant.calendar
        if variant.measure is not None:
            changes["data.measure"] = variant.measure
        if variant.lags is not None:
            changes["var.lags"] = variant.lags
        elif main_lags is not None:
            changes["var.lags"] = int(main_lags)
        jobs.append(Job(variant.name, "robustness",
                        {"study": _job_study(study, **changes), "variant": variant.model_dump(mode="json"),
                         "source_name": source_name}))
    return jobs


def _job_fn(job: Job, frames: Mapping[str, pd.DataFrame], progress: Callable[[str, int, int], None] | None
            ) -> JobOutput:
    """Job entry point: main-job failures propagate; robustness failures become a reported note."""
    if job.kind == "main":
        return run_job(job, frames, progress)
    try:
        return run_job(job, frames, progress)
    except ContagionError as err:
        return JobOutput(job=job.name, unavailable={f"robustness {job.name}": f"could not be estimated: {err}"})


def _run_jobs_of(spec: Study, frames: Mapping[str, pd.DataFrame], hashes: Mapping[str, str], source_name: str,
                 cache: ResultCache, *, n_jobs: int, scheduler: str | None, progress: Callable[..., None],
                 on_done: Callable[[Job, bool, JobOutput], None]) -> tuple[list[Job], dict[str, str],
                                                                     dict[str, JobOutput]]:
    """Every job of the study (from the cache where it is there): the jobs, their keys and their outputs.

    A robustness variant without its own ``lags`` uses the main job's lag order. In this process the main job
    runs first and gives it. With worker processes the main job is handed out first and, while it runs, this
    process computes the same order up front (:func:`~contagion.workflow.early.main_lag_order`) and hands out
    the variants, so all jobs share the pool; a variant computed with an order the main job then did not use
    is run again with the job's own (never expected: both come from the same code). Either way the jobs,
    keys and outputs are the same.
    """
    main_job = expand_jobs(spec, source_name=source_name)[0]
    keys = {"main": job_key(main_job, hashes)}

    def variants(done: Mapping[str, JobOutput]) -> list[Job]:
        if "main" in done:  # the job's own order (not main_lag_order: it checks the up-front one)
            order = done["main"].info.get("var", {}).get("lag_order")
            lags = None if order is None else int(order)
        else:
            lags = main_lag_order(main_job, frames)
        jobs = expand_jobs(spec, source_name=source_name, main_lags=lags)[1:]
        keys.update({job.name: job_key(job, hashes) for job in jobs})
        return jobs

    options: dict[str, Any] = {"cache": cache, "n_jobs": n_jobs, "scheduler": scheduler, "progress": progress,
                               "on_result": on_done, "while_waiting": _import_report}
    outputs: dict[str, JobOutput] = run_jobs([main_job], _job_fn, frames, keys=keys,
                                             then=variants if spec.robustness else None, **options)
    if not spec.robustness:
        return [main_job], keys, outputs
    used = dict(keys)  # the keys the variants ran with
    jobs = [main_job, *variants(outputs)]
    stale = [job for job in jobs[1:] if job.name not in outputs or used.get(job.name) != keys[job.name]]
    if stale:  # the up-front order differed from the main job's (or it could not be computed)
        outputs.update(run_jobs(stale, _job_fn, frames, keys=keys, **options))
    return jobs, keys, {job.name: outputs[job.name] for job in jobs}


def _import_report() -> None:
    """Import the report writer and matplotlib while the workers compute (this process would wait idle)."""
    import contagion.report.figure_plan
    import contagion.report.writer  # noqa: F401


def _warm_up() -> None:
    try:
        from contagion.data.calendar import exchange_sessions

        with warnings.catch_warnings():  # exchange_calendars' own deprecation noise; jobs record theirs
            warnings.simplefilter("ignore")
            exchange_sessions()
    except Exception as err:  # an optimisation only
        logger.debug("calendar warm-up skipped: %s", err)


def _run_id(started: dt.datetime, study: Study, hashes: Mapping[str, str]) -> str:
    digest = hashlib.sha256(canonical_json({"spec": study.resolved(), "data": dict(sorted(hashes.items()))})
                            .encode("ascii")).hexdigest()
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{digest[:8]}"


# ---------------------------------------------------------------------- the run
def run_study(
    study: str | Path | Study,
    *,
    demo: bool = False,
    data_dir: str | Path | None = None,
    out: str | Path = "reports",
    n_jobs: int = 1,
    scheduler: str | None = None,
    seed: SeedLike = None,
    source: Source | None = None,
    progress: RunProgress | None = None,
) -> RunResult:
    """Run ``study`` and write its report folder; returns where it is.

    Parameters
    ----------
    study : str, Path or Study
        Built-in study name (``"deepseek-2025"``), path to a study TOML, or a validated study.
    demo : bool
        Use the simulated demo market (offline); every output then says the data are simulated.
    data_dir : path, optional
        A folder of ``<TICKER>.csv`` files instead of Yahoo.
    out : path
        Output root; the run folder is ``<out>/<study>/<run-id>/`` and the result cache ``<out>/.cache/``.
    n_jobs, scheduler
        Local worker processes, or the address of a Dask distributed scheduler.
    seed : int or numpy.random.Generator, optional
        Overrides the study's seed (bootstrap and VIRF draws, demo market); a Generator gives one draw in the
        study's seed range, which the manifest records.
    source : Source, optional
        A custom data source (overrides ``demo``/``data_dir``/the study's source).
    progress : callable, optional
        ``progress(task, done, total)``, see :data:`RunProgress`.

    Raises
    ------
    ContagionError
        Unknown study, invalid spec, unknown ticker, empty group, unwritable output folder, unreachable
        data source (:class:`NetworkError`), estimation failure of the main job.
    """
    from contagion.report.manifest import source_record
    from contagion.report.writer import ReportInputs, write_report

    clock = time.perf_counter()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    timings: dict[str, float] = {}
    spec = resolve_study(study, demo=demo, data_dir=data_dir, seed=seed)
    out_root = Path(out).expanduser()
    study_dir = prepare_output(out_root, spec)
    if source is None:
        source = make_source(spec)
    t0 = time.perf_counter()
    frames = load_data(spec, source, progress)
    timings["data_seconds"] = time.perf_counter() - t0
    # kind, folder name and per-file SHA-256: no absolute local path reaches the manifest or the pages
    description = source_record(source, list(frames))
    simulated = bool(description.get("simulated", False)) or spec.data.source == "demo"
    hashes = {ticker: hash_frame(frame) for ticker, frame in frames.items()}

    source_name = str(getattr(source, "name", spec.data.source))
    cache = ResultCache(out_root / CACHE_DIRNAME, records=(JobOutput,))
    from_cache: list[str] = []
    job_times: dict[str, float] = {}
    job_started = {job.name: time.perf_counter() for job in expand_jobs(spec, source_name=source_name)}

    def job_progress(name: str, stage: str, done: int, total: int) -> None:
        if progress is None:
            return
        if stage == "job":
            progress(f"job:{name}", done, total)
        else:
            progress(f"draws:{name}:{stage}", done, total)

    early = None
    if n_jobs > 1 and scheduler is None and fork_available() and {"png", "pdf"} & set(spec.output.formats):
        early = EarlyFigures(study_dir / f"{INCOMPLETE_PREFIX}figures-{os.getpid()}", lambda outputs: ReportInputs(
            study=spec, run_id="", outputs=outputs, jobs=[], keys={}, hashes=hashes, frames=frames,
            source_description=description, simulated=simulated, n_jobs=n_jobs), n_jobs)

    def on_done(job: Job, cached: bool, result: JobOutput) -> None:
        job_times[job.name] = time.perf_counter() - job_started[job.name]
        if cached:
            from_cache.append(job.name)
        if early is not None and job.name == "main":
            early.start(result)  # the figures draw from the main job only: start them while the rest runs

    if n_jobs > 1 and scheduler is None:
        _warm_up()  # forked workers inherit the exchange calendar instead of each building it
    if early is not None:
        early.prepare()  # forked before any worker pool or thread of it exists
    t0 = time.perf_counter()
    try:
        with sharing_panels():  # jobs of this process with the same panel build it once
            jobs, keys, outputs = _run_jobs_of(spec, frames, hashes, source_name, cache, n_jobs=n_jobs,
                                               scheduler=scheduler, progress=job_progress, on_done=on_done)
    except BaseException:
        if early is not None:
            early.discard()
        raise
    timings["jobs_seconds"] = time.perf_counter() - t0

    final, tmp = claim_run_folder(study_dir, _run_id(started, spec, hashes))
    run_id = final.name
    t0 = time.perf_counter()
    try:
        report_warnings = write_report(tmp, ReportInputs(
            study=spec, run_id=run_id, outputs=outputs, jobs=jobs, keys=keys, hashes=hashes, frames=frames,
            source_description=description, simulated=simulated,
            volatile={
                "run_id": run_id,
                "output_folder": str(final),
                "started_utc": started.isoformat().replace("+00:00", "Z"),
                "jobs_from_cache": sorted(from_cache),
                "thread_limits": thread_limits_record(),
                "timings_seconds": {**{k: round(v, 3) for k, v in timings.items()},
                                    **{f"job_done_at:{k}": round(v, 3) for k, v in sorted(job_times.items())}},
            },
            clock_start=clock,
            n_jobs=1 if scheduler is not None else n_jobs,
            study_ref=None if isinstance(study, Study) else str(study),
            drawn_figures=early,
        ))
        os.replace(tmp, final)
    except OSError as err:  # a full disk or a folder that became unwritable: no partial run folder is left
        shutil.rmtree(tmp, ignore_errors=True)
        raise unwritable(final, study_dir, err.strerror or str(err)) from None
    except Exception as err:
        # a writer can turn ENOSPC into another exception (matplotlib's PDF backend raises AttributeError from
        # its half-written stream); when the disk is full that is the cause, so report it as such
        full = disk_full(study_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        if full:
            raise unwritable(final, study_dir, "No space left on device") from None
        raise err
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if early is not None:
            early.discard()  # a no-op when the writer collected the figures
    timings["report_seconds"] = time.perf_counter() - t0
    timings["total_seconds"] = time.perf_counter() - clock
    unavailable = {f"{name}: {section}": why for name, o in outputs.items() for section, why in o.unavailable.items()}
    return RunResult(folder=final, run_id=run_id, study=spec, simulated=simulated, jobs=tuple(j.name for j in jobs),
                     from_cache=tuple(sorted(from_cache)), timings=timings, warnings=tuple(report_warnings),
                     unavailable=unavailable)


def fetch_study(study: str | Path | Study, *, progress: RunProgress | None = None) -> dict[str, int]:
    """Fill the Yahoo cache with every series of ``study``; returns rows per ticker."""
    spec = resolve_study(study)
    if spec.data.source != "yahoo":
        spec = spec.with_overrides(**{"data.source": "yahoo", "data.data_dir": None})
    frames = load_data(spec, make_source(spec), progress)
    return {ticker: len(frame) for ticker, frame in frames.items()}


def summarize_jobs(jobs: Sequence[Job]) -> list[str]:
    return [f"{job.name} ({job.kind})" for job in jobs]
