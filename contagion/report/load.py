"""Back into Python: :func:`load_run` reads a finished run folder into a frozen :class:`RunFolder`.

Every file the manifest lists is checked against its recorded SHA-256 before anything is read, so a table
that was edited, truncated or swapped after the run fails loudly (a :class:`~contagion.errors.DataError`
naming the file) instead of flowing into a paper. Only data formats are read (CSV, Parquet, JSON): nothing
in a run folder can run code.

>>> run = contagion.load_run("reports/deepseek-2025/20250301T120000Z-1a2b3c4d")  # doctest: +SKIP
>>> run.var_irf.head()                                                            # doctest: +SKIP
>>> print(run.summary())                                                          # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from contagion._io import sha256_file
from contagion._summary import Summary
from contagion.errors import DataError

__all__ = ["TABLES", "RunFolder", "load_run"]

#: Every table of a run folder: name -> path stem relative to the folder (read from ``.csv``, else
#: ``.parquet``); docs/report-folder.md documents the columns.
TABLES: Mapping[str, str] = MappingProxyType({
    "var_irf": "irf/var_irf",
    "dcc_virf": "irf/dcc_virf",
    "connectedness_static": "connectedness/static",
    "connectedness_groups": "connectedness/groups",
    "connectedness_rolling": "connectedness/rolling",
    "connectedness_frequency": "connectedness/frequency",
    "connectedness_frequency_rolling": "connectedness/frequency_rolling",
    "connectedness_quantile": "connectedness/quantile",
    "connectedness_quantile_rolling": "connectedness/quantile_rolling",
    "connectedness_dcc": "connectedness/dcc_connectedness",
    "asset_network_nodes": "connectedness/asset_network_nodes",
    "asset_network_edges": "connectedness/asset_network_edges",
    "dcc_params": "dcc/params",
    "dcc_correlations": "dcc/correlations",
    "forbes_rigobon": "tests/forbes_rigobon",
    "correlation_shift": "tests/correlation_shift",
    "granger_in_variance": "tests/granger_in_variance",
    "abnormal_returns": "events/abnormal_returns",
    "car": "events/car",
    "facts": "events/facts",
    "panel": "data/panel",
})
#: Columns read from CSV as dates (Parquet keeps its own types).
_DATE_COLUMNS = ("date", "event_date")
_TESTS = ("forbes_rigobon", "correlation_shift", "granger_in_variance")
_EVENTS = ("abnormal_returns", "car")


@dataclass(frozen=True, kw_only=True)
class RunFolder:
    """A finished run folder read back: its manifest and every table it holds, hash-checked.

    Attributes
    ----------
    path : Path
        The run folder.
    manifest : Mapping
        ``manifest.json`` as read.
    frames : Mapping[str, DataFrame]
        The tables present in the folder, by the names of :data:`TABLES` (a table the study's formats did
        not write is absent).
    """

    path: Path
    manifest: Mapping[str, Any]
    frames: Mapping[str, pd.DataFrame]

    # ------------------------------------------------------------ the tables by topic
    @property
    def var_irf(self) -> pd.DataFrame:
        """VAR impulse responses with their bands (``estimate``, ``lower``, ``upper``, ``level``)."""
        return self.to_frame("var_irf")

    @property
    def dcc_virf(self) -> pd.DataFrame:
        """Volatility impulse responses with their bands."""
        return self.to_frame("dcc_virf")

    @property
    def connectedness(self) -> pd.DataFrame:
        """The Diebold-Yilmaz tables in long form (cells and margins) of every job and model."""
        return self.to_frame("connectedness_static")

    @property
    def rolling(self) -> pd.DataFrame:
        """Rolling (and TVP-VAR) connectedness paths."""
        return self.to_frame("connectedness_rolling")

    @property
    def dcc_params(self) -> pd.DataFrame:
        """DCC-GARCH parameters: the margins per asset and the correlation parameters (``asset == "dcc"``)."""
        return self.to_frame("dcc_params")

    @property
    def dcc_correlations(self) -> pd.DataFrame:
        """Conditional correlations per pair and date."""
        return self.to_frame("dcc_correlations")

    @property
    def tests(self) -> dict[str, pd.DataFrame]:
        """The contagion tests present (Forbes-Rigobon, correlation shift, causality in variance)."""
        return {name: self.frames[name].copy() for name in _TESTS if name in self.frames}

    @property
    def events(self) -> dict[str, pd.DataFrame]:
        """The event study present: abnormal returns and CARs."""
        return {name: self.frames[name].copy() for name in _EVENTS if name in self.frames}

    @property
    def facts(self) -> pd.DataFrame:
        """The DeepSeek facts table (empty when the study has none)."""
        return self.frames["facts"].copy() if "facts" in self.frames else pd.DataFrame()

    # ------------------------------------------------------------ the results protocol
    def to_frame(self, name: str) -> pd.DataFrame:
        """A copy of one table by its name in :data:`TABLES` (``"var_irf"``, ``"connectedness_static"``, ...).

        Raises
        ------
        KeyError
            ``name`` is not a table of run folders, or this folder does not hold it; the message lists the
            tables it holds.
        """
        if name not in self.frames:
            where = "is not a table of run folders" if name not in TABLES else "was not written in this run"
            raise KeyError(f"{name!r} {where}; this folder holds: {', '.join(self.frames) or 'no tables'}.")
        return self.frames[name].copy()

    def summary(self) -> Summary:
        """Study, run id, data, versions and the tables held (rows and columns each)."""
        manifest = self.manifest
        study = manifest.get("study", {})
        source = manifest.get("source", {})
        run = manifest.get("run", {})
        header = (
            f"study: {study.get('name')}  run: {run.get('run_id', self.path.name)}",
            f"data: {source.get('kind')}" + (f" (folder {source['folder']})" if source.get("folder") else "")
            + ("  SIMULATED" if manifest.get("simulated") else ""),
            f"contagion {manifest.get('contagion_version')}, commit {manifest.get('git_commit') or 'unknown'}, "
            f"seed {manifest.get('seed')}",
        )
        rows = [(name, TABLES[name], len(frame), frame.shape[1]) for name, frame in self.frames.items()]
        table = pd.DataFrame(rows, columns=["table", "file", "n_rows", "n_columns"])
        notes = tuple(str(w) for w in manifest.get("warnings", []))[:5]
        return Summary(f"Run folder {self.path.name}", header=header, tables=(("tables", table),), notes=notes)

    def _repr_html_(self) -> str:
        """A compact table for notebooks: the tables held, with their sizes."""
        return f"<p><b>RunFolder</b> {html.escape(self.path.name)}</p>" + self.summary().to_frame().to_html(
            index=False, escape=True)

    def __repr__(self) -> str:
        return f"RunFolder({self.path.name!r}, tables={list(self.frames)})"


def _verify(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Every file the manifest lists exists and has its recorded SHA-256."""
    recorded: dict[str, str] = {**manifest.get("outputs_sha256", {}), **manifest.get("run", {}).get("files_sha256", {})}
    if not recorded:
        raise DataError(f"{folder / 'manifest.json'} lists no file hashes; it is not a complete run folder.")
    for rel, digest in sorted(recorded.items()):
        path = folder / rel
        if not path.is_file():
            raise DataError(f"{path} is listed in the manifest but missing; the run folder is incomplete "
                            "(copy the whole folder, or run the study again).")
        actual = sha256_file(path)
        if actual != digest:
            raise DataError(f"{path} does not match the SHA-256 recorded in manifest.json (recorded {digest[:12]}..., "
                            f"found {actual[:12]}...): the file was changed after the run. Restore it or run the "
                            "study again.")


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    header = pd.read_csv(path, nrows=0).columns
    return pd.read_csv(path, parse_dates=[c for c in _DATE_COLUMNS if c in header])


def load_run(path: str | Path) -> RunFolder:
    """Read a run folder written by ``contagion run`` / :func:`contagion.workflow.runner.run_study`.

    Parameters
    ----------
    path : str or Path
        The run folder (``reports/<study>/<run-id>``), the one holding ``manifest.json``.

    Returns
    -------
    RunFolder
        Its manifest and tables (CSV when written, else Parquet; ``date`` columns as datetimes).

    Raises
    ------
    DataError
        No ``manifest.json`` in ``path``, an unreadable manifest, a listed file missing, or a file whose
        SHA-256 differs from the manifest's (the message names the file).
    """
    folder = Path(path).expanduser()
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise DataError(f"{folder} holds no manifest.json; pass a run folder (reports/<study>/<run-id>).")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"{manifest_path} cannot be read as JSON ({err}); the run folder is damaged.") from None
    if not isinstance(manifest, dict):
        raise DataError(f"{manifest_path} is not a JSON object; the run folder is damaged.")
    _verify(folder, manifest)
    frames: dict[str, pd.DataFrame] = {}
    for name, stem in TABLES.items():
        for suffix in (".csv", ".parquet"):
            file = folder / f"{stem}{suffix}"
            if file.is_file():
                frames[name] = _read_table(file)
                break
    return RunFolder(path=folder, manifest=MappingProxyType(manifest), frames=MappingProxyType(frames))
