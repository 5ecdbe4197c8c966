"""The Yahoo cache holds data only: a tampered, planted or foreign entry is a warning and a fresh download,
never an exception trace or code run from the file (issue 14 item 3)."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from contagion.errors import DataQualityWarning

from .test_data_yahoo import FakeDownload, _source

yfinance = pytest.importorskip("yfinance")


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDownload:
    """yfinance.download replaced by the recording fake of test_data_yahoo (no network)."""
    download = FakeDownload()
    monkeypatch.setattr(yfinance, "download", download)
    return download


class _Marker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def _damage(data_path: Path, meta_path: Path, how: str, marker: Path) -> None:
    if how == "pickle-with-matching-checksum":  # the checksum agrees, the bytes are not Parquet
        payload = pickle.dumps(_Marker(marker))
        data_path.write_bytes(payload)
        meta = json.loads(meta_path.read_text())
        meta["sha256"] = hashlib.sha256(payload).hexdigest()
        meta_path.write_text(json.dumps(meta))
    elif how == "truncated":
        data_path.write_bytes(data_path.read_bytes()[:100])
    elif how == "metadata-not-a-record":
        meta_path.write_text("[1, 2, 3]")
    elif how == "metadata-without-dates":
        meta = json.loads(meta_path.read_text())
        del meta["start"]
        meta_path.write_text(json.dumps(meta))
    elif how == "metadata-bad-date":
        meta = json.loads(meta_path.read_text())
        meta["start"] = "the day before yesterday"
        meta_path.write_text(json.dumps(meta))
    elif how == "data-file-deleted":
        data_path.unlink()
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["pickle-with-matching-checksum", "truncated", "metadata-not-a-record",
                                 "metadata-without-dates", "metadata-bad-date", "data-file-deleted"])
def test_a_damaged_entry_is_a_warning_and_a_fresh_download(fake: FakeDownload, tmp_path: Path, how: str) -> None:
    src = _source(tmp_path)
    src.load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    data_path, meta_path = src.cache.paths(src._key("BTC-USD"))
    marker = tmp_path / "code-ran"
    _damage(data_path, meta_path, how, marker)
    with pytest.warns(DataQualityWarning, match="BTC-USD"):
        frames = _source(tmp_path).load(["BTC-USD"], start="2024-01-01", end="2024-01-31")
    assert len(frames["BTC-USD"]) == 31 and len(fake.calls) == 2  # downloaded again
    assert not marker.exists()
    assert src.cache.read(src._key("BTC-USD")) is not None  # rewritten, valid


def test_an_unwritable_cache_costs_a_download_not_the_run(fake: FakeDownload, tmp_path: Path) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("not a folder")
    from contagion.data import YahooSource

    src = YahooSource(cache_dir=blocker, today="2024-03-01", sleep=lambda s: None)
    with pytest.warns(DataQualityWarning, match="could not write the Yahoo cache"):
        frames = src.load(["NVDA"], start="2024-01-02", end="2024-01-31")
    assert len(frames["NVDA"]) > 15
