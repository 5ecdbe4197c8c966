"""Wall time of ``contagion run --demo`` (the built-in study on the simulated market) and where it goes.

Cases (each a fresh interpreter running the command line, a fresh output folder, so no job comes from the
cache):

- ``demo_jobs2``: the default on two cores. The main job, its lag order computed up front and the robustness
  variants share two workers; the figures are drawn by two processes forked before the pool, from the main
  job, while the rest runs (``contagion.workflow.early``).
- ``demo_jobs1``: the baseline, ``--jobs 1``: the jobs one after the other, then the tables, then the figures,
  as every run did before issue 15.
- ``demo_report_only``: a rerun into the same folder: every job from the cache, the report written again.

``python benchmarks/bench_demo.py`` alternates ``--jobs 1`` and ``--jobs 2`` runs and then profiles one
``--jobs 1`` run in this process (cProfile, which slows it down: read the shares, not the seconds) to split
it into plotting (matplotlib drawing and saving), imports, panels (``build_panel``) and the rest (numerical
work, tables and files).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STUDY = "deepseek-2025"


#: the tests' tiny study (the quick case: CI only checks that the command runs)
TINY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "runner" / "demo-tiny.toml"


def _command(out: Path, jobs: int, study: str = STUDY) -> list[str]:
    return [sys.executable, "-m", "contagion", "run", study, "--demo", "-q", "--jobs", str(jobs), "--out", str(out)]


def _env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg", "CONTAGION_NO_PROGRESS": "1"}


def _fresh(_: Any = None) -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-demo-"))


def _run(out: Path, jobs: int, study: str = STUDY) -> float:
    t0 = time.perf_counter()
    subprocess.run(_command(out, jobs, study), env=_env(), check=True, capture_output=True)
    return time.perf_counter() - t0


def _timed_fresh(jobs: int) -> Any:
    def run(_: Any) -> None:
        out = _fresh()
        try:
            _run(out, jobs)
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return run


def _filled() -> Path:
    out = _fresh()
    _run(out, 2)
    return out


def _report_only(out: Path) -> None:
    _run(out, 2)


CASES = [
    ("demo_jobs2", lambda: None, _timed_fresh(2)),
    ("demo_jobs1_baseline", lambda: None, _timed_fresh(1)),
    ("demo_report_only", _filled, _report_only),
]

QUICK_CASES = [("quick_demo_tiny_jobs2", _fresh, lambda out: _run(out, 2, str(TINY)))]


def _manifest_timings(out: Path) -> dict[str, float]:
    [manifest] = sorted(out.glob(f"{STUDY}/*/manifest.json"))[-1:]
    return dict(json.loads(manifest.read_text())["run"]["timings_seconds"])


def _profile_split() -> dict[str, float]:
    """Shares of one in-process ``--jobs 1`` run: plotting, imports, panels and the rest."""
    from contagion.workflow.runner import run_study

    out = _fresh()
    profile = cProfile.Profile()
    try:
        profile.enable()
        run_study(STUDY, demo=True, out=out, n_jobs=1)
        profile.disable()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    raw: Any = pstats.Stats(profile).stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, _)}

    def cumulative(file_end: str, name: str) -> float:
        """Cumulative time of a function (pstats counts the outermost calls of a recursive one only)."""
        return sum(row[3] for (f, _, n), row in raw.items() if f.endswith(file_end) and n == name)

    total = cumulative("runner.py", "run_study")
    # overlaps are possible (an import inside a figure counts in both); the rest is what none of them holds
    split = {"plotting": cumulative("figure_plan.py", "_draw_one"),
             "imports": cumulative("<frozen importlib._bootstrap>", "_find_and_load"),
             "panels": cumulative("panel.py", "build_panel")}
    return {"total": total, **split, "rest": max(total - sum(split.values()), 0.0)}


def main(rounds: int = 3) -> None:
    rows: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(rounds):
        for jobs in (1, 2):  # alternated: the machine's load changes between runs
            out = _fresh()
            try:
                rows[jobs].append(_run(out, jobs))
                if jobs == 2 and len(rows[2]) == 1:
                    timings = _manifest_timings(out)
            finally:
                shutil.rmtree(out, ignore_errors=True)
    print(f"contagion run --demo, {rounds} rounds alternated (wall seconds, best / median):")
    for jobs in (1, 2):
        values = sorted(rows[jobs])
        print(f"  --jobs {jobs}: {values[0]:.2f} / {values[len(values) // 2]:.2f}")
    print(f"  ratio --jobs 1 / --jobs 2 (medians): "
          f"{sorted(rows[1])[rounds // 2] / sorted(rows[2])[rounds // 2]:.2f}")
    print("  --jobs 2 manifest timings (s):", {k: v for k, v in timings.items() if not k.startswith("job_done")})
    split = _profile_split()
    print("profile split of one --jobs 1 run (cProfile, shares of its total):")
    for key in ("plotting", "imports", "panels", "rest"):
        print(f"  {key:<9} {split[key]:6.2f} s  {100 * split[key] / split['total']:5.1f} %")


if __name__ == "__main__":
    main()
