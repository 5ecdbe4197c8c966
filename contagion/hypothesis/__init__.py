"""Contagion tests: Forbes-Rigobon adjusted correlations, DCC correlation shift, causality in variance.

* :mod:`contagion.hypothesis.forbes_rigobon`: :func:`forbes_rigobon` (Forbes & Rigobon 2002);
* :mod:`contagion.hypothesis.correlation_shift`: :func:`correlation_shift` (Chiang, Jeon & Li 2007 style);
* :mod:`contagion.hypothesis.variance_causality`: :func:`granger_in_variance` (Cheung & Ng 1996);
* :mod:`contagion.hypothesis.results`: the three result classes.

The submodules ``forbes_rigobon`` and ``correlation_shift`` share their names with the functions they define:
the package attributes ``contagion.hypothesis.forbes_rigobon`` and ``.correlation_shift`` are the functions.
Reach a module itself with ``from contagion.hypothesis.forbes_rigobon import ...`` or
``importlib.import_module("contagion.hypothesis.forbes_rigobon")``.
"""

from __future__ import annotations

from contagion.hypothesis._utility import adjusted_correlation, fisher_z_test, newey_west_lags
from contagion.hypothesis.correlation_shift import correlation_shift
from contagion.hypothesis.forbes_rigobon import forbes_rigobon
from contagion.hypothesis.results import CorrelationShiftResult, ForbesRigobonResult, GrangerInVarianceResult
from contagion.hypothesis.variance_causality import cheung_ng_ccf, granger_in_variance

__all__ = [
    "CorrelationShiftResult",
    "ForbesRigobonResult",
    "GrangerInVarianceResult",
    "adjusted_correlation",
    "cheung_ng_ccf",
    "correlation_shift",
    "fisher_z_test",
    "forbes_rigobon",
    "granger_in_variance",
    "newey_west_lags",
]
