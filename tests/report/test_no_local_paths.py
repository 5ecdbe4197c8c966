"""No run file records a local path (issue 14 item 5): the data source is recorded by kind, folder name and
per-file SHA-256; the home, work, temp and repository folders appear in no text file of a run folder."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from contagion._io import sha256_file

REPO = Path(__file__).resolve().parents[2]


def _local_paths(run_folder: Path) -> set[str]:
    paths = {str(Path.home()), os.getcwd(), tempfile.gettempdir(), str(REPO), str(run_folder.parents[1])}
    paths |= {str(Path(p).resolve()) for p in list(paths)}
    return {p for p in paths if p not in ("/", "")}


def _text_files(folder: Path) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                path.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # PNG, PDF, Parquet
                continue
            out.append(path)
    return out


@pytest.mark.parametrize("run", ["tiny_demo_run", "tiny_csv_run"])
def test_no_local_path_in_any_text_file(run: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(run)
    files = _text_files(folder)
    assert {"manifest.json", "report.md", "report.html", "CITATION.cff"} <= {p.name for p in files}
    for path in files:
        text = path.read_text(encoding="utf-8")
        for local in _local_paths(folder):
            assert local not in text, f"{path.relative_to(folder)} contains the local path {local}"


def test_csv_source_is_recorded_by_kind_folder_name_and_file_hashes(tiny_csv_run: Path) -> None:
    manifest = json.loads((tiny_csv_run / "manifest.json").read_text(encoding="utf-8"))
    source = manifest["source"]
    assert source["kind"] == "csv" and source["folder"] == "my-market-data"
    data = Path(manifest["run"]["output_folder"])
    assert not data.is_absolute() and data.as_posix() == f"csv-tiny/{tiny_csv_run.name}"
    assert manifest["study"]["data"]["data_dir"] == "my-market-data"
    csv_folder = tiny_csv_run.parents[2] / "my-market-data"
    assert source["files"] == {p.name: sha256_file(p) for p in sorted(csv_folder.glob("*.csv"))}
    for page in ("report.md", "report.html"):
        text = (tiny_csv_run / page).read_text(encoding="utf-8")
        assert "my-market-data" in text and source["files"]["NVDA.csv"] in text, page
        assert "--data-dir my-market-data" in text, page
