"""Bands of a VAR with deterministic terms: the draws describe that VAR, not an intercept-only one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from contagion import VAR, connectedness, connectedness_change
from contagion.var.exog import day_of_week_dummies


def _weekday_data(n: int = 600, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A VAR(1) whose first two variables jump together every Monday (a large common weekday term)."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2022-01-03", periods=n)
    monday = (index.day_of_week == 0).astype(float)
    y = np.zeros((n, 3))
    for t in range(1, n):
        y[t] = 0.3 * y[t - 1] + rng.normal(size=3) + 4.0 * monday[t] * np.array([1.0, 1.0, 0.0])
    return pd.DataFrame(y, index=index, columns=["a", "b", "c"]), day_of_week_dummies(index, drop="Friday")


def test_draws_are_centred_on_the_model_with_exog() -> None:
    data, exog = _weekday_data()
    with_terms = connectedness(VAR(data, lags=1, exog=exog).fit(), horizon=10, bands="bootstrap", reps=300, seed=1)
    without = connectedness(data, lags=1, horizon=10)
    gap = abs(without.total - with_terms.total)
    assert gap > 5.0  # the Monday term drives a common shock: ignoring it changes the TCI a lot
    assert with_terms.draws is not None
    centre = float(np.mean(100.0 - np.trace(with_terms.draws, axis1=1, axis2=2) / 3.0))
    # draws of the same model sit near its estimate (small-sample bias aside), far from the other model's
    assert abs(centre - with_terms.total) < gap / 4


def test_change_with_exog_uses_the_model_of_each_window() -> None:
    data, exog = _weekday_data(n=800)
    before, after = data.iloc[:400], data.iloc[400:]
    result = connectedness_change(before, after, lags=1, reps=200, seed=2,
                                  exog=(exog.iloc[:400], exog.iloc[400:]))
    alone = connectedness(VAR(before, lags=1, exog=exog.iloc[:400]).fit(), horizon=10)
    assert abs(result.row("total")["before"] - alone.total) < 1e-9
    assert result.row("total")["p_value"] > 0.01  # same process in both windows
