"""The verdict rules of the DeepSeek facts table: a claimed band against the four figures of one claim.

Which figure may confirm a claim: a claim is **confirmed** when the close-to-close move or the aligned-session
move (the figures a daily-return study is built on) is inside the band; **partly confirmed** when one of them
overshoots the band (a larger fall than claimed) or only the two-day move reaches it. The intraday low is
shown but never confirms on its own, not even partly: a low is a single trade, not a price an investor could
be expected to have closed at, and a story quoting the intraday low would otherwise be confirmed by its most
extreme figure. When only the low reaches the band the verdict is "not confirmed" and the basis says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["CONFIRMING", "MEASURES", "SUPPORTING", "VERDICTS", "verdict_at_least", "verdict_move", "verdict_value"]

#: The four figures computed for every claim, in display order.
MEASURES = ("close_to_close", "aligned_session", "intraday_low", "two_day")
#: Figures that can confirm a claim; the two-day move can only make it "partly confirmed".
CONFIRMING = ("close_to_close", "aligned_session")
SUPPORTING = ("two_day",)
VERDICTS = ("confirmed", "partly confirmed", "not confirmed", "not assessed")


def _name(measure: str) -> str:
    return measure.replace("_", " ").replace("close to close", "close-to-close")


def _first(figures: Mapping[str, float], measures: tuple[str, ...], test: Callable[[float], bool]) -> str | None:
    """The first of ``measures`` whose finite figure passes ``test``."""
    return next((m for m in measures if np.isfinite(figures[m]) and test(figures[m])), None)


def _others_reaching(figures: Mapping[str, float], reaches: Callable[[float], bool],
                     show: Callable[[float], str]) -> str:
    """The supporting figures (two-day move) that reach the claim, as ``"two day <value>"`` (``""`` when none
    does): what turns "not confirmed" into "partly confirmed"."""
    reached = [m for m in SUPPORTING if np.isfinite(figures[m]) and reaches(figures[m])]
    return ", ".join(f"{_name(m)} {show(figures[m])}" for m in reached)


def _low_note(figures: Mapping[str, float], reaches: Callable[[float], bool], show: Callable[[float], str]) -> str:
    """``"; the intraday low <value> reaches it but never confirms alone"`` when it does, else ``""``."""
    low = figures["intraday_low"]
    if np.isfinite(low) and reaches(low):
        return f"; the intraday low {show(low)} reaches it but never confirms alone"
    return ""


def verdict_move(
    figures: Mapping[str, float], band: tuple[float, float]
) -> tuple[str, str]:
    """Verdict for a fall claim; ``band`` is (lowest return, highest return) in percent, e.g. (-20.4, -13.6)."""
    lo, hi = band
    c2c = figures["close_to_close"]
    pct = "{:+.2f}%".format
    inside = _first(figures, CONFIRMING, lambda v: lo <= v <= hi)
    if inside is not None:
        value = figures[inside]
        if not math.isfinite(lo):
            return "confirmed", f"{_name(inside)} {value:+.2f}% is at or below {hi:+.2f}%"
        return "confirmed", f"{_name(inside)} {value:+.2f}% is inside [{lo:+.2f}%, {hi:+.2f}%]"
    over = _first(figures, CONFIRMING, lambda v: v < lo)
    if over is not None:
        return "partly confirmed", (f"{_name(over)} {figures[over]:+.2f}% is a larger fall than the band "
                                    f"[{lo:+.2f}%, {hi:+.2f}%]")
    parts = _others_reaching(figures, lambda v: v <= hi, pct)
    if parts:
        return "partly confirmed", (f"close-to-close {c2c:+.2f}% misses the band, but {parts} reach(es) "
                                    f"{hi:+.2f}%")
    return "not confirmed", (f"no close-to-close or aligned figure reaches {hi:+.2f}% (close-to-close {c2c:+.2f}%)"
                             + _low_note(figures, lambda v: v <= hi, pct))


def verdict_at_least(figures: Mapping[str, float], threshold: float, what: str) -> tuple[str, str]:
    """Verdict when the claim holds if a figure is >= ``threshold`` (counts, $bn lost)."""
    c2c = figures["close_to_close"]
    show = "{:g}".format
    hit = _first(figures, CONFIRMING, lambda v: v >= threshold)
    if hit is not None:
        return "confirmed", f"{_name(hit)} {what} {figures[hit]:g} >= {threshold:g}"
    parts = _others_reaching(figures, lambda v: v >= threshold, show)
    if parts:
        return "partly confirmed", f"close-to-close {what} {c2c:g} < {threshold:g}, but {parts} reach it"
    return "not confirmed", (f"no close-to-close or aligned {what} reaches {threshold:g} (close-to-close {c2c:g})"
                             + _low_note(figures, lambda v: v >= threshold, show))


def verdict_value(figures: Mapping[str, float], band: tuple[float, float]) -> tuple[str, str]:
    """Verdict for the market-value claim; ``band`` is ($bn low, $bn high) of the loss."""
    lo, hi = band
    c2c = figures["close_to_close"]
    usd = "${:,.1f}bn".format
    inside = _first(figures, CONFIRMING, lambda v: lo <= v <= hi)
    if inside is not None:
        return "confirmed", f"{_name(inside)} loss {usd(figures[inside])} is inside [${lo:,.0f}bn, ${hi:,.0f}bn]"
    over = _first(figures, CONFIRMING, lambda v: v > hi)
    if over is not None:
        return "partly confirmed", f"{_name(over)} loss {usd(figures[over])} exceeds the band"
    parts = _others_reaching(figures, lambda v: v >= lo, usd)
    if parts:
        return "partly confirmed", f"close-to-close loss {usd(c2c)} misses the band, but {parts} reach(es) it"
    return "not confirmed", (f"no close-to-close or aligned loss reaches ${lo:,.0f}bn (close-to-close {usd(c2c)})"
                             + _low_note(figures, lambda v: v >= lo, usd))
