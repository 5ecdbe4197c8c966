"""Diebold-Yilmaz connectedness: static, rolling-window and TVP-VAR tables, group blocks, plots."""

from __future__ import annotations

from contagion.spillover.results import (
    ConnectednessResult,
    GroupConnectedness,
    RollingConnectednessResult,
)
from contagion.spillover.static import connectedness, rolling_connectedness, tvp_connectedness

__all__ = ["ConnectednessResult", "GroupConnectedness", "RollingConnectednessResult", "connectedness", "rolling_connectedness", "tvp_connectedness"]
