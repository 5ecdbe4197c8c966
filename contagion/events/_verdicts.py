"""The verdict rules of the DeepSeek facts table: a claimed band against the four figures of one claim."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["MEASURES", "VERDICTS", "verdict_at_least", "verdict_move", "verdict_value"]

#: The four figures computed for every claim, in display order (the first decides "confirmed").
MEASURES = ("close_to_close", "aligned_session", "intraday_low", "two_day")
VERDICTS = ("confirmed", "partly confirmed", "not confirmed", "not assessed")


def _others_reaching(figures: Mapping[str, float], reaches: Callable[[float], bool],
                     show: Callable[[float], str]) -> str:
    """The figures after close-to-close that reach the claim, as ``"aligned session <value>, ..."``
    (``""`` when none does): what turns "not confirmed" into "partly confirmed"."""
    reached = [m for m in MEASURES[1:] if np.isfinite(figures[m]) and reaches(figures[m])]
    return ", ".join(f"{m.replace('_', ' ')} {show(figures[m])}" for m in reached)


def verdict_move(
    figures: Mapping[str, float], band: tuple[float, float]
) -> tuple[str, str]:
    """Verdict for a fall claim; ``band`` is (lowest return, highest return) in percent, e.g. (-20.4, -13.6)."""
    lo, hi = band
    c2c = figures["close_to_close"]
    if lo <= c2c <= hi:
        if not math.isfinite(lo):
            return "confirmed", f"close-to-close {c2c:+.2f}% is at or below {hi:+.2f}%"
        return "confirmed", f"close-to-close {c2c:+.2f}% is inside [{lo:+.2f}%, {hi:+.2f}%]"
    if c2c < lo:
        return "partly confirmed", (f"close-to-close {c2c:+.2f}% is a larger fall than the band "
                                    f"[{lo:+.2f}%, {hi:+.2f}%]")
    parts = _others_reaching(figures, lambda v: v <= hi, lambda v: f"{v:+.2f}%")
    if parts:
        return "partly confirmed", (f"close-to-close {c2c:+.2f}% misses the band, but {parts} reach(es) "
                                    f"{hi:+.2f}%")
    return "not confirmed", f"no figure reaches {hi:+.2f}% (close-to-close {c2c:+.2f}%)"


def verdict_at_least(figures: Mapping[str, float], threshold: float, what: str) -> tuple[str, str]:
    """Verdict when the claim holds if a figure is >= ``threshold`` (counts, $bn lost)."""
    c2c = figures["close_to_close"]
    if c2c >= threshold:
        return "confirmed", f"close-to-close {what} {c2c:g} >= {threshold:g}"
    parts = _others_reaching(figures, lambda v: v >= threshold, lambda v: f"{v:g}")
    if parts:
        return "partly confirmed", f"close-to-close {what} {c2c:g} < {threshold:g}, but {parts} reach it"
    return "not confirmed", f"no {what} reaches {threshold:g} (close-to-close {c2c:g})"


def verdict_value(figures: Mapping[str, float], band: tuple[float, float]) -> tuple[str, str]:
    lo, hi = band
    c2c = figures["close_to_close"]
    if lo <= c2c <= hi:
        return "confirmed", f"close-to-close loss ${c2c:,.1f}bn is inside [${lo:,.0f}bn, ${hi:,.0f}bn]"
    if c2c > hi:
        return "partly confirmed", f"close-to-close loss ${c2c:,.1f}bn exceeds the band"
    parts = _others_reaching(figures, lambda v: v >= lo, lambda v: f"${v:,.1f}bn")
    if parts:
        return "partly confirmed", f"close-to-close loss ${c2c:,.1f}bn misses the band, but {parts} reach(es) it"
    return "not confirmed", f"no figure reaches ${lo:,.0f}bn (close-to-close ${c2c:,.1f}bn)"
