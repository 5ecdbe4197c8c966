"""Shared pieces of the contagion tests: the Forbes-Rigobon adjustment, the Fisher-z test, the Newey-West lag
rule, the test-size check and the summary layout."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._summary import Summary
from contagion._typing import Float64Array1D
from contagion.errors import DataError, SpecificationError

__all__ = ["Averaging", "adjusted_correlation", "check_alpha", "fisher_z_test", "newey_west_lags",
           "table_summary"]

Averaging = Literal["none", "two_day"]


def adjusted_correlation(rho: float | Float64Array1D, delta: float | Float64Array1D) -> float | Float64Array1D:
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


def newey_west_lags(n_obs: int) -> int:
    r"""Newey-West (1994) rule of thumb :math:`\lfloor 4 (T/100)^{2/9} \rfloor`."""
    scaled: float = 4.0 * (n_obs / 100.0) ** (2.0 / 9.0)
    return math.floor(scaled)


def check_alpha(alpha: float) -> None:
    """Raise :class:`SpecificationError` unless the test size ``alpha`` lies in (0, 1)."""
    if not 0.0 < alpha < 1.0:
        raise SpecificationError(f"alpha must be in (0, 1), got alpha={alpha!r}.")


def _four_decimals(value: float) -> str:
    return f"{value:.4f}"


def table_summary(title: str, head: Sequence[str], table: pd.DataFrame, columns: Sequence[str] | None = None,
                  *, caption: str = "tests") -> Summary:
    """A :class:`Summary` printed as ``head`` lines, a blank line and the table at four decimals.

    The whole table (every column) is the summary's main table; the printed text shows ``columns``.
    """
    shown = table if columns is None else table[list(columns)]
    text = "\n".join([*head, ""]) + shown.to_string(index=False, float_format=_four_decimals)
    return Summary(title, header=tuple(head[1:]), tables=((caption, table.copy()),), text=text)
