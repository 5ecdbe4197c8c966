"""Data layer: sources -> calendar alignment -> measures, with a data-quality report.

Public names (imported lazily so that ``import contagion.data`` stays light):

- sources: :class:`CsvSource`, :class:`YahooSource`, :class:`DemoSource` (the embedded demo, in
  :mod:`contagion.data.demo`), the :class:`Source` protocol and :func:`source_from_spec`;
- :func:`build_panel` and :class:`Panel`;
- :class:`CalendarPolicy`, :class:`DataQualityReport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contagion._lazy import lazy_getattr

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the names load lazily
    from contagion.data.calendar import CalendarPolicy
    from contagion.data.demo import DemoSource
    from contagion.data.panel import Panel, build_panel
    from contagion.data.quality import DataQualityReport
    from contagion.data.sources import CsvSource, Source, source_from_spec
    from contagion.data.yahoo import YahooSource

_LAZY: dict[str, str] = {
    "Source": "contagion.data.sources",
    "CsvSource": "contagion.data.sources",
    "YahooSource": "contagion.data.yahoo",
    "DemoSource": "contagion.data.demo",
    "source_from_spec": "contagion.data.sources",
    "build_panel": "contagion.data.panel",
    "Panel": "contagion.data.panel",
    "CalendarPolicy": "contagion.data.calendar",
    "DataQualityReport": "contagion.data.quality",
}

__all__ = [
    "CalendarPolicy",
    "CsvSource",
    "DataQualityReport",
    "DemoSource",
    "Panel",
    "Source",
    "YahooSource",
    "build_panel",
    "source_from_spec",
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
