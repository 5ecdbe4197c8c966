"""Group statistics of an event study: cross-sectional and BMP t-tests with the Kolari-Pynnonen adjustment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from contagion._typing import Float64Array1D

__all__ = ["group_table", "mean_pairwise_correlation", "t_test"]


def t_test(values: Float64Array1D) -> tuple[float, float, float, float]:
    """Mean, standard deviation (ddof=1), t = mean / (sd / sqrt(N)) and its two-sided p (t with N-1 d.o.f.)."""
    n = values.shape[0]
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan, np.nan
    sd = float(values.std(ddof=1))
    if sd == 0.0:
        return mean, sd, np.nan, np.nan
    t = mean / (sd / np.sqrt(n))
    return mean, sd, t, float(2.0 * stats.t.sf(abs(t), n - 1))


def mean_pairwise_correlation(resid: Mapping[str, Float64Array1D], members: Sequence[str]) -> float:
    r"""Average pairwise correlation :math:`\bar r` of estimation-window abnormal returns (pairwise-complete
    rows), the input of the Kolari-Pynnonen (2010) adjustment; NaN for a single asset."""
    if len(members) < 2:
        return np.nan
    data = pd.DataFrame({m: resid[m] for m in members})
    corr = data.corr(min_periods=3).to_numpy()
    off = corr[~np.eye(len(members), dtype=bool)]
    return float(np.nanmean(off)) if np.isfinite(off).any() else np.nan


def group_table(
    car: pd.DataFrame,
    groups: Mapping[str, tuple[str, ...]],
    windows: Sequence[tuple[int, int]],
    est_resid: Mapping[str, Mapping[str, Float64Array1D]],
) -> pd.DataFrame:
    r"""Group statistics, with the Kolari-Pynnonen (2010, eq. 9) cross-correlation adjusted BMP test

    .. math:: t_{\text{KP}} = t_{\text{BMP}} \sqrt{\frac{1 - \bar r}{1 + (N - 1) \bar r}}.
    """
    rows = []
    has_av = "abnormal_volatility" in car.columns
    for ev in dict.fromkeys(car["event"]):
        for g, members in groups.items():
            r_bar = mean_pairwise_correlation(est_resid[ev], members)
            for a, b in windows:
                win = f"[{a},{b}]"
                part = car[(car["event"] == ev) & (car["window"] == win) & car["ticker"].isin(members)]
                if part.empty:
                    continue
                n = len(part)
                mean_car, sd_car, t_cross, p_cross = t_test(part["car"].to_numpy())
                mean_scar, sd_scar, t_bmp, p_bmp = t_test(part["scar"].to_numpy())
                denominator = 1.0 + (n - 1) * r_bar
                if np.isfinite(t_bmp) and np.isfinite(r_bar) and denominator > 0.0:
                    t_kp = t_bmp * float(np.sqrt((1.0 - r_bar) / denominator))
                    p_kp = float(2.0 * stats.t.sf(abs(t_kp), n - 1))
                else:
                    t_kp = p_kp = np.nan
                row: dict[str, Any] = {
                    "event": ev, "group": g, "window": win, "n_assets": n,
                    "mean_car": mean_car, "sd_car": sd_car, "t_cross": t_cross, "p_cross": p_cross,
                    "mean_scar": mean_scar, "sd_scar": sd_scar, "t_bmp": t_bmp, "p_bmp": p_bmp,
                    "mean_residual_corr": r_bar, "t_bmp_kp": t_kp, "p_bmp_kp": p_kp,
                }
                if has_av:
                    row["mean_abnormal_volatility"] = float(part["abnormal_volatility"].mean())
                rows.append(row)
    return pd.DataFrame.from_records(rows)
