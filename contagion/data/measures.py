r"""Return and volatility measures: log returns and range-based (log) variance estimators.

Range estimators follow TTR's ``volatility()`` (joshuaulrich/TTR ``R/volatility.R``) with ``N = 1`` (daily,
not annualised) and a rolling window of ``n`` periods (``n = 1``: one value per period). With
:math:`o = \ln O,\ h = \ln H,\ l = \ln L,\ c = \ln C` and :math:`c_{-1}` the previous close:

.. math::

    \sigma^2_{P} &= \frac{(h - l)^2}{4 \ln 2}                                   && \text{Parkinson (1980)} \\
    \sigma^2_{GK} &= \tfrac12 (h - l)^2 - (2\ln 2 - 1)(c - o)^2                && \text{Garman-Klass (1980)} \\
    \sigma^2_{RS} &= (h - c)(h - o) + (l - c)(l - o)                           && \text{Rogers-Satchell (1991)} \\
    \sigma^2_{GKYZ} &= (o - c_{-1})^2 + \sigma^2_{GK}                           && \text{GK, Yang-Zhang ext.} \\
    \sigma^2_{YZ} &= \sigma^2_o + k\,\sigma^2_c + (1 - k)\,\sigma^2_{RS},\quad
        k = \frac{0.34}{1.34 + (n + 1)/(n - 1)}                                 && \text{Yang-Zhang (2000)}

where for Yang-Zhang :math:`\sigma^2_o` and :math:`\sigma^2_c` are the sample variances (denominator
:math:`n-1`) of :math:`o - c_{-1}` and :math:`c - o` over the last :math:`n \ge 2` periods and
:math:`\sigma^2_{RS}` is the mean Rogers-Satchell term over those periods.

Log variance (the DY2012 replication data are log daily variances) is :math:`\ln\max(\sigma^2, f)` with the
documented floor :math:`f` = :data:`VARIANCE_FLOOR` = 1e-10 for zero ranges (H = L = O = C, e.g. a stale quote).
A fixed floor is used, not one derived from the sample, so that no value depends on later data.

Per-day scale (``per_day=True`` in :func:`compute_measure`; the default of
:func:`~contagion.data.panel.build_panel` for 24/7 assets under the session calendars). A bar that spans
:math:`k` UTC days (a Monday crypto bar under ``exchange`` aggregates Saturday, Sunday and Monday: first open,
max high, min low, last close, so :math:`k = 3`; more after a holiday) has a range variance of about
:math:`k` times the one-day variance: for a driftless Brownian log price with variance :math:`\sigma^2` per
day observed over :math:`k` days, :math:`E[(h - l)^2] = 4\ln 2\,\sigma^2 k` (Parkinson 1980, eq. 5 with
time interval :math:`k`), and the Garman-Klass and Rogers-Satchell estimators are unbiased for
:math:`\sigma^2 k` in the same model. Left unscaled, log range variance jumps by about :math:`\ln 3 = 1.1`
every Monday, and a VAR on it has a weekly (h = 5 sessions) echo in every crypto response. The per-day value
is the aggregated variance divided by :math:`k`: range measures and squared returns are divided by
:math:`k`, absolute returns by :math:`\sqrt k`; for Yang-Zhang each bar's overnight and open-to-close
returns are divided by :math:`\sqrt k` and its Rogers-Satchell term by :math:`k` before the rolling window.
Returns are left as sums over the window (a return is a price change, not a rate: the Friday-to-Monday return
is what an investor earned).

References
----------
.. [1] Parkinson, M. (1980). The extreme value method for estimating the variance of the rate of return.
   Journal of Business, 53(1), 61-65.
.. [2] Garman, M. B. and Klass, M. J. (1980). On the estimation of security price volatilities from
   historical data. Journal of Business, 53(1), 67-78.
.. [3] Rogers, L. C. G. and Satchell, S. E. (1991). Estimating variance from high, low and closing prices.
   Annals of Applied Probability, 1(4), 504-512.
.. [4] Yang, D. and Zhang, Q. (2000). Drift-independent volatility estimation based on high, low, open,
   and close prices. Journal of Business, 73(3), 477-492 (eq. 9 for the weight k with alpha = 1.34).
.. [5] Ulrich, J. TTR: Technical Trading Rules, ``volatility()`` in R/volatility.R.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from contagion._typing import Float64Array1D
from contagion.errors import DataQualityWarning, SpecificationError

__all__ = [
    "MEASURES",
    "MEASURE_ALIASES",
    "RANGE_MEASURES",
    "VARIANCE_FLOOR",
    "absolute_returns",
    "annualise_variance",
    "annualised_volatility",
    "canonical_measure",
    "compute_measure",
    "garman_klass",
    "gkyz",
    "log_returns",
    "log_variance",
    "parkinson",
    "rogers_satchell",
    "squared_returns",
    "yang_zhang",
]

#: Floor applied to a daily variance before taking logs (zero ranges); ln(1e-10) = -23.03.
VARIANCE_FLOOR = 1e-10

RANGE_MEASURES: tuple[str, ...] = ("parkinson", "garman_klass", "rogers_satchell", "gkyz", "yang_zhang")
MEASURES: tuple[str, ...] = ("returns", "squared", "absolute", *RANGE_MEASURES)
MEASURE_ALIASES: dict[str, str] = {
    "returns": "returns", "return": "returns", "ret": "returns", "log_returns": "returns",
    "squared": "squared", "squared_returns": "squared", "sq": "squared",
    "absolute": "absolute", "abs": "absolute", "absolute_returns": "absolute",
    "parkinson": "parkinson", "pk": "parkinson",
    "garman_klass": "garman_klass", "gk": "garman_klass", "garman.klass": "garman_klass",
    "rogers_satchell": "rogers_satchell", "rs": "rogers_satchell", "rogers.satchell": "rogers_satchell",
    "gkyz": "gkyz", "gk_yz": "gkyz", "gk.yz": "gkyz", "garman_klass_yang_zhang": "gkyz",
    "yang_zhang": "yang_zhang", "yz": "yang_zhang", "yang.zhang": "yang_zhang",
}

_LN2 = math.log(2.0)


def canonical_measure(name: str) -> str:
    """Canonical measure name for ``name`` or an alias (``"gk"`` -> ``"garman_klass"``)."""
    key = str(name).strip().lower().replace("-", "_")
    try:
        return MEASURE_ALIASES[key]
    except KeyError:
        raise SpecificationError(
            f"unknown measure {name!r}; choose one of {', '.join(MEASURES)} "
            "(aliases: gk, rs, yz, pk, gk_yz, abs, sq)."
        ) from None


def _as_float(x: Float64Array1D | pd.Series) -> Float64Array1D:
    return np.asarray(x, dtype=np.float64)


def _rolling_mean(x: Float64Array1D, n: int) -> Float64Array1D:
    """Mean over the last ``n`` values (NaN for the first n-1 and for windows containing NaN)."""
    if n == 1:
        return x.copy()
    out = np.full(x.shape, np.nan)
    if len(x) >= n:
        out[n - 1:] = sliding_window_view(x, n).mean(axis=-1)
    return out


def _rolling_var(x: Float64Array1D, n: int) -> Float64Array1D:
    """Sample variance (ddof=1) over the last ``n`` values, as TTR's ``runVar``."""
    out = np.full(x.shape, np.nan)
    if len(x) >= n:
        out[n - 1:] = sliding_window_view(x, n).var(axis=-1, ddof=1)
    return out


def _check_window(n: int, minimum: int = 1) -> None:
    if int(n) != n or n < minimum:
        raise SpecificationError(f"window must be an integer >= {minimum}, got window={n!r}.")


def log_returns(prices: Float64Array1D | pd.Series) -> Float64Array1D:
    r"""Log returns :math:`r_t = \ln P_t - \ln P_{t-1}` (first value NaN)."""
    p = _as_float(prices)
    out = np.full(p.shape, np.nan)
    out[1:] = np.diff(np.log(p))
    return out


def squared_returns(returns: Float64Array1D | pd.Series) -> Float64Array1D:
    """Squared returns :math:`r_t^2`."""
    r = _as_float(returns)
    return r * r


def absolute_returns(returns: Float64Array1D | pd.Series) -> Float64Array1D:
    """Absolute returns :math:`|r_t|`."""
    return np.abs(_as_float(returns))


def parkinson(high: Float64Array1D, low: Float64Array1D, *, window: int = 1) -> Float64Array1D:
    r"""Parkinson (1980) variance :math:`(\ln H/L)^2 / (4\ln 2)`, averaged over ``window`` periods (TTR)."""
    _check_window(window)
    hl = np.log(_as_float(high) / _as_float(low))
    return _rolling_mean(hl * hl / (4.0 * _LN2), window)


def garman_klass(open_: Float64Array1D, high: Float64Array1D, low: Float64Array1D, close: Float64Array1D,
                 *, window: int = 1) -> Float64Array1D:
    r"""Garman-Klass (1980) practical form :math:`\tfrac12(\ln H/L)^2 - (2\ln2-1)(\ln C/O)^2` (TTR)."""
    _check_window(window)
    hl = np.log(_as_float(high) / _as_float(low))
    co = np.log(_as_float(close) / _as_float(open_))
    return _rolling_mean(0.5 * hl * hl - (2.0 * _LN2 - 1.0) * co * co, window)


def rogers_satchell(open_: Float64Array1D, high: Float64Array1D, low: Float64Array1D, close: Float64Array1D,
                    *, window: int = 1) -> Float64Array1D:
    r"""Rogers-Satchell (1991) :math:`\ln(H/C)\ln(H/O) + \ln(L/C)\ln(L/O)` (drift-independent; TTR)."""
    _check_window(window)
    o, h, l_, c = (_as_float(v) for v in (open_, high, low, close))
    rs = np.log(h / c) * np.log(h / o) + np.log(l_ / c) * np.log(l_ / o)
    return _rolling_mean(rs, window)


def gkyz(open_: Float64Array1D, high: Float64Array1D, low: Float64Array1D, close: Float64Array1D,
         prev_close: Float64Array1D, *, window: int = 1) -> Float64Array1D:
    r"""Garman-Klass with the Yang-Zhang overnight term :math:`(\ln O/C_{-1})^2 + \sigma^2_{GK}` (TTR gk.yz)."""
    _check_window(window)
    o, h, l_, c, c1 = (_as_float(v) for v in (open_, high, low, close, prev_close))
    gap = np.log(o / c1)
    hl = np.log(h / l_)
    co = np.log(c / o)
    return _rolling_mean(gap * gap + 0.5 * hl * hl - (2.0 * _LN2 - 1.0) * co * co, window)


def yang_zhang(open_: Float64Array1D, high: Float64Array1D, low: Float64Array1D, close: Float64Array1D,
               prev_close: Float64Array1D, *, window: int = 10, alpha: float = 1.34,
               n_days: Float64Array1D | None = None) -> Float64Array1D:
    r"""Yang-Zhang (2000) variance over a rolling window of ``window`` >= 2 periods (TTR yang.zhang).

    .. math:: \sigma^2 = \sigma^2_o + k\sigma^2_c + (1-k)\overline{\sigma^2_{RS}},\quad
              k = \frac{\alpha - 1}{\alpha + (n+1)/(n-1)}

    with :math:`\alpha = 1.34` (Yang and Zhang 2000, eq. 9); :math:`\sigma^2_o`, :math:`\sigma^2_c` are sample
    variances (ddof = 1) of :math:`\ln(O/C_{-1})` and :math:`\ln(C/O)`. The first ``window - 1`` values are NaN.
    ``n_days`` (optional, one value per bar) puts each bar on a per-day scale before the window: its two
    returns are divided by :math:`\sqrt k` and its Rogers-Satchell term by :math:`k` (module docstring).
    """
    _check_window(window, 2)
    n = int(window)
    o, h, l_, c, c1 = (_as_float(v) for v in (open_, high, low, close, prev_close))
    k = (alpha - 1.0) / (alpha + (n + 1.0) / (n - 1.0))
    days = np.ones(o.shape) if n_days is None else _as_float(n_days)
    s2o = _rolling_var(np.log(o / c1) / np.sqrt(days), n)
    s2c = _rolling_var(np.log(c / o) / np.sqrt(days), n)
    s2rs = _rolling_mean(rogers_satchell(o, h, l_, c) / days, n)
    return s2o + k * s2c + (1.0 - k) * s2rs


def log_variance(variance: Float64Array1D | pd.Series, *, floor: float = VARIANCE_FLOOR,
                 name: str = "series") -> Float64Array1D:
    r"""Log variance :math:`\ln\max(\sigma^2, f)`; NaN stays NaN.

    Values below the floor (zero ranges) are floored and reported once with a :class:`DataQualityWarning`.
    """
    if not floor > 0:
        raise SpecificationError(f"floor must be > 0, got floor={floor!r}.")
    v = _as_float(variance)
    low = np.isfinite(v) & (v < floor)
    n_low = int(low.sum())
    if n_low:
        warnings.warn(
            f"{name}: {n_low} zero or sub-floor range variance(s) floored at {floor:g} before taking logs "
            "(stale or flat quotes; see the data-quality report).",
            DataQualityWarning,
            stacklevel=2,
        )
    return np.log(np.where(low, floor, v))


def annualise_variance(variance: Float64Array1D | pd.Series | float, periods_per_year: int = 252
                       ) -> Float64Array1D:
    """Annualised variance :math:`N\\sigma^2` (N = 252 sessions, 365 crypto days, 52 weeks)."""
    return np.asarray(variance, dtype=np.float64) * float(periods_per_year)


def annualised_volatility(variance: Float64Array1D | pd.Series | float, periods_per_year: int = 252, *,
                          percent: bool = True) -> Float64Array1D:
    r"""Annualised volatility :math:`100\sqrt{N\sigma^2}` (percent) or :math:`\sqrt{N\sigma^2}`.

    DY2012 annualise daily range variance as :math:`100\sqrt{365\,\sigma^2}`; pass ``periods_per_year=365``
    to reproduce that.
    """
    vol = np.sqrt(annualise_variance(variance, periods_per_year))
    return vol * 100.0 if percent else vol


def compute_measure(measure: str, aligned: pd.DataFrame, *, window: int | None = None,
                    floor: float = VARIANCE_FLOOR, name: str = "series", per_day: bool = False) -> pd.Series:
    """One measure from an aligned frame (columns open, high, low, close, prev_close, return, n_days).

    Returns and their squares/absolutes use the ``return`` column; range measures return the LOG variance.
    ``window`` defaults to 1 (10 for Yang-Zhang, TTR's default). ``per_day=True`` divides the variance of a
    bar spanning ``n_days`` = k days by k (absolute returns by sqrt(k); see the module docstring); returns are
    never scaled. Without an ``n_days`` column every bar counts as one day.
    """
    m = canonical_measure(measure)
    r = aligned["return"].to_numpy(dtype=np.float64)
    days = np.ones(len(aligned))
    if per_day and "n_days" in aligned.columns:
        days = np.nan_to_num(aligned["n_days"].to_numpy(dtype=np.float64), nan=1.0)
    if m == "returns":
        values = r.copy()
    elif m == "squared":
        values = squared_returns(r) / days
    elif m == "absolute":
        values = absolute_returns(r) / np.sqrt(days)
    else:
        o, h, l_, c, c1 = (aligned[col].to_numpy(dtype=np.float64)
                           for col in ("open", "high", "low", "close", "prev_close"))
        if m == "yang_zhang":
            var = yang_zhang(o, h, l_, c, c1, window=window or 10, n_days=days)
        else:
            n = window or 1
            _check_window(n)
            if m == "parkinson":
                bar = parkinson(h, l_)
            elif m == "garman_klass":
                bar = garman_klass(o, h, l_, c)
            elif m == "rogers_satchell":
                bar = rogers_satchell(o, h, l_, c)
            else:
                bar = gkyz(o, h, l_, c, c1)
            var = _rolling_mean(bar / days, n)  # each bar on its per-day scale, then the window (TTR's mean)
        # tiny negative values from rounding (e.g. close a hair above high) count as zero ranges
        values = log_variance(var, floor=floor, name=f"{name} {m}")
    return pd.Series(values, index=aligned.index, name=name, dtype=np.float64)
