"""``contagion check-data`` and ``contagion panel`` (data layer commands).

Thin wrappers: parse options, call :func:`contagion.data.checks.check_folder` or
:func:`contagion.data.build_panel`, print with rich. Errors are :class:`~contagion.errors.ContagionError`
subclasses, turned into "error: ..." and an exit code by the ``contagion`` group.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from contagion.errors import DataError, SpecificationError

if TYPE_CHECKING:
    from rich.console import Console

_MEASURE_CHOICES = ["returns", "squared", "absolute", "parkinson", "gk", "garman_klass", "rs",
                    "rogers_satchell", "gkyz", "yz", "yang_zhang"]
_CALENDAR_CHOICES = ["exchange", "weekly", "crypto", "monday_friday", "monday_saturday", "monday_sunday"]


def _console() -> Console:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=150, color_system=None)
    return console


def _split_tickers(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [t.strip() for t in value.replace(" ", ",").split(",") if t.strip()]
    return items or None


@click.command("check-data")
@click.option("--data-dir", required=True, type=click.Path(path_type=Path),
              help="Folder of <ticker>.csv files (date,open,high,low,close,adj_close,volume).")
@click.option("--tickers", default=None, help="Comma-separated tickers (default: every price file).")
@click.option("--json", "json_path", default=None, type=click.Path(path_type=Path),
              help="Also write the full report as JSON to this file.")
@click.option("--extreme", default=0.25, show_default=True, type=float,
              help="Absolute daily log return listed as an extreme move.")
def check_data(data_dir: Path, tickers: str | None, json_path: Path | None, extreme: float) -> None:
    """Check every data file and print a quality table; exit non-zero when a file has errors."""
    from rich.table import Table

    from contagion.data.checks import check_folder

    if not data_dir.is_dir():
        raise DataError(f"--data-dir {data_dir} is not a folder; pass the folder holding the <ticker>.csv files.")
    report = check_folder(data_dir, _split_tickers(tickers), extreme_threshold=extreme)
    frame = report.to_frame()
    console = _console()
    table = Table(title=f"Data quality: {data_dir}", show_lines=False)
    columns = [("ticker", "ticker"), ("first", "first"), ("last", "last"), ("rows", "rows"),
               ("missing_sessions", "missing"), ("duplicate_dates", "dup"), ("non_positive", "<=0"),
               ("ohlc_inconsistent", "ohlc"), ("stale_runs", "stale"), ("extreme_moves", "extreme"),
               ("suspected_splits", "splits"), ("status", "status")]
    for _, label in columns:
        table.add_column(label, justify="left" if label in ("ticker", "first", "last", "status") else "right")
    styles = {"ok": "green", "warning": "yellow", "error": "bold red"}
    for rec in frame.to_dict(orient="records"):
        cells = ["" if rec[key] is None else str(rec[key]) for key, _ in columns]
        cells[-1] = f"[{styles[rec['status']]}]{rec['status']}[/]"
        table.add_row(*cells)
    console.print(table)
    for issue in report.issues:
        style = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{style}]{issue.severity}[/] {issue.ticker} ({issue.check}): {issue.message}")
    console.print(f"{len(frame)} file(s) checked: {len(report.errors)} error(s), {len(report.warnings)} warning(s).")
    if json_path is not None:
        _atomic_write_text(json_path, report.to_json())
    if report.errors:
        bad = sorted({i.ticker for i in report.errors})
        raise DataError(f"{len(bad)} file(s) with errors: {', '.join(bad)} (see the table above); "
                        "fix them or leave these tickers out.")


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("panel")
@click.option("--data-dir", default=None, type=click.Path(path_type=Path),
              help="Folder of <ticker>.csv files. Without it (and without --demo) Yahoo Finance is used, cached.")
@click.option("--demo", is_flag=True, help="Use the embedded simulated market (offline).")
@click.option("--tickers", required=True, help="Comma-separated tickers, e.g. NVDA,BTC-USD.")
@click.option("--measure", default="returns", show_default=True, type=click.Choice(_MEASURE_CHOICES),
              help="Returns, squared/absolute returns, or a range estimator (log variance).")
@click.option("--calendar", default="exchange", show_default=True, type=click.Choice(_CALENDAR_CHOICES),
              help="Calendar policy (see docs/calendar.md).")
@click.option("--start", default=None, help="First date (YYYY-MM-DD).")
@click.option("--end", default=None, help="Last date (YYYY-MM-DD).")
@click.option("--window", default=None, type=int, help="Rolling window of the range estimator (default 1; yz 10).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output file: .csv or .parquet (wide: date x ticker). A .meta.json sidecar records the policy.")
def panel_command(data_dir: Path | None, demo: bool, tickers: str, measure: str, calendar: str,
                  start: str | None, end: str | None, window: int | None, out: Path) -> None:
    """Write an aligned panel (one column per ticker) for use in other tools."""
    from contagion.data.panel import build_panel
    from contagion.data.sources import source_from_spec

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise SpecificationError(f"--out {out}: use a .csv or .parquet file name.")
    if demo and data_dir is not None:
        raise SpecificationError("pass either --data-dir or --demo, not both.")
    source = source_from_spec("demo" if demo else ("csv" if data_dir is not None else "yahoo"),
                              folder=data_dir)
    panel = build_panel(source, _split_tickers(tickers) or [], measure=measure, calendar=calendar,
                        start=start, end=end, window=window)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame = panel.values.astype("float64")
        if suffix == ".csv":
            frame.to_csv(tmp, float_format="%.17g", date_format="%Y-%m-%d")
        else:
            frame.to_parquet(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    meta = {**panel.describe(), "quality": {"n_errors": len(panel.quality.errors),
                                            "n_warnings": len(panel.quality.warnings)}}
    meta_path = out.with_name(out.name + ".meta.json")
    _atomic_write_text(meta_path, json.dumps(meta, indent=2, default=str))
    console = _console()
    complete = int(panel.values.notna().all(axis=1).sum())
    console.print(f"wrote {out} ({panel.n_obs} dates x {len(panel.tickers)} tickers, {complete} complete rows; "
                  f"measure={panel.measure}, calendar={panel.policy.name}); metadata in {meta_path}")
    if panel.quality.warnings:
        console.print(f"{len(panel.quality.warnings)} data-quality warning(s); run `contagion check-data` for details.")
