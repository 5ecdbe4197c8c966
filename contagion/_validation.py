"""Input checks shared by the model entry points, so the same mistake gets the same message everywhere."""

from __future__ import annotations

import pandas as pd

from contagion.errors import DataError

__all__ = ["check_columns"]


def check_columns(data: pd.DataFrame, what: str) -> tuple[str, ...]:
    """The column labels as strings, after checking that they are unique and that every column is numeric.

    Parameters
    ----------
    data : DataFrame
        One column per variable or asset.
    what : str
        How the message names the input, e.g. ``"VAR data"`` or ``"DCCGARCH returns"``.

    Raises
    ------
    DataError
        Naming the duplicated labels, or the non-numeric (or boolean) columns, and what to do.
    """
    names = tuple(str(c) for c in data.columns)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"{what} has duplicate column names {dupes}; give each column a unique name (rename "
                        "or drop the duplicates).")
    bad = [str(c) for c in data.columns
           if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])]
    if bad:
        raise DataError(f"{what} has non-numeric columns {bad}; convert them to float or drop them before "
                        "fitting.")
    return names
