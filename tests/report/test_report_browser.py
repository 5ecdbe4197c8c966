"""The HTML report renders with all its figures in headless Chromium (skipped when Chromium is absent)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from contagion.workflow.runner import run_study
from tests._runner_support import FIXTURES

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or "")
                 if p and Path(p).exists()), None)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (/usr/bin/chromium)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    pytest.importorskip("contagion.data.demo")
    folder = run_study(FIXTURES / "demo-tiny.toml", demo=True, out=tmp_path).folder
    shot = tmp_path / "shot.png"
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", "--dump-dom", (folder / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    subprocess.run(
        [str(CHROMIUM), "--headless", "--disable-gpu", "--no-sandbox", f"--screenshot={shot}",
         "--window-size=1200,3000", (folder / "report.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    assert dom.count("data:image/png;base64,") == len(list((folder / "figures").glob("*.png")))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
