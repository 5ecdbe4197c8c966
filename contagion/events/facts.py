"""The DeepSeek facts table: each claim of the news story of 27 January 2025 next to what the data say.

:func:`deepseek_facts` computes, for every asset a claim names, four figures side by side

* **close-to-close**: the event-day close over the previous close *of the same series* (equities: the
  previous session, Friday 24 January; crypto: the previous UTC day, Sunday 26 January), i.e. "24 hours"
  for crypto;
* **aligned session**: the return the aligned panel assigns to the event session (default exchange policy:
  crypto measured from the previous equity session's date, Friday, so the weekend rolls into Monday);
* **intraday low**: the event-day low over the previous close;
* **two-day**: the close of the day after the event over the previous close (equities 24 -> 28 January,
  crypto 26 -> 28 January),

and gives each claim a verdict by the explicit thresholds of :class:`FactThresholds`:

* ``"confirmed"``: the close-to-close figure lies inside the claim's band;
* ``"partly confirmed"``: it does not, but it overshoots the band in the claimed direction, or one of the
  other three figures reaches the band;
* ``"not confirmed"``: no figure reaches the band;
* ``"not assessed"``: the data for the claim are absent (the note says which tickers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from contagion.data._frame import DateLike, as_frame, policy_name, to_timestamp
from contagion.errors import DataError, SpecificationError

__all__ = [
    "AI_LARGEST",
    "AI_TOKENS",
    "ALTCOINS",
    "NVDA_SHARES_OUTSTANDING",
    "FactThresholds",
    "FactsTable",
    "deepseek_facts",
]

#: NVIDIA shares outstanding assumed for the market-value claim (about 24.49bn around January 2025; the
#: figure is supplied by the study design, not derived from the price data: pass ``nvda_shares`` to change).
NVDA_SHARES_OUTSTANDING = 24.49e9
#: Altcoins for the "altcoins fell 8-10%" claim: the large non-bitcoin, non-AI coins of the data set.
ALTCOINS = ("ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD")
#: AI tokens for the "AI tokens fell about 10%" claim.
AI_TOKENS = ("FET-USD", "RENDER-USD", "TAO-USD", "NEAR-USD", "GRT-USD", "WLD-USD", "AKT-USD", "ICP-USD")
#: Assumed five largest AI tokens of the data set by market capitalisation in January 2025 (market
#: capitalisations are not part of the price data; pass ``ai_largest`` to change).
AI_LARGEST = ("NEAR-USD", "ICP-USD", "TAO-USD", "RENDER-USD", "FET-USD")

MEASURES = ("close_to_close", "aligned_session", "intraday_low", "two_day")
VERDICTS = ("confirmed", "partly confirmed", "not confirmed", "not assessed")


@dataclass(frozen=True, kw_only=True)
class FactThresholds:
    """The documented thresholds behind every verdict (all in percentage points unless stated).

    * "fell about X%": band = X +- max(``relative_band`` * X, ``min_band_pp``).
    * "fell X-Y%": band = [X - ``range_pad_pp``, Y + ``range_pad_pp``].
    * "lost about $V": band = V +- ``relative_band`` * V.
    * "fell sharply": a fall of at least ``sharp_fall_pct``.
    * "k of n hit hard": at least k of the n assets fell by at least ``hard_hit_pct``.
    """

    relative_band: float = 0.20
    min_band_pp: float = 1.0
    range_pad_pp: float = 1.0
    sharp_fall_pct: float = 5.0
    hard_hit_pct: float = 7.5

    def __post_init__(self) -> None:
        for name in ("relative_band", "min_band_pp", "range_pad_pp", "sharp_fall_pct", "hard_hit_pct"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise SpecificationError(f"FactThresholds.{name} must be a finite number >= 0, got {value!r}.")

    def about(self, fall: float) -> tuple[float, float]:
        half = max(self.relative_band * fall, self.min_band_pp)
        return fall - half, fall + half


@dataclass(frozen=True, kw_only=True)
class FactsTable:
    """Claims of the news story against the data.

    ``table``: one row per claim with ``claim_id, claim, assets, unit, claimed, band_low, band_high,
    close_to_close, aligned_session, intraday_low, two_day, verdict, basis, rule, note``. For rows in
    ``"%"`` the figures are signed simple returns in percent (a fall is negative) and the band is in the
    same terms; group rows show the **median** across the group. ``"$bn"`` rows show market value lost
    (positive = loss); ``"assets"`` rows count the assets that were hit hard.
    ``detail``: one row per asset with the prices and dates behind every figure.
    """

    event: pd.Timestamp
    aligned_policy: str
    thresholds: FactThresholds
    assumptions: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)
    detail: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The claims table (one row per claim)."""
        return self.table.copy()

    @property
    def verdicts(self) -> pd.Series:
        """Verdict per claim id."""
        return self.table.set_index("claim_id")["verdict"].copy()

    def summary(self) -> str:
        """Plain-text table: claim, the four figures, verdict and the reason, then the assumptions."""

        def fmt(v: float, unit: str) -> str:
            if not np.isfinite(v):
                return "n/a"
            if unit == "%":
                return f"{v:+.2f}%"
            if unit == "$bn":
                return f"${v:,.0f}bn"
            return f"{v:.0f}"

        lines = [f"DeepSeek facts table, event {self.event.date()} (aligned session: "
                 f"{self.aligned_policy} calendar policy)", ""]
        for row in self.table.to_dict(orient="records"):
            unit = str(row["unit"])
            figures = ", ".join(f"{m.replace('_', ' ')} {fmt(float(row[m]), unit)}" for m in MEASURES)
            lines.append(f"[{row['verdict']}] {row['claim']}")
            lines.append(f"    {figures}")
            lines.append(f"    basis: {row['basis']}; rule: {row['rule']}")
            if row["note"]:
                lines.append(f"    note: {row['note']}")
        lines.append("")
        lines.extend(f"assumption: {a}" for a in self.assumptions)
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------


def _asset_class(ticker: str) -> str:
    from contagion.events.study import _default_asset_class

    return _default_asset_class(ticker)


def _prices(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
        raise DataError(f"raw frame of {ticker} must be a DataFrame indexed by date (Source.load format).")
    missing = [c for c in ("close", "low") if c not in frame.columns]
    if missing:
        raise DataError(f"raw frame of {ticker} lacks column(s) {', '.join(missing)}; the facts table needs "
                        "daily close and low prices.")
    out = frame[["close", "low"]].astype("float64").dropna(subset=["close"])
    return out.sort_index()


def _asset_figures(
    ticker: str,
    frame: pd.DataFrame,
    event: pd.Timestamp,
    aligned_base: pd.Timestamp | None,
    aligned: pd.DataFrame | None,
) -> dict[str, Any]:
    px = _prices(frame, ticker)
    index = pd.DatetimeIndex(px.index)
    if event not in index:
        raise DataError(f"{ticker} has no price row on the event date {event.date()} (first "
                        f"{index[0].date()}, last {index[-1].date()}); check the data or the event date.")
    pos = int(index.get_loc(event))  # type: ignore[arg-type]
    if pos == 0 or pos + 1 >= len(index):
        raise DataError(f"{ticker} needs a close before and after {event.date()} for the facts table.")
    base_date, next_date = index[pos - 1], index[pos + 1]
    close_base = float(px["close"].iloc[pos - 1])
    close_event = float(px["close"].iloc[pos])
    low_event = float(px["low"].iloc[pos])
    close_next = float(px["close"].iloc[pos + 1])
    row: dict[str, Any] = {
        "ticker": ticker,
        "asset_class": _asset_class(ticker),
        "base_date": base_date,
        "close_base": close_base,
        "event_date": event,
        "close_event": close_event,
        "low_event": low_event,
        "next_date": next_date,
        "close_next": close_next,
        "close_to_close": 100.0 * (close_event / close_base - 1.0),
        "intraday_low": 100.0 * (low_event / close_base - 1.0),
        "two_day": 100.0 * (close_next / close_base - 1.0),
    }
    if aligned is not None:
        value = float(aligned[ticker].get(event, np.nan)) if ticker in aligned.columns else np.nan
        if np.isfinite(value):
            row["aligned_session"] = 100.0 * math.expm1(value)  # the panel holds log returns
            row["aligned_base_date"] = pd.NaT
        else:
            row["aligned_session"] = np.nan
            row["aligned_base_date"] = pd.NaT
    else:
        assert aligned_base is not None
        base_rows = index[index <= aligned_base]
        if base_rows.empty:
            row["aligned_session"] = np.nan
            row["aligned_base_date"] = pd.NaT
        else:
            b = base_rows[-1]
            row["aligned_session"] = 100.0 * (close_event / float(px["close"].loc[b]) - 1.0)
            row["aligned_base_date"] = b
    return row


def _verdict_move(
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
    reached = [m for m in MEASURES[1:] if np.isfinite(figures[m]) and figures[m] <= hi]
    if reached:
        parts = ", ".join(f"{m.replace('_', ' ')} {figures[m]:+.2f}%" for m in reached)
        return "partly confirmed", (f"close-to-close {c2c:+.2f}% misses the band, but {parts} reach(es) "
                                    f"{hi:+.2f}%")
    return "not confirmed", f"no figure reaches {hi:+.2f}% (close-to-close {c2c:+.2f}%)"


def _verdict_at_least(figures: Mapping[str, float], threshold: float, what: str) -> tuple[str, str]:
    """Verdict when the claim holds if a figure is >= ``threshold`` (counts, $bn lost)."""
    c2c = figures["close_to_close"]
    if c2c >= threshold:
        return "confirmed", f"close-to-close {what} {c2c:g} >= {threshold:g}"
    reached = [m for m in MEASURES[1:] if np.isfinite(figures[m]) and figures[m] >= threshold]
    if reached:
        parts = ", ".join(f"{m.replace('_', ' ')} {figures[m]:g}" for m in reached)
        return "partly confirmed", f"close-to-close {what} {c2c:g} < {threshold:g}, but {parts} reach it"
    return "not confirmed", f"no {what} reaches {threshold:g} (close-to-close {c2c:g})"


def _verdict_value(figures: Mapping[str, float], band: tuple[float, float]) -> tuple[str, str]:
    lo, hi = band
    c2c = figures["close_to_close"]
    if lo <= c2c <= hi:
        return "confirmed", f"close-to-close loss ${c2c:,.1f}bn is inside [${lo:,.0f}bn, ${hi:,.0f}bn]"
    if c2c > hi:
        return "partly confirmed", f"close-to-close loss ${c2c:,.1f}bn exceeds the band"
    reached = [m for m in MEASURES[1:] if np.isfinite(figures[m]) and figures[m] >= lo]
    if reached:
        parts = ", ".join(f"{m.replace('_', ' ')} ${figures[m]:,.1f}bn" for m in reached)
        return "partly confirmed", f"close-to-close loss ${c2c:,.1f}bn misses the band, but {parts} reach(es) it"
    return "not confirmed", f"no figure reaches ${lo:,.0f}bn (close-to-close ${c2c:,.1f}bn)"


def deepseek_facts(
    raw_frames: Mapping[str, pd.DataFrame],
    aligned_returns: Any = None,
    event: DateLike = "2025-01-27",
    *,
    nvda_shares: float = NVDA_SHARES_OUTSTANDING,
    altcoins: Sequence[str] = ALTCOINS,
    ai_tokens: Sequence[str] = AI_TOKENS,
    ai_largest: Sequence[str] = AI_LARGEST,
    thresholds: FactThresholds | None = None,
) -> FactsTable:
    """Compare each claim of the DeepSeek news story with the data.

    Claims (percentages are falls on the event day): NVDA fell about 17% and lost about $600bn of market
    value; bitcoin fell about 5%; altcoins fell 8-10%; AI tokens fell about 10% in 24 hours, four of the
    five largest hit hard; the miners MARA and RIOT fell sharply.

    Parameters
    ----------
    raw_frames : mapping ticker -> DataFrame
        Raw daily frames as ``Source.load`` returns them (``close`` and ``low`` columns, date index; crypto
        on UTC days). Prices are used as they are (split-adjusted closes for equities).
    aligned_returns : DataFrame or Panel, optional
        Aligned log returns (``Panel.returns``); the event-session figure is ``exp(r) - 1``. If None, the
        exchange-policy figure is computed from the raw frames: each asset's event close over its close
        on the last equity session before the event (equity sessions are the dates of the non-crypto
        frames given).
    event : date
        The event session (default 2025-01-27).
    nvda_shares : float
        NVIDIA shares outstanding for the market-value claim (default 24.49bn, an assumption).
    altcoins, ai_tokens, ai_largest : sequences of tickers
        Membership of the group claims (defaults :data:`ALTCOINS`, :data:`AI_TOKENS`, :data:`AI_LARGEST`).
    thresholds : FactThresholds, optional
        The verdict thresholds (defaults documented in :class:`FactThresholds`).

    Returns
    -------
    FactsTable

    Raises
    ------
    DataError
        A frame without close/low columns or without a row on the event date (or the days around it).

    Notes
    -----
    Group claims use the median across the group's available assets for each figure; the detail table
    lists every asset. A claim whose assets are all absent gets the verdict ``"not assessed"``.
    """
    th = thresholds or FactThresholds()
    event_ts = to_timestamp(event, what="event")
    if not (math.isfinite(nvda_shares) and nvda_shares > 0):
        raise SpecificationError(f"nvda_shares must be a positive number, got {nvda_shares!r}.")
    aligned: pd.DataFrame | None = None
    aligned_base: pd.Timestamp | None = None
    if aligned_returns is not None:
        aligned_policy = policy_name(aligned_returns)
        if aligned_policy == "unrecorded":
            aligned_policy = "as given (aligned_returns)"
        aligned = as_frame(aligned_returns, what="aligned_returns")
    else:
        aligned_policy = "exchange"
        equity_dates = [
            pd.DatetimeIndex(f.index) for t, f in raw_frames.items() if _asset_class(t) != "crypto"
        ]
        before = [idx[idx < event_ts] for idx in equity_dates]
        before = [b for b in before if len(b)]
        aligned_base = max(b[-1] for b in before) if before else event_ts - pd.offsets.BDay(1)

    wanted = list(dict.fromkeys(["NVDA", "BTC-USD", "MARA", "RIOT", *altcoins, *ai_tokens, *ai_largest]))
    rows = [
        _asset_figures(t, raw_frames[t], event_ts, aligned_base, aligned) for t in wanted if t in raw_frames
    ]
    detail = pd.DataFrame.from_records(rows)
    by_ticker = detail.set_index("ticker") if not detail.empty else pd.DataFrame()

    claims: list[dict[str, Any]] = []

    def figures_of(tickers: Sequence[str]) -> tuple[dict[str, float], list[str], list[str]]:
        present = [t for t in tickers if t in by_ticker.index]
        absent = [t for t in tickers if t not in by_ticker.index]
        figs = {m: float(by_ticker.loc[present, m].median()) if present else np.nan for m in MEASURES}
        return figs, present, absent

    def add(claim_id: str, text: str, tickers: Sequence[str], unit: str, claimed: str,
            band: tuple[float, float], figs: dict[str, float], verdict: tuple[str, str], rule: str,
            note: str = "") -> None:
        claims.append({
            "claim_id": claim_id, "claim": text, "assets": ", ".join(tickers), "unit": unit,
            "claimed": claimed, "band_low": band[0], "band_high": band[1], **figs,
            "verdict": verdict[0], "basis": verdict[1], "rule": rule, "note": note,
        })

    def not_assessed(absent: Sequence[str]) -> tuple[str, str]:
        return "not assessed", f"no data for {', '.join(absent)}"

    move_rule = ("confirmed if close-to-close is inside the band; partly if it overshoots the band or "
                 "another figure reaches the band's near edge; else not confirmed")

    def about_claim(claim_id: str, text: str, tickers: Sequence[str], fall: float, note: str = "") -> None:
        lo_fall, hi_fall = th.about(fall)
        band = (-hi_fall, -lo_fall)
        figs, present, absent = figures_of(tickers)
        verdict = _verdict_move(figs, band) if present else not_assessed(absent)
        extra = f"; missing: {', '.join(absent)}" if present and absent else ""
        group_note = "median across the group" if len(tickers) > 1 else ""
        add(claim_id, text, tickers, "%", f"about -{fall:g}%", band, figs, verdict,
            f"band {fall:g}% +- max({th.relative_band:.0%}, {th.min_band_pp:g}pp); {move_rule}",
            "; ".join(x for x in (group_note, note) if x) + extra)

    # 1-2. NVDA
    about_claim("nvda_fall", "NVDA fell about 17%", ["NVDA"], 17.0)
    if "NVDA" in by_ticker.index:
        nvda = next(row for row in rows if row["ticker"] == "NVDA")
        r = {k: float(nvda[k]) for k in ("close_base", "close_event", "low_event", "close_next",
                                         "aligned_session")}
        base = r["close_base"]
        lost = {
            "close_to_close": nvda_shares * (base - r["close_event"]) / 1e9,
            "aligned_session": nvda_shares * base * -r["aligned_session"] / 100.0 / 1e9,
            "intraday_low": nvda_shares * (base - r["low_event"]) / 1e9,
            "two_day": nvda_shares * (base - r["close_next"]) / 1e9,
        }
        band_v = (600.0 * (1 - th.relative_band), 600.0 * (1 + th.relative_band))
        verdict_v = _verdict_value(lost, band_v)
    else:
        lost = dict.fromkeys(MEASURES, np.nan)
        band_v = (600.0 * (1 - th.relative_band), 600.0 * (1 + th.relative_band))
        verdict_v = not_assessed(["NVDA"])
    add("nvda_value", "NVDA lost about $600bn of market value", ["NVDA"], "$bn", "about $600bn", band_v, lost,
        verdict_v,
        f"band $600bn +- {th.relative_band:.0%}; confirmed if the close-to-close loss is inside, partly if it "
        "exceeds the band or another figure reaches it",
        f"loss = shares outstanding x price fall; assumed {nvda_shares / 1e9:.2f}bn shares (around January "
        "2025; not in the price data)")
    # 3. bitcoin
    about_claim("btc_fall", "Bitcoin fell about 5%", ["BTC-USD"], 5.0,
                "crypto close-to-close = UTC day 26 -> 27 Jan")
    # 4. altcoins 8-10%
    figs, present, absent = figures_of(altcoins)
    band_a = (-10.0 - th.range_pad_pp, -8.0 + th.range_pad_pp)
    add("altcoins_fall", "Altcoins fell 8-10%", list(altcoins), "%", "-8% to -10%", band_a, figs,
        _verdict_move(figs, band_a) if present else not_assessed(absent),
        f"band 8-10% padded by {th.range_pad_pp:g}pp; {move_rule}",
        "median across the group" + (f"; missing: {', '.join(absent)}" if present and absent else ""))
    # 5. AI tokens about 10% in 24 hours; four of the five largest hit hard
    about_claim("ai_tokens_fall", "AI tokens fell about 10% in 24 hours", list(ai_tokens), 10.0,
                "crypto close-to-close = the UTC day, i.e. 24 hours")
    present = [t for t in ai_largest if t in by_ticker.index]
    absent = [t for t in ai_largest if t not in by_ticker.index]
    counts = {
        m: float((by_ticker.loc[present, m] <= -th.hard_hit_pct).sum()) if present else np.nan
        for m in MEASURES
    }
    need = 4.0
    add("ai_largest_hit", "Four of the five largest AI tokens were hit hard", list(ai_largest), "assets",
        "4 of 5", (need, float(len(ai_largest))), counts,
        _verdict_at_least(counts, need, "count") if present else not_assessed(absent),
        f"hit hard = fall of at least {th.hard_hit_pct:g}%; confirmed if the close-to-close count is >= 4, "
        "partly if another figure's count is, else not confirmed",
        "five largest assumed (market capitalisations are not in the price data)"
        + (f"; missing: {', '.join(absent)}" if absent else ""))
    # 6. miners
    for miner in ("MARA", "RIOT"):
        figs, present, absent = figures_of([miner])
        band_m = (-math.inf, -th.sharp_fall_pct)
        add(f"{miner.lower()}_fall", f"{miner} fell sharply", [miner], "%", "sharp fall", band_m, figs,
            _verdict_move(figs, band_m) if present else not_assessed(absent),
            f"sharp = fall of at least {th.sharp_fall_pct:g}%; confirmed if close-to-close is, partly if only "
            "another figure is, else not confirmed")

    assumptions = (
        f"NVDA shares outstanding {nvda_shares / 1e9:.2f}bn (around January 2025; an input, not derived "
        "from the data)",
        f"five largest AI tokens (assumed): {', '.join(ai_largest)}",
        f"altcoins: {', '.join(altcoins)}; AI tokens: {', '.join(ai_tokens)}",
        "figures are simple returns of closes (equities split-adjusted, not dividend-adjusted); crypto "
        "closes are UTC-day candle closes (USDT quotes in the bundled data)",
        f"aligned session: {aligned_policy}",
    )
    return FactsTable(
        event=event_ts,
        aligned_policy=aligned_policy,
        thresholds=th,
        assumptions=assumptions,
        table=pd.DataFrame.from_records(claims),
        detail=detail,
    )
