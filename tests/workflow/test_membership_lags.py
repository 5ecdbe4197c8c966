"""Fixed group membership, volatility indices out of variance indices, main's lag order in robustness jobs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from contagion.errors import DataError, DataQualityWarning
from contagion.report.sections import lag_note, robustness_changes
from contagion.workflow.runner import expand_jobs
from contagion.workflow.sections.panel import group_indices, group_membership
from contagion.workflow.spec import load_study

INDEX = pd.bdate_range("2024-01-01", periods=300, name="date")


def _values() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((len(INDEX), 5)) - 8.0, index=INDEX,
                         columns=["A", "B", "C", "D", "^VIX"])
    frame.iloc[:150, 2] = np.nan          # C enters on INDEX[150]
    frame.iloc[250:, 3] = np.nan          # D leaves after INDEX[249]
    frame.iloc[[40, 41], 0] = np.nan      # A misses two sessions inside the sample: still a member
    return frame


GROUPS = {"g1": ["A", "C"], "g2": ["B", "D", "^VIX"]}


def test_fixed_membership_excludes_members_that_enter_or_leave() -> None:
    values = _values()
    m = group_membership(values, GROUPS, 120, rule="fixed", tolerance=5, measure="garman_klass")
    assert m.members == {"g1": ["A"], "g2": ["B"]}
    reasons = {r["ticker"]: r["reason"] for r in m.table if r["status"] == "excluded"}
    assert set(reasons) == {"C", "D", "^VIX"}
    assert f"enters on {INDEX[150].date()}" in reasons["C"]
    assert f"leaves after {INDEX[249].date()}" in reasons["D"]
    assert "volatility index" in reasons["^VIX"]
    assert m.changes == []
    frame, used, notes = group_indices(values, GROUPS, 120, membership="fixed", measure="garman_klass")
    assert len(frame) == len(INDEX) - 2  # g1 is A alone: A's two missing sessions have no g1 value
    np.testing.assert_array_equal(frame["g2"].to_numpy(), values.loc[frame.index, "B"].to_numpy())
    assert len(notes) == 3 and used == m.members


def test_varying_membership_reports_every_change_with_its_date() -> None:
    m = group_membership(_values(), GROUPS, 120, rule="varying", tolerance=5, measure="garman_klass")
    assert m.members == {"g1": ["A", "C"], "g2": ["B", "D"]}
    assert m.changes == [
        {"group": "g1", "ticker": "C", "change": "enters", "date": INDEX[150].date().isoformat()},
        {"group": "g2", "ticker": "D", "change": "leaves", "date": INDEX[250].date().isoformat()},
    ]
    assert any("enters the index on" in n for n in m.notes)


def test_volatility_index_kept_for_returns_and_empty_group_names_the_fix() -> None:
    m = group_membership(_values(), GROUPS, 120, rule="varying", measure="returns")
    assert "^VIX" in m.members["g2"]
    with pytest.raises(DataError, match=r"group 'g2' is empty.*membership = 'varying'"):
        group_membership(_values(), {"g1": ["A"], "g2": ["C", "D", "^VIX"]}, 120, rule="fixed")


def test_robustness_jobs_inherit_the_main_lag_order_unless_set() -> None:
    study = load_study("deepseek-2025")
    assert study.var.bands == "wild" and "^VIX" not in study.groups["benchmark"]
    before = expand_jobs(study)
    assert all(job.spec["study"]["var"]["lags"] == "aic" for job in before)
    after = expand_jobs(study, main_lags=3)
    assert after[0].spec["study"]["var"]["lags"] == "aic"
    assert [job.spec["study"]["var"]["lags"] for job in after[1:]] == [3] * (len(after) - 1)
    variants = [v.model_dump() for v in study.robustness]
    variants[0]["lags"] = "bic"
    own = study.with_overrides(robustness=variants)
    assert expand_jobs(own, main_lags=3)[1].spec["study"]["var"]["lags"] == "bic"


def test_report_notes_on_lags_and_changes() -> None:
    var = {"lag_choice": {"aic": 5, "bic": 1, "hqic": 2}, "at_max_lags": True, "max_lags": 5}
    text = lag_note(var, "aic")
    assert "BIC 1" in text and "HQ 2" in text and "largest order searched (max_lags = 5)" in text
    assert lag_note({"lag_choice": {}}, 3) == "set to 3"
    main = {"sample": {"start": "2023-01-03", "end": "2025-12-31"}, "members": {"g": ["A", "B"]}}
    job = {"sample": {"start": "2025-01-27", "end": "2025-12-31"}, "members": {"g": ["A", "C"]}}
    assert robustness_changes(main, job) == ["sample 2025-01-27 to 2025-12-31 (main: 2023-01-03 to 2025-12-31)",
                                             "g composition +C, -B"]
    assert robustness_changes(main, main) == []


def test_membership_warnings_reach_the_job_output() -> None:
    from contagion.data.demo import DemoSource
    from contagion.workflow.jobs import Job
    from contagion.workflow.pipeline import run_job
    from contagion.workflow.runner import load_data

    study = load_study("deepseek-2025").with_overrides(**{"data.source": "demo", "dcc.enabled": False,
                                                          "events": [], "robustness": [], "facts": "none"})
    frames = load_data(study, DemoSource(seed=study.seed))
    job = expand_jobs(study)[0]
    job = Job("r", "robustness", job.spec)  # a robustness job runs the headline model only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = run_job(job, frames)
    membership = out.info["membership"]
    excluded = [r for r in membership["table"] if r["status"] == "excluded"]
    assert membership["rule"] == "fixed"
    assert len(out.info["notes"]) >= len(excluded)
    for record in excluded:
        assert any(record["ticker"] in w and "DataQualityWarning" in w for w in out.warnings)
    assert out.info["variance_scale"]["rule"] == "per_day"
