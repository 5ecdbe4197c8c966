"""Readable loop twins of the range estimators in :mod:`contagion.data.measures` (never on the hot path).

One statement per term of TTR's ``volatility()`` formulas (joshuaulrich/TTR ``R/volatility.R``), N = 1.
Tests check that the vectorised kernels equal these loops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["align_returns_loop", "range_variance_loop", "yang_zhang_loop"]


def range_variance_loop(kind: str, o: Sequence[float], h: Sequence[float], l: Sequence[float],  # noqa: E741
                        c: Sequence[float], c1: Sequence[float], window: int = 1) -> list[float]:
    """Per-period Parkinson / Garman-Klass / Rogers-Satchell / GK-YZ variance, mean over ``window`` periods."""
    daily: list[float] = []
    for t in range(len(c)):
        hl = math.log(h[t] / l[t])
        co = math.log(c[t] / o[t])
        if kind == "parkinson":
            v = hl * hl / (4.0 * math.log(2.0))
        elif kind == "garman_klass":
            v = 0.5 * hl * hl - (2.0 * math.log(2.0) - 1.0) * co * co
        elif kind == "rogers_satchell":
            v = math.log(h[t] / c[t]) * math.log(h[t] / o[t]) + math.log(l[t] / c[t]) * math.log(l[t] / o[t])
        elif kind == "gkyz":
            gap = math.log(o[t] / c1[t]) if c1[t] == c1[t] else float("nan")
            v = gap * gap + 0.5 * hl * hl - (2.0 * math.log(2.0) - 1.0) * co * co
        else:
            raise ValueError(kind)
        daily.append(v)
    out: list[float] = []
    for t in range(len(daily)):
        if t + 1 < window:
            out.append(float("nan"))
            continue
        total = 0.0
        for s in range(t - window + 1, t + 1):
            total += daily[s]
        out.append(total / window)
    return out


def _sample_var(x: list[float]) -> float:
    m = sum(x) / len(x)
    return sum((v - m) ** 2 for v in x) / (len(x) - 1)


def yang_zhang_loop(o: Sequence[float], h: Sequence[float], l: Sequence[float], c: Sequence[float],  # noqa: E741
                    c1: Sequence[float], window: int = 10, alpha: float = 1.34) -> list[float]:
    """Yang-Zhang (2000) variance over the last ``window`` periods, as TTR ``calc = "yang.zhang"``."""
    n = window
    k = (alpha - 1.0) / (alpha + (n + 1.0) / (n - 1.0))
    rs = range_variance_loop("rogers_satchell", o, h, l, c, c1, 1)
    out: list[float] = []
    for t in range(len(c)):
        if t + 1 < n:
            out.append(float("nan"))
            continue
        gaps = [math.log(o[s] / c1[s]) for s in range(t - n + 1, t + 1)]
        bodies = [math.log(c[s] / o[s]) for s in range(t - n + 1, t + 1)]
        s2o = _sample_var(gaps)
        s2c = _sample_var(bodies)
        s2rs = sum(rs[t - n + 1: t + 1]) / n
        out.append(s2o + k * s2c + (1.0 - k) * s2rs)
    return out


def align_returns_loop(dates: Sequence[object], prices: Sequence[float], labels: Sequence[object],
                       lower: Sequence[object]) -> list[float]:
    """Aligned return of each label: sum of the daily log returns of the days in (lower, label].

    ``dates`` must be sorted; the first observation has no return. A label gets NaN when no return falls in
    its window (completeness at the series ends is handled by the caller).
    """
    daily: list[tuple[object, float]] = []
    for i in range(1, len(dates)):
        daily.append((dates[i], math.log(prices[i] / prices[i - 1])))
    out: list[float] = []
    for lab, low in zip(labels, lower):
        total = 0.0
        count = 0
        for d, r in daily:
            if low < d <= lab:  # type: ignore[operator]
                total += r
                count += 1
        out.append(total if count else float("nan"))
    return out
