"""contagion: how volatility shocks spread from AI equities to crypto.

Public API (imported lazily, so ``import contagion`` stays fast):

- VAR models: :class:`VAR`, :func:`connectedness`, :func:`rolling_connectedness`,
  :func:`tvp_connectedness`;
- DCC-GARCH: :class:`DCCGARCH`;
- data: :mod:`contagion.data` (sources, calendar alignment, measures, quality);
- errors: :class:`ContagionError` and subclasses.
"""

from __future__ import annotations

import importlib
from typing import Any

from contagion._version import __version__
from contagion.errors import (
    ContagionError,
    ContagionWarning,
    DataError,
    EstimationError,
    NetworkError,
    SpecificationError,
)

_LAZY: dict[str, str] = {
    "VAR": "contagion.models.var",
    "VARResults": "contagion.models.var",
    "IRFResult": "contagion.models.var",
    "connectedness": "contagion.models.connectedness",
    "rolling_connectedness": "contagion.models.connectedness",
    "tvp_connectedness": "contagion.models.connectedness",
    "ConnectednessResult": "contagion.models.connectedness",
    "RollingConnectednessResult": "contagion.models.connectedness",
    "DCCGARCH": "contagion.models.dcc",
    "DCCResult": "contagion.models.dcc",
    "VIRFResult": "contagion.models.virf",
    "GrangerResult": "contagion.models.var",
    "forbes_rigobon": "contagion.models.contagion_tests",
    "correlation_shift": "contagion.models.contagion_tests",
    "granger_in_variance": "contagion.models.contagion_tests",
    "ForbesRigobonResult": "contagion.models.contagion_tests",
    "CorrelationShiftResult": "contagion.models.contagion_tests",
    "GrangerInVarianceResult": "contagion.models.contagion_tests",
    "event_study": "contagion.models.events",
    "EventStudyResult": "contagion.models.events",
    "deepseek_facts": "contagion.models.facts",
    "FactsTable": "contagion.models.facts",
    "FactThresholds": "contagion.models.facts",
    "build_panel": "contagion.data",
    "Panel": "contagion.data",
    "CsvSource": "contagion.data",
    "YahooSource": "contagion.data",
    "DemoSource": "contagion.data",
    "simulate": "contagion.simulate",
}

__all__ = [
    "ContagionError",
    "ContagionWarning",
    "DataError",
    "EstimationError",
    "NetworkError",
    "SpecificationError",
    "__version__",
    *sorted(_LAZY),
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
