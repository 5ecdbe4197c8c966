"""Run every benchmark module in this folder (asv-style ``time_*`` functions).

``python benchmarks/run.py`` times each case (best of 3) and prints a table; ``--quick`` runs each once,
only to prove that it still runs (what CI does). Benchmarks never run inside the unit tests.
Each ``bench_*.py`` module defines ``CASES`` (a list of (name, setup, func) tuples) or ``time_*`` functions.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _cases(module: Any) -> list[tuple[str, Callable[[], Any], Callable[[Any], Any]]]:
    cases = list(getattr(module, "CASES", []))
    for name in sorted(dir(module)):
        if name.startswith("time_"):
            func = getattr(module, name)
            cases.append((name, lambda: None, lambda _state, f=func: f()))
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="run each case once (CI)")
    parser.add_argument("--only", default="", help="substring filter on module or case names")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        module = _load(path)
        quick = args.quick and hasattr(module, "QUICK_CASES")
        cases = list(module.QUICK_CASES) if quick else _cases(module)
        for name, setup, func in cases:
            label = f"{path.stem}.{name}"
            if args.only and args.only not in label:
                continue
            try:
                state = setup()
                repeats = 1 if args.quick else 3
                best = float("inf")
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    func(state)
                    best = min(best, time.perf_counter() - t0)
                print(f"{label:60s} {best:10.3f} s")
            except Exception as exc:  # a benchmark that cannot run is a CI failure
                if type(exc).__name__ == "Skipped" or isinstance(exc, FileNotFoundError):
                    print(f"{label:60s}    skipped ({exc})")
                    continue
                failures += 1
                print(f"{label:60s}    FAILED: {type(exc).__name__}: {exc}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
