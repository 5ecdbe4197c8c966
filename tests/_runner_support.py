"""Shared helpers of the runner and report tests (not a test module)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "runner"

#: Every file a run folder must hold (issue 5 item 4 and issue 6 item 3); figures and tables are globbed.
REQUIRED_FILES: tuple[str, ...] = (
    "irf/var_irf.csv", "irf/var_irf.parquet", "irf/dcc_virf.csv", "irf/dcc_virf.parquet",
    "connectedness/static.csv", "connectedness/groups.csv", "connectedness/rolling.csv",
    "dcc/params.csv", "dcc/correlations.parquet", "data/panel.parquet", "data/quality.json",
    "tests/forbes_rigobon.csv", "tests/correlation_shift.csv", "tests/granger_in_variance.csv", "events/abnormal_returns.csv", "events/car.csv",
    "report.html", "report.md", "manifest.json", "CITATION.cff", "references.bib",
)
REQUIRED_FIGURES: tuple[str, ...] = (
    "irf_grid", "connectedness_heatmap", "net_spillover_network", "rolling_total", "dcc_correlations",
    "car_by_group",
)
REQUIRED_TABLES: tuple[str, ...] = ("dy_table", "group_spillovers", "dcc_parameters", "event_figures")

VAR_IRF_COLUMNS = ["model", "kind", "impulse", "response", "horizon", "estimate", "lower", "upper", "level",
                   "band_method", "job"]
DCC_VIRF_COLUMNS = ["shock", "response", "horizon", "estimate", "lower", "upper", "level", "job"]


def deterministic_files(folder: Path) -> dict[str, bytes]:
    """CSV, Parquet and JSON files of a run folder; manifest.json without its volatile 'run' block."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".csv", ".parquet", ".json"):
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if rel == "manifest.json":
            doc: dict[str, Any] = json.loads(data)
            for key in doc["volatile_keys"]:
                doc.pop(key)
            data = json.dumps(doc, sort_keys=True).encode()
        out[rel] = data
    return out


def run_folders(out: Path, study: str) -> list[Path]:
    root = out / study
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []


def file_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a run folder, with the parts that differ by design taken out.

    The manifest loses its ``run`` block (time stamps, timings, output folder, its own list of file hashes)
    and is re-serialised canonically; in the text files the run id (UTC start time plus content hash) and
    CITATION.cff's release date become placeholders. Figures, Parquet, CSV and TeX are compared as written.
    """
    run_id = folder.name
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if rel == "manifest.json":
            doc: dict[str, Any] = json.loads(data)
            doc.pop("run")
            data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        if path.suffix in (".md", ".html", ".cff", ".json", ".bib"):
            data = data.replace(run_id.encode(), b"RUN-ID")
            data = re.sub(rb'date-released: "[0-9-]+"', b'date-released: "DATE"', data)
        out[rel] = hashlib.sha256(data).hexdigest()
    return out
