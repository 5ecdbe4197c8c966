from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import contagion
from contagion import errors
from contagion.cli import main

from .conftest import REPO_ROOT


def test_version_flag() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert contagion.__version__ in result.output


def test_python_dash_m() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "contagion", "--version"], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "contagion" in out.stdout


def test_error_hierarchy() -> None:
    assert issubclass(errors.DataError, errors.ContagionError)
    assert issubclass(errors.DataError, ValueError)
    assert issubclass(errors.EstimationError, RuntimeError)
    assert issubclass(errors.NetworkError, errors.ContagionError)
    assert errors.exit_code_for(errors.NetworkError("x")) == 4
    assert errors.exit_code_for(errors.DataError("x")) == 3


def test_unknown_public_name() -> None:
    with pytest.raises(AttributeError):
        contagion.no_such_thing  # noqa: B018


@pytest.mark.parametrize("name", sorted(contagion._LAZY))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(contagion, name) is not None
