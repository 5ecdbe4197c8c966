"""Descriptive statistics of the series the headline model uses: ``tables/descriptive_statistics.{csv,tex}``.

One row per series: each group's equal-weighted log-variance index (the VAR's variables, ``kind =
"log_variance_index"``) and the group's equal-weighted log return over the same members (``kind =
"log_return"``, percent). Columns: observations, mean, standard deviation, skewness, excess kurtosis, the
Jarque-Bera statistic with its p-value, the augmented Dickey-Fuller test (constant, lag length by AIC; H0:
unit root) and the KPSS test (level stationarity, automatic bandwidth; H0: stationary) with p-values, and the
Ljung-Box Q(10) on the levels and on the squared deviations from the mean with p-values. All tests are
statsmodels' (``jarque_bera``, ``adfuller``, ``kpss``, ``acorr_ljungbox``): well-tested implementations with
the published critical values, which a hand-written version would only copy. The KPSS p-value is
interpolated in a table and so lies in [0.01, 0.10]; a value at either end means "at most" / "at least".
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contagion.report.files import normalise, write_csv, write_text
from contagion.report.inputs import ReportInputs

__all__ = ["DESCRIBE_COLUMNS", "describe_series", "describe_table", "write_describe_files"]

DESCRIBE_COLUMNS = ["series", "kind", "n_obs", "mean", "sd", "skewness", "excess_kurtosis", "jarque_bera",
                    "jb_p_value", "adf_stat", "adf_p_value", "kpss_stat", "kpss_p_value", "ljung_box_q10",
                    "ljung_box_p_value", "ljung_box_sq_q10", "ljung_box_sq_p_value"]
_LB_LAGS = 10
_MIN_OBS = 30  # fewer observations than this: ADF / KPSS / Q(10) are not meaningful; the row is left out


def describe_series(values: pd.Series) -> dict[str, float]:
    """The statistics of one series (NaNs dropped)."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import jarque_bera
    from statsmodels.tsa.stattools import adfuller, kpss

    x = values.dropna().to_numpy(dtype=np.float64)
    jb, jb_p, skew, kurt = jarque_bera(x)
    with warnings.catch_warnings():
        # KPSS warns when its p-value is outside the interpolation table; statsmodels >= 0.15 warns that
        # adfuller will return a result object (its first two entries stay the statistic and the p-value)
        warnings.simplefilter("ignore")
        adf = adfuller(x, regression="c", autolag="AIC")
        kpss_stat, kpss_p, _, _ = kpss(x, regression="c", nlags="auto")
    lb = acorr_ljungbox(x, lags=[_LB_LAGS])
    lb_sq = acorr_ljungbox((x - x.mean()) ** 2, lags=[_LB_LAGS])
    return {"n_obs": float(len(x)), "mean": float(x.mean()), "sd": float(x.std(ddof=1)), "skewness": float(skew),
            "excess_kurtosis": float(kurt) - 3.0, "jarque_bera": float(jb), "jb_p_value": float(jb_p),
            "adf_stat": float(adf[0]), "adf_p_value": float(adf[1]), "kpss_stat": float(kpss_stat),
            "kpss_p_value": float(kpss_p), "ljung_box_q10": float(lb["lb_stat"].iloc[0]),
            "ljung_box_p_value": float(lb["lb_pvalue"].iloc[0]), "ljung_box_sq_q10": float(lb_sq["lb_stat"].iloc[0]),
            "ljung_box_sq_p_value": float(lb_sq["lb_pvalue"].iloc[0])}


def describe_table(panel: pd.DataFrame, members: Mapping[str, Sequence[str]], order: Sequence[str]) -> pd.DataFrame:
    """The statistics of every group index and group return, from the run's panel table (``data/panel``)."""
    if panel.empty:
        return pd.DataFrame(columns=DESCRIBE_COLUMNS)
    groups = panel[(panel["level"] == "group") & panel["kind"].astype(str).str.startswith("group_index")]
    index = groups.pivot(index="date", columns="series", values="value").sort_index()
    assets = panel[(panel["level"] == "asset") & (panel["kind"] == "log_return")]
    returns = assets.pivot(index="date", columns="series", values="value").sort_index().reindex(index.index)
    rows: list[dict[str, Any]] = []
    for group in [g for g in order if g in index.columns]:
        series = {"log_variance_index": index[group]}
        used = [t for t in members.get(group, []) if t in returns.columns]
        if used:
            series["log_return"] = 100.0 * returns[used].mean(axis=1)
        for kind, values in series.items():
            if values.notna().sum() >= _MIN_OBS:
                rows.append({"series": group, "kind": kind, **describe_series(values)})
    frame = pd.DataFrame(rows, columns=DESCRIBE_COLUMNS)
    frame["n_obs"] = frame["n_obs"].astype(int)
    return frame


def write_describe_files(root: Path, inputs: ReportInputs, panel: pd.DataFrame) -> pd.DataFrame:
    """``tables/descriptive_statistics.csv`` (when CSV is a format) and ``.tex`` (when TeX is); returns the table."""
    from contagion.report.tables import tabular

    study = inputs.study
    members = inputs.main.info.get("members", {})
    out = normalise(describe_table(panel, members, list(study.groups)), ["kind", "series"],
                    simulated=inputs.simulated)
    if out.empty:
        return out
    if "csv" in inputs.formats:
        write_csv(out, root / "tables" / "descriptive_statistics.csv")
    if "tex" in inputs.formats:
        header = ["series", "kind", "N", "mean", "sd", "skew", "ex. kurt", "JB (p)", "ADF (p)", "KPSS (p)",
                  "Q(10) (p)", "Q2(10) (p)"]
        rows = [[str(r.series), str(r.kind).replace("_", " "), f"{r.n_obs}", f"{r.mean:.3f}", f"{r.sd:.3f}",
                 f"{r.skewness:.2f}", f"{r.excess_kurtosis:.2f}", f"{r.jarque_bera:.1f} ({r.jb_p_value:.3f})",
                 f"{r.adf_stat:.2f} ({r.adf_p_value:.3f})", f"{r.kpss_stat:.2f} ({r.kpss_p_value:.3f})",
                 f"{r.ljung_box_q10:.1f} ({r.ljung_box_p_value:.3f})",
                 f"{r.ljung_box_sq_q10:.1f} ({r.ljung_box_sq_p_value:.3f})"] for r in out.itertuples()]
        text = tabular(header, rows, caption="Descriptive statistics of the group indices and group returns",
                       label="tab:describe", simulated=inputs.simulated, notes=NOTE)
        write_text(root / "tables" / "descriptive_statistics.tex", text)
    return out


NOTE = ("Log-variance index: the group's equal-weighted log variance (the VAR's variable); log return: the "
        "equal-weighted log return of the same members, percent. Excess kurtosis (0 under normality); JB: "
        "Jarque-Bera; ADF: augmented Dickey-Fuller with a constant, H0 unit root; KPSS: level stationarity, H0 "
        "stationary (p-values interpolated, within [0.01, 0.10]); Q(10) and Q2(10): Ljung-Box on levels and on "
        "squared deviations from the mean, 10 lags. statsmodels implementations.")
