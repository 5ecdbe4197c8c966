"""DCC-GARCH connectedness (Gabauer 2020): the batched VFEVD of ``dcc_connectedness`` against a plain loop.

The loop peer is the line-by-line port of ConnectednessApproach ``R/VFEVD.R`` in ``tests.reference.vfevd``
(one date and one matrix product at a time, as the R code runs); on N = 20 it runs on a subset of dates
(named in the case) and ``python benchmarks/bench_dcc_connectedness.py`` extrapolates it linearly and prints
the speed-up. The DCC fit is done in the setup (it is timed in ``bench_dcc``), so a case times the VFEVD and
the connectedness measures only. R reference measured on this machine (tests/fixtures/r/dcc_connectedness):
one ``VFEVD(fit, nfore = 10)`` call on the dji30ret fixture (N = 5, T = 1000) takes 0.7 s, the whole
``ConnectednessApproach(x, model = "DCC-GARCH")`` front end 7.7 s.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from contagion.dcc.connectedness import _covariances, dcc_connectedness  # noqa: E402
from contagion.dcc.model import DCCGARCH, simulate_dcc  # noqa: E402
from contagion.dcc.results import DCCResult  # noqa: E402
from tests.reference import vfevd as _reference  # noqa: E402

LOOP_DATES = 200  # dates timed for the loop peer on N = 20 (extrapolated in __main__)


def _fixture() -> pd.DataFrame:
    shared = Path(os.environ.get("CONTAGION_SHARED", ROOT.parent / "shared"))
    path = shared / "data" / "reference" / "r" / "dcc_dji30ret_first5_last1000.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is absent (reference data live outside the repository)")
    return pd.read_csv(path, index_col="date", parse_dates=True)


def _synthetic(n_obs: int, n_vars: int, seed: int = 0) -> pd.DataFrame:
    """Decimal-scale returns from a GARCH(1,1)-DCC with a one-factor correlation target (deterministic)."""
    rng = np.random.default_rng(seed)
    load = rng.uniform(0.3, 0.8, n_vars)
    qbar = np.outer(load, load)
    np.fill_diagonal(qbar, 1.0)
    x = simulate_dcc(n_obs, omega=rng.uniform(0.02, 0.1, n_vars), alpha=rng.uniform(0.04, 0.1, n_vars),
                     beta=rng.uniform(0.85, 0.9, n_vars), a=0.03, b=0.95, qbar=qbar, rng=rng)
    index = pd.date_range("2015-01-01", periods=n_obs, freq="B", name="date")
    return pd.DataFrame(x / 100, index=index, columns=[f"A{k:02d}" for k in range(n_vars)])


def _fit(data: pd.DataFrame) -> DCCResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # on-bound flags are not what is timed
        return DCCGARCH(data).fit(se=False)


def loop_peer(fit: DCCResult, n_dates: int | None = None, horizon: int = 10) -> np.ndarray:
    """The R loop ported line by line (tests.reference.vfevd), then the TCI of each date."""
    total = fit.n_obs if n_dates is None else n_dates
    cov = _covariances(fit, np.arange(total))
    alpha = np.array([m.recursion["alpha"] for m in fit.margins])
    beta = np.array([m.recursion["beta"] for m in fit.margins])
    a, b = (float(v) for v in fit.params_array[:2])
    out = np.empty(total)
    for t in range(total):
        table = _reference.vfevd_table(cov[t], np.asarray(fit.qbar), alpha, beta, a, b, horizon, True)
        out[t] = 100 * (table.sum() - np.trace(table)) / table.shape[0]
    return out


def _batched(fit: DCCResult) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dcc_connectedness(fit, horizon=10).total


def _setup_fixture() -> DCCResult:
    return _fit(_fixture())


def _setup_n5() -> DCCResult:
    return _fit(_synthetic(1000, 5))


def _setup_n20() -> DCCResult:
    return _fit(_synthetic(2000, 20))


def _setup_quick() -> DCCResult:
    return _fit(_synthetic(300, 3))


CASES = [
    ("fixture_dji30ret_n5_t1000_h10", _setup_fixture, _batched),
    ("fixture_dji30ret_n5_t1000_h10_loop_port_of_R", _setup_fixture, loop_peer),
    ("n5_t1000_h10", _setup_n5, _batched),
    ("n5_t1000_h10_loop_port_of_R", _setup_n5, loop_peer),
    ("n20_t2000_h10", _setup_n20, _batched),
    (f"n20_t2000_h10_loop_port_of_R_{LOOP_DATES}_of_2000_dates", _setup_n20,
     lambda fit: loop_peer(fit, LOOP_DATES)),
]

QUICK_CASES = [
    ("quick_n3_t300_h10", _setup_quick, _batched),
    ("quick_n3_t300_h10_loop_port_of_R_20_dates", _setup_quick, lambda fit: loop_peer(fit, 20)),
]


def _best(func: Any, state: Any, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        func(state)
        best = min(best, time.perf_counter() - t0)
    return best


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if quick:
        fit = _setup_quick()
        print(f"quick N = 3, T = 300: batched {_best(_batched, fit, 1):.3f} s, loop (20 dates) "
              f"{_best(lambda f: loop_peer(f, 20), fit, 1):.3f} s")
        raise SystemExit(0)
    for label, setup, scale in (("N = 5, T = 1000", _setup_n5, None), ("N = 20, T = 2000", _setup_n20, LOOP_DATES)):
        fit = setup()
        fast = _best(_batched, fit)
        slow = _best(lambda f, s=scale: loop_peer(f, s), fit, 1)
        if scale is not None:
            slow *= fit.n_obs / scale
        check = np.abs(_batched(fit).to_numpy()[: scale or fit.n_obs] - loop_peer(fit, scale)).max()
        print(f"{label}: batched {fast:.3f} s, loop port of R {slow:.2f} s"
              f"{' (extrapolated)' if scale else ''}, speed-up {slow / fast:.0f}x, max |TCI diff| {check:.1e}")
