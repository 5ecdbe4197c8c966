"""The validated design of an event study: events, windows, the studied assets, their benchmarks and groups,
the crypto market index and the other events that fall inside a window.

Split from :mod:`contagion.events.study` (which runs the fits) so that each file holds one concept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contagion._typing import Float64Array1D, IntArray
from contagion.data._frame import DateLike, check_session, describe_policy
from contagion.errors import DataError, SpecificationError
from contagion.events._normal import MODELS

__all__ = ["CRYPTO_INDEX", "AssetSpec", "Design", "EventRows", "asset_specs", "check_options", "check_windows", "crypto_index",
           "event_label", "event_rows", "group_members", "index_candidates", "other_event_rows", "overlap_label",
           "parse_events", "studied_tickers"]

#: (normal-return model, benchmark or None) of one studied asset.
AssetSpec = tuple[str, str | None]


@dataclass(frozen=True)
class Design:
    """The validated design of one event study, shared by every event and asset."""

    policy: str
    estimation: tuple[int, int]
    windows: tuple[tuple[int, int], ...]
    specs: Mapping[str, AssetSpec]          # ticker -> (model, benchmark); its keys are the studied tickers
    min_estimation: int

    @property
    def tau_lo(self) -> int:
        return min(a for a, _ in self.windows)

    @property
    def tau_hi(self) -> int:
        return max(b for _, b in self.windows)

    @property
    def taus(self) -> IntArray:
        """The event-window sessions relative to the event, tau_lo..tau_hi."""
        return np.arange(self.tau_lo, self.tau_hi + 1, dtype=np.int64)


@dataclass(frozen=True)
class EventRows:
    """Where one event sits in the panel: its name, row, and the estimation and event-window slices."""

    name: str
    pos: int
    date: pd.Timestamp
    est: slice
    window: slice
    dates: pd.DatetimeIndex


def parse_events(events: Any) -> list[tuple[str, DateLike]]:
    if isinstance(events, Mapping):
        return [(str(k), v) for k, v in events.items()]
    if isinstance(events, (str, pd.Timestamp)) or not isinstance(events, Sequence):
        events = [events]
    out = []
    for ev in events:
        try:
            name = str(pd.Timestamp(ev).date())
        except (TypeError, ValueError):
            name = str(ev)
        out.append((name, ev))
    if not out:
        raise SpecificationError("no event date given; pass events='2025-01-27' or a list of dates.")
    return out


def check_windows(
    estimation: tuple[int, int], windows: Sequence[tuple[int, int]], min_estimation: int
) -> tuple[tuple[int, int], tuple[tuple[int, int], ...]]:
    if len(estimation) != 2 or estimation[0] > estimation[1]:
        raise SpecificationError(f"estimation must be a (start, end) pair of relative sessions with start "
                                 f"<= end, got {estimation!r}.")
    est = (int(estimation[0]), int(estimation[1]))
    length = est[1] - est[0] + 1
    if length < min_estimation:
        raise SpecificationError(
            f"estimation window {list(est)} has {length} sessions, fewer than min_estimation="
            f"{min_estimation}; widen it (default (-250, -11)) or lower min_estimation."
        )
    wins = tuple((int(a), int(b)) for a, b in windows)
    if not wins:
        raise SpecificationError("no event window given; e.g. windows=((0, 0), (0, 1), (-1, 1), (0, 5)).")
    for a, b in wins:
        if a > b:
            raise SpecificationError(f"event window [{a},{b}] starts after it ends.")
        if a <= est[1]:
            raise SpecificationError(
                f"event window [{a},{b}] overlaps the estimation window {list(est)}; the estimation window "
                "must end before the earliest event-window session."
            )
    return est, wins


def check_options(model: str, crypto_model: str, min_estimation: int) -> None:
    for name, value in (("model", model), ("crypto_model", crypto_model)):
        if value not in MODELS:
            raise SpecificationError(f"{name} must be one of {', '.join(MODELS)}; got {value!r}.")
    if min_estimation < 3:
        raise SpecificationError(f"min_estimation must be at least 3, got {min_estimation}.")


def studied_tickers(frame: pd.DataFrame, tickers: Sequence[str] | None, benchmarks: set[str]) -> list[str]:
    if tickers is None:
        tickers = [c for c in frame.columns if c not in benchmarks]
    tickers = list(tickers)
    if not tickers:
        raise DataError("no asset to study: the panel holds only the benchmark(s).")
    missing = [t for t in tickers if t not in frame.columns]
    if missing:
        raise DataError(f"ticker(s) {', '.join(missing)} not in the panel (columns: "
                        f"{', '.join(frame.columns)}).")
    return tickers


def asset_specs(frame: pd.DataFrame, tickers: Sequence[str], asset_class: Callable[[str], str], *,
                 model: str, benchmark: str, crypto_model: str, crypto_bm: str) -> dict[str, AssetSpec]:
    """The normal-return model and benchmark of each studied asset (a benchmark studied as an asset, or a
    mean-adjusted asset, needs no benchmark)."""
    specs: dict[str, AssetSpec] = {}
    for t in tickers:
        is_crypto = asset_class(t) == "crypto"
        mdl, bm = (crypto_model, crypto_bm) if is_crypto else (model, benchmark)
        if t == bm:
            mdl = "mean_adjusted"
        if mdl == "mean_adjusted":
            specs[t] = (mdl, None)
            continue
        if bm != CRYPTO_INDEX and bm not in frame.columns:
            which = "crypto_benchmark" if is_crypto else "benchmark"
            raise DataError(f"{which} {bm!r} (needed by {t}, model {mdl!r}) is not in the panel; add it, "
                            f"change `{which}` or use model='mean_adjusted'.")
        specs[t] = (mdl, bm)
    return specs


def group_members(groups: Mapping[str, Sequence[str]] | None, tickers: Sequence[str],
               asset_class: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    """The groups averaged over: the given ones, or one per asset class; ``"all"`` is always added."""
    group_map: dict[str, tuple[str, ...]] = {}
    if groups is None:
        for t in tickers:
            group_map.setdefault(asset_class(t), ())
            group_map[asset_class(t)] += (t,)
    else:
        for g, members in groups.items():
            members = tuple(members)
            unknown = [m for m in members if m not in tickers]
            if unknown:
                raise SpecificationError(f"group {g!r} lists {', '.join(unknown)}, which are not studied "
                                         "(not in the panel, or benchmarks excluded by default).")
            group_map[str(g)] = members
    group_map.setdefault("all", tuple(tickers))
    return group_map


def event_rows(index: pd.DatetimeIndex, name: str, date: DateLike, design: Design) -> EventRows:
    """Locate one event and check that the estimation and event windows fit in the panel."""
    est = design.estimation
    pos = check_session(index, date, what="event date", policy=design.policy)
    if pos + est[0] < 0:
        raise DataError(
            f"event {name}: the estimation window {list(est)} needs {-est[0]} sessions before "
            f"{index[pos].date()}, but the panel has only {pos} ({index[0].date()} .. "
            f"{index[pos - 1].date() if pos else index[0].date()}; {describe_policy(design.policy)}); "
            "load earlier data or shorten the estimation window."
        )
    if pos + design.tau_hi >= len(index):
        raise DataError(
            f"event {name}: the event windows need {design.tau_hi} sessions after {index[pos].date()}, but "
            f"the panel ends {index[-1].date()} ({len(index) - 1 - pos} sessions later); load later data "
            "or shorten the windows."
        )
    window = slice(pos + design.tau_lo, pos + design.tau_hi + 1)
    return EventRows(name, pos, index[pos], slice(pos + est[0], pos + est[1] + 1), window, index[window])


# ---------------------------------------------------------------------- crypto market index
#: Name of the equal-weighted crypto market index used as a benchmark (``crypto_benchmark="index"``).
CRYPTO_INDEX = "crypto_index"


def index_candidates(frame: pd.DataFrame, crypto_benchmark: str | Sequence[str] | None,
                     asset_class: Callable[[str], str]) -> tuple[str | None, tuple[str, ...]]:
    """The crypto benchmark's name and, for an index, the candidate members.

    ``"index"`` means every crypto column of the panel; a sequence of tickers, those tickers; any other string
    is a column used as it is (no members).
    """
    if crypto_benchmark is None or (isinstance(crypto_benchmark, str) and crypto_benchmark != "index"):
        return crypto_benchmark, ()
    if CRYPTO_INDEX in frame.columns:
        raise DataError(f"the panel has a column named {CRYPTO_INDEX!r}, the name of the crypto index; rename it.")
    if isinstance(crypto_benchmark, str):
        members = tuple(c for c in frame.columns if asset_class(str(c)) == "crypto")
    else:
        members = tuple(crypto_benchmark)
        missing = [m for m in members if m not in frame.columns]
        if missing:
            raise DataError(f"crypto index member(s) {', '.join(missing)} not in the panel (columns: "
                            f"{', '.join(map(str, frame.columns))}).")
    if not members:
        raise DataError("crypto_benchmark='index' but the panel has no crypto asset; pass a ticker instead.")
    return CRYPTO_INDEX, members


def crypto_index(values: Mapping[str, Float64Array1D], members: Sequence[str], rows: slice, n_rows: int,
                 event: str) -> tuple[Float64Array1D, tuple[str, ...]]:
    r"""The equal-weighted crypto index of one event: :math:`R_{mt} = \frac{1}{K}\sum_{k=1}^K R_{kt}` over the
    ``K`` members with a return on every row of ``rows`` (estimation start to event-window end), so its
    composition is fixed over the event's estimation and event windows; NaN outside ``rows``.

    Raises
    ------
    DataError
        No member has complete returns over ``rows``.
    """
    used = tuple(m for m in members if np.isfinite(values[m][rows]).all())
    if not used:
        raise DataError(f"event {event}: no crypto index member ({', '.join(members)}) has returns on every "
                        "session of the estimation and event windows; pass a crypto_benchmark ticker.")
    out = np.full(n_rows, np.nan)
    out[rows] = np.mean(np.vstack([values[m][rows] for m in used]), axis=0)
    return out, used


# ---------------------------------------------------------------------- other events inside a window
def other_event_rows(index: pd.DatetimeIndex, others: Mapping[str, DateLike]) -> dict[str, int]:
    """Row of each other event: the first session on or after its date (a weekend shock reaches an
    exchange-calendar panel on Monday); events after the sample are left out."""
    rows: dict[str, int] = {}
    for label, when in others.items():
        pos = int(index.searchsorted(pd.Timestamp(when)))
        if pos < len(index):
            rows[label] = pos
    return rows


def overlap_label(rows: Mapping[str, int], start: int, stop: int, exclude: str) -> str:
    """The other events (``"name (date)"``, joined by ``"; "``) whose row falls in ``start .. stop - 1``; empty
    when none does."""
    return "; ".join(label for label, pos in rows.items() if start <= pos < stop and label != exclude)


def event_label(name: str, when: DateLike) -> str:
    """How an event is named in an overlap flag: ``"Tariff crash (2025-02-03)"``."""
    return f"{name} ({pd.Timestamp(when).date()})"
