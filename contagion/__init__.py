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

from typing import TYPE_CHECKING

from contagion._lazy import lazy_getattr
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
    from contagion.dcc import DCCGARCH, DCCConnectednessResult, DCCResult, VIRFResult, dcc_connectedness
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
        FrequencyConnectednessResult,
        QuantileConnectednessResult,
        QuantileConnectednessTable,
        RollingConnectednessResult,
        RollingFrequencyConnectednessResult,
        RollingQuantileConnectednessResult,
        connectedness,
        connectedness_change,
        frequency_connectedness,
        quantile_connectedness,
        rolling_connectedness,
        tvp_connectedness,
    )
    from contagion.var import VAR, GrangerResult, IRFResult, VARResults, day_of_week_dummies, event_dummies

_LAZY: dict[str, str] = {
    "VAR": "contagion.var",
    "day_of_week_dummies": "contagion.var",
    "event_dummies": "contagion.var",
    "VARResults": "contagion.var",
    "IRFResult": "contagion.var",
    "connectedness": "contagion.spillover",
    "frequency_connectedness": "contagion.spillover",
    "FrequencyConnectednessResult": "contagion.spillover",
    "RollingFrequencyConnectednessResult": "contagion.spillover",
    "quantile_connectedness": "contagion.spillover",
    "QuantileConnectednessResult": "contagion.spillover",
    "RollingQuantileConnectednessResult": "contagion.spillover",
    "QuantileConnectednessTable": "contagion.spillover",
    "connectedness_change": "contagion.spillover",
    "ConnectednessChangeResult": "contagion.spillover",
    "rolling_connectedness": "contagion.spillover",
    "tvp_connectedness": "contagion.spillover",
    "ConnectednessResult": "contagion.spillover",
    "RollingConnectednessResult": "contagion.spillover",
    "DCCGARCH": "contagion.dcc",
    "dcc_connectedness": "contagion.dcc",
    "DCCConnectednessResult": "contagion.dcc",
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
    "DCCConnectednessResult",
    "DCCResult",
    "DataError",
    "DemoSource",
    "EstimationError",
    "EventStudyResult",
    "FactThresholds",
    "FactsTable",
    "ForbesRigobonResult",
    "FrequencyConnectednessResult",
    "GrangerInVarianceResult",
    "GrangerResult",
    "IRFResult",
    "NetworkError",
    "Panel",
    "QuantileConnectednessResult",
    "QuantileConnectednessTable",
    "RollingConnectednessResult",
    "RollingFrequencyConnectednessResult",
    "RollingQuantileConnectednessResult",
    "SpecificationError",
    "VARResults",
    "VIRFResult",
    "YahooSource",
    "__version__",
    "build_panel",
    "connectedness",
    "connectedness_change",
    "correlation_shift",
    "day_of_week_dummies",
    "dcc_connectedness",
    "deepseek_facts",
    "event_dummies",
    "event_study",
    "forbes_rigobon",
    "frequency_connectedness",
    "granger_in_variance",
    "load_run",
    "quantile_connectedness",
    "rolling_connectedness",
    "simulate",
    "tvp_connectedness",
]

__getattr__ = lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
