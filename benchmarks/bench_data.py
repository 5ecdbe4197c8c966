"""Data layer: load and align all 37 real files over their full history (target < 2 s on 2 cores).

Real-data cases read ``<repo>/../shared/data/markets`` (or ``$CONTAGION_SHARED/data/markets``) and print
"skipped" when that folder is absent. A synthetic case of the same size (23 equity-like files on XNYS sessions,
14 crypto-like files every day, 2010-2026) runs everywhere.

Setup (outside the timed region) imports the package and builds the XNYS session calendar once (a one-off
cost of about 0.4 s per process); the timed region reads every CSV, validates it, runs the quality checks,
aligns it and computes the measure.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _markets() -> Path:
    env = os.environ.get("CONTAGION_SHARED")
    root = Path(env) if env else HERE.parent.parent / "shared"
    path = root / "data" / "markets"
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is absent (real data are not part of the repository)")
    return path


def _warm() -> None:
    from contagion.data.calendar import exchange_sessions

    exchange_sessions("XNYS")


def setup_real() -> tuple[Any, list[str]]:
    from contagion.data import CsvSource

    src = CsvSource(_markets())
    _warm()
    return src, list(src.available())


def setup_synthetic() -> tuple[Any, list[str]]:
    from contagion.data import CsvSource
    from contagion.data.calendar import exchange_sessions

    _warm()
    folder = Path(tempfile.mkdtemp(prefix="contagion-bench-"))
    rng = np.random.default_rng(0)
    sessions = exchange_sessions("XNYS")
    sessions = sessions[(sessions >= "2010-01-04") & (sessions <= "2026-05-29")]
    days = pd.date_range("2018-01-01", "2026-01-01", freq="D")
    names = []
    for i in range(37):
        dates = sessions if i < 23 else days
        close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, len(dates))))
        open_ = close * np.exp(rng.normal(0, 0.005, len(dates)))
        frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "open": open_,
                              "high": np.maximum(open_, close) * 1.01, "low": np.minimum(open_, close) * 0.99,
                              "close": close, "adj_close": close if i < 23 else np.nan, "volume": 1e6})
        name = f"EQ{i:02d}" if i < 23 else f"C{i:02d}-USD"
        frame.to_csv(folder / f"{name}.csv", index=False)
        names.append(name)
    return CsvSource(folder), names


def _build(state: tuple[Any, list[str]], measure: str = "returns", calendar: str = "exchange") -> None:
    from contagion.data import build_panel

    src, names = state
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # floored zero ranges are reported as warnings
        build_panel(src, names, measure=measure, calendar=calendar)


CASES = [
    ("real_37_files_returns_exchange", setup_real, lambda s: _build(s, "returns", "exchange")),
    ("real_37_files_gk_exchange", setup_real, lambda s: _build(s, "gk", "exchange")),
    ("real_37_files_yz_weekly", setup_real, lambda s: _build(s, "yz", "weekly")),
    ("synthetic_37_files_returns_exchange", setup_synthetic, lambda s: _build(s, "returns", "exchange")),
]
QUICK_CASES = [CASES[0], CASES[3]]
