"""Tests of contagion against interdependence.

* :func:`forbes_rigobon`: heteroskedasticity-adjusted correlation test (Forbes & Rigobon 2002).
* :func:`correlation_shift`: mean DCC correlation before vs after an event with Newey-West standard errors
  (Chiang, Jeon & Li 2007 style).
* :func:`granger_in_variance`: causality in variance via cross-correlations of squared standardised
  residuals (Cheung & Ng 1996).

Each returns a frozen result with ``to_frame()`` (tidy, one row per pair) and ``summary()`` (text).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._typing import Float64Array1D
from contagion.errors import (
    ContagionWarning,
    DataError,
    EstimationError,
    SpecificationError,
)
from contagion.models._event_utils import (
    DateLike,
    as_frame,
    policy_name,
    to_timestamp,
    window_rows,
)

__all__ = [
    "ForbesRigobonResult",
    "adjusted_correlation",
    "fisher_z_test",
    "forbes_rigobon",
]

logger = logging.getLogger(__name__)

Averaging = Literal["none", "two_day"]


# ---------------------------------------------------------------------------------------------------------
# Forbes-Rigobon
# ---------------------------------------------------------------------------------------------------------


def adjusted_correlation(rho: float | Float64Array1D, delta: float | Float64Array1D) -> Any:
    r"""Forbes-Rigobon heteroskedasticity-adjusted ("unconditional") correlation.

    .. math::

        \rho^* = \frac{\rho}{\sqrt{1 + \delta (1 - \rho^2)}}, \qquad
        \delta = \frac{\sigma^2_{x,\text{turmoil}}}{\sigma^2_{x,\text{tranquil}}} - 1

    Parameters
    ----------
    rho : float or ndarray
        Correlation measured in the turmoil period (conditional on the high source variance).
    delta : float or ndarray
        Relative rise in the variance of the **source** market ``x``.

    Returns
    -------
    float or ndarray
        :math:`\rho^*`, same shape as ``rho``.

    Notes
    -----
    Exact when ``y = a + b x + e`` with ``e`` homoskedastic and independent of ``x`` across regimes: then
    :math:`\rho^*` equals the tranquil-period correlation.

    References
    ----------
    .. [1] Forbes, K. J. and Rigobon, R. (2002). No contagion, only interdependence: measuring stock market
       co-movements. Journal of Finance, 57(5), 2223-2261, eq. (10).
    """
    rho_arr = np.asarray(rho, dtype=np.float64)
    delta_arr = np.asarray(delta, dtype=np.float64)
    out = rho_arr / np.sqrt(1.0 + delta_arr * (1.0 - rho_arr**2))
    return float(out) if out.ndim == 0 else out


def fisher_z_test(rho_0: float, n_0: int, rho_1: float, n_1: int) -> tuple[float, float]:
    r"""One-sided Fisher-z test of ``rho_1 > rho_0`` for two independent samples.

    .. math::

        z = \tfrac12 \ln\frac{1 + \rho}{1 - \rho}, \qquad
        t = \frac{z_1 - z_0}{\sqrt{1/(n_1 - 3) + 1/(n_0 - 3)}} \sim N(0, 1) \text{ under } H_0

    Returns
    -------
    (t, p)
        The statistic and its one-sided p-value :math:`P(N(0,1) > t)` (``scipy.stats.norm.sf``, so that
        small p-values keep their precision).
    """
    if min(n_0, n_1) <= 3:
        raise DataError(f"the Fisher-z test needs more than 3 observations per period (got {n_0} and {n_1}).")
    z_0 = math.atanh(rho_0)
    z_1 = math.atanh(rho_1)
    t = (z_1 - z_0) / math.sqrt(1.0 / (n_1 - 3) + 1.0 / (n_0 - 3))
    return t, float(stats.norm.sf(t))


@dataclass(frozen=True, kw_only=True)
class ForbesRigobonResult:
    """Forbes-Rigobon contagion test of every market against one source.

    ``table`` holds one row per market: ``market, n_tranquil, n_turmoil, var_source_tranquil,
    var_source_turmoil, delta, rho_tranquil, rho_turmoil, rho_turmoil_adjusted, z_tranquil,
    z_turmoil_adjusted, t_stat, p_value, verdict``. ``delta`` is computed on each pair's complete rows.
    """

    source: str
    tranquil: tuple[pd.Timestamp, pd.Timestamp]
    turmoil: tuple[pd.Timestamp, pd.Timestamp]
    level: float
    averaging: Averaging
    policy: str
    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per (source, market) pair."""
        out = self.table.copy()
        out.insert(0, "source", self.source)
        return out

    @property
    def verdicts(self) -> pd.Series:
        """``"contagion"`` or ``"interdependence"`` per market."""
        return self.table.set_index("market")["verdict"].copy()

    def summary(self) -> str:
        """Plain-text summary: design, then the table."""
        head = [
            f"Forbes-Rigobon (2002) contagion test, source {self.source}",
            f"tranquil {self.tranquil[0].date()} .. {self.tranquil[1].date()}, "
            f"turmoil {self.turmoil[0].date()} .. {self.turmoil[1].date()}",
            f"returns: {'two-day rolling averages' if self.averaging == 'two_day' else 'as given'}; "
            f"calendar policy: {self.policy}",
            "H0: adjusted turmoil correlation <= tranquil correlation (one-sided Fisher z); "
            f"'contagion' if p < {self.level:g}, else 'interdependence'",
            "",
        ]
        cols = ["market", "n_tranquil", "n_turmoil", "delta", "rho_tranquil", "rho_turmoil",
                "rho_turmoil_adjusted", "t_stat", "p_value", "verdict"]
        body = self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return "\n".join(head) + body


def _two_day_average(frame: pd.DataFrame) -> pd.DataFrame:
    return ((frame + frame.shift(1)) / 2.0).iloc[1:]


def forbes_rigobon(
    returns: Any,
    source: str,
    tranquil: Sequence[DateLike],
    turmoil: Sequence[DateLike],
    level: float = 0.05,
    *,
    markets: Sequence[str] | None = None,
    averaging: Averaging = "none",
    min_obs: int = 20,
) -> ForbesRigobonResult:
    r"""Forbes-Rigobon (2002) test: did correlations with ``source`` rise beyond what its variance explains?

    For each market ``y``, the turmoil-period correlation :math:`\rho_1` with the source ``x`` is adjusted
    for the rise in the source's variance (:func:`adjusted_correlation`),

    .. math::

        \rho_1^* = \rho_1 / \sqrt{1 + \delta (1 - \rho_1^2)}, \qquad
        \delta = \hat\sigma^2_{x,1} / \hat\sigma^2_{x,0} - 1,

    and compared with the tranquil correlation :math:`\rho_0` by a one-sided Fisher-z test
    (:func:`fisher_z_test`). A significant increase at ``level`` is called ``"contagion"``, anything else
    ``"interdependence"``.

    Parameters
    ----------
    returns : DataFrame of shape (n_obs, n_assets) or Panel
        Aligned returns (a :class:`~contagion.data.Panel` is unwrapped to ``.returns``; its calendar
        policy is recorded in the result).
    source : str
        Column of the crisis-origin market (e.g. ``"NVDA"``).
    tranquil, turmoil : (start, end) pairs of dates
        Inclusive date windows; they must lie inside the sample and must not overlap (the test assumes
        independent samples).
    level : float
        Significance level of the one-sided test, in (0, 1).
    markets : sequence of str, optional
        Markets to test (default: every other column).
    averaging : {"none", "two_day"}
        ``"two_day"`` replaces returns by two-day rolling averages :math:`(r_t + r_{t-1})/2` before
        windowing, as Forbes & Rigobon did to soften non-synchronous closing times (METHODS.md 1.7, 1.10).
        The overlap induces MA(1) autocorrelation, which the Fisher-z variance ignores.
    min_obs : int
        Minimum complete observations per window and pair.

    Returns
    -------
    ForbesRigobonResult

    Raises
    ------
    DataError
        Source or market not in the panel, windows outside the sample, too few observations, constant
        series.
    SpecificationError
        Bad level, averaging option or overlapping windows.

    Notes
    -----
    NaN policy: each pair uses the rows where both the source and the market are observed; ``delta`` is
    computed on those same rows. If the source's variance did not rise (``delta <= 0``) a
    :class:`~contagion.errors.ContagionWarning` is emitted: the adjustment then inflates correlations.
    The adjustment assumes no omitted common shocks and no feedback from ``y`` to ``x`` (Corsetti,
    Pericoli & Sbracia 2005 show the bias when these fail).

    References
    ----------
    .. [1] Forbes, K. J. and Rigobon, R. (2002). No contagion, only interdependence: measuring stock market
       co-movements. Journal of Finance, 57(5), 2223-2261.
    .. [2] Corsetti, G., Pericoli, M. and Sbracia, M. (2005). 'Some contagion, some interdependence': more
       pitfalls in tests of financial contagion. Journal of International Money and Finance, 24(8),
       1177-1199.
    """
    if not 0.0 < level < 1.0:
        raise SpecificationError(f"level must be in (0, 1), got level={level!r}.")
    if averaging not in ("none", "two_day"):
        raise SpecificationError(f"averaging must be 'none' or 'two_day', got averaging={averaging!r}.")
    if min_obs < 4:
        raise SpecificationError(f"min_obs must be at least 4 for the Fisher-z test, got {min_obs}.")
    policy = policy_name(returns)
    frame = as_frame(returns)
    if source not in frame.columns:
        raise DataError(f"source {source!r} is not in the panel (columns: {', '.join(frame.columns)}); "
                        "add it to the universe or pick another source.")
    if markets is None:
        markets = [c for c in frame.columns if c != source]
    missing = [m for m in markets if m not in frame.columns]
    if missing:
        raise DataError(f"market(s) {', '.join(missing)} not in the panel; drop them from `markets`.")
    if source in markets:
        raise SpecificationError(f"the source {source!r} cannot also be tested as a market.")
    if not markets:
        raise DataError("no market to test against the source: the panel has a single column.")
    if averaging == "two_day":
        frame = _two_day_average(frame)
    index = pd.DatetimeIndex(frame.index)
    rows_0 = window_rows(index, tranquil, what="tranquil window", policy=policy)
    rows_1 = window_rows(index, turmoil, what="turmoil window", policy=policy)
    if rows_0.intersection(rows_1).size:
        raise SpecificationError(
            f"the tranquil and turmoil windows overlap ({rows_0.intersection(rows_1)[0].date()} is in both); "
            "the Fisher-z test needs independent samples: make them disjoint."
        )
    tranquil_ts = (to_timestamp(tranquil[0], what="tranquil start"), to_timestamp(tranquil[1], what="tranquil end"))
    turmoil_ts = (to_timestamp(turmoil[0], what="turmoil start"), to_timestamp(turmoil[1], what="turmoil end"))
    x0_all = frame.loc[rows_0]
    x1_all = frame.loc[rows_1]
    records = []
    delta_nonpositive = []
    for market in markets:
        pair0 = x0_all[[source, market]].dropna().to_numpy()
        pair1 = x1_all[[source, market]].dropna().to_numpy()
        for label, pair in (("tranquil", pair0), ("turmoil", pair1)):
            if pair.shape[0] < min_obs:
                raise DataError(
                    f"{source}~{market}: only {pair.shape[0]} complete observations in the {label} window "
                    f"(min_obs={min_obs}); widen the window or drop {market}."
                )
            sd = pair.std(axis=0, ddof=1)
            if np.any(sd <= 0.0):
                bad = source if sd[0] <= 0 else market
                raise DataError(f"{bad} is constant in the {label} window; a correlation is undefined.")
        var_0 = float(np.var(pair0[:, 0], ddof=1))
        var_1 = float(np.var(pair1[:, 0], ddof=1))
        delta = var_1 / var_0 - 1.0
        if delta <= 0.0:
            delta_nonpositive.append(market)
        rho_0 = float(np.corrcoef(pair0, rowvar=False)[0, 1])
        rho_1 = float(np.corrcoef(pair1, rowvar=False)[0, 1])
        if max(abs(rho_0), abs(rho_1)) >= 1.0 - 1e-12:
            raise EstimationError(f"{source}~{market}: correlation of +-1; the Fisher z-transform diverges.")
        rho_star = float(adjusted_correlation(rho_1, delta))
        t, p = fisher_z_test(rho_0, pair0.shape[0], rho_star, pair1.shape[0])
        records.append({
            "market": market,
            "n_tranquil": int(pair0.shape[0]),
            "n_turmoil": int(pair1.shape[0]),
            "var_source_tranquil": var_0,
            "var_source_turmoil": var_1,
            "delta": delta,
            "rho_tranquil": rho_0,
            "rho_turmoil": rho_1,
            "rho_turmoil_adjusted": rho_star,
            "z_tranquil": math.atanh(rho_0),
            "z_turmoil_adjusted": math.atanh(rho_star),
            "t_stat": t,
            "p_value": p,
            "verdict": "contagion" if p < level else "interdependence",
        })
    if delta_nonpositive:
        warnings.warn(
            f"the variance of the source {source} did not rise from the tranquil to the turmoil window "
            f"(delta <= 0 for {', '.join(delta_nonpositive)}); the Forbes-Rigobon adjustment then raises "
            "the correlation instead of lowering it. Check the window dates.",
            ContagionWarning,
            stacklevel=2,
        )
    return ForbesRigobonResult(
        source=source,
        tranquil=tranquil_ts,
        turmoil=turmoil_ts,
        level=level,
        averaging=averaging,
        policy=policy,
        table=pd.DataFrame.from_records(records),
    )

