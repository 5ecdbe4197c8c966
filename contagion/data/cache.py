"""On-disk Parquet cache for downloaded price series: checksums, atomic writes, date coverage.

Layout (one pair of files per series)::

    <root>/<namespace>/<key>.parquet     the raw frame (index ``date``, columns open..volume)
    <root>/<namespace>/<key>.json        {"sha256": ..., "start": ..., "end": ..., "rows": ..., ...}

``root`` is, in order: the ``root`` argument, the ``CONTAGION_CACHE_DIR`` environment variable, or the
platform's user cache folder (``platformdirs.user_cache_dir("contagion")``, e.g. ``~/.cache/contagion``).

Writes go to a temporary file in the same folder and are moved into place with :func:`os.replace` (atomic on
POSIX and Windows), data first, then metadata. The metadata stores the SHA-256 of the Parquet bytes; a read
whose checksum does not match (an interrupted write, a truncated, edited or planted file) or whose metadata is
not a record of this layout raises :class:`CacheCorruptError` instead of returning wrong data. Entries are
data only: JSON is parsed and Parquet read by pyarrow, so no cache file can run code.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from contagion._io import atomic_write_bytes, sha256_file
from contagion.errors import DataError

__all__ = ["CacheCorruptError", "CacheEntry", "ParquetCache", "default_cache_dir"]

ENV_VAR = "CONTAGION_CACHE_DIR"


class CacheCorruptError(DataError):
    """A cache file does not match its recorded checksum (or cannot be read)."""


def default_cache_dir() -> Path:
    """``$CONTAGION_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("contagion")``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("contagion", appauthor=False))


@dataclass(frozen=True)
class CacheEntry:
    """A cached series and its metadata (``start``/``end``: the date range known to be covered)."""

    key: str
    frame: pd.DataFrame
    meta: dict[str, Any]

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.meta["start"])

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.meta["end"])


class ParquetCache:
    """A folder of Parquet files with JSON metadata (see the module docstring)."""

    def __init__(self, root: str | Path | None = None, namespace: str = "yahoo") -> None:
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()
        self.folder = self.root / namespace

    def __repr__(self) -> str:
        return f"ParquetCache({str(self.folder)!r})"

    @staticmethod
    def key_for(symbol: str, **params: Any) -> str:
        """File-safe key from a symbol and options (``"BTC-USD__auto_adjust=False__interval=1d"``)."""
        parts = [symbol, *(f"{k}={params[k]}" for k in sorted(params))]
        return re.sub(r"[^A-Za-z0-9._^=+-]", "_", "__".join(parts))

    def paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.parquet", self.folder / f"{key}.json"

    def read(self, key: str) -> CacheEntry | None:
        """The entry for ``key``, ``None`` when absent.

        Raises
        ------
        CacheCorruptError
            The data file's SHA-256 differs from the recorded one, or a file is unreadable.
        """
        data_path, meta_path = self.paths(key)
        if not meta_path.is_file() and not data_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("sha256", "start", "end")):
                raise ValueError("not a metadata record with sha256, start and end")
            pd.Timestamp(meta["start"]), pd.Timestamp(meta["end"])
        except (OSError, ValueError) as err:
            raise CacheCorruptError(
                f"cache metadata {meta_path} is missing or unreadable ({err}); delete it or use refresh=True "
                "(--refresh) to download again."
            ) from None
        if not data_path.is_file():
            raise CacheCorruptError(f"cache file {data_path} is missing; use refresh=True to download again.")
        digest = sha256_file(data_path)
        if digest != meta.get("sha256"):
            raise CacheCorruptError(
                f"checksum mismatch for cache file {data_path} (recorded {str(meta.get('sha256'))[:12]}..., "
                f"found {digest[:12]}...): the file was modified or partially written. "
                "It will be downloaded again; delete it if the problem persists."
            )
        try:
            frame = pd.read_parquet(data_path)
            frame.index = pd.DatetimeIndex(frame.index, name="date").astype("datetime64[ns]")
        except Exception as err:  # pyarrow and pandas raise several types
            raise CacheCorruptError(f"cannot read cache file {data_path} ({err}); use refresh=True.") from None
        return CacheEntry(key, frame, meta)

    def write(self, key: str, frame: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp,
              **meta: Any) -> CacheEntry:
        """Atomically store ``frame`` as covering ``start``..``end`` (inclusive)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data_path, meta_path = self.paths(key)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".parquet.tmp")
        os.close(fd)
        try:
            frame.to_parquet(tmp)
            digest = sha256_file(Path(tmp))
            record = {**meta, "key": key, "sha256": digest, "start": str(pd.Timestamp(start).date()),
                      "end": str(pd.Timestamp(end).date()), "rows": len(frame)}
            os.replace(tmp, data_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        atomic_write_bytes(meta_path, json.dumps(record, indent=2, sort_keys=True).encode("utf-8"))
        return CacheEntry(key, frame, record)

    def delete(self, key: str) -> None:
        """Remove an entry; a read-only cache folder leaves it in place (it is then ignored again next time)."""
        for path in self.paths(key):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                continue

    def keys(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))
