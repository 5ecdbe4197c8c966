"""Page pieces added to the result sections: connectedness intervals as ``estimate [lower, upper]`` cells, the
pre vs post change table, the descriptive statistics table and the VIRF statement (baseline and what
univariate GARCH margins can transmit). Drawn from the tables as written; :mod:`contagion.report.sections`
places them.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from contagion.report.render import Section, table_view
from contagion.workflow.pipeline import JobOutput
from contagion.workflow.spec import Study

__all__ = ["band_caption", "change_sections", "describe_sections", "interval_cells", "pair_bounds", "total_bounds",
           "virf_statement"]

_BAND_WORDS = {"bootstrap": "residual bootstrap (recursive design)", "wild": "wild bootstrap (Rademacher weights)"}


def _finite(*values: Any) -> bool:
    try:
        return all(np.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def _bracket(lower: Any, upper: Any, fmt: str = "{:.2f}") -> str:
    return f" [{fmt.format(float(lower))}, {fmt.format(float(upper))}]" if _finite(lower, upper) else ""


def total_bounds(directional: pd.DataFrame, series: str, measure: str) -> str:
    """``" [lower, upper]"`` of one margin of the main job's headline table, ``""`` without intervals."""
    if "lower" not in directional.columns:
        return ""
    d = directional[(directional["job"] == "main") & (directional["model"] == "group_var")
                    & (directional["series"] == series) & (directional["measure"] == measure)]
    return _bracket(d["lower"].iloc[0], d["upper"].iloc[0]) if len(d) == 1 else ""


def pair_bounds(row: Any) -> str:
    """``" [lower, upper]"`` of a net pairwise spillover (a row of the groups table), ``""`` without."""
    return _bracket(getattr(row, "net_lower", np.nan), getattr(row, "net_upper", np.nan), "{:+.2f}")


def band_caption(outputs: Mapping[str, JobOutput]) -> str:
    """How the connectedness intervals were drawn (empty without intervals)."""
    bands = outputs["main"].info.get("connectedness_bands")
    if not bands:
        return ""
    return (f"Cells: estimate [lower, upper], {bands['level']:.0%} basic bootstrap intervals from "
            f"{bands['reps']} draws ({_BAND_WORDS.get(bands['method'], bands['method'])}, seed {bands['seed']}; "
            "docs/connectedness.md, 'Intervals'). NET: an interval that covers 0 leaves the sign not identified.")


def interval_cells(frame: pd.DataFrame, index: str, columns: str, values: str) -> pd.DataFrame:
    """A pivot whose cells read ``"estimate [lower, upper]"`` (plain estimates when there are no intervals)."""
    if "lower" not in frame.columns or not frame["lower"].notna().any():
        return frame.pivot(index=index, columns=columns, values=values)
    text = [f"{v:.2f}{_bracket(lo, hi)}" for v, lo, hi in zip(frame[values], frame["lower"], frame["upper"],
                                                              strict=True)]
    return frame.assign(_cell=text).pivot(index=index, columns=columns, values="_cell")


def change_sections(study: Study, change: pd.DataFrame) -> list[Section]:
    """"Did connectedness change?": before, after and the difference with its interval and p-value."""
    if change is None or change.empty or not study.events:
        return []
    event = study.events[0]
    rows = change[(change["job"] == "main") & change["measure"].isin(["total", "to", "from", "net"])]
    if rows.empty:
        return []
    sec = Section(f"Did connectedness change after {event.name} ({event.date})?")
    r0 = rows.iloc[0]
    sec.text.append(
        f"Before: {r0['before_start']} to {r0['before_end']} ({r0['before_n_obs']} observations); after: "
        f"{r0['after_start']} to {r0['after_end']} ({r0['after_n_obs']}). The same VAR({r0['lags']}) as the main "
        "job, with the same group members and deterministic terms, in both windows; each window is "
        f"bootstrapped ({r0['reps']} draws, {r0['bands']}); p: centred-bootstrap p-value of no change (Hall and "
        "Wilson 1991). Source: connectedness/change.csv.")
    order = {"total": 0, "to": 1, "from": 2, "net": 3}
    view = pd.DataFrame({
        "measure": rows["measure"],
        "group": [r if isinstance(r, str) else t if isinstance(t, str) else "TOTAL"
                  for r, t in zip(rows["receiver"], rows["transmitter"], strict=True)],
        "before": rows["before"], "after": rows["after"],
        "difference [interval]": [f"{d:+.2f}{_bracket(lo, hi, '{:+.2f}')}" for d, lo, hi in
                                  zip(rows["difference"], rows["lower"], rows["upper"], strict=True)],
        "p": rows["p_value"],
    })
    view = view.assign(_o=view["measure"].map(order)).sort_values(["_o", "group"], kind="mergesort").drop(columns="_o")
    sec.tables.append(table_view(view, "Connectedness before and after the event (percent; difference after - "
                                       "before)", digits=3))
    return [sec]


def describe_sections(describe: pd.DataFrame) -> list[Section]:
    """The descriptive statistics table (``tables/descriptive_statistics``)."""
    from contagion.report.describe import NOTE

    if describe is None or describe.empty:
        return []
    sec = Section("Descriptive statistics")
    cols = [c for c in describe.columns if c != "data_note"]
    sec.tables.append(table_view(describe[cols], "Group indices and group returns", digits=3, note=NOTE))
    return [sec]


def virf_statement(study: Study) -> list[str]:
    """What the VIRFs are: their baseline (as the study runs them) and what univariate margins can transmit."""
    from contagion.dcc.virf import virf

    baseline = str(inspect.signature(virf).parameters["baseline"].default)
    if baseline == "zero":
        base = ("Baseline: the zero shock (the path with the event-date innovation set to 0), the default of "
                "contagion.dcc.virf, which the study's [virf] does not change; this is the no-shock reading of "
                "Gabauer (2020). The VIRF itself is defined as in Hafner and Herwartz (2006, eq. 5): the change in "
                "the expected conditional covariance matrix caused by the shock.")
    else:
        base = ("Baseline: the conditional expectation without knowledge of the shock (Hafner and Herwartz 2006, "
                "eq. 5), so a VIRF is driven by the news xi xi' - I and a one-standard-deviation shock moves a "
                "GARCH(1,1) variance by zero.")
    margins = ("What the model can transmit: the margins are univariate GARCH, so each asset's conditional "
               "variance depends only on its own past shocks. A shock to NVDA cannot move BTC-USD's (or any other "
               "asset's) conditional variance; it moves NVDA's own variance and, through the DCC correlation "
               "recursion, the conditional correlations and covariances of NVDA with the others. A variance "
               "response of BTC-USD comes only from the BTC-USD component of the shock vector itself: the observed "
               "returns of a date, or, for the named shock H_t^(1/2) e_NVDA (symmetric square root), the part of "
               "it that is correlated with NVDA at t. It is never transmission from NVDA's variance.")
    return [base, margins]
