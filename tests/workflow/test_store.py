"""Data-only job cache: exact round trip of job results, and every tampered entry refused before parsing."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from contagion.errors import ContagionWarning
from contagion.workflow.jobs import ResultCache
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.store import InvalidEntry, UnstorableValue, read_entry, write_entry

KEY = "c0" * 32


def _frame() -> pd.DataFrame:
    """Every dtype a job table holds (and a few it might): the round trip must keep each one."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2025-01-24", "2025-01-27", "2025-01-28"]),
        "stamp_utc": pd.to_datetime(["2025-01-24", "2025-01-27", "2025-01-28"]).tz_localize("UTC"),
        "ticker": pd.Series(["NVDA", "BTC-USD", "<script>"], dtype="str"),
        "n_obs": np.array([1, 2, 3], dtype="int64"),
        "small": np.array([1, 2, 3], dtype="int32"),
        "estimate": [0.0266416356421, -0.0, np.nan],
        "extreme": [np.inf, -np.inf, 5e-324],
        "flag": [True, False, True],
        "group": pd.Categorical(["ai", "crypto", "ai"]),
        "maybe": pd.array([1, None, 3], dtype="Int64"),
    })


def _output() -> JobOutput:
    return JobOutput(
        job="main",
        tables={"static": _frame(), "empty": pd.DataFrame({"x": pd.Series([], dtype="float64")}),
                "indexed": _frame().set_index(["ticker", "date"])},
        info={"role": "main", "lag_order": 2, "aic": 1.0 / 3.0, "numpy_float": np.float64(0.1),
              "numpy_int": np.int64(7), "flag": np.bool_(True), "samples": {"start": "2024-01-01"},
              "pair": ("NVDA", "BTC-USD"), "notes": ["a", "b"], "int_keys": {1: "one", 2.5: "x"},
              "dollar": {"$": "not a tag"}, "when": pd.Timestamp("2025-01-27 09:30", tz="America/New_York"),
              "day": dt.date(2025, 1, 27), "array": np.arange(6.0).reshape(2, 3), "nan": float("nan"),
              "series": pd.Series([1.5, 2.5], index=["a", "b"], name="s")},
        unavailable={"tvp": "not available: ..."},
        warnings=("DataQualityWarning: stale price",),
    )


def _assert_same(a: Any, b: Any) -> None:
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True, check_column_type=True)
        assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    elif isinstance(a, JobOutput):
        for name in ("job", "tables", "info", "unavailable", "warnings"):
            _assert_same(getattr(a, name), getattr(b, name))
    else:
        assert a == b and repr(a) == repr(b)  # repr: -0.0 vs 0.0, the tz of a time stamp


def test_job_output_round_trips_exactly(tmp_path: Path) -> None:
    value = _output()
    write_entry(tmp_path / KEY, KEY, value, records=(JobOutput,))
    back = read_entry(tmp_path / KEY, KEY, records=(JobOutput,))
    _assert_same(value, back)
    assert repr(back.tables["static"]["estimate"].iloc[1]) == "np.float64(-0.0)"
    names = sorted(p.name for p in (tmp_path / KEY).iterdir())
    assert names == ["arrays.npz", "frame-0.parquet", "frame-1.parquet", "frame-2.parquet", "frame-3.parquet",
                     "index.json", "value.json"]
    index = json.loads((tmp_path / KEY / "index.json").read_text())
    assert index["key"] == KEY and set(index["files"]) == set(names) - {"index.json"}


def test_a_real_job_output_round_trips(tmp_path: Path) -> None:
    """The main job of the tiny demo study (every section): what the runner actually caches."""
    pytest.importorskip("contagion.data.demo")
    from contagion.workflow.runner import expand_jobs, load_data, make_source, resolve_study, run_job
    from tests._runner_support import FIXTURES

    study = resolve_study(FIXTURES / "demo-tiny.toml", demo=True)
    frames = load_data(study, make_source(study))
    output = run_job(expand_jobs(study)[0], frames)
    assert len(output.tables) >= 10
    write_entry(tmp_path / KEY, KEY, output, records=(JobOutput,))
    _assert_same(output, read_entry(tmp_path / KEY, KEY, records=(JobOutput,)))


@pytest.mark.parametrize("value", [object(), {"f": lambda: 1}, np.array([object()]), {"when": np.datetime64("2025")}])
def test_values_without_a_data_encoding_are_refused(tmp_path: Path, value: Any) -> None:
    with pytest.raises(UnstorableValue):
        write_entry(tmp_path / KEY, KEY, value)
    assert not (tmp_path / KEY).exists()


def test_a_record_type_is_rebuilt_only_when_allowed(tmp_path: Path) -> None:
    with pytest.raises(UnstorableValue, match="JobOutput"):
        write_entry(tmp_path / KEY, KEY, JobOutput(job="x"))  # not in the allow-list
    write_entry(tmp_path / KEY, KEY, JobOutput(job="x"), records=(JobOutput,))
    with pytest.raises(InvalidEntry, match="not allowed"):
        read_entry(tmp_path / KEY, KEY)  # the file names a type, the reader decides


class _Marker:
    """Unpickling this object would create a file: proof that code from the cache ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def _payload(marker: Path) -> bytes:
    data = pickle.dumps(_Marker(marker))
    probe = marker.with_name("probe")
    pickle.loads(pickle.dumps(_Marker(probe)))  # the payload shape does run code when unpickled
    assert probe.exists()
    return data


def _tamper(folder: Path, how: str, marker: Path) -> str:
    """Damage the entry ``folder`` in one way; returns the file name the warning must give."""
    if how == "hash":
        frame = folder / "frame-0.parquet"
        data = bytearray(frame.read_bytes())
        data[len(data) // 2] ^= 0x01
        frame.write_bytes(bytes(data))
        return "frame-0.parquet"
    if how == "truncated":
        value = folder / "value.json"
        value.write_bytes(value.read_bytes()[:40])
        return "value.json"
    if how == "pickle-in-value":
        (folder / "value.json").write_bytes(_payload(marker))
        return "value.json"
    if how == "pickle-with-rehashed-index":  # a consistent index over a pickle file: still only parsed as JSON
        payload = _payload(marker)
        (folder / "value.json").write_bytes(payload)
        index = json.loads((folder / "index.json").read_text())
        import hashlib

        index["files"]["value.json"] = hashlib.sha256(payload).hexdigest()
        (folder / "index.json").write_text(json.dumps(index))
        return "value.json"
    if how == "planted-file":
        (folder / "extra.pkl").write_bytes(_payload(marker))
        return "extra.pkl"
    if how == "no-index":
        (folder / "index.json").unlink()
        return "index.json"
    if how == "foreign-index":
        (folder / "index.json").write_text(json.dumps({"format": 2, "key": KEY,
                                                        "files": {"../../etc/passwd": "0" * 64}}))
        return "index.json"
    if how == "missing-file":
        (folder / "frame-1.parquet").unlink()
        return "frame-1.parquet"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["hash", "truncated", "pickle-in-value", "pickle-with-rehashed-index",
                                 "planted-file", "no-index", "foreign-index", "missing-file"])
def test_a_tampered_entry_is_discarded_with_a_warning(tmp_path: Path, how: str) -> None:
    cache = ResultCache(tmp_path / "cache", records=(JobOutput,))
    folder = cache.put(KEY, _output())
    assert folder is not None and cache.get(KEY) is not None
    marker = tmp_path / "code-ran"
    name = _tamper(folder, how, marker)
    with pytest.warns(ContagionWarning, match=rf"discarded the job cache entry .*{name}") as record:
        assert cache.get(KEY) is None
    assert str(folder) in str(record[0].message)
    assert not marker.exists()
    assert not folder.exists()  # removed, so the recomputed result can be stored
    assert cache.put(KEY, _output()) == folder and cache.get(KEY) is not None


def test_a_legacy_object_file_is_never_opened(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, records=(JobOutput,))
    legacy = cache.path(KEY).with_name(f"{KEY}.pkl")
    legacy.parent.mkdir(parents=True)
    marker = tmp_path / "code-ran"
    legacy.write_bytes(_payload(marker))
    with pytest.warns(ContagionWarning, match=rf"{KEY}\.pkl .*not opened"):
        assert cache.get(KEY) is None
    assert not marker.exists() and not legacy.exists()


def test_unstorable_results_are_used_but_not_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    assert cache.put(KEY, {"model": object()}) is None
    assert cache.get(KEY) is None and not list(tmp_path.rglob("*"))


def test_a_concurrent_writer_of_the_same_entry_wins_cleanly(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, records=(JobOutput,))
    first = cache.put(KEY, _output())
    assert first is not None
    assert cache.put(KEY, _output()) == first  # the rename finds the entry in place: no error, no mixture
    assert not [p for p in first.parent.iterdir() if p.name.endswith(".tmp")]
    shutil.rmtree(first)
    assert cache.get(KEY) is None
