"""Data layer: sources -> calendar alignment -> measures, with a data-quality report.

Public names (imported lazily so that ``import contagion.data`` stays light):

- sources: :class:`CsvSource`, :class:`YahooSource`, :class:`DemoSource` (the embedded demo, in
  :mod:`contagion.data.demo`), the :class:`Source` protocol and :func:`source_from_spec`;
- :func:`build_panel` and :class:`Panel`;
- :class:`CalendarPolicy`, :class:`DataQualityReport`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:  # a lazily imported name of any type (getattr returns Any)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'contagion.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
