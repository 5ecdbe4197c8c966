#!/usr/bin/env bash
# Regenerate requirements/lock.txt: the exact versions CI installs (`pip install -c requirements/lock.txt
# -e ".[dev,dask,docs]"`), resolved from pyproject.toml with every extra CI uses.
#
# Why uv: `uv pip compile` reads the extras straight from pyproject.toml, resolves in seconds and, with
# --universal, writes one pip-compatible file with environment markers that holds for every platform and for
# Python 3.11 and later, so the same lock serves CI, developers and users; its output is a plain
# requirements file that pip accepts as constraints (no uv needed to install). pip-tools' pip-compile writes
# the same format but resolves for the running interpreter only and is several times slower.
#
# Run it after changing a dependency in pyproject.toml, or to move the lock to today's releases; commit the
# result together with the change it follows (CI's second, unpinned step shows when a new release breaks).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python -m pip install --quiet "uv>=0.4"
uv pip compile --quiet pyproject.toml --extra dev --extra dask --extra docs --python-version 3.11 --universal \
    --annotation-style line --custom-compile-command "bash tools/lock.sh" -o requirements/lock.txt
