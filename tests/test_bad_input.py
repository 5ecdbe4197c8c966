"""Bad-input catalogue (issue 14 item 7): each case a ContagionError, or the CLI's exit code from
:data:`contagion.errors.EXIT_CODES` with one ``error: ...`` line (click's ``Error: ...`` for malformed options),
naming the file, key, ticker, date or argument at fault, and never a traceback.

The table of cases, exit codes and first message lines is in docs/reproducibility.md. Run-level scenarios
(read-only or full output folder, two runs at once, path traversal and markup, one asset and forty) are at the
end; kill -9 then resume is tests/workflow/test_runner_reproducibility.py::test_resume_after_sigkill, and the
planted or corrupted job cache tests/workflow/test_cache_safety.py and tests/workflow/test_store.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from contagion.cli import main
from contagion.errors import (
    EXIT_CODES,
    ContagionError,
    DataError,
    NetworkError,
    SpecificationError,
    exit_code_for,
)
from tests._runner_support import FIXTURES, run_folders

TINY_PATH = FIXTURES / "demo-tiny.toml"
TINY = TINY_PATH.read_text(encoding="utf-8")
REPO_ROOT = Path(__file__).resolve().parents[1]


def _study(tmp: Path, old: str, new: str, name: str = "bad") -> str:
    """demo-tiny.toml with ``old`` replaced by ``new``, written to ``<tmp>/<name>.toml``."""
    assert old in TINY, old
    path = tmp / f"{name}.toml"
    path.write_text(TINY.replace(old, new, 1), encoding="utf-8")
    return str(path)


def _run(tmp: Path, study: str, *extra: str) -> list[str]:
    return ["run", study, "--demo", "--out", str(tmp / "out"), "-q", *extra]


def _prices(folder: Path, tickers: list[str], start: str = "2024-01-01", end: str = "2025-06-30",
            seed: int = 0) -> Path:
    """Valid synthetic OHLCV files ``<TICKER>.csv`` (business days, a common factor plus noise)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    days = pd.bdate_range(start, end)
    common = rng.standard_normal(len(days)) * 0.01
    for ticker in tickers:
        close = 50 * np.exp(np.cumsum(0.5 * common + rng.standard_normal(len(days)) * 0.015))
        spread = np.abs(rng.standard_normal(len(days))) * 0.01 + 0.002
        frame = pd.DataFrame({"date": days.date, "open": close, "high": close * (1 + spread),
                              "low": close * (1 - spread), "close": close, "adj_close": close,
                              "volume": rng.integers(1000, 5000, len(days))})
        frame.to_csv(folder / f"{ticker}.csv", index=False)
    return folder


@dataclass(frozen=True)
class CliCase:
    """A command line built in a temporary folder, the exit code it must give and words its message names."""

    id: str
    args: Callable[[Path], list[str]]
    code: int
    fragments: tuple[str, ...]


def _unsorted_folder(tmp: Path) -> list[str]:
    folder = tmp / "data"
    folder.mkdir()
    header = "date,open,high,low,close,adj_close,volume\n"
    (folder / "BAD.csv").write_text(header + "2024-01-03,1,2,0.5,1.5,1.5,10\n2024-01-02,1,2,0.5,1.5,1.5,10\n")
    return ["check-data", "--data-dir", str(folder)]


CLI_CASES: list[CliCase] = [
    # ---- the study: name, file, TOML syntax and keys
    CliCase("unknown-study", lambda t: _run(t, "no-such-study"), 2, ("error: unknown study 'no-such-study'",)),
    CliCase("study-file-missing", lambda t: _run(t, str(t / "nope.toml")), 2, ("nope.toml", "does not exist")),
    CliCase("toml-syntax", lambda t: _run(t, _study(t, "lags = 1", "lags = ")), 2, ("bad.toml: invalid TOML", "line")),
    CliCase("toml-invalid-date", lambda t: _run(t, _study(t, "start = 2023-10-01", "start = 2023-13-01")), 2,
            ("bad.toml: invalid TOML", "line 15")),
    CliCase("unknown-key", lambda t: _run(t, _study(t, "draws = 20", "draws = 20\nbootstrap_draws = 5")), 2,
            ("key 'var.bootstrap_draws'", "unknown key")),
    CliCase("wrong-type", lambda t: _run(t, _study(t, "lags = 1", 'lags = "two"')), 2, ("key 'var.lags'", "'two'")),
    CliCase("lags-zero", lambda t: _run(t, _study(t, "lags = 1", "lags = 0")), 2, ("line 19, key 'var.lags'", "got 0")),
    CliCase("date-not-a-date", lambda t: _run(t, _study(t, "start = 2023-10-01", 'start = "first of october"')), 2,
            ("key 'data.start'", "first of october")),
    CliCase("start-after-end", lambda t: _run(t, _study(t, "start = 2023-10-01", "start = 2025-10-01")), 2,
            ("key 'data'", "2025-10-01", "2025-06-30")),
    CliCase("event-outside-sample", lambda t: _run(t, _study(t, "date = 2025-01-27\n\n[data]",
                                                             "date = 2026-01-27\n\n[data]")), 2,
            ("'DeepSeek R1'", "2026-01-27", "outside the sample")),
    CliCase("csv-source-without-folder", lambda t: [
        "run", _study(t, "end = 2025-06-30", 'end = 2025-06-30\nsource = "csv"'), "--out", str(t / "out"), "-q"], 2,
        ("key 'data'", "needs data_dir")),
    CliCase("virf-reps-too-small", lambda t: _run(t, _study(t, "reps = 40", "reps = 10")), 2,
            ("key 'virf.reps'", "40", "got 10")),
    CliCase("virf-shock-asset-and-date", lambda t: _run(t, _study(
        t, '{ name = "DeepSeek", date = 2025-01-27 }', '{ name = "DeepSeek", date = 2025-01-27, asset = "NVDA" }')),
        2, ("key 'virf.shocks[0]'", "exactly one of 'asset'")),
    # ---- groups and tickers
    CliCase("one-asset", lambda t: _run(t, _study(
        t, 'ai_equity = ["NVDA", "AMD"]\ncrypto_major = ["BTC-USD", "ETH-USD"]\nai_token = ["FET-USD", "NEAR-USD"]',
        'solo = ["NVDA"]')), 2, ("key 'groups'", "connectedness needs at least two series")),
    CliCase("empty-group", lambda t: _run(t, _study(t, '["FET-USD", "NEAR-USD"]', "[]")), 2,
            ("key 'groups'", "group 'ai_token' lists no tickers")),
    CliCase("ticker-in-two-groups", lambda t: _run(t, _study(t, '"NEAR-USD"]', '"NVDA"]')), 2,
            ("'NVDA' appears in both group 'ai_equity' and 'ai_token'",)),
    CliCase("ticker-path-traversal", lambda t: _run(t, _study(t, '"NVDA", "AMD"]', '"NVDA", "../../etc/passwd"]')),
            2, ("key 'groups'", "'../../etc/passwd' cannot name a data file", "'ai_equity'")),
    CliCase("ticker-leading-dot", lambda t: _run(t, _study(t, '"NVDA", "AMD"]', '"NVDA", ".hidden"]')), 2,
            ("'.hidden' cannot name a data file",)),
    CliCase("ticker-unknown-demo", lambda t: _run(t, _study(t, '"NVDA", "AMD"]', '"NVDA", "NOPE-TICKER"]')), 3,
            ("unknown ticker 'NOPE-TICKER'", "group 'ai_equity'")),
    CliCase("ticker-html-demo", lambda t: _run(t, _study(t, '"NVDA", "AMD"]', '"NVDA", "<script>"]')), 3,
            ("unknown ticker '<script>'", "group 'ai_equity'")),
    CliCase("dcc-asset-not-in-groups", lambda t: _run(t, _study(t, 'assets = ["NVDA", "BTC-USD", "ETH-USD"]',
                                                                'assets = ["NVDA", "SOL-USD"]')), 2,
            ("dcc.assets: 'SOL-USD' is not in any group",)),
    CliCase("study-name-traversal", lambda t: _run(t, _study(t, 'name = "demo-tiny"', 'name = "../escape"')), 2,
            ("key 'name'", "'../escape'", "names the report folder")),
    CliCase("study-name-html", lambda t: _run(t, _study(t, 'name = "demo-tiny"', 'name = "<script>x</script>"')), 2,
            ("key 'name'", "'<script>x</script>'")),
    # ---- robustness variants
    CliCase("robustness-duplicate-name", lambda t: _run(t, _study(t, 'name = "measure-parkinson"',
                                                                  'name = "pre-event"')), 2,
            ("robustness variant names must be unique", "'pre-event'")),
    CliCase("robustness-window", lambda t: _run(t, _study(t, 'window = "pre"', 'window = "middle"')), 2,
            ("key 'robustness[0].window'", "'middle'")),
    CliCase("robustness-measure", lambda t: _run(t, _study(t, 'measure = "parkinson"', 'measure = "vibes"')), 2,
            ("key 'robustness[1].measure'", "'vibes'")),
    CliCase("robustness-calendar", lambda t: _run(t, _study(t, 'calendar = "weekly"', 'calendar = "lunar"')), 2,
            ("key 'robustness[2].calendar'", "'lunar'")),
    # ---- command-line options
    CliCase("jobs-zero", lambda t: _run(t, str(TINY_PATH), "--jobs", "0"), 2, ("Invalid value for '--jobs'", "0")),
    CliCase("jobs-not-a-number", lambda t: _run(t, str(TINY_PATH), "--jobs", "abc"), 2,
            ("Invalid value for '--jobs'", "'abc'")),
    CliCase("seed-negative", lambda t: _run(t, str(TINY_PATH), "--seed", "-5"), 2, ("Invalid value for '--seed'",)),
    CliCase("seed-too-large", lambda t: _run(t, str(TINY_PATH), "--seed", str(2**70)), 2,
            ("Invalid value for '--seed'",)),
    CliCase("unknown-option", lambda t: _run(t, str(TINY_PATH), "--frobnicate"), 2, ("No such option", "--frobnicate")),
    CliCase("unknown-command", lambda t: ["frobnicate"], 2, ("No such command", "frobnicate")),
    CliCase("demo-and-data-dir", lambda t: ["run", "deepseek-2025", "--demo", "--data-dir", str(t), "--out", str(t)],
            2, ("--demo and --data-dir exclude each other",)),
    CliCase("data-dir-missing", lambda t: ["run", str(TINY_PATH), "--data-dir", str(t / "absent"), "--out", str(t)],
            3, ("--data-dir", "absent", "is not a folder")),
    CliCase("data-dir-without-ticker-file", lambda t: ["run", str(TINY_PATH), "--data-dir",
                                                       str(_prices(t / "d", ["NVDA"])), "--out", str(t), "-q"], 3,
            ("missing file", "AMD.csv", "ticker AMD")),
    CliCase("out-is-a-file", lambda t: ["run", str(TINY_PATH), "--demo", "--out",
                                        str(_file(t / "a-file") / "reports"), "-q"], 2,
            ("cannot write to the output folder", "a-file", "--out")),
    CliCase("scheduler-not-an-address", lambda t: _run(t, str(TINY_PATH), "--scheduler", "not-an-address"), 2,
            ("--scheduler 'not-an-address' is not a Dask scheduler address", "tcp://")),
    CliCase("scheduler-unreachable", lambda t: _run(t, str(TINY_PATH), "--scheduler", "tcp://127.0.0.1:9"), 1,
            ("cannot connect to the Dask scheduler at tcp://127.0.0.1:9",)),
    # ---- the data commands
    CliCase("fetch-unknown-study", lambda t: ["fetch", "no-such-study"], 2, ("unknown study 'no-such-study'",)),
    CliCase("check-data-missing-folder", lambda t: ["check-data", "--data-dir", str(t / "nope")], 3,
            ("nope", "is not a folder")),
    CliCase("check-data-empty-folder", lambda t: ["check-data", "--data-dir", str(t)], 3,
            ("no <ticker>.csv price files",)),
    CliCase("check-data-unsorted-dates", _unsorted_folder, 3, ("BAD", "not sorted")),
    CliCase("panel-unknown-measure", lambda t: ["panel", "--data-dir", str(t), "--measure", "vibes"], 2,
            ("Invalid value for '--measure'", "'vibes'")),
]


def _file(path: Path) -> Path:
    path.write_text("not a folder", encoding="utf-8")
    return path


def _assert_clean(result: Result, code: int, fragments: tuple[str, ...]) -> str:
    """The exit code, no traceback, the message's words; returns the message's first line."""
    output = result.output
    assert result.exit_code == code, (result.exit_code, output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    lines = [line for line in output.splitlines() if line.startswith(("error: ", "Error: "))]
    assert len(lines) == 1, output  # one message line (click's usage errors add a usage hint above it)
    return lines[0]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_bad_input(case: CliCase, tmp_path: Path) -> None:
    if case.id.startswith("scheduler-"):
        pytest.importorskip("distributed")
    first = _assert_clean(CliRunner().invoke(main, case.args(tmp_path)), case.code, case.fragments)
    if first.startswith("error: "):  # a ContagionError: its class decides the code (contagion.errors)
        assert case.code in {code for _, code in EXIT_CODES}
    else:  # click's usage errors (malformed options) exit with 2
        assert case.code == 2


# ---------------------------------------------------------------------- the Python API
def _frame(n_cols: int, n_rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.standard_normal((n_rows, n_cols)), columns=[f"A{i}" for i in range(n_cols)],
                        index=pd.bdate_range("2024-01-01", periods=n_rows))


def _api_cases(tmp: Path) -> list[tuple[str, Callable[[], Any], type[ContagionError], tuple[str, ...]]]:
    from contagion import DCCGARCH, VAR, connectedness
    from contagion.data import CsvSource, YahooSource
    from contagion.workflow.jobs import ResultCache
    from contagion.workflow.runner import resolve_study, run_study
    from contagion.workflow.spec import load_study, parse_study

    two = _frame(2)
    return [
        ("load-study-unknown", lambda: load_study("no-such-study"), SpecificationError, ("'no-such-study'",)),
        ("parse-study-syntax", lambda: parse_study("name = ", "inline.toml"), SpecificationError,
         ("inline.toml: invalid TOML",)),
        ("override-bad-value", lambda: load_study(TINY_PATH).with_overrides(**{"var.lags": 0}), SpecificationError,
         ("var.lags",)),
        ("seed-negative", lambda: resolve_study(TINY_PATH, seed=-1), SpecificationError, ("seed", "-1")),
        ("run-study-jobs-zero", lambda: run_study(TINY_PATH, demo=True, out=tmp / "o", n_jobs=0), SpecificationError,
         ("--jobs must be at least 1",)),
        ("run-study-demo-and-data-dir", lambda: run_study(TINY_PATH, demo=True, data_dir=tmp, out=tmp),
         SpecificationError, ("exclude each other",)),
        ("connectedness-one-series", lambda: connectedness(_frame(1), lags=1), DataError,
         ("connectedness needs at least 2 variables", "'A0'")),
        ("dcc-one-asset", lambda: DCCGARCH(_frame(1)).fit(), DataError, ("at least two assets",)),
        ("var-lags-zero", lambda: VAR(two, lags=0), SpecificationError, ("lags", "lags=0")),
        ("var-missing-values", lambda: VAR(two.assign(A1=np.nan), lags=1).fit(), DataError,
         ("column 'A1'", "2024-01-01")),
        ("var-too-short", lambda: VAR(two.iloc[:4], lags=5).fit(), DataError, ("needs at least 18 observations",)),
        ("var-duplicate-dates", lambda: VAR(pd.concat([two.iloc[:100], two.iloc[:100]]), lags=1).fit(), DataError,
         ("duplicate dates", "2024-01-01")),
        ("var-unsorted", lambda: VAR(two.iloc[::-1], lags=1).fit(), DataError, ("not sorted by date",)),
        ("connectedness-horizon-zero", lambda: connectedness(two, lags=1, horizon=0), SpecificationError,
         ("horizon", "horizon=0")),
        ("yahoo-negative-retries", lambda: YahooSource(max_retries=-1), SpecificationError, ("max_retries", "-1")),
        ("yahoo-start-after-end", lambda: YahooSource(cache_dir=tmp, offline=True).load(
            ["NVDA"], start="2024-02-01", end="2024-01-01"), SpecificationError, ("2024-02-01", "swap them")),
        ("yahoo-offline-no-cache", lambda: YahooSource(cache_dir=tmp, offline=True).load(
            ["NVDA"], start="2024-01-01", end="2024-02-01"), NetworkError, ("NVDA", "--data-dir", "--demo")),
        ("csv-source-missing-folder", lambda: CsvSource(tmp / "absent").load(["NVDA"]), DataError, ("absent",)),
        ("result-cache-unwritable", lambda: ResultCache(_file(tmp / "blocker")).put("ab" * 32, {"x": 1}),
         SpecificationError, ("cannot write the result cache", "blocker")),
    ]


_API_IDS = [case[0] for case in _api_cases(Path("."))]


@pytest.mark.parametrize("index", range(len(_API_IDS)), ids=_API_IDS)
def test_api_bad_input(index: int, tmp_path: Path) -> None:
    name, call, error, fragments = _api_cases(tmp_path)[index]
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (name, fragment, str(info.value))
    assert exit_code_for(info.value) in (1, 2, 3, 4, 5)


def test_the_catalogue_has_at_least_forty_cases() -> None:
    assert len(CLI_CASES) + len(_API_IDS) >= 40


# ---------------------------------------------------------------------- run-level scenarios
@contextlib.contextmanager
def _tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at ``path`` (root only; the test is skipped elsewhere), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_output_folder_read_only(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "ro,size=64k") as out:
        result = CliRunner().invoke(main, ["run", str(TINY_PATH), "--demo", "--out", str(out), "-q"])
        _assert_clean(result, 2, ("cannot write to the output folder", "Read-only file system", "--out"))


@pytest.mark.parametrize(("size", "where"), [("64k", "the result cache"), ("1200k", "the run folder")])
def test_output_disk_full(tmp_path: Path, size: str, where: str) -> None:
    """64 KiB fills while the jobs are cached, 1.2 MiB while the report is written: a clean error, no run
    folder and no ``.incomplete-*`` folder left behind."""
    pytest.importorskip("contagion.data.demo")
    with _tmpfs(tmp_path / "full", f"size={size}") as out:
        result = CliRunner().invoke(main, ["run", str(TINY_PATH), "--demo", "--out", str(out), "-q"])
        _assert_clean(result, 2, (f"cannot write {where}", "No space left on device", "--out"))
        assert run_folders(out, "demo-tiny") == []
        assert not list(out.glob("demo-tiny/.incomplete-*"))


def test_two_runs_at_once_into_the_same_out(tmp_path: Path) -> None:
    pytest.importorskip("contagion.data.demo")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CONTAGION_NO_PROGRESS": "1", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "contagion", "run", str(TINY_PATH), "--demo", "--out", str(tmp_path), "-q"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    folders = run_folders(tmp_path, "demo-tiny")
    assert len(folders) == 2 and len({f.name for f in folders}) == 2
    from tests._runner_support import deterministic_files

    first, second = (deterministic_files(folder) for folder in folders)
    assert first == second and "manifest.json" in first  # both complete, neither mixed with the other
    assert not list((tmp_path / "demo-tiny").glob(".incomplete-*"))


def test_markup_and_traversal_stay_inside_the_run_folder(tmp_path: Path) -> None:
    """A ticker and a group named with markup, an event with a script: escaped in report.html, and every
    file written lies under the output folder."""
    data = _prices(tmp_path / "data", ["NVDA", "<script>", "BTC-USD", "ETH-USD"], start="2024-01-01")
    study = tmp_path / "markup.toml"
    study.write_text(f'''name = "markup"
title = "Markup <img src=x onerror=alert(1)>"
seed = 1
[groups]
"<b>equity</b>" = ["NVDA", "<script>"]
"../crypto" = ["BTC-USD", "ETH-USD"]
[[events]]
name = "</td><script>alert('event')</script>"
date = 2025-01-27
[data]
source = "csv"
data_dir = "{data}"
start = 2024-03-01
end = 2025-06-30
[var]
lags = 1
irf_horizon = 5
draws = 10
[connectedness]
rolling_window = 150
rolling_step = 30
tvp = false
[dcc]
enabled = false
''', encoding="utf-8")
    before = {p for p in tmp_path.parent.iterdir()}
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(study), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    [folder] = run_folders(out, "markup")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<b>equity</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;equity&lt;/b&gt;" in html
    assert {p for p in tmp_path.parent.iterdir()} == before  # nothing beside this test's folder
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents and data not in p.parents
               and p != study]
    assert outside == []


def test_forty_assets_run(tmp_path: Path) -> None:
    """Forty tickers in four groups (CSV folder): the run completes with a 40 x 40 asset-level table."""
    tickers = [f"T{i:02d}" for i in range(40)]
    data = _prices(tmp_path / "data", tickers)
    groups = "\n".join(f'g{g} = [{", ".join(repr(t).replace(chr(39), chr(34)) for t in tickers[g * 10:g * 10 + 10])}]'
                       for g in range(4))
    study = tmp_path / "forty.toml"
    study.write_text(f'''name = "forty"
title = "Forty assets"
seed = 3
[groups]
{groups}
[data]
start = 2024-02-01
end = 2025-06-30
[var]
lags = 1
irf_horizon = 5
draws = 10
[connectedness]
rolling_window = 200
rolling_step = 60
tvp = false
asset_network = true
[dcc]
enabled = false
''', encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(study), "--data-dir", str(data), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    [folder] = run_folders(tmp_path / "o", "forty")
    static = pd.read_csv(folder / "connectedness" / "static.csv")
    assert set(tickers) <= set(static.astype(str).to_numpy().ravel())
