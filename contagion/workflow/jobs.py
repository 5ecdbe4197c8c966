"""Batch engine: jobs, a content-addressed result cache, and executors (in-process, local processes, Dask).

A study expands into *jobs* (the main job plus one per robustness variant, see
:func:`contagion.workflow.runner.expand_jobs`). Each job's result is stored under a *content hash* of everything that
determines it -- the job's resolved spec, the SHA-256 of every input series and the package version -- so
that:

- a run killed at any moment (even with SIGKILL) and started again reuses every finished job and recomputes
  only the others; the final files equal those of an uninterrupted run;
- a cache entry is never half-written: each is written to a temporary folder next to it, flushed to disk
  and renamed into place; a reader sees the old state or the new, nothing in between;
- a cache entry holds data only (JSON, Parquet, ``.npz``; :mod:`contagion.workflow.store`), each file checked
  against its recorded SHA-256 before it is read: a tampered or planted entry is discarded, never executed;
- nothing depends on timestamps (the pytask lesson: hash contents, not modification times).

Executors
---------
Every executor runs the job body under the same fixed BLAS/OpenMP thread count (:func:`fixed_threads`,
:data:`JOB_THREADS`), so that the results do not depend on where a job ran.

``n_jobs == 1`` and no scheduler
    jobs run one after the other in this process (progress of the bootstrap draws is reported live).
``n_jobs > 1``
    :class:`concurrent.futures.ProcessPoolExecutor` with ``n_jobs`` worker processes; draw-level progress
    travels back through a queue.
``scheduler="tcp://host:port"``
    a Dask distributed cluster (``pip install "contagion[dask]"``); :mod:`dask` is imported only then. Workers
    need not share a file system with the client: results travel back to the client, which writes the cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import logging
import queue as queue_module
import shutil
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from contagion._version import __version__
from contagion.errors import ContagionError, ContagionWarning, SpecificationError
from contagion.workflow.store import InvalidEntry, UnstorableValue, read_entry, write_entry

__all__ = [
    "CACHE_FORMAT",
    "Job",
    "JobProgress",
    "ResultCache",
    "canonical_json",
    "job_key",
    "run_jobs",
]

logger = logging.getLogger(__name__)

#: Bumped whenever the stored job-result layout changes, so old cache entries are ignored, not misread.
CACHE_FORMAT = 2


@dataclass(frozen=True)
class Job:
    """One unit of work: a name (``"main"`` or a robustness variant) and a JSON-able spec.

    The job function receives the job, the shared payload (the raw input series) and a progress callback.
    """

    name: str
    kind: str
    spec: Mapping[str, Any] = field(default_factory=dict)


#: Progress callback of :func:`run_jobs`: ``progress(job_name, stage, done, total)``.
JobProgress = Callable[[str, str, int, int], None]


#: A job's own progress callback: ``callback(stage, done, total)``.
StageCallback = Callable[[str, int, int], None]

#: ``func(job, payload, progress)``: the payload and the result are the caller's (opaque to the engine).
JobFunction = Callable[[Job, Any, "StageCallback | None"], Any]

_Payload = TypeVar("_Payload")
_Result = TypeVar("_Result")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the byte string that content hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


#: The ``contagion`` package folder (this module is ``contagion/workflow/jobs.py``).
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def fingerprint_files() -> list[Path]:
    """The files :func:`code_fingerprint` hashes: every module of the package, the studies, the demo data."""
    return sorted(p for pattern in ("*.py", "studies/*.toml", "_demo/*.json") for p in _PACKAGE_ROOT.rglob(pattern)
                  if "__pycache__" not in p.parts)


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over the package's own source files (``*.py``, built-in studies, demo parameters).

    Part of every job key, so that a cached result computed by other code is never reused: the version
    string alone does not change while a checkout is edited (it stays ``0.1.0+unknown`` when the package is
    not installed), and a result cache must not outlive the code that produced it.
    """
    root = _PACKAGE_ROOT
    digest = hashlib.sha256()
    for path in fingerprint_files():
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def job_key(job: Job, data_hashes: Mapping[str, str], version: str | None = None) -> str:
    """SHA-256 content hash of a job's inputs: its spec, the input-series hashes and the code.

    ``version`` defaults to the package version plus :func:`code_fingerprint`, so editing the code
    invalidates every cached result.
    """
    payload = {
        "cache_format": CACHE_FORMAT,
        "job": {"name": job.name, "kind": job.kind, "spec": job.spec},
        "data": dict(sorted(data_hashes.items())),
        "version": version if version is not None else f"{__version__}+{code_fingerprint()}",
    }
    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


class ResultCache:
    """Content-addressed store of job results under ``root`` (``<root>/<key[:2]>/<key>/``), data only.

    Each entry is a folder of JSON, Parquet and ``.npz`` files with a SHA-256 index
    (:mod:`contagion.workflow.store`); nothing read back can run code. Writes are atomic (a temporary folder
    renamed into place). A tampered, truncated, foreign or unreadable entry is discarded with a
    :class:`~contagion.errors.ContagionWarning` naming the file, and the job is computed again; a file in an
    older object-serialisation format (``<key>.pkl``) is never opened, only removed with a warning.

    ``records`` are the dataclasses an entry may hold (e.g. the runner's ``JobOutput``): the allow-list of
    types a cached value is rebuilt as, so that no file can name a class to construct.
    """

    def __init__(self, root: Path, records: Sequence[type] = ()) -> None:
        self.root = Path(root)
        self.records = tuple(records)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> Any | None:
        folder = self.path(key)
        legacy = folder.with_name(f"{key}.pkl")
        if legacy.is_file():
            self._discard(legacy, "a file in an object-serialisation format that can run code when loaded; "
                                  "it was not opened")
        if not folder.exists():
            return None
        try:
            return read_entry(folder, key, self.records)
        except InvalidEntry as err:
            self._discard(folder, f"{err.path.name}: {err.reason}", named=err.path)
            return None

    def _discard(self, path: Path, reason: str, named: Path | None = None) -> None:
        message = f"discarded the job cache entry {named or path} ({reason}); the job is computed again."
        logger.warning("%s", message)
        warnings.warn(message, ContagionWarning, stacklevel=3)
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as err:  # a read-only cache: the entry stays ignored
            logger.warning("could not remove %s: %s", path, err)

    def put(self, key: str, value: Any) -> Path | None:
        """Store ``value``; returns the entry folder, or None when ``value`` has no data-only encoding."""
        folder = self.path(key)
        try:
            return write_entry(folder, key, value, self.records)
        except UnstorableValue as err:
            logger.warning("job result %s not cached: %s has no data-only encoding", key[:12], err)
            return None
        except OSError as err:
            raise SpecificationError(
                f"cannot write the result cache in {self.root}: {err.strerror or err}; "
                f"choose a writable output folder with --out (and free disk space)."
            ) from None


# ---------------------------------------------------------------------- thread limits
#: BLAS and OpenMP threads inside every job, on every executor. Results of a LAPACK/BLAS call can depend on
#: the number of threads it splits the work over (summation order), so a fixed count makes in-process,
#: ``--jobs N`` and Dask runs byte-identical whatever ``OMP_NUM_THREADS`` the user's shell sets.
JOB_THREADS = 1

#: One job at a time per process. The thread limit and the warnings a job records
#: (:func:`warnings.catch_warnings` in :func:`contagion.workflow.pipeline.run_job`) are process-wide state, so
#: two jobs in threads of one process (a Dask worker with ``--nthreads 2``, or ``processes=False``) would see
#: each other's filters and warnings. Parallelism comes from processes: ``--jobs N`` or Dask workers.
_job_lock = threading.RLock()


def _load_native_libraries() -> None:
    """Import the modules that load BLAS/OpenMP before limiting: threadpoolctl only reaches loaded ones."""
    for name in ("numpy.linalg", "scipy.linalg", "scipy.optimize"):
        importlib.import_module(name)


@contextlib.contextmanager
def fixed_threads() -> Iterator[None]:
    """Run the body alone in this process with :data:`JOB_THREADS` threads in every BLAS and OpenMP library.

    The previous thread counts are restored afterwards (threadpoolctl), so a user's session is left as it was.
    """
    from threadpoolctl import ThreadpoolController

    _load_native_libraries()
    with _job_lock:
        controller = ThreadpoolController()
        with controller.limit(limits=JOB_THREADS), _openblas_local_fallback(controller):
            yield


@contextlib.contextmanager
def _openblas_local_fallback(controller: Any) -> Iterator[None]:
    """Make the limit hold in threads other than the main one.

    Recent OpenBLAS builds ignore ``openblas_set_num_threads`` called from a worker thread (a Dask worker
    runs tasks in threads) once the count was set elsewhere; ``openblas_set_num_threads_local`` (OpenBLAS
    >= 0.3.26) does take effect there. It is used only when the ordinary call did not.
    """
    restore: list[tuple[Any, int]] = []
    for lib in controller.select(internal_api="openblas").lib_controllers:
        setter = getattr(lib.dynlib, "openblas_set_num_threads_local", None)
        if lib.get_num_threads() != JOB_THREADS and setter is not None:
            restore.append((setter, int(setter(JOB_THREADS))))
    try:
        yield
    finally:
        for setter, previous in reversed(restore):
            setter(previous)


def thread_limits_record() -> dict[str, Any]:
    """What the manifest records about the limit: the thread count and the libraries it applies to."""
    from threadpoolctl import threadpool_info

    _load_native_libraries()
    libraries = sorted({(str(lib.get("internal_api")), str(lib.get("version")), str(lib.get("threading_layer", "")))
                        for lib in threadpool_info()})
    return {"threads": JOB_THREADS, "set_by": "threadpoolctl",
            "libraries": [{"api": api, "version": version, "threading_layer": layer}
                          for api, version, layer in libraries]}


# ---------------------------------------------------------------------- executors
def _call_job(func: Callable[[Job, _Payload, StageCallback | None], _Result], job: Job, payload: _Payload,
              progress_queue: queue_module.Queue[tuple[str, str, int, int]] | None = None) -> _Result:
    """Run one job in a worker; draw progress goes to ``progress_queue`` when there is one."""
    callback = None
    if progress_queue is not None:
        def callback(stage: str, done: int, total: int) -> None:
            with contextlib.suppress(Exception):  # progress is best effort
                progress_queue.put_nowait((job.name, stage, done, total))
    with fixed_threads():
        return func(job, payload, callback)


def run_jobs(
    jobs: Sequence[Job],
    func: JobFunction,
    payload: Any,
    *,
    keys: Mapping[str, str],
    cache: ResultCache,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: JobProgress | None = None,
    on_done: Callable[[Job, bool], None] | None = None,
    on_result: Callable[[Job, bool, Any], None] | None = None,
    then: Callable[[Mapping[str, Any]], Sequence[Job]] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run ``jobs`` (or load them from ``cache``) and return ``{job.name: result}`` in job order.

    Parameters
    ----------
    jobs : sequence of Job
        Unique names.
    func : callable
        ``func(job, payload, progress)``, a module-level function (it is serialised by reference for processes and Dask).
    payload : object
        Shared input (the raw series), sent once per job.
    keys : mapping
        ``job.name -> job_key(...)``.
    cache : ResultCache
        Where finished results are stored, each as soon as it arrives (so a kill loses at most the running
        jobs).
    n_jobs : int
        Local worker processes (1 = in this process).
    scheduler : str, optional
        Address of a Dask distributed scheduler; overrides ``n_jobs``.
    progress : callable, optional
        ``progress(job_name, stage, done, total)`` for live progress bars (stage ``"job"`` marks a finished job).
    on_done : callable, optional
        ``on_done(job, from_cache)`` after each job is available.
    on_result : callable, optional
        ``on_result(job, from_cache, result)``, the same with the result (the run starts the figures from it).
    then : callable, optional
        ``then(results_so_far)`` returns more jobs to run (their keys added to ``keys`` by then). In this
        process or on Dask it is called when ``jobs`` are done; with local worker processes as soon as they
        were handed out, so that its own work (the run computes the main job's lag order) and the jobs it
        returns share the pool with them. The result holds both lists, ``jobs`` first.
    while_waiting : callable, optional
        Called once in this process after every job was handed to local worker processes (the run imports
        what its report needs while the workers compute); not called when the jobs run here or on Dask.
    """
    if n_jobs < 1:
        raise SpecificationError(f"--jobs must be at least 1 (got {n_jobs}).")
    results: dict[str, Any] = {}
    names: list[str] = []

    def lookup(batch: Sequence[Job]) -> list[Job]:
        """Register ``batch`` and return the jobs the cache does not hold (the others are done at once)."""
        names.extend(job.name for job in batch)
        if len(set(names)) != len(names):
            raise SpecificationError(f"job names must be unique (got {names}).")
        missing: list[Job] = []
        for job in batch:
            cached = cache.get(keys[job.name])
            if cached is None:
                missing.append(job)
                continue
            results[job.name] = cached
            logger.info("job %s: loaded from cache %s", job.name, keys[job.name][:12])
            if progress is not None:
                progress(job.name, "job", 1, 1)
            if on_done is not None:
                on_done(job, True)
            if on_result is not None:
                on_result(job, True, cached)
        return missing

    def finish(job: Job, result: Any) -> None:
        results[job.name] = result
        if on_result is not None:  # first: it may start work on the result (the run's figures)
            on_result(job, False, result)
        cache.put(keys[job.name], result)
        if progress is not None:
            progress(job.name, "job", 1, 1)
        if on_done is not None:
            on_done(job, False)

    pending = lookup(jobs)
    follow = (lambda: lookup(then(results))) if then is not None else None
    if scheduler is not None:
        _run_dask(pending, func, payload, scheduler, finish)
        if follow is not None:
            _run_dask(follow(), func, payload, scheduler, finish)
    elif n_jobs == 1 or (follow is None and len(pending) <= 1):
        _run_here(pending, func, payload, finish, progress)
        if follow is not None:
            _run_here(follow(), func, payload, finish, progress)
    else:
        _run_processes(pending, func, payload, n_jobs, finish, progress, follow, while_waiting)
    return {name: results[name] for name in names}


def _run_here(jobs: Sequence[Job], func: JobFunction, payload: Any, finish: Callable[[Job, Any], None],
              progress: JobProgress | None) -> None:
    """Run ``jobs`` one after the other in this process."""
    for job in jobs:
        callback = None
        if progress is not None:
            def callback(stage: str, done: int, total: int, _name: str = job.name) -> None:
                progress(_name, stage, done, total)
        with fixed_threads():
            value = func(job, payload, callback)
        finish(job, value)


def _run_processes(
    jobs: Sequence[Job],
    func: JobFunction,
    payload: Any,
    n_jobs: int,
    finish: Callable[[Job, Any], None],
    progress: JobProgress | None,
    follow: Callable[[], Sequence[Job]] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    manager = context.Manager() if progress is not None else None
    progress_queue = manager.Queue() if manager is not None else None
    try:
        with ProcessPoolExecutor(max_workers=n_jobs if follow is not None else min(n_jobs, len(jobs)),
                                 mp_context=context) as pool:
            futures = {pool.submit(_call_job, func, job, payload, progress_queue): job for job in jobs}
            if follow is not None:
                futures.update({pool.submit(_call_job, func, job, payload, progress_queue): job for job in follow()})
            if while_waiting is not None:
                while_waiting()
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, timeout=0.2, return_when=FIRST_COMPLETED)
                _drain(progress_queue, progress)
                for future in sorted(done, key=lambda f: futures[f].name):
                    finish(futures[future], future.result())
            _drain(progress_queue, progress)
    finally:
        if manager is not None:
            manager.shutdown()


def _drain(progress_queue: queue_module.Queue[tuple[str, str, int, int]] | None,
           progress: JobProgress | None) -> None:
    if progress_queue is None or progress is None:
        return
    while True:
        try:
            name, stage, done, total = progress_queue.get_nowait()
        except (queue_module.Empty, EOFError, OSError):
            return
        progress(name, stage, done, total)


def _run_dask(
    jobs: Sequence[Job], func: JobFunction, payload: Any, address: str, finish: Callable[[Job, Any], None]
) -> None:
    try:
        distributed: Any = importlib.import_module("distributed")  # untyped library: its calls are Any
    except ImportError:
        raise SpecificationError(
            "--scheduler needs Dask distributed: pip install 'contagion[dask]' (or run with --jobs N)."
        ) from None
    try:
        client = distributed.Client(address, timeout="5s")
    except (ValueError, TypeError) as err:  # distributed's parser: "missing port number in address ..."
        raise SpecificationError(
            f"--scheduler {address!r} is not a Dask scheduler address ({err}); give tcp://HOST:PORT, as "
            f"printed by `dask scheduler`."
        ) from None
    except (OSError, TimeoutError) as err:
        raise ContagionError(
            f"cannot connect to the Dask scheduler at {address}: {err}. Start one with `dask scheduler` "
            f"(and workers with `dask worker {address}`), or run locally with --jobs N."
        ) from None
    try:
        [scattered] = client.scatter([payload], broadcast=True)  # one object, not one per key
        futures = {
            client.submit(_call_job, func, job, scattered, None, key=f"contagion-{job.name}-{id(job)}", pure=False): job
            for job in jobs
        }
        for future in distributed.as_completed(list(futures)):
            finish(futures[future], future.result())
    finally:
        client.close()


def iter_unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without duplicates."""
    return list(dict.fromkeys(values))
