"""VAR impulse-response band benchmarks: batched bootstrap draws against a plain per-draw statsmodels loop.

Workload (issue 3): Kilian (1998) bootstrap-after-bootstrap bands, 1000 draws per stage, N = 6, T = 1500,
VAR(2), H = 20; target < 10 s. The loop peer is what a user would write without this package: for every
draw, resample residuals, rebuild the series recursively, ``statsmodels VAR(y*).fit(2)``, take
``irf(20).orth_irfs`` (Kilian: 2 x 1000 such fits). It runs on ``LOOP_DRAWS`` draws and is extrapolated
linearly by ``python benchmarks/bench_var.py``, which prints both timings and the speed-up.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from contagion.var import _kernels as _var_kernels  # noqa: E402
from contagion.var.model import VAR, VARResults  # noqa: E402

N_VARS, N_OBS, N_LAGS, HORIZON, REPS = 6, 1500, 2, 20, 1000
LOOP_DRAWS = 20  # draws timed for the statsmodels loop peer (extrapolated to 2 x REPS in __main__)


def _synthetic(n_obs: int = N_OBS, n_vars: int = N_VARS, seed: int = 0) -> pd.DataFrame:
    """A stationary VAR(2) panel with correlated shocks (deterministic)."""
    rng = np.random.default_rng(seed)
    coefs = np.stack([
        0.5 * np.eye(n_vars) + 0.05 * rng.normal(size=(n_vars, n_vars)),
        -0.15 * np.eye(n_vars) + 0.03 * rng.normal(size=(n_vars, n_vars)),
    ])
    root = rng.normal(size=(n_vars, n_vars))
    chol = np.linalg.cholesky(root @ root.T / n_vars + np.eye(n_vars))
    innov = rng.normal(size=(1, n_obs + 100, n_vars)) @ chol.T
    y = _var_kernels.simulate_var(coefs, np.full(n_vars, 0.1), np.zeros((2, n_vars)), innov)[0, -n_obs:]
    index = pd.date_range("2019-01-01", periods=n_obs, freq="B", name="date")
    return pd.DataFrame(y, index=index, columns=[f"A{k}" for k in range(n_vars)])


def setup_fit() -> VARResults:
    return VAR(_synthetic(), lags=N_LAGS).fit()


def loop_peer(res: VARResults, n_draws: int, seed: int = 0) -> np.ndarray:
    """Residual bootstrap with one statsmodels VAR fit per draw (the plain approach)."""
    from statsmodels.tsa.api import VAR as SMVAR

    rng = np.random.default_rng(seed)
    y = res.model.data.to_numpy()
    resid = res.resid - res.resid.mean(axis=0)
    out = []
    for _ in range(n_draws):
        u = resid[rng.integers(0, len(resid), len(resid))]
        ystar = np.empty_like(y)
        ystar[:N_LAGS] = y[:N_LAGS]
        for t in range(N_LAGS, len(y)):
            ystar[t] = res.intercept + u[t - N_LAGS]
            for lag in range(N_LAGS):
                ystar[t] += res.coefs[lag] @ ystar[t - 1 - lag]
        fit = SMVAR(ystar).fit(N_LAGS)
        out.append(fit.irf(HORIZON).orth_irfs)
    return np.asarray(out)


def _kilian(res: VARResults, reps: int = REPS) -> Any:
    return res.irf(HORIZON, bands="kilian", reps=reps, seed=0)


CASES = [
    ("kilian_1000x2_N6_T1500_p2_H20", setup_fit, _kilian),
    ("bootstrap_1000_N6_T1500_p2_H20", setup_fit, lambda r: r.irf(HORIZON, bands="bootstrap", reps=REPS, seed=0)),
    ("wild_1000_N6_T1500_p2_H20", setup_fit, lambda r: r.irf(HORIZON, bands="wild", reps=REPS, seed=0)),
    ("asymptotic_N6_T1500_p2_H20", setup_fit, lambda r: r.irf(HORIZON, bands="asymptotic")),
    (f"statsmodels_loop_{LOOP_DRAWS}_draws_of_2000", setup_fit, lambda r: loop_peer(r, LOOP_DRAWS)),
]

QUICK_CASES = [
    ("kilian_20x2_N6_T1500_p2_H20", setup_fit, lambda r: _kilian(r, reps=20)),
    ("statsmodels_loop_2_draws", setup_fit, lambda r: loop_peer(r, 2)),
]


def main() -> None:
    res = setup_fit()
    t0, c0 = time.perf_counter(), time.process_time()
    _kilian(res)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    loop_peer(res, LOOP_DRAWS)
    loop = (time.perf_counter() - t0) * (2 * REPS) / LOOP_DRAWS
    print(f"Kilian bands, {REPS} draws per stage, N={N_VARS}, T={N_OBS}, VAR({N_LAGS}), H={HORIZON}")
    print(f"  contagion (batched):        {ours:8.2f} s wall, {ours_cpu:.2f} s CPU   (target < 10 s)")
    print(f"  statsmodels loop (extrap.): {loop:8.2f} s   ({LOOP_DRAWS} draws timed, x{2 * REPS // LOOP_DRAWS})")
    print(f"  speed-up: {loop / ours:6.1f}x")


if __name__ == "__main__":
    main()
