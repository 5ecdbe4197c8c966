"""Bad input: each a clear message and a non-zero exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from contagion.cli import main
from contagion.errors import NetworkError
from tests._runner_support import FIXTURES

TINY = (FIXTURES / "demo-tiny.toml").read_text(encoding="utf-8")


def _run(args: list[str]) -> Result:
    return CliRunner().invoke(main, ["run", *args, "-q"])


def _assert_clean_failure(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def test_unknown_study(tmp_path: Path) -> None:
    _assert_clean_failure(_run(["no-such-study", "--demo", "--out", str(tmp_path)]), 2,
                          "error: unknown study 'no-such-study'", "deepseek-2025")


def test_invalid_toml_names_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("draws = 20", "draws = 20\nbootstrap_draws = 5"), encoding="utf-8")
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), start=1) if "bootstrap_draws" in text)
    _assert_clean_failure(_run([str(bad), "--demo", "--out", str(tmp_path)]), 2,
                          f"bad.toml, line {line}, key 'var.bootstrap_draws': unknown key")
    broken = tmp_path / "broken.toml"
    broken.write_text(TINY.replace("lags = 1", "lags = "), encoding="utf-8")
    _assert_clean_failure(_run([str(broken), "--demo", "--out", str(tmp_path)]), 2, "broken.toml: invalid TOML", "line")


def test_unknown_ticker(tmp_path: Path) -> None:
    pytest.importorskip("contagion.data.demo")
    study = tmp_path / "unknown.toml"
    study.write_text(TINY.replace('"NVDA", "AMD"]', '"NVDA", "NOPE-TICKER"]'), encoding="utf-8")
    _assert_clean_failure(_run([str(study), "--demo", "--out", str(tmp_path)]), 3, "NOPE-TICKER", "ai_equity")


def test_group_empty_after_availability_filter(tmp_path: Path) -> None:
    pytest.importorskip("contagion.data.demo")
    study = tmp_path / "empty.toml"
    # the sample is ~330 sessions; no ai_token member reaches 100000 observations
    study.write_text(TINY.replace("end = 2025-06-30", "end = 2025-06-30\nmin_obs = 100000"), encoding="utf-8")
    _assert_clean_failure(_run([str(study), "--demo", "--out", str(tmp_path)]), 3,
                          "empty after the availability filter", "'ai_equity'")


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    _assert_clean_failure(_run([str(FIXTURES / "demo-tiny.toml"), "--demo", "--out", str(blocker / "reports")]), 2,
                          "cannot write to the output folder", "--out")


class _OfflineYahoo:
    """Stands in for YahooSource with the network down (tests never touch the network)."""

    name = "yahoo"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def load(self, *args: object, **kwargs: object) -> None:
        raise self.error

    def describe(self) -> dict[str, str]:
        return {"kind": "yahoo"}


@pytest.mark.parametrize(
    "error",
    [ConnectionError("Failed to resolve 'query2.finance.yahoo.com'"), NetworkError("Yahoo Finance is unreachable.")],
)
def test_yahoo_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    from contagion.workflow import runner

    monkeypatch.setattr(runner, "make_source", lambda study: _OfflineYahoo(error))
    result = _run([str(FIXTURES / "demo-tiny.toml"), "--out", str(tmp_path)])
    _assert_clean_failure(result, 4, "--demo", "--data-dir")


def test_demo_and_data_dir_exclude_each_other(tmp_path: Path) -> None:
    _assert_clean_failure(_run(["deepseek-2025", "--demo", "--data-dir", str(tmp_path), "--out", str(tmp_path)]), 2,
                          "exclude each other")


def test_missing_data_dir(tmp_path: Path) -> None:
    _assert_clean_failure(_run(["deepseek-2025", "--data-dir", str(tmp_path / "absent"), "--out", str(tmp_path)]), 3,
                          "absent")


def test_studies_command_lists_builtins() -> None:
    result = CliRunner().invoke(main, ["studies"])
    assert result.exit_code == 0 and result.output.startswith("deepseek-2025\t")


def test_fetch_loads_every_series_through_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = pytest.importorskip("contagion.data.demo")
    from contagion.workflow import runner

    monkeypatch.setattr(runner, "make_source", lambda study: demo.DemoSource(seed=0))
    result = CliRunner().invoke(main, ["fetch", str(FIXTURES / "demo-tiny.toml")])
    assert result.exit_code == 0, result.output
    assert "cached 6 series" in result.output and "NVDA (" in result.output


def test_fetch_with_yahoo_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from contagion.workflow import runner

    monkeypatch.setattr(runner, "make_source", lambda study: _OfflineYahoo(ConnectionError("no route to host")))
    _assert_clean_failure(CliRunner().invoke(main, ["fetch", "deepseek-2025"]), 4, "--demo")
