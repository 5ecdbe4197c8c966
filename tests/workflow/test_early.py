"""The work a run starts early (contagion.workflow.early): same jobs, same keys, same bytes.

A run with two workers computes the main job's lag order up front and draws the figures in a fork while the
robustness jobs run; a run with one worker does neither. The folders must be byte-identical (up to the run id
and the manifest's ``run`` block), also when the up-front lag order is wrong or the figure process fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contagion.workflow import early, runner
from contagion.workflow.pipeline import run_job
from tests._runner_support import FIXTURES, file_digests

pytest.importorskip("contagion.data.demo", reason="the demo source is not installed")

STUDY = FIXTURES / "demo-tiny.toml"
needs_fork = pytest.mark.skipif(not early.fork_available(), reason="the early figures need fork (POSIX)")


def _failing(*_: Any, **__: Any) -> Any:
    raise RuntimeError("planted failure")


def _run(out: Path, n_jobs: int) -> Path:
    return runner.run_study(str(STUDY), demo=True, out=out, n_jobs=n_jobs).folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The folder of a one-worker run: main job first, figures drawn at the end."""
    return file_digests(_run(tmp_path_factory.mktemp("one") / "reports", 1))


@pytest.mark.parametrize("lags", [1, "bic"])
def test_lag_order_up_front_is_the_main_jobs(lags: Any) -> None:
    spec = runner.resolve_study(str(STUDY), demo=True).with_overrides(**{"var.lags": lags})
    frames = runner.load_data(spec, runner.make_source(spec))
    main = runner.expand_jobs(spec, source_name="demo")[0]
    output = run_job(main, frames)
    assert early.main_lag_order(main, frames) == output.info["var"]["lag_order"]
    assert early.main_lag_order(main, frames, cached=output) == output.info["var"]["lag_order"]


@needs_fork
def test_two_workers_and_early_figures_give_the_same_folder(tmp_path: Path, reference: dict[str, str]) -> None:
    digests = file_digests(_run(tmp_path / "reports", 2))
    assert any(rel.startswith("figures/") for rel in reference)
    assert digests == reference
    assert not list((tmp_path / "reports" / "demo-tiny").glob(".incomplete-*")), "staging folder left behind"


@needs_fork
def test_failed_figure_process_falls_back_to_drawing_at_the_end(tmp_path: Path, reference: dict[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("figure process died")

    monkeypatch.setattr(early, "_draw_main_figures", broken)
    assert file_digests(_run(tmp_path / "reports", 2)) == reference


def test_wrong_up_front_lag_order_reruns_the_robustness_jobs(tmp_path: Path, reference: dict[str, str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def wrong(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return 7  # demo-tiny's main job uses 1 lag

    monkeypatch.setattr(runner, "main_lag_order", wrong)
    assert file_digests(_run(tmp_path / "reports", 2)) == reference
    assert calls == [1]


@needs_fork
@pytest.mark.parametrize("stage", ["jobs", "report"])
def test_no_figure_process_outlives_a_failed_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 stage: str) -> None:
    """A run that fails before (main job) or after (report) the figures were handed out leaves no process and
    no staging folder: the figure processes have no children of their own, and are stopped and joined."""
    import multiprocessing

    import contagion.report.writer as writer

    if stage == "jobs":
        monkeypatch.setattr(runner, "_job_fn", _failing)  # a module-level function: workers unpickle it
    else:
        monkeypatch.setattr(writer, "write_pages", _failing)
    with pytest.raises(RuntimeError, match="planted failure"):
        _run(tmp_path / "reports", 2)
    assert multiprocessing.active_children() == []
    assert not list((tmp_path / "reports" / "demo-tiny").glob(".incomplete-*"))


def test_a_job_imports_neither_plotting_nor_the_report() -> None:
    """Workers compute; matplotlib, jinja2 and the report modules are imported by the figure processes and
    the parent only (issue 15: imports that only plotting or the report needs are deferred)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from contagion.workflow import runner as r\n"
        "from contagion.workflow.pipeline import run_job\n"
        f"spec = r.resolve_study({str(STUDY)!r}, demo=True)\n"
        "frames = r.load_data(spec, r.make_source(spec))\n"
        "run_job(r.expand_jobs(spec, source_name='demo')[0], frames)\n"
        "print(sorted(m for m in ('matplotlib', 'jinja2', 'contagion.report.writer', 'contagion.report.figures')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
