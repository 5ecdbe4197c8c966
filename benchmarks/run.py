"""Run every benchmark module in this folder (asv-style ``time_*`` functions).

``python benchmarks/run.py`` times each case (best of 3) in a fresh interpreter of its own and prints a table
with the peak memory of that process (``resource.getrusage`` high-water mark: the peak RSS, MB, and how
much of it the timed calls added on top of the setup). ``--quick`` runs each quick case once in this
process, only to prove that it still runs (what CI does); its memory columns are then this process's
high-water mark so far and its growth during the case (0 when an earlier case peaked higher).
``--tracemalloc`` adds the ``tracemalloc`` peak of the timed calls (Python and numpy allocations; it slows
Python-heavy cases several times over). Benchmarks never run inside the unit tests.
Each ``bench_*.py`` module defines ``CASES`` (a list of (name, setup, func) tuples) or ``time_*`` functions.

Side-by-side rows need the peer packages: ``pip install -e ".[bench]"`` (multigarch, multiarch, numba,
diebold-yilmaz; see pyproject.toml). A case whose peer or data is missing prints "skipped" with the reason.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: prefix of the one line a child process prints with its result (everything else is passed through)
MARKER = "@@bench-result "

Case = tuple[str, Callable[[], Any], Callable[[Any], Any]]


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _cases(module: Any) -> list[Case]:
    cases = list(getattr(module, "CASES", []))
    for name in sorted(dir(module)):
        if name.startswith("time_"):
            func = getattr(module, name)
            cases.append((name, lambda: None, lambda _state, f=func: f()))
    return cases


def _is_skip(exc: BaseException) -> bool:
    return type(exc).__name__ == "Skipped" or isinstance(exc, FileNotFoundError)


def _failure(exc: BaseException) -> dict[str, Any]:
    """A missing peer or data set is "skipped" (with the reason); anything else "failed"."""
    if _is_skip(exc):
        return {"status": "skipped", "reason": str(exc)}
    return {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"}


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def _time(setup: Callable[[], Any], func: Callable[[Any], Any], repeats: int, *, traced: bool) -> dict[str, Any]:
    """Best wall time of ``repeats`` calls and the memory figures (see the module docstring)."""
    state = setup()
    setup_mb = _rss_mb()
    if traced:
        tracemalloc.start()
    best = float("inf")
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            func(state)
            best = min(best, time.perf_counter() - t0)
        traced_mb = tracemalloc.get_traced_memory()[1] / 2**20 if traced else float("nan")
    finally:
        if traced:
            tracemalloc.stop()
    peak_mb = _rss_mb()
    return {"status": "ok", "best": best, "peak_mb": peak_mb, "added_mb": peak_mb - setup_mb,
            "traced_mb": traced_mb}


def _child(spec: str, repeats: int, traced: bool) -> int:
    """``--case PATH::NAME``: run one case here and print its result on a :data:`MARKER` line."""
    path, name = spec.split("::", 1)
    module = _load(Path(path))
    case = next(c for c in _cases(module) if c[0] == name)
    try:
        result = _time(case[1], case[2], repeats, traced=traced)
    except Exception as exc:  # reported by the parent
        result = _failure(exc)
    print(MARKER + json.dumps(result), flush=True)
    return 0


def _in_child(path: Path, name: str, repeats: int, traced: bool) -> dict[str, Any]:
    """Run one case in a fresh interpreter (its peak RSS is its own), passing its other output through."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--case", f"{path}::{name}", "--repeats", str(repeats)]
    cmd += ["--tracemalloc"] if traced else []
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    result: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER):])
        else:
            print(line)
    if result is None:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        result = {"status": "failed", "reason": f"child exited with {proc.returncode}: {tail}"}
    return result


def _row(label: str, result: dict[str, Any]) -> str:
    if result["status"] == "skipped":
        return f"{label:60s}    skipped ({result['reason']})"
    if result["status"] == "failed":
        return f"{label:60s}    FAILED: {result['reason']}"
    traced = "" if result["traced_mb"] != result["traced_mb"] else f" {result['traced_mb']:9.1f}"  # NaN: off
    return f"{label:60s} {result['best']:10.3f} s {result['peak_mb']:9.0f} {result['added_mb']:+9.0f}{traced}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="run each quick case once, in this process (CI)")
    parser.add_argument("--only", default="", help="substring filter on module or case names")
    parser.add_argument("--case", default="", help=argparse.SUPPRESS)  # PATH::NAME, child mode
    parser.add_argument("--repeats", type=int, default=3, help="calls per case; the best is reported")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the tracemalloc peak (slower)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    if args.case:
        return _child(args.case, args.repeats, args.tracemalloc)
    where = "this process so far" if args.quick else "a fresh process per case"
    traced = "; tracemalloc peak MB" if args.tracemalloc else ""
    print(f"{'case':60s} {'best':>12s}  peak RSS MB ({where}), + during the case{traced}")
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        module = _load(path)
        quick = args.quick and hasattr(module, "QUICK_CASES")
        cases = list(module.QUICK_CASES) if quick else _cases(module)
        for name, setup, func in cases:
            label = f"{path.stem}.{name}"
            if args.only and args.only not in label:
                continue
            if args.quick:
                try:
                    result = _time(setup, func, 1, traced=args.tracemalloc)
                except Exception as exc:  # a benchmark that cannot run is a CI failure
                    result = _failure(exc)
            else:
                result = _in_child(path, name, args.repeats, args.tracemalloc)
            failures += result["status"] == "failed"
            print(_row(label, result), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
