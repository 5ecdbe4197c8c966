"""Write a run folder from the job outputs: data files, tables, figures, pages, manifest and citation.

The layout is documented in ``docs/report-folder.md``. The study's ``[output] formats`` decide which files
are written (``csv``, ``parquet``, ``tex``, ``png``, ``pdf``, ``html``, ``md``; the JSON files, the manifest
and the citation always are), and nothing else is computed for a format that is not listed. When a section
could not be computed (a model missing in this version, or an estimation failure) its data files hold the
header only and the report says why, rather than showing invented numbers. No file records an absolute local
path: the data source is described by kind, folder name and per-file SHA-256, the run folder by
``<study>/<run-id>``.

:func:`write_report` writes the folder one section at a time, each from the frozen
:class:`~contagion.report.inputs.ReportInputs` and the tables already written:

- data files (irf/, connectedness/, dcc/, tests/, events/, data/): :mod:`contagion.report.data_files`;
- LaTeX tables (tables/): :mod:`contagion.report.latex_files`;
- figures (figures/): :mod:`contagion.report.figure_plan`;
- pages (report.html, report.md), citation (references.bib, CITATION.cff) and the manifest: here.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from contagion._version import __version__
from contagion.report import sections as page
from contagion.report.answer import answer_section
from contagion.report.data_files import SCHEMAS, write_data_files
from contagion.report.figure_plan import FigurePlan, draw_figures, plan_figures
from contagion.report.files import SIMULATED_NOTE, fsync_tree, write_json, write_text
from contagion.report.inputs import ReportInputs, ReportTables
from contagion.report.latex_files import write_latex_tables
from contagion.report.manifest import (
    VOLATILE_KEYS,
    citation_cff,
    file_sha256,
    git_commit,
    method_keys,
    package_versions,
    portable_study,
    reference_lines,
    references_bib,
)
from contagion.report.render import (
    ReportContext,
    TableView,
    embed_figures,
    render_html,
    render_markdown,
    table_view,
)
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["SCHEMAS", "ReportInputs", "write_report"]


def write_report(root: Path, inputs: ReportInputs) -> list[str]:
    """Write every file of the run folder into ``root``; returns the warnings shown in the report.

    The manifest comes last: it lists (and hashes) the other files.
    """
    t_report = time.perf_counter()
    tables = write_data_files(root, inputs)
    write_latex_tables(root, inputs, tables)
    plan = plan_figures(inputs, tables)
    names = [name for _, name in plan.drawings]
    drawn = inputs.drawn_figures
    if not (drawn is not None and names and drawn.collect(root / "figures", names, plan.formats)):
        draw_figures(plan.drawings, root / "figures", inputs.n_jobs, plan.formats)
    bib_keys = _bib_keys(inputs, tables)
    warnings = _collect_warnings(inputs.outputs)
    commit = git_commit()
    write_pages(root, inputs, tables, plan, bib_keys=bib_keys, warnings=warnings, commit=commit)
    write_citation(root, inputs, bib_keys=bib_keys, commit=commit)
    write_manifest(root, inputs, warnings=warnings, commit=commit, t_report=t_report)
    fsync_tree(root)
    return warnings


def _bib_keys(inputs: ReportInputs, t: ReportTables) -> list[str]:
    """The references the report cites: the methods of the study and of the sections that were computed."""
    study = inputs.study
    present = {"dcc"} if not t.dcc_params.empty else set()
    for section, table in (("contagion_tests", t.forbes), ("granger_in_variance", t.granger), ("events", t.car),
                           ("virf", t.dcc_virf)):
        if not table.empty:
            present.add(section)
    measures = [study.data.measure, *[v.measure for v in study.robustness if v.measure]]
    return method_keys(study.resolved(), measures, present)


def write_pages(root: Path, inputs: ReportInputs, t: ReportTables, plan: FigurePlan, *, bib_keys: list[str],
                warnings: list[str], commit: str | None) -> None:
    """``report.html`` and ``report.md`` (as the study's formats ask), figures embedded as data URIs."""
    if not {"html", "md"} & inputs.formats:
        return
    study, main, simulated = _portable_spec(inputs.study), inputs.main, inputs.simulated
    sections = page.sections(study, inputs.outputs, plan.made, t, inputs.job_names)
    at = next((i for i, sec in enumerate(sections) if sec.title == "Robustness"), len(sections))
    sections[at:at] = page.event_sections(study, inputs.outputs, plan.made, t)
    if "html" in inputs.formats:
        embed_figures(sections, root)
    context = ReportContext(
        title=study.title,
        study_name=study.name,
        run_id=inputs.run_id,
        version=__version__,
        commit=commit,
        simulated=simulated,
        question=page.question(study),
        data_facts=page.data_facts(study, main, inputs.source_description, simulated),
        data_tables=[*page.data_tables(study, main), *_input_files_table(inputs.source_description)],
        data_notes=list(main.info.get("notes", [])),
        sections=sections,
        caveats=page.caveats(study, simulated),
        warnings=warnings,
        references=reference_lines(bib_keys),
        rerun=page.rerun_command(study, simulated, _portable_ref(inputs.study_ref)),
        answer=answer_section(root, study),  # read back from the files written above
    )
    if "html" in inputs.formats:
        write_text(root / "report.html", render_html(context))
    if "md" in inputs.formats:
        write_text(root / "report.md", render_markdown(context))


def write_citation(root: Path, inputs: ReportInputs, *, bib_keys: list[str], commit: str | None) -> None:
    """``references.bib`` (the methods cited) and ``CITATION.cff`` (how to cite this run)."""
    study, simulated = inputs.study, inputs.simulated
    write_text(root / "references.bib", references_bib(bib_keys, simulated=simulated))
    write_text(root / "CITATION.cff", citation_cff(title=study.title, study=study.name, run_id=inputs.run_id,
                                                   commit=commit, simulated=simulated,
                                                   date_released=str(inputs.volatile["started_utc"])[:10]))


def write_manifest(root: Path, inputs: ReportInputs, *, warnings: list[str], commit: str | None,
                   t_report: float) -> None:
    """``manifest.json``: spec, inputs, jobs, versions, warnings and the SHA-256 of every file written so far.

    Everything outside the ``run`` block is deterministic; ``run`` holds the volatile fields.
    """
    study, main, simulated, frames = inputs.study, inputs.main, inputs.simulated, inputs.frames
    outputs_sha = {}
    all_files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            digest = file_sha256(path)
            all_files[rel] = digest
            if path.suffix in (".csv", ".parquet", ".json", ".tex"):
                outputs_sha[rel] = digest
    manifest = {
        "contagion_version": __version__,
        "git_commit": commit,
        "study": portable_study(study.resolved()),
        "simulated": simulated,
        "source": dict(inputs.source_description),
        "seed": study.seed,
        "calendar_policy": main.info.get("calendar_policy", {"name": study.data.calendar}),
        "measure": main.info.get("measure", study.data.measure),
        "input_series": {
            ticker: {
                "sha256": inputs.hashes[ticker],
                "rows": len(frames[ticker]),
                "first": frames[ticker].index.min().date().isoformat() if len(frames[ticker]) else None,
                "last": frames[ticker].index.max().date().isoformat() if len(frames[ticker]) else None,
            } for ticker in sorted(inputs.hashes)
        },
        "panel_input_hashes": main.info.get("input_hashes", {}),
        "jobs": [{"name": job.name, "kind": job.kind, "key": inputs.keys[job.name],
                  "info": _jsonable_info(inputs.outputs[job.name].info),
                  "unavailable": dict(sorted(inputs.outputs[job.name].unavailable.items()))} for job in inputs.jobs],
        "packages": package_versions(),
        "platform": {"python": platform.python_version(), "implementation": platform.python_implementation()},
        "warnings": warnings,
        "outputs_sha256": outputs_sha,
        "volatile_keys": list(VOLATILE_KEYS),
        "run": _run_block(inputs, all_files, t_report),
    }
    if simulated:
        manifest["data_note"] = SIMULATED_NOTE
    write_json(manifest, root / "manifest.json")


def _run_block(inputs: ReportInputs, all_files: Mapping[str, str], t_report: float) -> dict[str, Any]:
    """The volatile fields: run id, folder, times, cache hits and the hashes of every file."""
    volatile = inputs.volatile
    run_block = dict(volatile)
    # the run folder relative to --out: an absolute path would name the user's machine
    run_block["output_folder"] = f"{inputs.study.name}/{inputs.run_id}"
    run_block["files_sha256"] = dict(all_files)
    run_block["timings_seconds"] = {**volatile.get("timings_seconds", {}),
                                    "report_seconds": round(time.perf_counter() - t_report, 3),
                                    "total_seconds": round(time.perf_counter() - inputs.clock_start, 3)}
    run_block["finished_utc"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    run_block["note"] = ("Volatile fields: everything in this 'run' block differs between runs with the same inputs "
                         "and seed (run id, folder, times, cache hits, hashes of pages and figures); all other "
                         "fields are deterministic.")
    return run_block


def _portable_spec(study: Study) -> Study:
    """The study as the pages show it: a CSV data folder by its name (the rerun command says ``--data-dir
    <name>``), never by its absolute path."""
    data_dir = study.data.data_dir
    return study.with_overrides(**{"data.data_dir": Path(data_dir).name}) if data_dir else study


def _portable_ref(study_ref: str | None) -> str | None:
    """A study file given by path is named by its file name on the pages (built-in names pass unchanged)."""
    if study_ref is None or ("/" not in study_ref and "\\" not in study_ref):
        return study_ref
    return Path(study_ref).name


def _input_files_table(source: Mapping[str, Any]) -> list[TableView]:
    """The files the data source read, with their SHA-256 (sources that read files only)."""
    files = source.get("files")
    if not isinstance(files, Mapping) or not files:
        return []
    folder = source.get("folder")
    frame = pd.DataFrame({"file": list(files), "sha256": [str(v) for v in files.values()]})
    caption = f"Input files{f' (folder {folder})' if folder else ''}, with their SHA-256"
    return [table_view(frame, caption)]


def _jsonable_info(info: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(info.items()) if k not in ("quality", "input_hashes")}


def _collect_warnings(outputs: Mapping[str, JobOutput]) -> list[str]:
    out = []
    for name, output in outputs.items():
        for warning in output.warnings:
            out.append(f"[{name}] {warning}")
        for section, why in sorted(output.unavailable.items()):
            out.append(f"[{name}] {section}: {why}")
    return list(dict.fromkeys(out))
