"""Vector autoregressions: estimation, lag selection, impulse responses with bands, FEVD, Granger causality.

- :mod:`contagion.var.model`: :class:`VAR` and :class:`VARResults`;
- :mod:`contagion.var.results`: :class:`IRFResult`, :class:`GrangerResult`;
- :mod:`contagion.var.fevd`: batched MA coefficients and the Cholesky / generalized FEVD kernels;
- :mod:`contagion.var.irf`: impulse responses and their bands (asymptotic delta method, residual / wild
  bootstrap, Kilian bootstrap-after-bootstrap);
- :mod:`contagion.var.exog`: deterministic exogenous terms (day-of-week and event dummies);
- :mod:`contagion.var.estimation`: OLS and penalised (lasso, ridge, elastic net) estimators;
- :mod:`contagion.var.plots`: the figure of :meth:`VARResults.plot`.
"""

from __future__ import annotations

from contagion.var.exog import day_of_week_dummies, event_dummies
from contagion.var.model import VAR, VARResults
from contagion.var.results import GrangerResult, IRFResult

__all__ = ["VAR", "GrangerResult", "IRFResult", "VARResults", "day_of_week_dummies", "event_dummies"]
