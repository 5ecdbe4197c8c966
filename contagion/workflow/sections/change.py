"""Did connectedness change after the first event? The pre vs post test of the headline model (main job).

Samples
    ``before`` = the main job's group indices on the dates before the first event, ``after`` = those from the
    event on: the same split as the ``window = "pre"`` / ``"post"`` robustness jobs, but **without** letting
    either window choose its own composition or lag order. Under ``membership = "fixed"`` the main job's
    indices already have one composition over the whole sample, so both windows hold the same members;
    under ``"varying"`` the indices are rebuilt with the fixed rule for this test (a member that enters or
    leaves is left out of both windows, and named in ``info["connectedness_change"]``).
Model
    A VAR of the main job's lag order in both windows, with the main job's deterministic terms (day-of-week
    dummies when ``var.exog = "day_of_week"``), horizon and FEVD kind, compared by
    :func:`contagion.connectedness_change`: each window is bootstrapped independently (``connectedness.bands``,
    ``connectedness.reps``), the interval of the difference after - before is the basic bootstrap interval
    at ``var.level`` and the p-value of no change is the centred-bootstrap p-value (Hall and Wilson 1991).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, catch
from contagion.workflow.sections.connectedness import deterministic_terms

__all__ = ["CHANGE_COLUMNS", "change_section", "change_windows"]

CHANGE_COLUMNS = ["job", "measure", "receiver", "transmitter", "before", "after", "difference", "lower", "upper",
                  "p_value", "lags", "bands", "reps", "before_start", "before_end", "before_n_obs", "after_start",
                  "after_end", "after_n_obs"]
_MIN_ROWS = 30  # fewer rows than this per window leave too few degrees of freedom for a VAR of the groups


def change_windows(data: JobData) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]]]:
    """The group indices before and after the first event, with one composition in both windows.

    Returns ``before``, ``after`` and the members used per group.
    """
    from contagion.workflow.sections.panel import group_indices

    study = data.study
    event = pd.Timestamp(study.events[0].date)
    indices, members = data.indices, dict(data.members)
    if study.data.membership != "fixed":
        indices, members, _ = group_indices(data.panel.values, study.groups, study.data.min_obs, membership="fixed",
                                            tolerance=study.data.membership_tolerance, measure=data.panel.measure)
        if study.data.seasonal == "day_of_week":
            from contagion.data.calendar import day_of_week_adjust

            indices, _ = day_of_week_adjust(indices)
    index = pd.DatetimeIndex(indices.index)
    return indices.loc[index < event], indices.loc[index >= event], members


def change_section(data: JobData, lag_order: int) -> SectionOutput:
    """``connectedness/change``: every connectedness measure before vs after the first event."""
    study = data.study
    if not study.events or not study.connectedness.change:
        return SectionOutput()
    unavailable: dict[str, str] = {}
    out = catch(lambda: _change(data, lag_order), "connectedness change (pre vs post)", unavailable)
    if out is None:
        return SectionOutput(unavailable=unavailable)
    table, info = out
    return SectionOutput(tables={"change": table}, info={"connectedness_change": info}, unavailable=unavailable)


def _change(data: JobData, lag_order: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    from contagion.errors import DataError
    from contagion.spillover.change import connectedness_change

    study = data.study
    before, after, members = change_windows(data)
    for label, frame in (("before", before), ("after", after)):
        if len(frame) < max(_MIN_ROWS, 3 * lag_order * frame.shape[1]):
            raise DataError(f"the {label} window of {study.events[0].name} ({study.events[0].date}) has "
                            f"{len(frame)} observations, too few for a VAR({lag_order}) of {frame.shape[1]} groups; "
                            "widen [data] start/end or set [connectedness] change = false.")
    exog = [deterministic_terms(dataclasses.replace(data, indices=frame)) for frame in (before, after)]
    terms = (exog[0], exog[1]) if exog[0] is not None and exog[1] is not None else None
    bands: Literal["bootstrap", "wild"] = "wild" if study.connectedness.bands == "wild" else "bootstrap"
    seed = int(np.random.SeedSequence([study.seed, 1]).generate_state(1)[0])
    result = connectedness_change(before, after, lags=lag_order, horizon=study.var.horizon,
                                  kind=study.connectedness.kind, bands=bands, reps=study.connectedness.reps,
                                  level=study.var.level, seed=seed, exog=terms)
    table = result.to_frame()
    table = table[table["measure"] != "table"].reset_index(drop=True)
    dates = {}
    for label, frame in (("before", before), ("after", after)):
        dates[f"{label}_start"] = frame.index[0].date().isoformat()
        dates[f"{label}_end"] = frame.index[-1].date().isoformat()
        dates[f"{label}_n_obs"] = len(frame)
    table = table.assign(job=data.name, lags=result.n_lags, bands=bands, reps=study.connectedness.reps, **dates)
    # one string type for the labels (None for scalar measures becomes ""): the job cache stores tables only
    # when Parquet round-trips them exactly, which a column mixing None and str does not
    for column in ("receiver", "transmitter"):
        table[column] = table[column].fillna("").astype(str)
    info = {"lags": int(result.n_lags), "bands": bands, "reps": int(study.connectedness.reps),
            "level": float(study.var.level), "exog": [] if terms is None else list(terms[0].columns),
            "members": members, "window": "pre/post split of the main sample at the first event", **dates}
    return table[CHANGE_COLUMNS], info
