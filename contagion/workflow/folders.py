"""The run folder on disk: claiming a unique name under a lock, and cleaning what killed runs left.

A run writes into ``<out>/<study>/.incomplete-<run-id>-<pid>/`` and renames it to ``<out>/<study>/<run-id>/``
when every file is written (:func:`contagion.workflow.runner.run_study`); this module holds the folder rules.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from contagion.errors import SpecificationError
from contagion.workflow.spec import Study

__all__ = ["INCOMPLETE_PREFIX", "claim_run_folder", "clean_incomplete", "disk_full", "prepare_output", "unwritable"]

INCOMPLETE_PREFIX = ".incomplete-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_incomplete(study_dir: Path) -> list[Path]:
    """Remove ``.incomplete-*`` folders left by runs whose process no longer exists."""
    removed: list[Path] = []
    if not study_dir.is_dir():
        return removed
    for path in sorted(study_dir.glob(f"{INCOMPLETE_PREFIX}*")):
        try:
            pid = int(path.name.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            pid = -1
        if pid == os.getpid() or (pid > 0 and _pid_alive(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def prepare_output(out: Path, study: Study) -> Path:
    study_dir = out / study.name
    try:
        study_dir.mkdir(parents=True, exist_ok=True)
        probe = study_dir / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise SpecificationError(
            f"cannot write to the output folder {out} ({err.strerror or err}); choose a writable folder "
            f"with --out DIR."
        ) from None
    clean_incomplete(study_dir)
    return study_dir


@contextlib.contextmanager
def _folder_lock(study_dir: Path) -> Iterator[None]:
    """An exclusive lock on ``<study_dir>/.lock`` while a run picks its folder name (POSIX; elsewhere none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: names still differ unless two runs start in one second
        yield
        return
    with (study_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def disk_full(folder: Path, margin: int = 256 * 1024) -> bool:
    """Whether the file system of ``folder`` has (almost) no space left."""
    try:
        return shutil.disk_usage(folder).free < margin
    except OSError:
        return False


def unwritable(final: Path, study_dir: Path, why: str) -> SpecificationError:
    return SpecificationError(
        f"cannot write the run folder {final.name} in {study_dir} ({why}); free disk space "
        f"or choose another folder with --out DIR (finished jobs are kept in the cache)."
    )


def claim_run_folder(study_dir: Path, run_id: str) -> tuple[Path, Path]:
    """The final run folder and the ``.incomplete-*`` folder to write it in, created under a lock.

    A name is free when neither the run folder nor another run's ``.incomplete-<name>-<pid>`` folder exists, so
    two runs started in the same second into the same ``--out`` get ``<id>`` and ``<id>-2`` instead of racing
    for one name.
    """
    try:
        with _folder_lock(study_dir):
            taken = {path.name[len(INCOMPLETE_PREFIX):].rsplit("-", 1)[0]
                     for path in study_dir.glob(f"{INCOMPLETE_PREFIX}*")}
            name, suffix = run_id, 1
            while name in taken or (study_dir / name).exists():
                suffix += 1
                name = f"{run_id}-{suffix}"
            tmp = study_dir / f"{INCOMPLETE_PREFIX}{name}-{os.getpid()}"
            tmp.mkdir(parents=True)
    except OSError as err:
        raise SpecificationError(
            f"cannot create the run folder in {study_dir} ({err.strerror or err}); free disk space or choose "
            f"another folder with --out DIR (finished jobs are kept in the cache)."
        ) from None
    return study_dir / name, tmp
