"""A run resumed over a tampered job cache: no code runs from it, the damaged jobs are recomputed, and the
folder equals a fresh run's (issue 14 item 3)."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import pytest

from contagion.errors import ContagionWarning
from contagion.workflow.jobs import job_key
from contagion.workflow.runner import (
    expand_jobs,
    hash_frame,
    load_data,
    make_source,
    resolve_study,
    run_study,
)
from tests._runner_support import FIXTURES, deterministic_files

pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")

STUDY = FIXTURES / "demo-tiny.toml"


class _Marker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def _keys() -> dict[str, str]:
    study = resolve_study(STUDY, demo=True)
    frames = load_data(study, make_source(study))
    hashes = {ticker: hash_frame(frame) for ticker, frame in frames.items()}
    return {job.name: job_key(job, hashes) for job in expand_jobs(study, source_name="demo")}


def test_resume_over_planted_and_truncated_entries(tmp_path: Path) -> None:
    fresh = run_study(STUDY, demo=True, out=tmp_path / "fresh").folder
    out = tmp_path / "shared"
    first = run_study(STUDY, demo=True, out=out)
    keys = _keys()
    cache = out / ".cache"
    entry = {name: cache / key[:2] / key for name, key in keys.items()}
    assert all(folder.is_dir() for folder in entry.values()), "the cache layout changed"

    marker = tmp_path / "code-from-the-cache-ran"
    payload = pickle.dumps(_Marker(marker))
    (entry["main"] / "value.json").write_bytes(payload)                          # planted payload
    frame = entry["pre-event"] / "frame-0.parquet"
    frame.write_bytes(frame.read_bytes()[: frame.stat().st_size // 2])             # truncated table
    legacy = entry["measure-parkinson"].with_name(f"{keys['measure-parkinson']}.pkl")
    legacy.write_bytes(payload)                                                    # old-format file beside it

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = run_study(STUDY, demo=True, out=out)
    messages = [str(w.message) for w in caught if issubclass(w.category, ContagionWarning)]
    assert not marker.exists()
    assert any(str(entry["main"] / "value.json") in m for m in messages), messages
    assert any(str(frame) in m for m in messages), messages
    assert any(str(legacy) in m for m in messages), messages
    assert set(resumed.from_cache) == {"measure-parkinson", "calendar-weekly"}  # the others recomputed
    assert resumed.folder != first.folder
    assert deterministic_files(resumed.folder) == deterministic_files(fresh)
    # the recomputed entries were stored again, clean: a third run takes every job from the cache, silently
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        third = run_study(STUDY, demo=True, out=out)
    assert set(third.from_cache) == set(third.jobs)
    assert not [w for w in again if issubclass(w.category, ContagionWarning) and "cache" in str(w.message)]
    assert not marker.exists()
