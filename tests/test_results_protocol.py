"""Every public results class follows the one results protocol (issue 11, item 3).

The classes are found, not listed: every class exported by ``contagion`` or by a model-family subpackage
whose name ends in Result, Results, Table, Connectedness or Report. A class added later (frequency or
quantile connectedness, penalised VARs) is checked as soon as it is exported. Each must

- define ``summary()`` annotated to return :class:`contagion._summary.Summary`;
- define ``to_frame()`` annotated to return a :class:`pandas.DataFrame`;
- live in a public module (no part of ``__module__`` starts with ``_``), so its repr shows no private path.

The behaviour (summary text, the frame, the figure) is tested per class in the subpackages' own folders.
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing

import pandas as pd
import pytest

import contagion
from contagion._summary import Summary

#: Packages whose ``__all__`` export results objects (the orchestration layers, workflow/report/cli, do not).
PACKAGES = ("contagion", "contagion.var", "contagion.spillover", "contagion.dcc", "contagion.hypothesis",
            "contagion.events", "contagion.data")
RESULT_NAME = re.compile(r"(Result|Results|Table|Connectedness|Report)$")


def _results_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isclass(value) and RESULT_NAME.search(name):
                found.setdefault(f"{value.__module__}.{value.__qualname__}", value)
    return dict(sorted(found.items()))


RESULTS = _results_classes()


def test_the_search_finds_the_results_classes() -> None:
    names = {cls.__name__ for cls in RESULTS.values()}
    expected = {"VARResults", "IRFResult", "ConnectednessResult", "RollingConnectednessResult", "DCCResult",
                "VIRFResult", "ForbesRigobonResult", "EventStudyResult", "FactsTable"}
    assert expected <= names
    exported = {n for n in contagion.__all__ if RESULT_NAME.search(n)}
    assert exported <= names


def _return_hint(cls: type, method: str) -> object:
    func = getattr(cls, method, None)
    assert callable(func), f"{cls.__qualname__} has no {method}()"
    return typing.get_type_hints(func).get("return")


@pytest.mark.parametrize("cls", list(RESULTS.values()), ids=list(RESULTS))
def test_summary_returns_a_summary(cls: type) -> None:
    assert _return_hint(cls, "summary") is Summary


@pytest.mark.parametrize("cls", list(RESULTS.values()), ids=list(RESULTS))
def test_to_frame_returns_a_dataframe(cls: type) -> None:
    assert _return_hint(cls, "to_frame") is pd.DataFrame


@pytest.mark.parametrize("cls", list(RESULTS.values()), ids=list(RESULTS))
def test_lives_in_a_public_module(cls: type) -> None:
    private = [part for part in cls.__module__.split(".") if part.startswith("_")]
    assert not private, f"{cls.__qualname__} is defined in {cls.__module__}"
