"""Contagion tests on the demo market: batched GARCH margins and the numpy HAC kernel against the old loops.

Inputs are the demo study's main job (deepseek-2025 on the built-in demo market), stored in
``tests/hypothesis/fixtures/before/``: six group indices x 752 days for causality in variance (first group
against the five others, 5 lags) and the DCC correlations of the source with its 8 DCC partners for the
correlation shift (3 events, 250 days before, 21 after, ``ar_lags=1``), called as ``contagion run`` calls them.

Cases (``python benchmarks/run.py --only bench_hypothesis``), each next to its baseline, the code before
the change as a plain loop:

- ``granger_demo`` / ``granger_demo_arch_loop``: ``granger_in_variance`` (one ``fit_margins`` call) against
  ``arch_model(...).fit()`` one group at a time, then the same Cheung-Ng statistic.
- ``shift_demo`` / ``shift_demo_statsmodels_loop``: ``correlation_shift`` (batched ``ols_hac``) against
  ``statsmodels`` ``OLS(...).fit(cov_type="HAC")`` one pair at a time.
- ``*_fresh`` rows: the same in a new interpreter that has imported numpy, pandas, scipy.stats and
  ``contagion.hypothesis`` (as a study worker has), so the imports each path triggers are timed too
  (arch or statsmodels before, ``contagion.dcc`` now). The row times the whole subprocess; ``python
  benchmarks/bench_hypothesis.py`` prints the call alone, also with ``contagion.dcc`` imported beforehand
  (in a study job the DCC section has imported it before the tests run).

Warm rows run in ``--quick`` mode.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
BEFORE = REPO / "tests" / "hypothesis" / "fixtures" / "before"

State = dict[str, Any]


def _inputs() -> State:
    meta = json.loads((BEFORE / "calls.json").read_text())
    index = pd.read_csv(BEFORE / "granger_demo_index.csv.gz", index_col="date", parse_dates=True)
    corr = pd.read_csv(BEFORE / "shift_demo_corr.csv.gz", index_col="date", parse_dates=True)
    first = meta["granger"]["demo"]["first"]
    calls = [{"event": pd.Timestamp(c["event"]), "pre": c["pre"], "post": c["post"], "ar_lags": c["ar_lags"],
              "pairs": [tuple(p.split("~")) for p in c["pairs"]]} for c in meta["shift"]["demo"]]
    return {"index": index, "first": first, "others": [g for g in index.columns if g != first], "corr": corr,
            "calls": calls}


# ---- contagion ------------------------------------------------------------------------------------------


def granger(state: State) -> Any:
    from contagion.hypothesis import granger_in_variance

    return granger_in_variance(state["index"], [state["first"]], state["others"], lags=5).table


def shift(state: State) -> Any:
    from contagion.hypothesis import correlation_shift

    return [correlation_shift(state["corr"], **call).table for call in state["calls"]]


# ---- baselines: the code before the change, as plain loops -----------------------------------------------


def granger_arch_loop(state: State) -> Any:
    """arch one group at a time (returns x 100, default fit), then S = T sum r_k^2 per pair."""
    from arch import arch_model
    from scipy import stats

    from contagion.hypothesis import cheung_ng_ccf

    z = {}
    for g in state["index"].columns:
        y = state["index"][g].dropna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = arch_model(100.0 * y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal",
                             rescale=False).fit(disp="off")
        z[g] = pd.Series(np.asarray(res.std_resid), index=y.index)
    rows = []
    for e in state["others"]:
        both = pd.concat([z[e], z[state["first"]]], axis=1, sort=True).dropna().to_numpy()
        r = cheung_ng_ccf(both[:, [0]] ** 2, both[:, [1]] ** 2, 5)[:, 0]
        stat = both.shape[0] * float(np.sum(r**2))
        rows.append((state["first"], e, stat, float(stats.chi2.sf(stat, 5))))
    return rows


def shift_statsmodels_loop(state: State) -> Any:
    """statsmodels OLS with HAC standard errors, one pair and one event at a time."""
    import statsmodels.api as sm

    from contagion.hypothesis import newey_west_lags

    corr = state["corr"]
    out = []
    for call in state["calls"]:
        at = corr.index.get_loc(call["event"])
        sample = corr.index[at - call["pre"]:at + call["post"]]
        post = pd.Series((corr.index >= call["event"]).astype(float), index=corr.index)
        for x, y in call["pairs"]:
            col = corr[f"{x}~{y}"]
            design = pd.DataFrame({"y": col, "const": 1.0, "post": post, "lag1": col.shift(1)}).loc[sample].dropna()
            fit = sm.OLS(design["y"].to_numpy(), design.drop(columns="y").to_numpy()).fit(
                cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(len(design)), "use_correction": True})
            out.append((f"{x}~{y}", float(fit.params[1]), float(fit.bse[1])))
    return out


# ---- fresh interpreter -----------------------------------------------------------------------------------

_FRESH = """
import sys, time
sys.path.insert(0, {bench!r})
import numpy, pandas, scipy.stats, contagion.hypothesis  # what a study worker has imported already
{extra}
import bench_hypothesis as b
state = b._inputs()
t0 = time.perf_counter()
b.{func}(state)
print(time.perf_counter() - t0)
"""


def _fresh(func: str, *, dcc_imported: bool = False) -> float:
    """Run ``func`` on the demo inputs in a new interpreter; returns the seconds of the call alone.

    ``dcc_imported``: import ``contagion.dcc`` first, as in a study job, whose DCC section runs before the tests.
    """
    extra = "import contagion.dcc" if dcc_imported else ""
    code = _FRESH.format(bench=str(Path(__file__).resolve().parent), func=func, extra=extra)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO)
    return float(done.stdout.strip().splitlines()[-1])


CASES = [
    ("granger_demo", _inputs, granger),
    ("granger_demo_arch_loop", _inputs, granger_arch_loop),
    ("shift_demo", _inputs, shift),
    ("shift_demo_statsmodels_loop", _inputs, shift_statsmodels_loop),
    ("granger_demo_fresh", lambda: None, lambda _: _fresh("granger")),
    ("granger_demo_arch_loop_fresh", lambda: None, lambda _: _fresh("granger_arch_loop")),
    ("shift_demo_fresh", lambda: None, lambda _: _fresh("shift")),
    ("shift_demo_statsmodels_loop_fresh", lambda: None, lambda _: _fresh("shift_statsmodels_loop")),
]

QUICK_CASES = CASES[:4]


def main(repeats: int = 3) -> None:
    """Print the call-only time (best of ``repeats``) of every path, warm and in a fresh interpreter."""
    state = _inputs()
    funcs = {"granger": granger, "granger_arch_loop": granger_arch_loop, "shift": shift,
             "shift_statsmodels_loop": shift_statsmodels_loop}
    for func in funcs.values():  # warm every import once
        func(state)
    print(f"{'case':28s} {'warm s':>8s} {'fresh s':>8s} {'fresh, contagion.dcc imported s':>32s}")
    for name, func in funcs.items():
        warm = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            func(state)
            warm.append(time.perf_counter() - t0)
        fresh = min(_fresh(name) for _ in range(repeats))
        fresh_dcc = min(_fresh(name, dcc_imported=True) for _ in range(repeats))
        print(f"{name:28s} {min(warm):8.3f} {fresh:8.3f} {fresh_dcc:32.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
