"""Demo market simulation speed (target: full universe 2023-01..2025-06 well under 2 s)."""

from __future__ import annotations

from typing import Any


def _fresh(seed: int) -> Any:
    from contagion import simulate

    simulate._simulate_grid.cache_clear()   # time a full simulation, not the per-seed cache
    return simulate.simulate_market(seed=seed)


def _setup() -> None:
    from contagion import simulate

    simulate.simulate_market(["NVDA"], seed=99)   # params + calendar loaded once


def _ground_truth(_: None) -> Any:
    from contagion.simulate import ground_truth

    return ground_truth()


CASES = [
    ("simulate_market_full_universe_2023_2025", _setup, lambda _s: _fresh(0)),
    ("ground_truth_h10", _setup, _ground_truth),
]
QUICK_CASES = CASES
