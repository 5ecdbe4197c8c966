"""Causality in variance: the Cheung & Ng (1996) cross-correlation test on squared standardised residuals."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._compat import renamed_kwargs
from contagion._typing import Float64Array2D
from contagion.data._frame import as_frame
from contagion.errors import DataError, EstimationError, SpecificationError
from contagion.hypothesis._utility import check_alpha
from contagion.hypothesis.results import GrangerInVarianceResult

__all__ = ["cheung_ng_ccf", "granger_in_variance"]

logger = logging.getLogger(__name__)

Groups = Mapping[str, Sequence[str]] | Sequence[str]


def cheung_ng_ccf(u: Float64Array2D, v: Float64Array2D, lags: int) -> Float64Array2D:
    r"""Sample cross-correlations :math:`r_{uv}(k)`, k = 1..M, batched over columns.

    .. math::

        r_{uv}(k) = \frac{c_{uv}(k)}{\sqrt{c_{uu}(0) c_{vv}(0)}}, \qquad
        c_{uv}(k) = \frac1T \sum_{t=k+1}^{T} (u_t - \bar u)(v_{t-k} - \bar v)

    (Cheung & Ng 1996, eq. 2.5). ``u`` is the squared standardised residual of the *effect*, ``v`` that
    of the *cause*: a non-zero :math:`r_{uv}(k)`, k > 0, means past variance of the cause moves the
    effect's variance.

    Parameters
    ----------
    u, v : ndarray of shape (n_obs, n_pairs)
    lags : int
        M, the largest lag.

    Returns
    -------
    ndarray of shape (lags, n_pairs)
        Row k - 1 holds :math:`r_{uv}(k)`. The loop twin is
        :func:`tests.reference.hypothesis.cheung_ng_ccf`.
    """
    n = u.shape[0]
    du = u - u.mean(axis=0)
    dv = v - v.mean(axis=0)
    scale = np.sqrt((du**2).sum(axis=0) * (dv**2).sum(axis=0))
    out = np.empty((lags, u.shape[1]))
    for k in range(1, lags + 1):
        out[k - 1] = (du[k:] * dv[: n - k]).sum(axis=0) / scale
    return out


def _as_groups(groups: Groups, what: str) -> dict[str, tuple[str, ...]]:
    if isinstance(groups, Mapping):
        out = {str(k): tuple(v) for k, v in groups.items()}
    elif isinstance(groups, str):
        out = {groups: (groups,)}
    else:
        out = {str(t): (str(t),) for t in groups}
    if not out or any(not members for members in out.values()):
        raise SpecificationError(f"{what} must name at least one group with at least one ticker.")
    return out


def _garch_std_resids(indices: Mapping[str, pd.Series]) -> dict[str, pd.Series]:
    """Standardised residuals of a constant-mean Gaussian GARCH(1,1) fitted to each series (returns x 100).

    The DCC first stage does the fitting (:func:`contagion.dcc.margins.fit_margins`, rugarch's objective):
    series observed on the same dates are fitted in one batched call.
    """
    from contagion.dcc.margins import fit_margins

    by_dates: list[tuple[pd.Index, list[str]]] = []
    for name, y in indices.items():
        if y.size < 100:
            raise DataError(f"{name}: {y.size} observations; a GARCH(1,1) needs at least 100.")
        same = next((names for dates, names in by_dates if dates.equals(y.index)), None)
        if same is None:
            by_dates.append((y.index, [name]))
        else:
            same.append(name)
    out: dict[str, pd.Series] = {}
    for _, names in by_dates:
        x = 100.0 * np.column_stack([indices[n].to_numpy(dtype=np.float64) for n in names])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            margins = fit_margins(x, tuple(names), mean="constant", volatility="garch", dist="normal", se=False)
        for w in caught:
            logger.warning("GARCH(1,1) fit: %s", w.message)
        for name, fit in zip(names, margins, strict=True):
            if not fit.converged:
                raise EstimationError(f"{name}: the GARCH(1,1) fit did not converge (best start {fit.start}); "
                                      "pass standardised residuals with kind='std_resid'.")
            z = fit.resid / np.sqrt(fit.variance)
            out[name] = pd.Series(z, index=indices[name].index, name=name)
    return out


def _group_series(frame: pd.DataFrame, groups: Mapping[str, tuple[str, ...]], kind: str) -> dict[str, pd.Series]:
    """The standardised residual series of each group's equal-weighted index."""
    indices: dict[str, pd.Series] = {}
    for name, members in groups.items():
        missing = [m for m in members if m not in frame.columns]
        if missing:
            raise DataError(f"group {name!r}: {', '.join(missing)} not in the panel.")
        indices[name] = frame[list(members)].dropna().mean(axis=1)
    if kind == "returns":
        return _garch_std_resids(indices)
    series: dict[str, pd.Series] = {}
    for name, index_series in indices.items():
        sd = float(index_series.std(ddof=0))
        if not sd > 0.0:
            raise DataError(f"group {name!r}: constant standardised residuals.")
        series[name] = (index_series - index_series.mean()) / sd
    return series


def _pair_test(effect: pd.Series, cause: pd.Series, c: str, e: str, lags: int,
               alpha: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The test row and the cross-correlation rows of one (cause, effect) pair."""
    both = pd.concat([effect, cause], axis=1, keys=["e", "c"], sort=True).dropna()
    n = both.shape[0]
    if n <= 3 * lags:
        raise DataError(f"{c} -> {e}: {n} common observations, too few for lags={lags}.")
    arr = both.to_numpy()
    r = cheung_ng_ccf(arr[:, [0]] ** 2, arr[:, [1]] ** 2, int(lags))[:, 0]
    stat = float(n * np.sum(r**2))
    p = float(stats.chi2.sf(stat, lags))
    row = {
        "cause": c, "effect": e, "n_obs": n, "lags": int(lags), "statistic": stat, "df": int(lags),
        "p_value": p,
        "verdict": "causality in variance" if p < alpha else "no causality in variance",
    }
    return row, [{"cause": c, "effect": e, "lag": k + 1, "r": float(r[k])} for k in range(lags)]


@renamed_kwargs(level="alpha")
def granger_in_variance(
    data: Any,
    cause_groups: Groups,
    effect_groups: Groups,
    lags: int = 5,
    *,
    kind: Literal["returns", "std_resid"] = "returns",
    alpha: float = 0.05,
) -> GrangerInVarianceResult:
    r"""Cheung & Ng (1996) test of causality in variance from each cause group to each effect group.

    With :math:`z_t` the standardised residuals, :math:`u_t = z_{\text{effect},t}^2` and
    :math:`v_t = z_{\text{cause},t}^2`,

    .. math::

        S = T \sum_{k=1}^{M} r_{uv}(k)^2 \;\xrightarrow{d}\; \chi^2(M)

    under the null of no causality in variance from cause to effect (Cheung & Ng 1996, eq. 2.8), with
    :math:`r_{uv}(k)` from :func:`cheung_ng_ccf`.

    Parameters
    ----------
    data : DataFrame or Panel
        Returns (``kind="returns"``) or standardised residuals (``kind="std_resid"``), dates x tickers.
    cause_groups, effect_groups : mapping group -> tickers, or sequence of tickers
        A group is an equal-weighted index of its members (a single ticker is its own group).
    lags : int
        M, the number of lags tested.
    kind : {"returns", "std_resid"}
        ``"returns"``: each group's equal-weighted return index (x 100) is filtered by a constant-mean
        Gaussian GARCH(1,1), the first stage of :class:`~contagion.dcc.DCCGARCH` (rugarch's objective,
        :func:`contagion.dcc.margins.fit_margins`, all groups observed on the same dates in one batched
        call), and its standardised residuals :math:`z_t = (x_t - \hat\mu) / \sqrt{h_t}` used. ``"std_resid"``: the
        given residuals are averaged within each group and re-standardised to mean 0, variance 1.
    alpha : float
        Size of the test behind the verdict, in (0, 1). ``level=`` is its deprecated spelling.

    Returns
    -------
    GrangerInVarianceResult

    Notes
    -----
    NaN policy: a group index uses the rows where all members are observed; each (cause, effect) pair
    then uses the rows where both are observed. The test is asymptotic and sensitive to
    misspecification of the univariate GARCH filters (Hafner & Herwartz 2006 propose an LM alternative).

    The GARCH filter starts at :math:`h_1 = T^{-1} \sum_t (x_t - \mu)^2` with the current :math:`\mu`
    inside the likelihood and caps :math:`\alpha + \beta \le 0.999`, as rugarch (docs/conventions.md,
    "rugarch and rmgarch conventions"). It used ``arch``'s default fit before (up to commit 3e7b667;
    an exponentially weighted backcast of the first 75 squared residuals, SLSQP at ``ftol=1e-6``): the
    statistics moved by up to 0.33 and the p-values by up to 2.4e-3 on the demo market (same verdicts), see
    docs/contagion-tests.md, "Which GARCH filter".

    References
    ----------
    .. [1] Cheung, Y.-W. and Ng, L. K. (1996). A causality-in-variance test and its application to
       financial market prices. Journal of Econometrics, 72(1-2), 33-48.
    """
    if kind not in ("returns", "std_resid"):
        raise SpecificationError(f"kind must be 'returns' or 'std_resid', got kind={kind!r}.")
    if not isinstance(lags, (int, np.integer)) or lags < 1:
        raise SpecificationError(f"lags must be a positive integer, got lags={lags!r}.")
    check_alpha(alpha)
    frame = as_frame(data, what="returns" if kind == "returns" else "standardised residuals")
    causes = _as_groups(cause_groups, "cause_groups")
    effects = _as_groups(effect_groups, "effect_groups")
    series = _group_series(frame, {**causes, **effects}, kind)
    rows = []
    ccf_rows: list[dict[str, Any]] = []
    for c in causes:
        for e in effects:
            if c == e:
                continue
            row, pair_ccf = _pair_test(series[e], series[c], c, e, int(lags), alpha)
            rows.append(row)
            ccf_rows.extend(pair_ccf)
    if not rows:
        raise SpecificationError("no (cause, effect) pair to test: the cause and effect groups coincide.")
    return GrangerInVarianceResult(
        lags=int(lags),
        alpha=alpha,
        standardization="GARCH(1,1), rugarch objective (DCC first stage)" if kind == "returns" else "given",
        table=pd.DataFrame.from_records(rows),
        ccf=pd.DataFrame.from_records(ccf_rows),
    )
