"""DCC-GARCH connectedness (Gabauer 2020) of the study's DCC fit (main job, ``dcc_connectedness = true``).

It reads the DCC result the DCC section fitted (its ``SectionOutput.model``) and never refits: the table of
each date is the generalized volatility FEVD of that fit (:func:`contagion.dcc_connectedness`, convention
``dcc_convention``, ``dcc_horizon`` steps). The system is the DCC assets' returns, not the group volatility
indices of the rolling and TVP-VAR paths, and the unit shock is on the scale of the returns the DCC was fitted
on (decimal log returns), which the tables depend on (docs/dcc-connectedness.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.sections.connectedness import rolling_long

__all__ = ["dcc_connectedness_section"]

_KEY = "volatility FEVD (Gabauer)"  # the name of this section in the job's notes (not matching "dcc")


def dcc_connectedness_section(data: JobData, dcc_result: Any) -> SectionOutput:
    """The TCI, TO, FROM and NET path of the fitted DCC model ``dcc_result`` (None: not estimated)."""
    spec = data.study.connectedness
    if dcc_result is None:
        why = ("not available: no DCC-GARCH fit to read ([dcc] enabled = false, no dcc.assets, or the fit "
               "failed: see the DCC section)")
        return SectionOutput(unavailable={_KEY: why})
    unavailable: dict[str, str] = {}

    def _fit() -> Any:
        from contagion.dcc.connectedness import dcc_connectedness

        return dcc_connectedness(dcc_result, horizon=spec.dcc_horizon, convention=spec.dcc_convention)
    result = catch(_fit, _KEY, unavailable)
    if result is None:
        return SectionOutput(unavailable=unavailable)
    total = np.asarray(result.total, dtype=float)
    options = dict(result.options)
    info = {"dcc_connectedness": {
        "convention": spec.dcc_convention, "horizon": spec.dcc_horizon, "assets": list(result.names),
        "n_dates": len(total), "tci_mean": float(total.mean()), "tci_min": float(total.min()),
        "tci_max": float(total.max()), "flags": [str(f) for f in options.get("flags", [])],
        "on_bound": [str(a) for a in options.get("on_bound", [])]}}
    table = rolling_long(result, data.name, "dcc_returns", "dcc")
    return SectionOutput(tables={"dcc_connectedness": table}, info=info, unavailable=unavailable)
