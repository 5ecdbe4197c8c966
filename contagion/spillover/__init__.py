"""Diebold-Yilmaz connectedness: static, rolling-window and TVP-VAR tables, group blocks, plots.

- :mod:`contagion.spillover.static`: :func:`connectedness` (one VAR, optionally with bootstrap intervals);
- :mod:`contagion.spillover.change`: :func:`connectedness_change` (after - before, intervals, p-values);
- :mod:`contagion.spillover.rolling`: :func:`rolling_connectedness` (all windows in one batch);
- :mod:`contagion.spillover.tvp`: :func:`tvp_connectedness` (TVP-VAR, Antonakakis et al. 2020);
- :mod:`contagion.spillover.results`: :class:`ConnectednessResult`, :class:`GroupConnectedness`;
- :mod:`contagion.spillover.rolling_results`: :class:`RollingConnectednessResult`;
- :mod:`contagion.spillover.frequency`: :func:`frequency_connectedness` (Barunik-Krehlik 2018 bands);
- :mod:`contagion.spillover.quantile`: :func:`quantile_connectedness` (quantile VARs, Ando et al. 2022);
- :mod:`contagion.spillover.plots`: the figures of the results' ``plot()``.
"""

from __future__ import annotations

from contagion.spillover.change import ConnectednessChangeResult, connectedness_change
from contagion.spillover.frequency import frequency_connectedness
from contagion.spillover.frequency_results import (
    FrequencyBand,
    FrequencyConnectednessResult,
    RollingFrequencyConnectednessResult,
)
from contagion.spillover.quantile import quantile_connectedness
from contagion.spillover.quantile_results import (
    QuantileConnectednessResult,
    QuantileConnectednessTable,
    RollingQuantileConnectednessResult,
)
from contagion.spillover.results import ConnectednessResult, GroupConnectedness
from contagion.spillover.rolling import rolling_connectedness
from contagion.spillover.rolling_results import RollingConnectednessResult
from contagion.spillover.static import connectedness
from contagion.spillover.tvp import tvp_connectedness

__all__ = [
    "ConnectednessChangeResult",
    "ConnectednessResult",
    "FrequencyBand",
    "FrequencyConnectednessResult",
    "GroupConnectedness",
    "QuantileConnectednessResult",
    "QuantileConnectednessTable",
    "RollingConnectednessResult",
    "RollingFrequencyConnectednessResult",
    "RollingQuantileConnectednessResult",
    "connectedness",
    "connectedness_change",
    "frequency_connectedness",
    "quantile_connectedness",
    "rolling_connectedness",
    "tvp_connectedness",
]
