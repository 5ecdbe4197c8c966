"""Asset registry: ticker, name, asset class, group, Yahoo symbol and known quirks.

The registry covers every series in ``../shared/data/markets`` (the 37 files of its ``manifest.csv``), the
tickers of the built-in ``deepseek-2025`` study and the historical token symbols that matter for splicing
(``RNDR-USD``, ``AGIX-USD``, ``OCEAN-USD``).

Quirks recorded here (docs/conventions.md, 'Token migrations'):

- Bittensor is ``TAO22974-USD`` on Yahoo (a bare ``TAO-USD`` collides with another coin); our ticker stays
  ``TAO-USD``.
- Render migrated from Ethereum RNDR to Solana RENDER 1:1 from 2023-11-02; Yahoo carries both
  ``RNDR-USD`` (older history) and ``RENDER-USD``. :func:`splice_series` joins them after an overlap check.
- AGIX and OCEAN were migrated into FET (ASI Alliance) on 2024-07-01 at 0.433350 and 0.433226 FET per
  token. :func:`migrated_series` continues an old token's series with ``rate * FET`` after the migration.

Examples
--------
>>> get_asset("TAO-USD").yahoo
'TAO22974-USD'
>>> get_asset("nvda").group
'ai_equity'
>>> tickers_in_group("crypto_major")
('BTC-USD', 'ETH-USD')
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from contagion.errors import DataError

__all__ = [
    "ASSETS",
    "GROUPS",
    "Asset",
    "Migration",
    "asset_class_of",
    "get_asset",
    "is_known",
    "is_twenty_four_seven",
    "is_volatility_index",
    "migrated_series",
    "resolve_ticker",
    "splice_series",
    "tickers_in_group",
]

AssetClass = Literal["equity", "etf", "index", "crypto"]
Group = Literal["ai_equity", "semis_etf", "miner", "crypto_major", "altcoin", "ai_token", "benchmark"]

#: Groups in the order used by reports.
GROUPS: tuple[str, ...] = (
    "ai_equity", "semis_etf", "miner", "crypto_major", "altcoin", "ai_token", "benchmark",
)


@dataclass(frozen=True)
class Migration:
    """A token migrated into another at a fixed conversion rate (``rate`` new tokens per old token)."""

    into: str
    date: str
    rate: float
    source: str = ""


@dataclass(frozen=True)
class Asset:
    """One registry entry.

    Attributes
    ----------
    ticker : str
        Our canonical ticker (also the CSV file name: ``<ticker>.csv``).
    name : str
        Human-readable name.
    asset_class : {"equity", "etf", "index", "crypto"}
        Crypto trades every UTC day; the others follow the XNYS session calendar.
    group : str
        One of :data:`GROUPS`.
    yahoo : str
        Yahoo Finance symbol.
    quirks : tuple of str
        Free-text notes shown in reports and ``contagion check-data``.
    aliases : tuple of str
        Other spellings accepted by :func:`get_asset` (``"SOL"`` for ``"SOL-USD"``, ``"TAO22974-USD"``).
    splice_from : str or None
        Older Yahoo symbol whose history precedes ``yahoo`` (RNDR-USD before RENDER-USD).
    migration : Migration or None
        Set when the token was migrated into another one.
    volatility_index : bool
        True when the series' level is itself a volatility (^VIX: the 30-day implied volatility of the S&P
        500). Its range variance is the volatility of volatility, so it is not mixed into range-variance
        group indices (:func:`is_volatility_index`).
    """

    ticker: str
    name: str
    asset_class: AssetClass
    group: Group
    yahoo: str
    quirks: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    splice_from: str | None = None
    migration: Migration | None = None
    volatility_index: bool = False

    @property
    def is_crypto(self) -> bool:
        """True for 24/7 assets (crypto), False for assets on the exchange calendar."""
        return self.asset_class == "crypto"


def _eq(ticker: str, name: str, group: Group, cls: AssetClass = "equity", *quirks: str) -> Asset:
    return Asset(ticker, name, cls, group, ticker, tuple(quirks))


def _cc(ticker: str, name: str, group: Group, *quirks: str, yahoo: str | None = None,
        aliases: tuple[str, ...] = (), splice_from: str | None = None,
        migration: Migration | None = None) -> Asset:
    base = ticker.removesuffix("-USD")
    return Asset(ticker, name, "crypto", group, yahoo or ticker, tuple(quirks),
                 (base, *aliases), splice_from, migration)


_MIGRATION_SOURCE = (
    "ASI Alliance token merger FAQ (docs.superintelligence.io): 1 AGIX = 0.433350 FET, "
    "1 OCEAN = 0.433226 FET, phase 1 from 2024-07-01"
)

_ENTRIES: tuple[Asset, ...] = (
    # AI equities
    _eq("NVDA", "NVIDIA Corp.", "ai_equity", "equity", "10:1 split 2024-06-10, 4:1 split 2021-07-20"),
    _eq("AMD", "Advanced Micro Devices", "ai_equity"),
    _eq("AVGO", "Broadcom Inc.", "ai_equity", "equity", "10:1 split 2024-07-15"),
    _eq("TSM", "Taiwan Semiconductor (ADR)", "ai_equity"),
    _eq("MSFT", "Microsoft Corp.", "ai_equity"),
    _eq("GOOGL", "Alphabet Inc. (class A)", "ai_equity", "equity", "20:1 split 2022-07-18"),
    _eq("META", "Meta Platforms", "ai_equity", "equity", "listed 2012-05-18"),
    _eq("ASML", "ASML Holding (ADR)", "ai_equity"),
    _eq("SMCI", "Super Micro Computer", "ai_equity", "equity", "10:1 split 2024-10-01"),
    # semiconductor / AI ETFs
    _eq("SMH", "VanEck Semiconductor ETF", "semis_etf", "etf"),
    _eq("SOXX", "iShares Semiconductor ETF", "semis_etf", "etf"),
    _eq("BOTZ", "Global X Robotics & AI ETF", "semis_etf", "etf"),
    _eq("AIQ", "Global X AI & Technology ETF", "semis_etf", "etf"),
    # bitcoin miners
    _eq("MARA", "MARA Holdings", "miner"),
    _eq("RIOT", "Riot Platforms", "miner"),
    _eq("CLSK", "CleanSpark", "miner"),
    _eq("CORZ", "Core Scientific", "miner", "equity", "re-listed 2024-01-24 after Chapter 11"),
    _eq("IREN", "IREN Ltd.", "miner", "equity", "listed 2021-11-17"),
    # benchmarks
    _eq("SPY", "SPDR S&P 500 ETF", "benchmark", "etf"),
    _eq("QQQ", "Invesco QQQ (Nasdaq-100)", "benchmark", "etf"),
    _eq("^GSPC", "S&P 500 index", "benchmark", "index", "index level: adj_close = close"),
    _eq("^IXIC", "Nasdaq Composite index", "benchmark", "index", "index level: adj_close = close"),
    Asset("^VIX", "CBOE Volatility Index", "index", "benchmark", "^VIX",
          ("index level: adj_close = close; volume is always empty",
           "the level is a volatility (30-day implied, percent): not mixed into range-variance group indices"),
          volatility_index=True),
    # crypto majors
    _cc("BTC-USD", "Bitcoin", "crypto_major"),
    _cc("ETH-USD", "Ethereum", "crypto_major"),
    # altcoins
    _cc("SOL-USD", "Solana", "altcoin"),
    _cc("XRP-USD", "XRP", "altcoin"),
    _cc("BNB-USD", "BNB", "altcoin"),
    _cc("ADA-USD", "Cardano", "altcoin"),
    _cc("DOGE-USD", "Dogecoin", "altcoin"),
    # AI tokens
    _cc("FET-USD", "Fetch.ai / ASI Alliance", "ai_token",
        "absorbed AGIX and OCEAN on 2024-07-01 (ASI Alliance); FET -> ASI 1:1",
        aliases=("ASI",)),
    _cc("RENDER-USD", "Render", "ai_token",
        "RNDR (Ethereum) migrated 1:1 to RENDER (Solana) from 2023-11-02; "
        "Yahoo history is spliced from RNDR-USD before RENDER-USD starts",
        splice_from="RNDR-USD"),
    _cc("TAO-USD", "Bittensor", "ai_token", "Yahoo symbol is TAO22974-USD",
        yahoo="TAO22974-USD", aliases=("TAO22974-USD",)),
    _cc("NEAR-USD", "NEAR Protocol", "ai_token"),
    _cc("GRT-USD", "The Graph", "ai_token", yahoo="GRT6719-USD", aliases=("GRT6719-USD",)),
    _cc("WLD-USD", "Worldcoin", "ai_token"),
    _cc("AKT-USD", "Akash Network", "ai_token"),
    _cc("ICP-USD", "Internet Computer", "ai_token"),
    # historical token symbols
    _cc("RNDR-USD", "Render (Ethereum RNDR, pre-migration)", "ai_token",
        "migrated 1:1 into RENDER from 2023-11-02; use RENDER-USD"),
    _cc("AGIX-USD", "SingularityNET (pre-merger)", "ai_token",
        "migrated into FET on 2024-07-01 at 0.433350 FET per AGIX",
        migration=Migration("FET-USD", "2024-07-01", 0.433350, _MIGRATION_SOURCE)),
    _cc("OCEAN-USD", "Ocean Protocol (pre-merger)", "ai_token",
        "migrated into FET on 2024-07-01 at 0.433226 FET per OCEAN",
        migration=Migration("FET-USD", "2024-07-01", 0.433226, _MIGRATION_SOURCE)),
)

#: Registry: canonical ticker -> :class:`Asset` (read-only).
ASSETS: Mapping[str, Asset] = MappingProxyType({a.ticker: a for a in _ENTRIES})

_LOOKUP: dict[str, str] = {}
for _a in _ENTRIES:
    _LOOKUP[_a.ticker.upper()] = _a.ticker
for _a in _ENTRIES:
    for _alias in (_a.yahoo, *_a.aliases):
        _LOOKUP.setdefault(_alias.upper(), _a.ticker)


def is_known(ticker: str) -> bool:
    """Whether ``ticker`` (or one of its aliases) is in the registry."""
    return ticker.strip().upper() in _LOOKUP


def resolve_ticker(ticker: str) -> str:
    """Canonical ticker for ``ticker`` or an alias (``"sol"`` -> ``"SOL-USD"``); raises DataError if unknown."""
    return get_asset(ticker).ticker


def get_asset(ticker: str) -> Asset:
    """The registry entry for ``ticker`` (case-insensitive; aliases accepted).

    Raises
    ------
    DataError
        If the ticker is not in the registry; the message suggests close matches.
    """
    key = ticker.strip().upper()
    canonical = _LOOKUP.get(key)
    if canonical is None:
        close = difflib.get_close_matches(key, list(_LOOKUP), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(_LOOKUP[c] for c in close)}?" if close else ""
        raise DataError(
            f"unknown ticker {ticker!r}: it is not in the universe registry (contagion.data.universe)."
            f"{hint} Known tickers: {', '.join(sorted(ASSETS))}."
        )
    return ASSETS[canonical]


def asset_class_of(ticker: str) -> str:
    """The registry's asset class of ``ticker``; outside the registry a ``-USD`` / ``-USDT`` suffix means
    ``"crypto"``, anything else ``"equity"``.

    >>> asset_class_of("SPY"), asset_class_of("FOO-USD"), asset_class_of("FOO")
    ('etf', 'crypto', 'equity')
    """
    if is_known(ticker):
        return str(get_asset(ticker).asset_class)
    return "crypto" if ticker.upper().endswith(("-USD", "-USDT")) else "equity"


def tickers_in_group(group: str) -> tuple[str, ...]:
    """Current (non-historical) tickers of ``group`` in registry order."""
    if group not in GROUPS:
        raise DataError(f"unknown group {group!r}; choose one of {', '.join(GROUPS)}.")
    historical = {"RNDR-USD", "AGIX-USD", "OCEAN-USD", "AIQ"}
    return tuple(a.ticker for a in _ENTRIES if a.group == group and a.ticker not in historical)


def is_twenty_four_seven(ticker: str, frame: pd.DataFrame | None = None) -> bool:
    """True when ``ticker`` trades every UTC day (crypto).

    Registry tickers use their asset class. For a ticker outside the registry the raw ``frame`` decides:
    a series with observations on more than 5 % of Saturdays/Sundays is treated as 24/7.
    """
    if is_known(ticker):
        return get_asset(ticker).is_crypto
    if frame is None or len(frame) == 0:
        return False
    weekday = np.asarray(pd.DatetimeIndex(frame.index).day_of_week)
    return bool(np.mean(weekday >= 5) > 0.05)


def is_volatility_index(ticker: str) -> bool:
    """True when ``ticker``'s level is itself a volatility (``^VIX``; registry flag ``volatility_index``).

    >>> is_volatility_index("^VIX"), is_volatility_index("SPY"), is_volatility_index("FOO")
    (True, False, False)
    """
    return is_known(ticker) and get_asset(ticker).volatility_index


_PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close")


def splice_series(old: pd.DataFrame, new: pd.DataFrame, *, old_name: str = "old", new_name: str = "new",
                  tolerance: float = 0.05) -> pd.DataFrame:
    """Join an older symbol's history before a newer one (RNDR-USD before RENDER-USD).

    Rows of ``old`` dated before the first row of ``new`` are kept; from there on ``new`` is used. When the two
    overlap, the median absolute log difference of their closes on common dates must be below ``tolerance``
    (default 5 %), else the symbols are not the same asset at the same scale and a DataError is raised.

    Raises
    ------
    DataError
        If the overlap check fails.
    """
    if len(old) == 0:
        return new
    if len(new) == 0:
        return old
    common = old.index.intersection(new.index)
    if len(common):
        diff = np.abs(np.log(new.loc[common, "close"].to_numpy(float))
                      - np.log(old.loc[common, "close"].to_numpy(float)))
        median = float(np.nanmedian(diff))
        if not median < tolerance:
            raise DataError(
                f"cannot splice {old_name} into {new_name}: on {len(common)} common dates their closes differ "
                f"by a median {median:.1%} (> {tolerance:.0%}); check the symbols or load them separately."
            )
    head = old.loc[old.index < new.index[0]]
    spliced: pd.DataFrame = pd.concat([head, new]).sort_index()
    return spliced


def migrated_series(old: pd.DataFrame, into: pd.DataFrame, migration: Migration) -> pd.DataFrame:
    """Continue a migrated token's series after its migration date in the old token's units.

    Before ``migration.date`` the old token's own prices are used; from that date on the price is
    ``rate * price(into)`` (one old token became ``rate`` new tokens), volume is NaN. Log returns after the
    migration therefore equal the new token's returns, and the fixed rate leaves them unchanged.
    To express the old token in new-token units instead, divide its prices by ``rate``.
    """
    cut = pd.Timestamp(migration.date)
    head = old.loc[old.index < cut]
    tail = into.loc[into.index >= cut].copy()
    for col in _PRICE_COLUMNS:
        if col in tail:
            tail[col] = tail[col] * migration.rate
    if "volume" in tail:
        tail["volume"] = np.nan
    return pd.concat([head, tail]).sort_index()
