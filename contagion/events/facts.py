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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from contagion._summary import Summary, SummaryReprMixin
from contagion.data._frame import DateLike, as_frame, policy_name, to_timestamp
from contagion.data.universe import asset_class_of
from contagion.errors import DataError, SpecificationError
from contagion.events._verdicts import MEASURES, VERDICTS, verdict_at_least, verdict_move, verdict_value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "AI_LARGEST",
    "AI_TOKENS",
    "ALTCOINS",
    "MEASURES",
    "NVDA_SHARES_OUTSTANDING",
    "VERDICTS",
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
class FactsTable(SummaryReprMixin):
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

    def summary(self) -> Summary:
        """Claim, the four figures, verdict and the reason, then the assumptions (tables: claims, detail)."""

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
        return Summary(lines[0], header=(), tables=(("claims", self.table.copy()), ("detail", self.detail.copy())),
                       notes=tuple(f"assumption: {a}" for a in self.assumptions), text="\n".join(lines))

    def plot(self) -> Figure:
        """The four figures of every percentage claim against its band (shaded), verdict in the label."""
        from matplotlib.figure import Figure

        pct = self.table[self.table["unit"] == "%"].reset_index(drop=True)
        fig = Figure(figsize=(7.5, 0.55 * len(pct) + 1.6), layout="constrained")
        ax = fig.add_subplot(1, 1, 1)
        y = np.arange(len(pct), dtype=np.float64)
        low_edge = float(np.nanmin(pct[list(MEASURES)].to_numpy(dtype=np.float64), initial=0.0)) - 2.0
        for i in range(len(pct)):
            lo, hi = float(pct["band_low"].iloc[i]), float(pct["band_high"].iloc[i])
            ax.fill_betweenx([y[i] - 0.35, y[i] + 0.35], max(lo, low_edge), hi, color="0.88")
        for k, measure in enumerate(MEASURES):
            ax.plot(pct[measure].to_numpy(dtype=np.float64), y + 0.15 * (k - 1.5), "o", ms=4,
                    label=measure.replace("_", " "))
        ax.set_yticks(y, [f"{c} [{v}]" for c, v in zip(pct["claim"], pct["verdict"], strict=True)])
        ax.invert_yaxis()
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_xlabel("simple return (%); shaded: the claim's band")
        ax.set_title(f"DeepSeek facts table, event {self.event.date()}")
        ax.legend(loc="best", fontsize="small")
        return fig


# ---------------------------------------------------------------------------------------------------------


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
    loc = index.get_loc(event)
    if not isinstance(loc, int | np.integer):  # a slice or mask: the date occurs more than once
        raise DataError(f"{ticker} has more than one price row on the event date {event.date()}; "
                        f"drop the duplicates first.")
    pos = int(loc)
    if pos == 0 or pos + 1 >= len(index):
        raise DataError(f"{ticker} needs a close before and after {event.date()} for the facts table.")
    base_date, next_date = index[pos - 1], index[pos + 1]
    close_base = float(px["close"].iloc[pos - 1])
    close_event = float(px["close"].iloc[pos])
    low_event = float(px["low"].iloc[pos])
    close_next = float(px["close"].iloc[pos + 1])
    row: dict[str, Any] = {
        "ticker": ticker,
        "asset_class": asset_class_of(ticker),
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


def _aligned_setup(raw_frames: Mapping[str, pd.DataFrame], aligned_returns: Any, event_ts: pd.Timestamp,
                   ) -> tuple[str, pd.DataFrame | None, pd.Timestamp | None]:
    """The aligned-session source: the given aligned returns (and their policy), or the exchange-policy base
    date (the last equity session before the event) to compute it from the raw frames."""
    if aligned_returns is not None:
        aligned_policy = policy_name(aligned_returns)
        if aligned_policy == "unrecorded":
            aligned_policy = "as given (aligned_returns)"
        return aligned_policy, as_frame(aligned_returns, what="aligned_returns"), None
    equity_dates = [
        pd.DatetimeIndex(f.index) for t, f in raw_frames.items() if asset_class_of(t) != "crypto"
    ]
    before = [idx[idx < event_ts] for idx in equity_dates]
    before = [b for b in before if len(b)]
    aligned_base = max(b[-1] for b in before) if before else event_ts - pd.offsets.BDay(1)
    return "exchange", None, aligned_base


_MOVE_RULE = ("confirmed if close-to-close or the aligned session is inside the band; partly if one overshoots "
              "the band or the two-day move reaches its near edge; the intraday low never confirms alone")


def _not_assessed(absent: Sequence[str]) -> tuple[str, str]:
    return "not assessed", f"no data for {', '.join(absent)}"


class _Claims:
    """The claims table under construction: one method per kind of claim, rows in ``self.rows``."""

    def __init__(self, thresholds: FactThresholds, by_ticker: pd.DataFrame) -> None:
        self.th = thresholds
        self.by_ticker = by_ticker
        self.rows: list[dict[str, Any]] = []

    def figures_of(self, tickers: Sequence[str]) -> tuple[dict[str, float], list[str], list[str]]:
        present = [t for t in tickers if t in self.by_ticker.index]
        absent = [t for t in tickers if t not in self.by_ticker.index]
        figs = {m: float(self.by_ticker.loc[present, m].median()) if present else np.nan for m in MEASURES}
        return figs, present, absent

    def add(self, claim_id: str, text: str, tickers: Sequence[str], unit: str, claimed: str,
            band: tuple[float, float], figs: Mapping[str, float], verdict: tuple[str, str], rule: str,
            note: str = "") -> None:
        self.rows.append({
            "claim_id": claim_id, "claim": text, "assets": ", ".join(tickers), "unit": unit,
            "claimed": claimed, "band_low": band[0], "band_high": band[1], **figs,
            "verdict": verdict[0], "basis": verdict[1], "rule": rule, "note": note,
        })

    def about(self, claim_id: str, text: str, tickers: Sequence[str], fall: float, note: str = "") -> None:
        """A "fell about X%" claim."""
        th = self.th
        lo_fall, hi_fall = th.about(fall)
        band = (-hi_fall, -lo_fall)
        figs, present, absent = self.figures_of(tickers)
        verdict = verdict_move(figs, band) if present else _not_assessed(absent)
        extra = f"; missing: {', '.join(absent)}" if present and absent else ""
        group_note = "median across the group" if len(tickers) > 1 else ""
        self.add(claim_id, text, tickers, "%", f"about -{fall:g}%", band, figs, verdict,
                 f"band {fall:g}% +- max({th.relative_band:.0%}, {th.min_band_pp:g}pp); {_MOVE_RULE}",
                 "; ".join(x for x in (group_note, note) if x) + extra)

    def nvda_value(self, rows: Sequence[Mapping[str, Any]], nvda_shares: float) -> None:
        """"NVDA lost about $600bn": market value lost = shares outstanding x price fall, per figure."""
        th = self.th
        band_v = (600.0 * (1 - th.relative_band), 600.0 * (1 + th.relative_band))
        if "NVDA" in self.by_ticker.index:
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
            verdict_v = verdict_value(lost, band_v)
        else:
            lost = dict.fromkeys(MEASURES, np.nan)
            verdict_v = _not_assessed(["NVDA"])
        self.add("nvda_value", "NVDA lost about $600bn of market value", ["NVDA"], "$bn", "about $600bn", band_v,
                 lost, verdict_v,
                 f"band $600bn +- {th.relative_band:.0%}; confirmed if the close-to-close or aligned loss is inside, "
                 "partly if one exceeds the band or the two-day loss reaches it; the intraday low never confirms alone",
                 f"loss = shares outstanding x price fall; assumed {nvda_shares / 1e9:.2f}bn shares (around "
                 "January 2025; not in the price data)")

    def altcoins(self, altcoins: Sequence[str]) -> None:
        """"Altcoins fell 8-10%": the group median against the padded range."""
        figs, present, absent = self.figures_of(altcoins)
        band_a = (-10.0 - self.th.range_pad_pp, -8.0 + self.th.range_pad_pp)
        self.add("altcoins_fall", "Altcoins fell 8-10%", list(altcoins), "%", "-8% to -10%", band_a, figs,
                 verdict_move(figs, band_a) if present else _not_assessed(absent),
                 f"band 8-10% padded by {self.th.range_pad_pp:g}pp; {_MOVE_RULE}",
                 "median across the group" + (f"; missing: {', '.join(absent)}" if present and absent else ""))

    def largest_hit(self, ai_largest: Sequence[str]) -> None:
        """"Four of the five largest AI tokens were hit hard": a count per figure."""
        th = self.th
        present = [t for t in ai_largest if t in self.by_ticker.index]
        absent = [t for t in ai_largest if t not in self.by_ticker.index]
        counts = {
            m: float((self.by_ticker.loc[present, m] <= -th.hard_hit_pct).sum()) if present else np.nan
            for m in MEASURES
        }
        need = 4.0
        self.add("ai_largest_hit", "Four of the five largest AI tokens were hit hard", list(ai_largest),
                 "assets", "4 of 5", (need, float(len(ai_largest))), counts,
                 verdict_at_least(counts, need, "count") if present else _not_assessed(absent),
                 f"hit hard = fall of at least {th.hard_hit_pct:g}%; confirmed if the close-to-close or aligned count "
                 "is >= 4, partly if the two-day count is; the intraday low never confirms alone",
                 "five largest assumed (market capitalisations are not in the price data)"
                 + (f"; missing: {', '.join(absent)}" if absent else ""))

    def sharp_fall(self, ticker: str) -> None:
        """"<ticker> fell sharply": a fall of at least ``sharp_fall_pct``."""
        figs, present, absent = self.figures_of([ticker])
        band_m = (-math.inf, -self.th.sharp_fall_pct)
        self.add(f"{ticker.lower()}_fall", f"{ticker} fell sharply", [ticker], "%", "sharp fall", band_m, figs,
                 verdict_move(figs, band_m) if present else _not_assessed(absent),
                 f"sharp = fall of at least {self.th.sharp_fall_pct:g}%; confirmed if close-to-close or the aligned "
                 "session is, partly if only the two-day move is; the intraday low never confirms alone")


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
    aligned_policy, aligned, aligned_base = _aligned_setup(raw_frames, aligned_returns, event_ts)
    wanted = list(dict.fromkeys(["NVDA", "BTC-USD", "MARA", "RIOT", *altcoins, *ai_tokens, *ai_largest]))
    rows = [
        _asset_figures(t, raw_frames[t], event_ts, aligned_base, aligned) for t in wanted if t in raw_frames
    ]
    detail = pd.DataFrame.from_records(rows)
    claims = _Claims(th, detail.set_index("ticker") if not detail.empty else pd.DataFrame())
    # 1-2. NVDA
    claims.about("nvda_fall", "NVDA fell about 17%", ["NVDA"], 17.0)
    claims.nvda_value(rows, nvda_shares)
    # 3. bitcoin
    claims.about("btc_fall", "Bitcoin fell about 5%", ["BTC-USD"], 5.0, "crypto close-to-close = UTC day 26 -> 27 Jan")
    # 4. altcoins 8-10%
    claims.altcoins(altcoins)
    # 5. AI tokens about 10% in 24 hours; four of the five largest hit hard
    claims.about("ai_tokens_fall", "AI tokens fell about 10% in 24 hours", list(ai_tokens), 10.0,
                 "crypto close-to-close = the UTC day, i.e. 24 hours")
    claims.largest_hit(ai_largest)
    # 6. miners
    for miner in ("MARA", "RIOT"):
        claims.sharp_fall(miner)
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
        table=pd.DataFrame.from_records(claims.rows),
        detail=detail,
    )
