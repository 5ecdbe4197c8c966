"""Simulation recovery: data from a known DCC / aDCC / t-DCC (N = 5, T = 2000) are fitted back.

Each repetition checks |estimate - truth| <= 2 standard errors (first-stage-corrected, Engle & Sheppard 2001);
with correct standard errors that holds ~95% of the time, so "most repetitions" is at least 16 of 20.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from contagion.dcc.model import DCCGARCH, simulate_dcc

N, T, REPS = 5, 2000, 20
QBAR = 0.4 * np.ones((N, N)) + 0.6 * np.eye(N)


def _recover(seed: int, truth: dict[str, float], **spec: str) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    ests, ses = [], []
    for rep in range(REPS):
        rng = np.random.default_rng([seed, rep])
        x = simulate_dcc(T, omega=np.full(N, 0.02), alpha=np.full(N, 0.06), beta=np.full(N, 0.92),
                         a=truth["a"], b=truth["b"], g=truth.get("g", 0.0), nu=truth.get("nu"), qbar=QBAR,
                         rng=rng)
        df = pd.DataFrame(x, index=pd.bdate_range("2010-01-01", periods=T, name="date"),
                          columns=[f"A{i}" for i in range(N)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = DCCGARCH(df, **spec).fit(se=True)  # type: ignore[arg-type]
        ests.append(res.params.to_dict())
        ses.append(res.std_errors.to_dict())
    return ests, ses


def _covered(ests, ses, truth, name):
    return sum(abs(e[name] - truth[name]) <= 2 * s[name] for e, s in zip(ests, ses, strict=True))


@pytest.mark.slow
def test_dcc_recovery():
    truth = {"a": 0.04, "b": 0.94}
    ests, ses = _recover(1, truth)
    for name in truth:
        assert _covered(ests, ses, truth, name) >= 16, (name, ests, ses)
    assert abs(np.mean([e["a"] for e in ests]) - 0.04) < 0.01


@pytest.mark.slow
def test_adcc_recovery():
    truth = {"a": 0.03, "b": 0.92, "g": 0.04}
    ests, ses = _recover(2, truth, model="adcc")
    for name in truth:
        assert _covered(ests, ses, truth, name) >= 16, (name, ests, ses)


@pytest.mark.slow
def test_t_joint_recovery():
    truth = {"a": 0.04, "b": 0.94, "nu": 8.0}
    ests, ses = _recover(3, truth, joint_dist="t")
    for name in truth:
        assert _covered(ests, ses, truth, name) >= 16, (name, ests, ses)
