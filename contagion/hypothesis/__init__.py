"""Contagion tests: Forbes-Rigobon adjusted correlations, DCC correlation shift, causality in variance."""

from __future__ import annotations

from contagion.hypothesis.tests import (
    CorrelationShiftResult,
    ForbesRigobonResult,
    GrangerInVarianceResult,
    correlation_shift,
    forbes_rigobon,
    granger_in_variance,
)

__all__ = ["CorrelationShiftResult", "ForbesRigobonResult", "GrangerInVarianceResult", "correlation_shift", "forbes_rigobon", "granger_in_variance"]
