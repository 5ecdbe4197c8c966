"""Data-only storage of job results: JSON, Parquet and ``.npz``, each file checked against its SHA-256.

A cache entry is a folder ``<key>/`` holding

``value.json``
    the result as a tagged JSON tree (see :func:`encode`): plain JSON for ``None``, booleans, numbers,
    strings, lists and string-keyed dicts; ``{"$": tag, ...}`` objects for tuples, other dicts, numpy scalars,
    time stamps, DataFrames and Series (stored as ``frame-<n>.parquet``), arrays (members of ``arrays.npz``)
    and dataclass records of a type the caller allows;
``frame-<n>.parquet``, ``arrays.npz``
    the tables and arrays the tree points to;
``index.json``
    ``{"format": ..., "key": ..., "files": {name: sha256}}``, written last.

Reading never runs code from a file: JSON is parsed, Parquet read by pyarrow, ``.npz`` loaded with
``allow_pickle=False``, and a record is rebuilt only for a class the caller passed in (never one named by the
file). Every file is read once, hashed, and parsed from those same bytes; any mismatch, missing file, foreign layout or parse error
makes the entry invalid (:class:`InvalidEntry`), and the caller recomputes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["STORE_FORMAT", "InvalidEntry", "UnstorableValue", "read_entry", "write_entry"]

#: Layout version of an entry; an entry of another format is invalid (recomputed, never misread).
STORE_FORMAT = 2

INDEX = "index.json"
VALUE = "value.json"
ARRAYS = "arrays.npz"
_FILE_NAME = re.compile(r"^(value\.json|arrays\.npz|frame-[0-9]{1,6}\.parquet)$")


class InvalidEntry(Exception):
    """A cache entry that cannot be trusted; ``path`` is the file at fault."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnstorableValue(TypeError):
    """A value that has no data-only encoding (it is then not cached)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------- encoding
class _Encoder:
    """Turns a value into a JSON tree plus the binary files it refers to."""

    def __init__(self, records: Mapping[str, type]) -> None:
        self.records = records
        self.files: dict[str, bytes] = {}
        self.arrays: dict[str, np.ndarray[Any, Any]] = {}

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int | float) and type(value) in (int, float):
            return value
        if isinstance(value, np.generic):
            if value.dtype.kind not in "biufc?":
                raise UnstorableValue(f"numpy scalar of dtype {value.dtype}")
            return {"$": "np", "dtype": value.dtype.str, "value": self.encode(value.item())}
        if isinstance(value, complex):
            return {"$": "complex", "real": value.real, "imag": value.imag}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, tuple):
            return {"$": "tuple", "items": [self.encode(v) for v in value]}
        if isinstance(value, dict):
            return self._dict(value)
        if isinstance(value, pd.DataFrame | pd.Series):
            return self._frame(value)
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise UnstorableValue("numpy array of dtype object")
            name = f"a{len(self.arrays)}"
            self.arrays[name] = value
            return {"$": "array", "name": name}
        if isinstance(value, pd.Timestamp):
            return {"$": "timestamp", "value": value.isoformat(), "tz": str(value.tz) if value.tz else None}
        if isinstance(value, dt.datetime):
            return {"$": "datetime", "value": value.isoformat()}
        if isinstance(value, dt.date):
            return {"$": "date", "value": value.isoformat()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._record(value)
        raise UnstorableValue(f"a value of type {type(value).__module__}.{type(value).__qualname__}")

    def _dict(self, value: dict[Any, Any]) -> Any:
        if all(isinstance(k, str) for k in value) and "$" not in value:
            return {k: self.encode(v) for k, v in value.items()}
        return {"$": "dict", "keys": [self.encode(k) for k in value], "values": [self.encode(v) for v in value.values()]}

    def _frame(self, value: pd.DataFrame | pd.Series) -> Any:
        is_series = isinstance(value, pd.Series)
        frame: pd.DataFrame = value.to_frame(name="__series__") if isinstance(value, pd.Series) else value
        name = f"frame-{len(self.files)}.parquet"
        buffer = io.BytesIO()
        frame.to_parquet(buffer, engine="pyarrow")
        data = buffer.getvalue()
        back = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
        try:  # store only what reads back exactly: dtypes, index, column labels, values
            pd.testing.assert_frame_equal(back, frame, check_exact=True, check_freq=False, check_index_type=True,
                                          check_column_type=True)
        except AssertionError as err:
            raise UnstorableValue(f"a table that Parquet does not round-trip exactly ({str(err).splitlines()[0]})"
                                  ) from None
        self.files[name] = data
        out: dict[str, Any] = {"$": "series" if is_series else "frame", "file": name}
        if is_series:
            out["name"] = self.encode(value.name)
        if value.attrs:
            out["attrs"] = self.encode(dict(value.attrs))
        return out

    def _record(self, value: Any) -> Any:
        cls = type(value)
        if self.records.get(cls.__qualname__) is not cls:
            raise UnstorableValue(f"a record of type {cls.__qualname__} (not among the allowed record types)")
        fields = {f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"$": "record", "type": cls.__qualname__, "fields": fields}


# ---------------------------------------------------------------------- decoding
class _Decoder:
    """Rebuilds a value from a JSON tree and the (already verified) files of its entry."""

    def __init__(self, blobs: Mapping[str, bytes], records: Mapping[str, type],
                 arrays: Mapping[str, np.ndarray[Any, Any]]) -> None:
        self.blobs = blobs
        self.records = records
        self.arrays = arrays

    def decode(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            return node
        tag = node.get("$")
        if tag is None:
            return {k: self.decode(v) for k, v in node.items()}
        handler = getattr(self, f"_tag_{tag}", None) if isinstance(tag, str) and tag.isidentifier() else None
        if handler is None:
            raise ValueError(f"unknown tag {tag!r}")
        return handler(node)

    def _tag_tuple(self, node: dict[str, Any]) -> Any:
        return tuple(self.decode(v) for v in node["items"])

    def _tag_dict(self, node: dict[str, Any]) -> Any:
        return dict(zip((self.decode(k) for k in node["keys"]), (self.decode(v) for v in node["values"]),
                        strict=True))

    def _tag_np(self, node: dict[str, Any]) -> Any:
        dtype = np.dtype(str(node["dtype"]))
        if dtype.kind not in "biufc?":
            raise ValueError(f"numpy dtype {dtype} is not a number")
        return dtype.type(self.decode(node["value"]))

    def _tag_complex(self, node: dict[str, Any]) -> Any:
        return complex(float(node["real"]), float(node["imag"]))

    def _tag_array(self, node: dict[str, Any]) -> Any:
        return self.arrays[str(node["name"])]

    def _tag_timestamp(self, node: dict[str, Any]) -> Any:
        stamp = pd.Timestamp(str(node["value"]))
        return stamp.tz_convert(node["tz"]) if node.get("tz") else stamp

    def _tag_datetime(self, node: dict[str, Any]) -> Any:
        return dt.datetime.fromisoformat(str(node["value"]))

    def _tag_date(self, node: dict[str, Any]) -> Any:
        return dt.date.fromisoformat(str(node["value"]))

    def _tag_frame(self, node: dict[str, Any]) -> Any:
        frame = pd.read_parquet(io.BytesIO(self.blobs[_file_name(node["file"])]), engine="pyarrow")
        if "attrs" in node:
            frame.attrs = self.decode(node["attrs"])
        return frame

    def _tag_series(self, node: dict[str, Any]) -> Any:
        series = self._tag_frame(node)["__series__"]
        series.name = self.decode(node.get("name"))
        return series

    def _tag_record(self, node: dict[str, Any]) -> Any:
        cls = self.records.get(str(node["type"]))
        if cls is None:
            raise ValueError(f"record type {node['type']!r} is not allowed here")
        return cls(**{str(k): self.decode(v) for k, v in node["fields"].items()})


def _file_name(name: Any) -> str:
    if not isinstance(name, str) or not _FILE_NAME.match(name):
        raise ValueError(f"unexpected file name {name!r} in the entry")
    return name


# ---------------------------------------------------------------------- entries
def _record_map(records: Iterable[type]) -> dict[str, type]:
    return {cls.__qualname__: cls for cls in records}


def write_entry(folder: Path, key: str, value: Any, records: Iterable[type] = ()) -> Path:
    """Store ``value`` as the entry ``folder`` (created atomically: a temporary folder renamed into place).

    Raises
    ------
    UnstorableValue
        ``value`` holds something with no data-only encoding (nothing is written).
    OSError
        The folder cannot be written.
    """
    encoder = _Encoder(_record_map(records))
    tree = encoder.encode(value)
    files = dict(encoder.files)
    files[VALUE] = json.dumps(tree, ensure_ascii=True, separators=(",", ":"), allow_nan=True).encode("ascii")
    if encoder.arrays:
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **encoder.arrays)
        files[ARRAYS] = buffer.getvalue()
    index = {"format": STORE_FORMAT, "key": key, "files": {name: _sha256(data) for name, data in sorted(files.items())}}
    files[INDEX] = json.dumps(index, indent=1, sort_keys=True).encode("ascii")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, data in files.items():  # the index last: an entry without one is incomplete
            with (tmp / name).open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / INDEX).is_file():  # not "another process stored the same entry first"
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def read_entry(folder: Path, key: str, records: Iterable[type] = ()) -> Any:
    """The value stored in ``folder``, after checking every file against the index.

    Raises
    ------
    InvalidEntry
        Missing or unreadable index, another format or key, a file missing, extra, renamed or whose SHA-256
        differs, or content that does not parse as the layout above.
    """
    index_path = folder / INDEX
    try:
        index = json.loads(index_path.read_bytes())
        if not isinstance(index, dict) or index.get("format") != STORE_FORMAT or index.get("key") != key:
            raise ValueError("not an entry of this format and key")
        listed = {_file_name(name): str(digest) for name, digest in dict(index["files"]).items()}
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise InvalidEntry(index_path, f"unreadable index ({err})") from None
    present = {p.name for p in folder.iterdir()} - {INDEX}
    if present - set(listed):
        raise InvalidEntry(folder / sorted(present - set(listed))[0], "a file the index does not list")
    blobs: dict[str, bytes] = {}
    for name, digest in listed.items():
        path = folder / name
        try:
            blobs[name] = path.read_bytes()
        except OSError as err:
            raise InvalidEntry(path, f"missing or unreadable ({err.strerror or err})") from None
        if _sha256(blobs[name]) != digest:
            raise InvalidEntry(path, f"SHA-256 {_sha256(blobs[name])[:12]}... differs from the recorded {digest[:12]}...")
    try:
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        if ARRAYS in blobs:
            with np.load(io.BytesIO(blobs[ARRAYS]), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        tree = json.loads(blobs[VALUE])
        return _Decoder(blobs, _record_map(records), arrays).decode(tree)
    except Exception as err:  # a parse error in any layer: the entry is not usable
        raise InvalidEntry(folder / VALUE, f"cannot be decoded ({type(err).__name__}: {err})") from None
