"""`contagion check-data` and `contagion panel`: output, exit codes and clean errors (no traceback)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from contagion.cli import main
from tests.conftest import REPO_ROOT

from .test_data_panel import HEADER, _good_rows, _write


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    _write(d, "NVDA", _good_rows("2024-01-02", 40, daily=False))
    _write(d, "BTC-USD", _good_rows("2024-01-01", 60, daily=True, base=40000.0))
    return d


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_check_data_ok(folder: Path, tmp_path: Path) -> None:
    code, out = _run("check-data", "--data-dir", str(folder), "--json", str(tmp_path / "q.json"))
    assert code == 0, out
    assert "NVDA" in out and "BTC-USD" in out and "2 file(s) checked: 0 error(s)" in out
    report = json.loads((tmp_path / "q.json").read_text())
    assert report["ok"] is True and len(report["tickers"]) == 2


def test_check_data_reports_errors_and_exits_nonzero(folder: Path) -> None:
    _write(folder, "BAD", ["2024-01-03,1,2,0.5,1.5,1.5,10", "2024-01-02,1,2,0.5,1.5,1.5,10"])
    code, out = _run("check-data", "--data-dir", str(folder))
    assert code == 3
    assert "not sorted" in out and "error: 1 file(s) with errors: BAD" in out
    assert "Traceback" not in out
    assert "NVDA" in out  # the other files are still checked


def test_check_data_missing_folder(tmp_path: Path) -> None:
    code, out = _run("check-data", "--data-dir", str(tmp_path / "nope"))
    assert code == 3 and "is not a folder" in out and "Traceback" not in out


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_panel_writes_file(folder: Path, tmp_path: Path, suffix: str) -> None:
    out_file = tmp_path / f"panel{suffix}"
    code, out = _run("panel", "--data-dir", str(folder), "--tickers", "NVDA,BTC-USD", "--measure", "gk",
                     "--calendar", "exchange", "--start", "2024-01-05", "--end", "2024-02-15", "--out", str(out_file))
    assert code == 0, out
    frame = pd.read_csv(out_file, index_col=0) if suffix == ".csv" else pd.read_parquet(out_file)
    assert list(frame.columns) == ["NVDA", "BTC-USD"]
    assert len(frame) > 20
    meta = json.loads(out_file.with_name(out_file.name + ".meta.json").read_text())
    assert meta["policy"]["name"] == "exchange" and meta["measure"] == "garman_klass"
    assert set(meta["hashes"]) == {"NVDA", "BTC-USD"}


BAD_CLI = [
    (["--tickers", "NVDX"], "unknown ticker 'NVDX'", 3),
    (["--tickers", "NVDA", "--start", "2024-02-01", "--end", "2024-01-01"], "is after end", 2),
    (["--tickers", "NVDA", "--start", "31/01/2024"], "not a date", 2),
    (["--tickers", "NVDA", "--out-ext", ".xlsx"], "use a .csv or .parquet", 2),
]


@pytest.mark.parametrize(("args", "message", "code"), BAD_CLI)
def test_panel_bad_input_clean_error(folder: Path, tmp_path: Path, args: list[str], message: str, code: int) -> None:
    out_name = "p.xlsx" if "--out-ext" in args else "p.csv"
    args = [a for a in args if a not in ("--out-ext", ".xlsx")]
    exit_code, out = _run("panel", "--data-dir", str(folder), *args, "--out", str(tmp_path / out_name))
    assert exit_code == code, out
    assert message in out and "Traceback" not in out


def test_panel_offline_yahoo_points_to_data_dir_and_demo(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CONTAGION_OFFLINE": "1",
           "CONTAGION_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "contagion", "panel", "--tickers", "NVDA,BTC-USD",
                           "--out", str(tmp_path / "p.csv")], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 4
    assert "NVDA, BTC-USD" in proc.stderr and "--data-dir" in proc.stderr and "--demo" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.realdata
def test_check_data_on_real_markets_reports_all_37_files(markets_dir: Path) -> None:
    code, out = _run("check-data", "--data-dir", str(markets_dir))
    assert code == 0, out
    assert "37 file(s) checked: 0 error(s)" in out
    for ticker in ("NVDA", "^VIX", "BTC-USD", "TAO-USD", "AKT-USD"):
        assert ticker in out


@pytest.mark.realdata
def test_panel_cli_on_real_data(markets_dir: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "p.csv"
    code, out = _run("panel", "--data-dir", str(markets_dir), "--tickers", "NVDA,BTC-USD", "--start", "2025-01-20",
                     "--end", "2025-01-31", "--out", str(out_file))
    assert code == 0, out
    frame = pd.read_csv(out_file, index_col="date")
    assert frame.loc["2025-01-27", "NVDA"] == pytest.approx(math.log(118.42 / 142.62), abs=1e-4)
    assert "2025-01-25" not in frame.index


def test_header_constant() -> None:
    assert HEADER.startswith("date,open,high,low,close")


@pytest.mark.parametrize("case", ["missing_column", "empty_file", "unparsable_date", "duplicate_dates",
                                  "unsorted_dates", "non_positive", "high_below_low", "all_nan_column"])
def test_cli_bad_files_give_clean_errors(tmp_path: Path, case: str) -> None:
    from .test_data_panel import BAD_CASES

    header, rows, pattern = BAD_CASES[case]
    d = tmp_path / "d"
    d.mkdir()
    _write(d, "NVDA", rows, header)
    for command in (["check-data", "--data-dir", str(d)],
                    ["panel", "--data-dir", str(d), "--tickers", "NVDA", "--out", str(tmp_path / "p.csv")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 3, result.output
        assert isinstance(result.exception, SystemExit)  # mapped by the CLI group, not an uncaught error
        assert "NVDA.csv" in result.output and "Traceback" not in result.output
        assert re.search(pattern, result.output.replace("\n", " ")), result.output


def test_cli_no_overlap_and_missing_file(folder: Path, tmp_path: Path) -> None:
    _write(folder, "ETH-USD", _good_rows("2025-01-01", 10, daily=True))
    code, out = _run("panel", "--data-dir", str(folder), "--tickers", "NVDA,ETH-USD", "--out", str(tmp_path / "p.csv"))
    assert code == 3 and "no overlapping dates" in out
    code, out = _run("panel", "--data-dir", str(folder), "--tickers", "NVDA,SOL-USD", "--out", str(tmp_path / "p.csv"))
    assert code == 3 and "missing file" in out and "SOL-USD.csv" in out
