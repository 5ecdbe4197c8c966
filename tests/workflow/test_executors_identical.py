"""Byte-identical run folders on every executor, even when the shell asks BLAS/OpenMP for two threads.

Each run is a fresh interpreter started with ``OMP_NUM_THREADS=2`` and ``OPENBLAS_NUM_THREADS=2``. The
in-process run and the ``--jobs 2`` workers inherit two BLAS threads; the Dask workers are given one (as a
Dask deployment's nanny usually does, and as in issue 14). Without the per-job thread limit the contagion tests
differ in the last digits between the two counts (checked: the test fails with ``limits=None``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._runner_support import FIXTURES, file_digests, run_folders

pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")

STUDY = FIXTURES / "demo-tiny.toml"
REPO_ROOT = Path(__file__).resolve().parents[2]
TWO_THREADS = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}

DASK_RUN = """
import sys
import distributed
from contagion.workflow.runner import run_study

one = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                              env=one) as cluster:
    run_study(sys.argv[1], demo=True, out=sys.argv[2], scheduler=cluster.scheduler_address)
"""


def _env() -> dict[str, str]:
    return {**os.environ, **TWO_THREADS, "PYTHONPATH": str(REPO_ROOT), "CONTAGION_NO_PROGRESS": "1",
            "MPLBACKEND": "Agg"}


def _run(out: Path, executor: str) -> Path:
    if executor == "dask":
        command = [sys.executable, "-c", DASK_RUN, str(STUDY), str(out)]
    else:
        command = [sys.executable, "-m", "contagion", "run", str(STUDY), "--demo", "--out", str(out), "-q"]
        # in-process (one worker, figures drawn at the end) or two workers (figures drawn early, in a fork)
        command += ["--jobs", "2" if executor == "jobs2" else "1"]
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = run_folders(out, "demo-tiny")
    return folder


@pytest.mark.slow
def test_in_process_jobs2_and_dask_give_identical_files(tmp_path: Path) -> None:
    folders = {name: _run(tmp_path / name, name) for name in ("inprocess", "jobs2", "dask")}
    digests = {name: file_digests(folder) for name, folder in folders.items()}
    reference = digests["inprocess"]
    assert {"dcc/params.csv", "dcc/correlations.parquet", "irf/dcc_virf.csv", "tests/correlation_shift.csv",
            "tests/granger_in_variance.csv", "figures/dcc_correlations.pdf", "figures/irf_grid.png",
            "report.html", "manifest.json"} <= set(reference)
    for name in ("jobs2", "dask"):
        assert sorted(digests[name]) == sorted(reference), name
        different = sorted(rel for rel in reference if digests[name][rel] != reference[rel])
        assert different == [], f"{name} differs from the in-process run in {different}"
    manifest = json.loads((folders["dask"] / "manifest.json").read_text())
    assert manifest["run"]["thread_limits"]["threads"] == 1
    assert manifest["run"]["thread_limits"]["set_by"] == "threadpoolctl"
