"""The embedded demo source: simulated, calibrated market data (``contagion run --demo``).

**Demo data are simulated**, not market data; see :mod:`contagion.simulate` and ``docs/demo.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from contagion.errors import SpecificationError
from contagion.simulate import (
    GRID_END,
    GRID_START,
    demo_params,
    demo_params_sha256,
    simulate_market,
)

__all__ = ["DEFAULT_END", "DEFAULT_START", "DemoSource"]

#: Window a DemoSource serves when neither the source nor ``load`` names one (the demo's "history").
DEFAULT_START = "2023-01-01"
DEFAULT_END = "2025-06-30"


def _iso(value: str | date | None) -> str | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (ValueError, TypeError) as exc:
        raise SpecificationError(f"{value!r} is not a date; use YYYY-MM-DD.") from exc


class DemoSource:
    """Source protocol implementation serving the simulated demo market.

    Parameters
    ----------
    seed : int
        Seed of the simulation; the same seed gives byte-identical frames.
    start, end : str or date, optional
        Default window of :meth:`load` (``None``: 2023-01-01 .. 2025-06-30). A window passed to ``load``
        takes precedence.

    Examples
    --------
    >>> src = DemoSource(seed=0)
    >>> frames = src.load(["NVDA", "BTC-USD"], "2025-01-02", "2025-01-31")
    >>> sorted(frames), frames["NVDA"].attrs["simulated"]
    (['BTC-USD', 'NVDA'], True)
    >>> src.describe()["kind"], src.describe()["simulated"]
    ('demo', True)
    """

    name: str = "demo"

    def __init__(self, seed: int = 0, start: str | date | None = None, end: str | date | None = None) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SpecificationError(f"seed must be a non-negative integer, got seed={seed!r}.")
        self.seed = seed
        self.start = _iso(start)
        self.end = _iso(end)

    def __repr__(self) -> str:
        return f"DemoSource(seed={self.seed!r}, start={self.start!r}, end={self.end!r})"

    def load(self, tickers: Sequence[str], start: str | date | None = None,
             end: str | date | None = None) -> dict[str, pd.DataFrame]:
        """Simulated raw OHLCV frames, one per ticker (see :func:`contagion.simulate.simulate_market`).

        Raises
        ------
        DataError
            Unknown ticker, or a window outside the demo grid 2010-01-01 .. 2030-12-31.
        """
        lo = _iso(start) or self.start or DEFAULT_START
        hi = _iso(end) or self.end or DEFAULT_END
        return simulate_market(list(tickers), start=lo, end=hi, seed=self.seed)

    def describe(self) -> dict[str, Any]:
        """JSON-able description for the manifest: says plainly that the data are simulated."""
        params = demo_params()
        return {
            "kind": "demo",
            "simulated": True,
            "seed": self.seed,
            "params_sha256": demo_params_sha256(),
            "model": "contagion.simulate.simulate_market",
            "calibration_window": list(params["calibration_window"]),
            "grid": [GRID_START.strftime("%Y-%m-%d"), GRID_END.strftime("%Y-%m-%d")],
            "start": self.start or DEFAULT_START,
            "end": self.end or DEFAULT_END,
            "note": "Demo data are SIMULATED (calibrated to real 2023-2025 daily data); not market data.",
        }
