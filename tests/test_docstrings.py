"""Docstrings hold no control characters: a non-raw docstring turns \\t in \\tau or \\b in \\beta into tabs."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT


def test_no_control_characters_in_the_package_source() -> None:
    bad = [str(p.relative_to(REPO_ROOT)) for p in sorted((REPO_ROOT / "contagion").rglob("*.py"))
           if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|\t", p.read_text())]
    assert not bad, f"control characters (a non-raw docstring with \\t, \\b, ...?) in {bad}"
