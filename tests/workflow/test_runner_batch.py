"""Batch engine: content-hashed cache, atomic writes, executors (in process, processes, Dask)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from contagion.errors import ContagionWarning, SpecificationError
from contagion.workflow.jobs import Job, ResultCache, job_key, run_jobs


def square_job(job: Job, payload: dict[str, int], progress: Any) -> dict[str, Any]:
    if progress is not None:
        progress("draws", 1, 2)
        progress("draws", 2, 2)
    return {"name": job.name, "value": payload["base"] * int(job.spec["k"]) ** 2, "pid": os.getpid()}


JOBS = [Job("main", "main", {"k": 2}), Job("alt", "robustness", {"k": 3})]


def _keys(jobs: list[Job], data: dict[str, str]) -> dict[str, str]:
    return {job.name: job_key(job, data) for job in jobs}


def test_job_key_depends_on_spec_data_and_version() -> None:
    base = job_key(JOBS[0], {"NVDA": "a"})
    assert base == job_key(Job("main", "main", {"k": 2}), {"NVDA": "a"})
    assert base != job_key(Job("main", "main", {"k": 3}), {"NVDA": "a"})
    assert base != job_key(JOBS[0], {"NVDA": "b"})
    assert base != job_key(JOBS[0], {"NVDA": "a"}, version="999")
    # key order in the spec does not matter (canonical JSON)
    assert job_key(Job("j", "main", {"a": 1, "b": 2}), {}) == job_key(Job("j", "main", {"b": 2, "a": 1}), {})


def test_cache_roundtrip_atomic_and_corrupt_entries(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    assert cache.get("ab" * 32) is None
    path = cache.put("ab" * 32, {"x": 1})
    assert path is not None and cache.get("ab" * 32) == {"x": 1}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    (path / "value.json").write_bytes(b"\x80truncated")  # a half-written file from elsewhere counts as missing
    with pytest.warns(ContagionWarning, match="value.json"):
        assert cache.get("ab" * 32) is None
    assert not path.exists()  # discarded, so the next put stores a fresh entry


def test_run_jobs_in_process_uses_cache(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    keys = _keys(JOBS, {"d": "1"})
    seen: list[tuple[str, bool]] = []
    events: list[tuple[str, str, int, int]] = []
    first = run_jobs(JOBS, square_job, {"base": 5}, keys=keys, cache=cache,
                     progress=lambda *a: events.append(a), on_done=lambda j, c: seen.append((j.name, c)))
    assert [r["value"] for r in first.values()] == [20, 45]
    assert list(first) == ["main", "alt"]
    assert seen == [("main", False), ("alt", False)]
    assert ("main", "draws", 2, 2) in events and ("alt", "job", 1, 1) in events
    seen.clear()
    again = run_jobs(JOBS, square_job, {"base": 999}, keys=keys, cache=cache,
                     on_done=lambda j, c: seen.append((j.name, c)))
    assert again == first  # loaded, not recomputed (the payload changed but the keys did not)
    assert seen == [("main", True), ("alt", True)]


def test_run_jobs_in_processes(tmp_path: Path) -> None:
    keys = _keys(JOBS, {"d": "2"})
    events: list[tuple[str, str, int, int]] = []
    out = run_jobs(JOBS, square_job, {"base": 1}, keys=keys, cache=ResultCache(tmp_path), n_jobs=2,
                   progress=lambda *a: events.append(a))
    assert [r["value"] for r in out.values()] == [4, 9]
    assert all(r["pid"] != os.getpid() for r in out.values())
    assert ("main", "job", 1, 1) in events
    assert ResultCache(tmp_path).get(keys["alt"])["value"] == 9


def test_run_jobs_rejects_bad_options(tmp_path: Path) -> None:
    with pytest.raises(SpecificationError, match="at least 1"):
        run_jobs(JOBS, square_job, {"base": 1}, keys=_keys(JOBS, {}), cache=ResultCache(tmp_path), n_jobs=0)
    dup = [JOBS[0], JOBS[0]]
    with pytest.raises(SpecificationError, match="unique"):
        run_jobs(dup, square_job, {"base": 1}, keys=_keys(JOBS, {}), cache=ResultCache(tmp_path))


def test_run_jobs_on_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        keys = _keys(JOBS, {"d": "3"})
        out = run_jobs(JOBS, square_job, {"base": 2}, keys=keys, cache=ResultCache(tmp_path),
                       scheduler=cluster.scheduler_address)
    assert [r["value"] for r in out.values()] == [8, 18]
    assert ResultCache(tmp_path).get(keys["main"])["value"] == 8


def test_job_key_changes_with_the_code(monkeypatch):
    """A cached result must not be reused by other code, even when the version string is unchanged."""
    import contagion.workflow.jobs as batch

    base = job_key(JOBS[0], {"NVDA": "a"})
    monkeypatch.setattr(batch, "code_fingerprint", lambda: "edited")
    assert job_key(JOBS[0], {"NVDA": "a"}) != base


def test_code_fingerprint_is_stable_and_covers_the_sources():
    from contagion.workflow.jobs import code_fingerprint

    assert code_fingerprint() == code_fingerprint()
    assert len(code_fingerprint()) == 64


def test_code_fingerprint_covers_every_subpackage():
    """The job key must change when a model family changes, not only when contagion/workflow/ does."""
    from contagion.workflow.jobs import fingerprint_files

    names = {path.parent.name for path in fingerprint_files()} | {path.name for path in fingerprint_files()}
    for expected in ("var", "spillover", "dcc", "hypothesis", "events", "data", "report", "workflow",
                     "deepseek-2025.toml", "demo_params.json"):
        assert expected in names


def threads_job(job: Job, payload: Any, progress: Any) -> dict[str, Any]:
    from threadpoolctl import threadpool_info

    return {"threads": sorted({lib["num_threads"] for lib in threadpool_info()}), "pid": os.getpid()}


@pytest.mark.parametrize("executor", ["in-process", "processes", "dask"])
def test_every_executor_runs_jobs_with_one_blas_thread(tmp_path: Path, executor: str) -> None:
    """The fixed thread count holds inside the job body on every executor, and is restored afterwards."""
    from threadpoolctl import threadpool_info, threadpool_limits

    jobs = [Job("a", "main", {"k": 1}), Job("b", "robustness", {"k": 2})]
    keys = _keys(jobs, {"threads": executor})
    with threadpool_limits(limits=2):  # as if the shell set OMP_NUM_THREADS=2
        before = sorted({lib["num_threads"] for lib in threadpool_info()})
        if executor == "dask":
            distributed = pytest.importorskip("distributed")
            with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                          dashboard_address=None) as cluster:
                out = run_jobs(jobs, threads_job, None, keys=keys, cache=ResultCache(tmp_path),
                               scheduler=cluster.scheduler_address)
        else:
            out = run_jobs(jobs, threads_job, None, keys=keys, cache=ResultCache(tmp_path),
                           n_jobs=2 if executor == "processes" else 1)
        after = sorted({lib["num_threads"] for lib in threadpool_info()})
    assert [r["threads"] for r in out.values()] == [[1], [1]]
    assert before == after  # the user's session gets its thread counts back
    assert (out["a"]["pid"] != os.getpid()) == (executor == "processes")
