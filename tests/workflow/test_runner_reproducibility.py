"""Determinism (two runs give byte-identical CSV/Parquet/JSON) and resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contagion.workflow.jobs import ResultCache
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.runner import run_study
from tests._runner_support import FIXTURES, deterministic_files, run_folders

pytest.importorskip("contagion.data.demo", reason="the demo source (branch demo) is not installed")

STUDY = FIXTURES / "demo-tiny.toml"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run, in this process, one job after the other."""
    return run_study(STUDY, demo=True, out=tmp_path_factory.mktemp("ref")).folder


def test_two_runs_are_byte_identical(reference_run: Path, tmp_path: Path) -> None:
    # a second run in another output root (no shared cache), jobs in two worker processes
    other = run_study(STUDY, demo=True, out=tmp_path, n_jobs=2)
    assert other.from_cache == ()
    first, second = deterministic_files(reference_run), deterministic_files(other.folder)
    assert sorted(first) == sorted(second)
    assert {"manifest.json", "irf/var_irf.csv", "irf/var_irf.parquet", "data/panel.parquet"} <= set(first)
    different = [rel for rel in first if first[rel] != second[rel]]
    assert different == []
    # the run ids differ (time stamp) but carry the same content hash
    assert reference_run.name.split("-")[-1] == other.folder.name.split("-")[-1]


def test_rerun_in_same_root_uses_the_cache_and_never_overwrites(reference_run: Path) -> None:
    second = run_study(STUDY, demo=True, out=reference_run.parents[1])
    assert set(second.from_cache) == set(second.jobs)
    assert reference_run != second.folder and reference_run.is_dir() and second.folder.is_dir()
    assert deterministic_files(reference_run) == deterministic_files(second.folder)
    assert len(run_folders(reference_run.parents[1], "demo-tiny")) == 2


def test_resume_after_sigkill(reference_run: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CONTAGION_NO_PROGRESS": "1"}
    command = [sys.executable, "-m", "contagion", "run", str(STUDY), "--demo", "--out", str(tmp_path), "-q"]
    # own session: SIGKILL the whole process group (the run and its worker processes), as a crash would
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    cache = tmp_path / ".cache"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if cache.is_dir() and any(cache.rglob("index.json")):  # at least one job finished, others pending
                break
            time.sleep(0.01)
        assert process.poll() is None, "the run finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert run_folders(tmp_path, "demo-tiny") == []  # nothing complete, and no partial run folder
    finished_before = [index.parent for index in cache.rglob("index.json") if not index.parent.name.startswith(".")]
    assert finished_before
    for entry in finished_before:  # atomic writes: every visible entry is complete (a stray *.tmp is ignored)
        assert ResultCache(cache, records=(JobOutput,)).get(entry.name) is not None

    resumed = run_study(STUDY, demo=True, out=tmp_path)
    assert len(resumed.from_cache) >= 1 and set(resumed.from_cache) < set(resumed.jobs)
    assert run_folders(tmp_path, "demo-tiny") == [resumed.folder]
    assert not list((tmp_path / "demo-tiny").glob(".incomplete-*"))
    assert deterministic_files(resumed.folder) == deterministic_files(reference_run)


def test_dask_scheduler_gives_the_same_files(reference_run: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from click.testing import CliRunner

    from contagion.cli import main

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, ["run", str(STUDY), "--demo", "--out", str(tmp_path), "-q",
                                           "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    [folder] = run_folders(tmp_path, "demo-tiny")
    assert deterministic_files(folder) == deterministic_files(reference_run)


def test_unreachable_scheduler_is_a_clean_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from click.testing import CliRunner

    from contagion.cli import main

    result = CliRunner().invoke(main, ["run", str(STUDY), "--demo", "--out", str(tmp_path), "-q",
                                       "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "cannot connect to the Dask scheduler" in result.output
