r"""Deterministic exogenous terms of a VAR: day-of-week and event dummies, and their validation.

A VAR with exogenous terms :math:`x_t` (k columns, known at t) is

.. math::

    y_t = \nu + \sum_{l=1}^{p} \Phi_l y_{t-l} + \Gamma x_t + u_t

(Lütkepohl 2005, Section 10.2, a VARX(p, 0) with deterministic :math:`x_t`). The terms shift the
conditional mean only: the MA coefficients :math:`A_h` of the lag polynomial, hence impulse responses, FEVDs
and connectedness, keep their definitions; :math:`\Gamma` changes them only through the better-estimated
:math:`\Phi_l` and :math:`\Sigma_u`. Pass the frame as ``VAR(data, exog=...)``.

References
----------
.. [1] Lütkepohl, H. (2005). New Introduction to Multiple Time Series Analysis. Springer, Section 10.2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from contagion._typing import Float64Array2D
from contagion.errors import DataError, SpecificationError

__all__ = ["WEEKDAYS", "check_exog_rank", "day_of_week_dummies", "event_dummies", "validate_exog"]

#: Weekday names in ``DatetimeIndex.day_of_week`` order (Monday = 0), the column names of the dummies.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _dates(index: Any, what: str) -> pd.DatetimeIndex:
    if isinstance(index, (pd.DataFrame, pd.Series)):
        index = index.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError(f"{what} needs a DatetimeIndex (or a frame indexed by dates), got {type(index).__name__}.")
    return index


def day_of_week_dummies(index: Any, drop: str | None = "Wednesday") -> pd.DataFrame:
    """0/1 dummies for the weekdays present in ``index``, one column per weekday, minus the ``drop`` day.

    Parameters
    ----------
    index : DatetimeIndex, or a DataFrame / Series indexed by dates
        Usually ``data.index`` of the VAR.
    drop : str or None, default "Wednesday"
        The baseline weekday left out: with an intercept a full set of dummies sums to the constant
        (collinear), so one day must go; each coefficient is then the mean shift of that weekday relative
        to ``drop``. ``None`` keeps every day (for ``trend="n"``).

    Returns
    -------
    DataFrame
        Float 0/1 columns named ``"Monday"``, ``"Tuesday"``, ... (only the days that occur), indexed like
        ``index``.

    Raises
    ------
    DataError
        ``index`` is not a DatetimeIndex.
    SpecificationError
        ``drop`` is not a weekday name or does not occur in ``index``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = day_of_week_dummies(pd.bdate_range("2024-01-01", periods=10))
    >>> list(d.columns)
    ['Monday', 'Tuesday', 'Thursday', 'Friday']
    """
    dates = _dates(index, "day_of_week_dummies")
    present = sorted(set(dates.day_of_week.tolist()))
    if drop is not None:
        if drop not in WEEKDAYS:
            raise SpecificationError(f"drop must be a weekday name {list(WEEKDAYS)} or None, got drop={drop!r}.")
        if WEEKDAYS.index(drop) not in present:
            raise SpecificationError(
                f"drop={drop!r} does not occur in the index (days present: "
                f"{[WEEKDAYS[d] for d in present]}); drop one of those."
            )
    days = [d for d in present if drop is None or WEEKDAYS[d] != drop]
    values = (dates.day_of_week.to_numpy()[:, None] == np.asarray(days)[None, :]).astype(np.float64)
    return pd.DataFrame(values, index=dates, columns=[WEEKDAYS[d] for d in days])


def event_dummies(index: Any, dates: Iterable[Any], width: int = 1) -> pd.DataFrame:
    """One 0/1 column per event date: 1 on the event's row and the next ``width - 1`` rows of ``index``.

    Parameters
    ----------
    index : DatetimeIndex, or a DataFrame / Series indexed by dates
    dates : iterable of date-like
        Event dates; each must be a row of ``index`` (a date falling on a non-trading day is refused, so
        that the dummy never silently moves).
    width : int, default 1
        Rows covered by each dummy, starting at the event row (a pulse of ``width`` rows).

    Returns
    -------
    DataFrame
        Columns ``"event_YYYY-MM-DD"``, indexed like ``index``.

    Raises
    ------
    DataError
        An event date is not in ``index`` (the nearest rows are named).
    SpecificationError
        ``width < 1``, no dates, or a date given twice.
    """
    idx = _dates(index, "event_dummies")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise SpecificationError(f"width must be an integer >= 1, got width={width!r}.")
    stamps = [pd.Timestamp(d) for d in dates]
    if not stamps:
        raise SpecificationError("event_dummies needs at least one event date.")
    if len(set(stamps)) != len(stamps):
        raise SpecificationError(f"event dates repeat: {[str(d.date()) for d in stamps]}; give each date once.")
    out = np.zeros((len(idx), len(stamps)))
    for k, stamp in enumerate(stamps):
        if stamp not in idx:
            pos = int(idx.searchsorted(stamp))
            near = [str(idx[i].date()) for i in (pos - 1, pos) if 0 <= i < len(idx)]
            raise DataError(
                f"event date {stamp.date()} is not a row of the index (nearest rows: {near}); "
                "pass one of those dates."
            )
        row = int(idx.searchsorted(stamp))
        out[row : row + int(width), k] = 1.0
    return pd.DataFrame(out, index=idx, columns=[f"event_{d.date()}" for d in stamps])


def validate_exog(exog: Any, data: pd.DataFrame, trend: str) -> pd.DataFrame | None:
    """Align ``exog`` on the dates of ``data`` and check it (finite, named, full rank with the intercept).

    Returns a float64 frame with the index of ``data`` (rows reordered by date), or None for ``exog=None``.
    """
    if exog is None:
        return None
    if isinstance(exog, pd.Series):
        exog = exog.to_frame()
    if not isinstance(exog, pd.DataFrame):
        raise DataError(f"exog must be a pandas DataFrame aligned on the data's dates, got {type(exog).__name__}.")
    if exog.shape[1] == 0:
        raise DataError("exog has no columns; pass None for a VAR without exogenous terms.")
    names = [str(c) for c in exog.columns]
    if len(set(names)) != len(names):
        raise DataError(f"exog has duplicate column names {names}; give each term its own name.")
    clash = sorted(set(names) & {str(c) for c in data.columns} | ({"const"} & set(names)))
    if clash:
        raise DataError(f"exog column(s) {clash} clash with the VAR's variable names or 'const'; rename them.")
    if exog.index.has_duplicates:
        raise DataError("exog has duplicate dates; keep one row per date.")
    missing = data.index.difference(exog.index)
    if len(missing):
        raise DataError(
            f"exog does not cover the sample: {len(missing)} of the data's dates are missing from it "
            f"(first {missing[0]!r}); build it on data.index (e.g. day_of_week_dummies(data.index))."
        )
    aligned = exog.reindex(data.index)
    try:
        values = aligned.to_numpy(dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise DataError(f"exog columns must be numeric (0/1 dummies or floats), got dtypes {list(exog.dtypes)}.") from None
    finite = np.isfinite(values)
    if not finite.all():
        col = int(np.flatnonzero(~finite.all(axis=0))[0])
        row = int(np.flatnonzero(~finite[:, col])[0])
        raise DataError(
            f"exog column {names[col]!r} has {int((~finite[:, col]).sum())} missing or infinite values "
            f"(first at {data.index[row]!r}); exogenous terms must be finite on every date of the sample."
        )
    check_exog_rank(values, names, trend, "the sample")
    return pd.DataFrame(values, index=data.index, columns=pd.Index(names))


def check_exog_rank(values: Float64Array2D, names: list[str], trend: str, where: str) -> None:
    """SpecificationError if the exogenous columns (with the intercept) are collinear on ``where``'s rows."""
    n_rows = values.shape[0]
    design = np.column_stack([np.ones(n_rows), values]) if trend == "c" else values
    scale = np.sqrt(np.einsum("ti,ti->i", design, design))
    zero = [names[i - (design.shape[1] - len(names))] for i in np.flatnonzero(scale == 0.0)]
    if zero:
        raise SpecificationError(
            f"exog column(s) {zero} are zero on every row of {where}, so their coefficients are not "
            "identified; drop them (an event outside the sample, or inside its first p lag rows?)."
        )
    unit = design / scale
    _, sv, vt = np.linalg.svd(unit, full_matrices=False)
    if sv[-1] > 1e-8 * sv[0]:
        return
    weights = np.abs(vt[-1])
    involved = [i for i in np.flatnonzero(weights > 1e-6)]
    offset = 1 if trend == "c" else 0
    cols = [names[i - offset] for i in involved if i >= offset]
    with_const = trend == "c" and 0 in involved
    raise SpecificationError(
        f"exog columns {cols} are collinear{' with the intercept' if with_const else ''} on {where} "
        f"(e.g. a full set of weekday dummies sums to the constant); drop one of them "
        f"(day_of_week_dummies(index, drop='Wednesday') leaves out a baseline day)."
    )
