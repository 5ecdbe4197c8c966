"""`contagion env` and the manifest list the same exact versions, from one function (issue 14 item 1)."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from click.testing import CliRunner

from contagion.cli import main
from contagion.report.manifest import package_versions, pip_install_line


def test_env_prints_every_dependency_and_a_pip_line() -> None:
    versions = package_versions()
    for direct in ("numpy", "pandas", "scipy", "statsmodels", "arch", "scikit-learn", "threadpoolctl"):
        assert versions[direct] == metadata.version(direct), direct
    assert versions["python"] and versions["contagion"] == contagion_version()
    # transitive dependencies are there too (pandas -> python-dateutil; matplotlib -> pillow)
    assert {"python-dateutil", "pillow"} <= set(versions)
    result = CliRunner().invoke(main, ["env"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == pip_install_line(versions)
    assert f"numpy=={metadata.version('numpy')}" in lines[-1].split()
    assert "contagion==" not in lines[-1] and "python==" not in lines[-1]
    as_json = CliRunner().invoke(main, ["env", "--json", "--extra", "dask"])
    with_dask = json.loads(as_json.output)
    assert set(versions) <= set(with_dask)


def test_manifest_packages_come_from_the_same_function(tiny_demo_run: Path) -> None:
    manifest = json.loads((tiny_demo_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["packages"] == package_versions()


def contagion_version() -> str:
    import contagion

    return contagion.__version__
