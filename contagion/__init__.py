"""contagion: how volatility shocks spread from AI equities to crypto.

Public API (imported lazily, so ``import contagion`` stays fast):

- VAR models (:mod:`contagion.var`): :class:`VAR`; connectedness (:mod:`contagion.spillover`):
  :func:`connectedness`, :func:`rolling_connectedness`, :func:`tvp_connectedness`;
- DCC-GARCH and VIRFs (:mod:`contagion.dcc`): :class:`DCCGARCH`;
- contagion tests (:mod:`contagion.hypothesis`) and event studies (:mod:`contagion.events`);
- data: :mod:`contagion.data` (sources, calendar alignment, measures, quality);
- a finished run folder back into Python: :func:`load_run`;
- errors: :class:`ContagionError` and subclasses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from contagion._version import __version__
from contagion.errors import (
    ContagionError,
    ContagionWarning,
    DataError,
    EstimationError,
    NetworkError,
    SpecificationError,
)

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the names load lazily
    from contagion import simulate
    from contagion.data import CsvSource, DemoSource, Panel, YahooSource, build_panel
    from contagion.dcc import DCCGARCH, DCCResult, VIRFResult
    from contagion.events import EventStudyResult, FactsTable, FactThresholds, deepseek_facts, event_study
    from contagion.hypothesis import (
        CorrelationShiftResult,
        ForbesRigobonResult,
        GrangerInVarianceResult,
        correlation_shift,
        forbes_rigobon,
        granger_in_variance,
    )
    from contagion.report.load import load_run
    from contagion.spillover import (
        ConnectednessChangeResult,
        ConnectednessResult,
        RollingConnectednessResult,
        connectedness,
        connectedness_change,
        rolling_connectedness,
        tvp_connectedness,
    )
    from contagion.var import VAR, GrangerResult, IRFResult, VARResults

_LAZY: dict[str, str] = {
    "VAR": "contagion.var",
    "VARResults": "contagion.var",
    "IRFResult": "contagion.var",
    "connectedness": "contagion.spillover",
    "connectedness_change": "contagion.spillover",
    "ConnectednessChangeResult": "contagion.spillover",
    "rolling_connectedness": "contagion.spillover",
    "tvp_connectedness": "contagion.spillover",
    "ConnectednessResult": "contagion.spillover",
    "RollingConnectednessResult": "contagion.spillover",
    "DCCGARCH": "contagion.dcc",
    "DCCResult": "contagion.dcc",
    "VIRFResult": "contagion.dcc",
    "GrangerResult": "contagion.var",
    "forbes_rigobon": "contagion.hypothesis",
    "correlation_shift": "contagion.hypothesis",
    "granger_in_variance": "contagion.hypothesis",
    "ForbesRigobonResult": "contagion.hypothesis",
    "CorrelationShiftResult": "contagion.hypothesis",
    "GrangerInVarianceResult": "contagion.hypothesis",
    "event_study": "contagion.events",
    "EventStudyResult": "contagion.events",
    "deepseek_facts": "contagion.events",
    "FactsTable": "contagion.events",
    "FactThresholds": "contagion.events",
    "build_panel": "contagion.data",
    "Panel": "contagion.data",
    "CsvSource": "contagion.data",
    "YahooSource": "contagion.data",
    "DemoSource": "contagion.data",
    "simulate": "contagion.simulate",
    "load_run": "contagion.report.load",
}

__all__ = [
    "DCCGARCH",
    "VAR",
    "ConnectednessChangeResult",
    "ConnectednessResult",
    "ContagionError",
    "ContagionWarning",
    "CorrelationShiftResult",
    "CsvSource",
    "DCCResult",
    "DataError",
    "DemoSource",
    "EstimationError",
    "EventStudyResult",
    "FactThresholds",
    "FactsTable",
    "ForbesRigobonResult",
    "GrangerInVarianceResult",
    "GrangerResult",
    "IRFResult",
    "NetworkError",
    "Panel",
    "RollingConnectednessResult",
    "SpecificationError",
    "VARResults",
    "VIRFResult",
    "YahooSource",
    "__version__",
    "build_panel",
    "connectedness",
    "connectedness_change",
    "correlation_shift",
    "deepseek_facts",
    "event_study",
    "forbes_rigobon",
    "granger_in_variance",
    "load_run",
    "rolling_connectedness",
    "simulate",
    "tvp_connectedness",
]

def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'contagion' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if name == "simulate" and module == "contagion.simulate" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
