"""The VIRF simulation kernel returns the numbers of the full-matrix kernel it replaced (stored fixture).

``tests/dcc/fixtures/virf_before.npz`` was written by ``tests/dcc/fixtures/make_virf_fixture.py`` from the
kernel that carried a full N x N Q per path (before the packed upper-triangle rewrite). Cases: GARCH/DCC,
GJR/aDCC with a Student-t joint, EGARCH, b = 0 (the non-separable weights), horizon 1, N = 60 processed
in several chunks, and N = 35 at horizon 30 with fewer replications per batch than assets (no moment
matching).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.dcc.fixtures.make_virf_fixture import CASES, run

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "virf_before.npz"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_kernel_matches_stored_outputs(case):
    stored = np.load(FIXTURE)
    now = run(case)
    for key, value in now.items():
        before = stored[f"{case[0]}/{key}"]
        assert value.shape == before.shape
        # same random numbers and recursions; only the summation order of the batch sums and of the
        # packed update differ, so the difference is rounding (~1e-14 relative); 1e-10 is issue 15's bar
        scale = max(1.0, float(np.abs(before).max()))
        np.testing.assert_allclose(value, before, rtol=0, atol=1e-10 * scale, err_msg=f"{case[0]}/{key}")
