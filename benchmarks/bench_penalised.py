"""Penalised-VAR benchmarks: rolling lasso VARs over many windows against a plain per-window sklearn loop.

Workload (issue 13): 1000 rolling windows of a simulated N = 20 VAR, VAR(2), window 250 rows, lasso.
Ours: :func:`contagion.var._penalised.penalised_var_windows` (Gram matrices of all windows from running
cross-products, scikit-learn coordinate descent on each standardised Gram, warm-started from the
neighbouring window). The peer is what a user would write: for every window, build the lagged design,
standardise it, and fit ``sklearn.linear_model.Lasso`` (fixed penalty) or ``LassoLarsIC(criterion="bic")``
(penalty by BIC) per equation. The peer runs on ``LOOP_WINDOWS`` windows and is extrapolated linearly
to 1000 (printed as such) by ``python benchmarks/bench_penalised.py``, which also prints the agreement.

Target: rolling lasso over 1000 windows of N = 20 under 10 s.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_connectedness import _best  # noqa: E402  (best wall / CPU time of repeated runs)

from contagion.var import _penalised  # noqa: E402

N_VARS, N_LAGS, WINDOW, N_WINDOWS = 20, 2, 250, 1000
PENALTY = 0.05  # standardised units (about 15 of 40 lag coefficients per equation survive)
LOOP_WINDOWS = 50  # windows timed for the sklearn loop peer (extrapolated to N_WINDOWS)


def _synthetic(n_obs: int, n_vars: int, seed: int = 0) -> np.ndarray:
    """A stationary sparse-ish VAR(1) panel with correlated shocks (deterministic)."""
    rng = np.random.default_rng(seed)
    phi = 0.3 * np.eye(n_vars) + 0.03 * rng.normal(size=(n_vars, n_vars))
    root = rng.normal(size=(n_vars, n_vars))
    chol = np.linalg.cholesky(root @ root.T / n_vars + np.eye(n_vars))
    y = np.zeros((n_obs, n_vars))
    shocks = rng.normal(size=(n_obs, n_vars)) @ chol.T
    for t in range(1, n_obs):
        y[t] = phi @ y[t - 1] + shocks[t]
    return y


def _setup(n_windows: int = N_WINDOWS, n_vars: int = N_VARS) -> tuple[np.ndarray, np.ndarray]:
    y = _synthetic(WINDOW + n_windows - 1, n_vars)
    return y, np.arange(n_windows)


def ours(state: tuple[np.ndarray, np.ndarray], penalty: float | str = PENALTY) -> Any:
    y, starts = state
    return _penalised.penalised_var_windows(y, N_LAGS, WINDOW, starts, "lasso", penalty).coefs


def loop_peer(state: tuple[np.ndarray, np.ndarray], n_windows: int, penalty: float | str = PENALTY) -> np.ndarray:
    """Per window: lagged design, standardise (divisor n), one sklearn fit per equation."""
    from sklearn.linear_model import Lasso, LassoLarsIC

    y, _ = state
    n_vars = y.shape[1]
    out = np.empty((n_windows, N_LAGS * n_vars, n_vars))
    for w in range(n_windows):
        block = y[w : w + WINDOW]
        resp = block[N_LAGS:]
        lags = np.column_stack([block[N_LAGS - lag : WINDOW - lag] for lag in range(1, N_LAGS + 1)])
        x = lags - lags.mean(axis=0)
        sx = x.std(axis=0)
        x = x / sx
        for i in range(n_vars):
            yc = resp[:, i] - resp[:, i].mean()
            sy = yc.std()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if penalty == "bic":
                    model: Any = LassoLarsIC(criterion="bic", fit_intercept=False).fit(x, yc / sy)
                else:
                    model = Lasso(alpha=float(penalty), fit_intercept=False, tol=1e-8).fit(x, yc / sy)
            out[w, :, i] = model.coef_ * sy / sx
    return out


def _warm_up() -> tuple[np.ndarray, np.ndarray]:
    import sklearn.linear_model  # noqa: F401  (import outside the timed region)

    return _setup()


CASES = [
    (f"rolling_lasso_n{N_VARS}_var{N_LAGS}_w{WINDOW}_{N_WINDOWS}_windows_fixed_penalty", _warm_up, ours),
    (f"rolling_lasso_sklearn_loop_{LOOP_WINDOWS}_of_{N_WINDOWS}_windows_fixed_penalty", _warm_up,
     lambda s: loop_peer(s, LOOP_WINDOWS)),
    (f"rolling_lasso_n{N_VARS}_{N_WINDOWS}_windows_bic", _warm_up, lambda s: ours(s, "bic")),
    (f"rolling_lassolarsic_loop_{LOOP_WINDOWS}_of_{N_WINDOWS}_windows_bic", _warm_up,
     lambda s: loop_peer(s, LOOP_WINDOWS, "bic")),
]

QUICK_CASES = [
    ("quick_rolling_lasso_n4_20_windows", lambda: _setup(20, 4), ours),
    ("quick_rolling_lasso_loop_3_windows", lambda: _setup(20, 4), lambda s: loop_peer(s, 3)),
    ("quick_rolling_lasso_n4_5_windows_bic", lambda: _setup(5, 4), lambda s: ours(s, "bic")),
]


def main() -> None:
    """Print ours vs the extrapolated loop for the fixed penalty and for BIC, with the agreement."""
    state = _warm_up()
    scale = N_WINDOWS / LOOP_WINDOWS
    header = f"{'workload':52s} {'ours wall/cpu (s)':>18s} {'loop wall/cpu (s)':>18s} {'speed-up':>9s}"
    print(f"{header} {'agreement':>10s}")
    for label, penalty in (("fixed penalty 0.05", PENALTY), ("penalty by BIC per window and equation", "bic")):
        mine = _best(lambda s, p=penalty: ours(s, p), state, repeats=1 if penalty == "bic" else 3)
        peer = tuple(v * scale for v in _best(lambda s, p=penalty: loop_peer(s, LOOP_WINDOWS, p), state, 1))
        coefs = ours((state[0], state[1][:LOOP_WINDOWS]), penalty)
        stacked = np.swapaxes(coefs, -1, -2).reshape(LOOP_WINDOWS, -1, N_VARS)
        agree = np.abs(stacked - loop_peer(state, LOOP_WINDOWS, penalty)).max()
        print(
            f"{'lasso N=20, VAR(2), window 250, 1000 windows, ' + label:52s} {mine[0]:8.2f} / {mine[1]:6.2f} "
            f"{peer[0]:8.2f} / {peer[1]:6.2f} {peer[0] / mine[0]:9.1f} {agree:10.1e}"
        )
    print(
        f"(loop timings extrapolated from {LOOP_WINDOWS} windows; BIC agreement compares our grid BIC with "
        "LassoLarsIC's exact-path BIC, so it is not a rounding error)"
    )


if __name__ == "__main__":
    main()
