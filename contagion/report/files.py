"""Deterministic file writers: the same table gives the same bytes in every process and on every run.

- floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits (``%.12g``), which hides the last-bit
  differences that BLAS threading or a different process can introduce;
- rows are sorted by the table's key columns and columns keep a fixed order;
- CSV: ``\\n`` line ends, ISO dates, empty cells for missing values;
- Parquet: written by pyarrow with fixed settings (zstd level 3, no pandas metadata, no timestamps; dates as
  ``date32``); a demo run adds ``contagion.simulated = "true"`` to the schema metadata;
- JSON: sorted keys, two-space indent, ``NaN`` written as ``null``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SIGNIFICANT_DIGITS",
    "SIMULATED_NOTE",
    "normalise",
    "to_jsonable",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_text",
]

SIGNIFICANT_DIGITS = 12
#: The column / field added to every table and JSON file of a demo run.
SIMULATED_NOTE = "SIMULATED DATA (contagion run --demo): not market data"


def _round_array(values: np.ndarray) -> np.ndarray:
    out = values.astype(np.float64, copy=True)
    finite = np.isfinite(out)
    if finite.any():
        formatted = np.char.mod(f"%.{SIGNIFICANT_DIGITS}g", out[finite])
        out[finite] = formatted.astype(np.float64)
    out[out == 0.0] = 0.0  # no negative zeros
    return out


def normalise(frame: pd.DataFrame, sort_by: Sequence[str] | None = None, simulated: bool = False) -> pd.DataFrame:
    """Round floats, make date columns plain dates, sort rows, reset the index; add the demo note if needed."""
    out = frame.copy()
    out = out.reset_index(drop=True)
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = pd.to_datetime(series).dt.tz_localize(None).dt.normalize()
        elif pd.api.types.is_float_dtype(series):
            out[column] = _round_array(series.to_numpy(dtype=np.float64))
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
            continue
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.astype(object).where(series.notna(), None)
    if sort_by:
        keys = [c for c in sort_by if c in out.columns]
        if keys:
            out = out.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)
    if simulated:
        out["data_note"] = SIMULATED_NOTE
    return out


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with fixed float format and ISO dates (call :func:`normalise` first)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, float_format=f"%.{SIGNIFICANT_DIGITS}g", lineterminator="\n", na_rep="")


def write_parquet(frame: pd.DataFrame, path: Path, simulated: bool = False) -> None:
    """Parquet with fixed settings and no pandas metadata (call :func:`normalise` first)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    arrays = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            array = pa.array(series.dt.date, type=pa.date32())
        elif pd.api.types.is_bool_dtype(series):
            array = pa.array(series.to_numpy(), type=pa.bool_())
        elif pd.api.types.is_integer_dtype(series):
            array = pa.array(series.to_numpy(dtype=np.int64), type=pa.int64())
        elif pd.api.types.is_float_dtype(series):
            array = pa.array(series.to_numpy(dtype=np.float64), type=pa.float64(), from_pandas=True)
        else:
            array = pa.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                              for v in series.tolist()], type=pa.string())
        fields.append(pa.field(str(column), array.type))
        arrays.append(array)
    metadata = {b"contagion.simulated": b"true"} if simulated else None
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=metadata))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", compression_level=3, use_dictionary=True,
                   write_statistics=True, version="2.6", data_page_version="1.0")


def to_jsonable(value: object) -> object:
    """Plain JSON types: NaN/inf -> None, numpy scalars -> Python, dates -> ISO strings, keys as strings."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(value: Any, path: Path) -> None:
    text = json.dumps(to_jsonable(value), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_text(path, text + "\n")


def fsync_tree(root: Path) -> None:
    """Flush every file below ``root`` to disk (before the final rename makes the run folder visible)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for filename in filenames:
            try:
                fd = os.open(os.path.join(dirpath, filename), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
