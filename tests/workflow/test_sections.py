"""The sections of a job return their outputs; the pipeline merges them in order."""

from __future__ import annotations

import pandas as pd
import pytest

from contagion.errors import EstimationError
from contagion.workflow.sections import SectionOutput
from contagion.workflow.sections._common import catch, merge_sections


def test_section_output_is_frozen():
    out = SectionOutput(tables={"a": pd.DataFrame({"x": [1]})})
    with pytest.raises(AttributeError):
        out.tables = {}  # type: ignore[misc]


def test_merge_stacks_tables_merges_dicts_and_extends_lists_in_order():
    first = SectionOutput(tables={"static": pd.DataFrame({"v": [1.0]})},
                          info={"notes": ["a"], "design": {"x": 1}, "lag": 1}, unavailable={"one": "why"})
    second = SectionOutput(tables={"static": pd.DataFrame({"v": [2.0]}), "dcc": pd.DataFrame({"w": [3.0]})},
                           info={"notes": ["b"], "design": {"y": 2}, "lag": 2}, unavailable={"two": "why not"})
    tables, info, unavailable = merge_sections([first, second])
    assert list(tables) == ["static", "dcc"]
    assert tables["static"]["v"].tolist() == [1.0, 2.0]
    assert info == {"notes": ["a", "b"], "design": {"x": 1, "y": 2}, "lag": 2}
    assert list(unavailable) == ["one", "two"]
    assert first.info["notes"] == ["a"]  # the parts are not changed


def test_catch_turns_explained_failures_into_notes_and_lets_bugs_through():
    notes: dict[str, str] = {}

    def missing() -> None:
        raise NotImplementedError("not in this version")

    def fails() -> None:
        raise EstimationError("did not converge")

    assert catch(missing, "one", notes) is None
    assert catch(fails, "two", notes) is None
    assert notes == {"one": "not available: not in this version", "two": "could not be estimated: did not converge"}
    with pytest.raises(ZeroDivisionError):
        catch(lambda: 1 / 0, "three", notes)
