"""Shared test fixtures.

Real data and R reference outputs live outside the repository in ``../shared`` (their licences forbid
copying them here). Tests that need them use the ``shared_dir`` / ``markets_dir`` / ``reference_dir``
fixtures, which skip with a clear reason when the folder is absent (as in a user's clone).
Set ``CONTAGION_SHARED`` to point somewhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_root() -> Path:
    env = os.environ.get("CONTAGION_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


SHARED = _shared_root()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data folder {SHARED} is absent (it is not part of the repository)")
    return SHARED


@pytest.fixture(scope="session")
def markets_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "markets"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def reference_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "reference"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(20250127)
