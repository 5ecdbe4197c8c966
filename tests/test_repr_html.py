"""Every results class shows itself in a notebook: ``_repr_html_`` renders its summary as HTML."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import contagion
from contagion._summary import SummaryReprMixin
from tests.test_results_protocol import RESULTS


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_results_class_has_an_html_repr(name: str) -> None:
    cls = RESULTS[name]
    assert issubclass(cls, SummaryReprMixin) or callable(getattr(cls, "_repr_html_", None)), name


def test_html_repr_of_a_fitted_result() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["A", "B", "C"])
    res = contagion.connectedness(frame, lags=1)
    html = res._repr_html_()
    assert html == res.summary().as_html() and "<table" in html and "TCI" in html
    var_html = contagion.VAR(frame, lags=1).fit()._repr_html_()
    assert "<table" in var_html and "VAR(1)" in var_html
