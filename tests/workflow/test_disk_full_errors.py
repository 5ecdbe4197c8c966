"""A writer that fails with something other than OSError on a full disk still gives the clean disk error."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from contagion.errors import SpecificationError
from contagion.report import writer
from contagion.workflow import runner
from tests._runner_support import FIXTURES


def _failing_writer(*_: Any, **__: Any) -> Any:
    # what matplotlib's PDF backend does on ENOSPC: its stream is half written and a later access fails
    raise AttributeError("'Stream' object has no attribute 'pos'")


def test_foreign_error_on_a_full_disk_is_the_disk_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "write_report", _failing_writer)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(runner.shutil, "disk_usage", lambda _: usage._replace(free=4096))
    with pytest.raises(SpecificationError, match="No space left on device"):
        runner.run_study(str(FIXTURES / "demo-tiny.toml"), demo=True, out=tmp_path / "reports")
    run_dir = tmp_path / "reports" / "demo-tiny"
    assert not [p for p in run_dir.iterdir() if not p.name.startswith(".")]  # no partial run folder


def test_foreign_error_with_space_left_is_not_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "write_report", _failing_writer)
    with pytest.raises(AttributeError, match="Stream"):
        runner.run_study(str(FIXTURES / "demo-tiny.toml"), demo=True, out=tmp_path / "reports")
