"""Folder checks: the quality report of every price file in a CSV folder (``contagion check-data``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contagion.data.quality import DataQualityReport, QualityIssue, TickerSummary, check_frame
from contagion.data.sources import CsvSource
from contagion.data.universe import is_twenty_four_seven
from contagion.errors import DataError

__all__ = ["check_folder"]


def check_folder(folder: str | Any, tickers: Sequence[str] | None = None, **options: Any) -> DataQualityReport:
    """Quality report for the CSV files of ``folder`` (all price files, or ``tickers``).

    Unlike :meth:`CsvSource.load`, a broken file does not stop the check: its problem becomes an error row and
    the other files are still checked. ``options`` go to :func:`check_frame`.
    """
    src = CsvSource(folder)
    names = list(tickers) if tickers else list(src.available())
    if not names:
        raise DataError(f"no <ticker>.csv price files in {src.folder}; point --data-dir at the data folder.")
    summaries: list[TickerSummary] = []
    issues: list[QualityIssue] = []
    for t in names:
        try:
            path = src.path_for(t)
            frame = src.read(t)
        except DataError as err:
            summaries.append(TickerSummary(t, origin=str(src.folder / f"{t}.csv")))
            issues.append(QualityIssue(t, "error", "unreadable", str(err)))
            continue
        summary, found = check_frame(t, frame, twenty_four_seven=is_twenty_four_seven(t, frame),
                                     origin=path.name, **options)
        summaries.append(summary)
        issues.extend(found)
    return DataQualityReport(tuple(summaries), tuple(issues), {"folder": str(src.folder), **options})
