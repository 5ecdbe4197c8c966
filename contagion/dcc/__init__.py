"""DCC-GARCH: GARCH(1,1) margins, DCC / aDCC two-step QML, the filtered state, volatility impulse responses."""

from __future__ import annotations

from contagion.dcc.margins import MarginFit, fit_margins
from contagion.dcc.model import DCCGARCH, DCCResult, simulate_dcc
from contagion.dcc.state import DCCState
from contagion.dcc.virf import VIRFBaseline, VIRFResult, virf

__all__ = ["DCCGARCH", "DCCResult", "DCCState", "MarginFit", "VIRFBaseline", "VIRFResult", "fit_margins", "simulate_dcc", "virf"]
