"""DCC-GARCH: GARCH(1,1) margins, DCC / aDCC two-step QML, the filtered state, volatility impulse responses, and
connectedness from the generalized VFEVD of the fitted DCC (Gabauer 2020; :mod:`contagion.dcc.connectedness`)."""

from __future__ import annotations

from contagion.dcc.connectedness import DCCConnectednessResult, DCCConvention, dcc_connectedness
from contagion.dcc.margins import MarginFit, fit_margins
from contagion.dcc.model import DCCGARCH, DCCResult, simulate_dcc
from contagion.dcc.state import DCCState
from contagion.dcc.virf import VIRFBaseline, VIRFResult, virf

__all__ = [
    "DCCGARCH", "DCCConnectednessResult", "DCCConvention", "DCCResult", "DCCState", "MarginFit", "VIRFBaseline",
    "VIRFResult", "dcc_connectedness", "fit_margins", "simulate_dcc", "virf",
]
