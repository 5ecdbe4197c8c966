r"""DCC-GARCH connectedness (Gabauer 2020): the volatility FEVD of a fitted DCC-GARCH, date by date.

:func:`dcc_connectedness` turns the volatility impulse responses of ConnectednessApproach's ``VFEVD`` into a
connectedness table for every date of a :class:`~contagion.dcc.results.DCCResult` and returns the rolling
result type (TCI, TO, FROM, NET and pairwise measures per date). The batched kernel is
:mod:`contagion.dcc._vfevd_kernels`; docs/dcc-connectedness.md gives the formulas, the two conventions and
the agreement with R.

References
----------
.. [1] Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of volatility
   transmission mechanisms. Journal of Forecasting, 39(5), 788-796.
.. [2] Gabauer, D. (2022). ConnectednessApproach, R package version 1.0.4, ``R/VFEVD.R`` and
   ``R/ConnectednessApproach.R`` (``model = "DCC-GARCH"``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from contagion._summary import Summary
from contagion._typing import Float64Array, IntArray
from contagion.dcc import _kernels as K
from contagion.dcc import _vfevd_kernels as _vk
from contagion.dcc._stage import _unpack
from contagion.dcc.margins import PERSISTENCE_CAP
from contagion.dcc.model import DCCGARCH
from contagion.dcc.results import DCCResult
from contagion.errors import ConvergenceWarning, DataError, SpecificationError
from contagion.spillover._utility import check_int
from contagion.spillover.rolling_results import RollingConnectednessResult

__all__ = ["DCCConnectednessResult", "DCCConvention", "dcc_connectedness"]

DCCConvention = Literal["difference", "connectedness_approach"]

_CONVENTIONS = ("difference", "connectedness_approach")
_CHUNK = 512  # dates per kernel call: memory O(_CHUNK N^2) per array
_CAP_TOL = 1e-6  # alpha + beta this close to rugarch's persistence cap counts as on the cap


@dataclass(frozen=True, kw_only=True, repr=False)
class DCCConnectednessResult(RollingConnectednessResult):
    """A :class:`RollingConnectednessResult` with ``method == "dcc"``; only :meth:`summary` differs.

    ``horizon`` is the number of forecast steps k = 1..H of the volatility responses (ConnectednessApproach
    ``nfore``; the connectedness_approach convention also counts step 0), not a number of MA terms.
    ``options`` records the convention, the DCC and GARCH parameters used and every flag raised.
    """

    def summary(self) -> Summary:
        """Sample, convention, TCI mean / min / max; main table: mean TO / FROM / NET per variable."""
        base = super().summary()
        opts = self.options
        n_dates = len(self.index)
        header = (
            f"sample {self.index[0]} .. {self.index[-1]}, {n_dates} dates",
            f"convention {opts['convention']!r}, horizon {self.horizon} steps, DCC a = {opts['a']:.6g}, "
            f"b = {opts['b']:.6g}; margins {opts['margins']}",
            base.header[-1],
        )
        notes = [*opts["flags"]]
        if opts["convention"] == "connectedness_approach":
            notes.append("connectedness_approach: the shocked forecast itself, not shocked minus unshocked "
                         "(ConnectednessApproach's default; its author calls it a mistake, issue #10)")
        notes.append("the shock is a unit innovation in every asset on the scale of the input returns: the "
                     "tables change with the units (decimal vs percent)")
        return Summary("Dynamic connectedness: DCC-GARCH volatility FEVD (Gabauer 2020, percent)",
                       header=header, tables=base.tables, notes=tuple(notes))


def _check_result(result: Any) -> DCCResult:
    if isinstance(result, pd.DataFrame):
        # ConnectednessApproach's fixed specification: sGARCH(1,1), normal, constant mean, DCC(1,1), mvnorm
        return DCCGARCH(result, mean="constant", volatility="garch", dist="normal", model="dcc",
                        joint_dist="normal").fit(se=False)
    if not isinstance(result, DCCResult):
        raise SpecificationError(f"dcc_connectedness needs a DCCResult (DCCGARCH(returns).fit()) or a DataFrame of "
                                 f"returns, got {type(result).__name__}.")
    spec = result.spec
    if spec.volatility != "garch" or spec.model != "dcc":
        raise SpecificationError(
            f"dcc_connectedness is defined for GARCH(1,1) margins and plain DCC (Gabauer 2020), got "
            f"volatility={spec.volatility!r}, model={spec.model!r}; refit with DCCGARCH(returns, "
            "volatility='garch', model='dcc')."
        )
    return result


def _date_positions(result: DCCResult, dates: Sequence[Any] | pd.Index | None) -> IntArray:
    if dates is None:
        return np.arange(result.n_obs, dtype=np.int64)
    if isinstance(dates, (str, pd.Timestamp)):
        dates = [dates]
    try:
        wanted = pd.DatetimeIndex([pd.Timestamp(d) for d in dates])
    except (TypeError, ValueError) as exc:
        raise DataError(f"dates must be dates of the fitted sample, got {dates!r} ({exc}).") from None
    if len(wanted) == 0:
        raise DataError("dates is empty; pass None for every date of the fit or a list of its dates.")
    pos = result.index.get_indexer(wanted)
    if (pos < 0).any():
        bad = wanted[int(np.argmax(pos < 0))]
        raise DataError(f"date {bad.date()} is not in the fitted sample ({result.index[0].date()} to "
                        f"{result.index[-1].date()}, {result.n_obs} dates); pick dates of the sample.")
    return np.asarray(pos, dtype=np.int64)


def _margin_flags(
    result: DCCResult, alpha: Float64Array, beta: Float64Array
) -> tuple[dict[str, str], list[str], list[str]]:
    """Margins with a GARCH parameter on its zero bound (``{asset: "alpha,..."}`` and one warning text per
    asset), and the assets whose alpha + beta sits on rugarch's persistence cap (recorded, not warned: rugarch
    lands there too, and the responses decay at beta alone, eq. 3 of docs/dcc-connectedness.md)."""
    on_bound: dict[str, str] = {}
    texts = []
    bound_col = result.univariate["on_bound"]
    for k, name in enumerate(result.names):
        params = [p for p in str(bound_col.iloc[k]).split(",") if p]
        if not params:
            continue
        on_bound[name] = ",".join(params)
        text = (f"{name}: GARCH parameter(s) {', '.join(params)} estimated on the zero bound (alpha = "
                f"{alpha[k]:.3g}, beta = {beta[k]:.3g})")
        if "alpha" in params:
            text += (f"; with alpha = 0 no shock moves the variance of {name}, so it transmits nothing through its "
                     f"own variance: its column of the table is near 0, and under 'difference' its own share is "
                     f"exactly 0, so its FROM is 100% (covariance responses only). Read {name}'s row and column "
                     "as artefacts, or drop it")
        elif "beta" in params:
            text += f"; with beta = 0 the responses of {name} vanish after the first step"
        texts.append(text)
    capped = [name for k, name in enumerate(result.names) if alpha[k] + beta[k] >= PERSISTENCE_CAP - _CAP_TOL]
    return on_bound, texts, capped


def _covariances(result: DCCResult, positions: IntArray) -> Float64Array:
    """Conditional covariances H_t (dates, N, N) on the scale of the input returns (as rmgarch's rcov)."""
    n = result.n_assets
    r = K.unvech(K.correlation_from_q(result.q_vech[:, positions], n), n).transpose(2, 0, 1)
    sd = np.sqrt(result.h[positions]) / result.scale
    out: Float64Array = sd[:, :, None] * r * sd[:, None, :]
    return out


def _tables(
    fit: DCCResult, positions: IntArray, alpha: Float64Array, beta: Float64Array, dcc: tuple[float, float],
    horizon: int, difference: bool,
) -> Float64Array:
    """Percent VFEVD tables of the dates at ``positions``, in chunks of :data:`_CHUNK` dates."""
    tables = np.empty((positions.shape[0], fit.n_assets, fit.n_assets))
    for begin in range(0, positions.shape[0], _CHUNK):
        pos = positions[begin:begin + _CHUNK]
        tables[begin:begin + pos.shape[0]] = 100.0 * _vk.vfevd_tables(
            _covariances(fit, pos), np.asarray(fit.qbar), alpha, beta, dcc[0], dcc[1], horizon, difference)
    return tables


def dcc_connectedness(
    result: DCCResult | pd.DataFrame,
    horizon: int = 10,
    convention: DCCConvention = "difference",
    dates: Sequence[Any] | pd.Index | None = None,
) -> DCCConnectednessResult:
    r"""DCC-GARCH connectedness (Gabauer 2020): a volatility FEVD table for every date of a DCC fit.

    For date t the conditional covariance :math:`H_t` is forecast k = 1..H steps ahead after a unit innovation
    in every asset (the shocked path) and without it (the unshocked path), with the GARCH(1,1) and DCC
    recursions of ConnectednessApproach ``R/VFEVD.R`` (docs/dcc-connectedness.md, eq. 1-4). The response is

    .. math::

        \Psi_{t,k} = E[H_{t+k} \mid \varepsilon_t = \text{shock}] - E[H_{t+k} \mid \varepsilon_t = 0]
        \quad (\text{"difference"}), \qquad
        \Psi_{t,k} = E[H_{t+k} \mid \varepsilon_t = \text{shock}] \quad (\text{"connectedness\_approach"}),

    for k = 0..H (:math:`\Psi_{t,0} = H_t` in the second), and the table (percent, rows receive) is

    .. math::

        \tilde\theta_{t,ij} = 100\, \frac{\sum_{k=0}^{H} \Psi_{t,k,ij}^2}{\sum_l \sum_{k=0}^{H} \Psi_{t,k,il}^2}

    (Gabauer 2020, as ``VFEVD`` implements it; eq. 1-6 of docs/dcc-connectedness.md). TCI, TO, FROM and NET follow Diebold & Yilmaz (2012).

    Parameters
    ----------
    result : DCCResult or DataFrame
        A fit with GARCH(1,1) margins and plain DCC, or returns (date x asset), which are fitted first with
        ConnectednessApproach's fixed specification: ``DCCGARCH(returns, mean="constant", volatility="garch",
        dist="normal", model="dcc", joint_dist="normal").fit(se=False)``.
    horizon : int
        Forecast steps H >= 1 (ConnectednessApproach ``nfore``; its front end uses 10).
    convention : {"difference", "connectedness_approach"}
        ``"difference"`` (default): shocked minus unshocked forecast, the definition in the paper
        (``VFEVD(standardize = TRUE)``). ``"connectedness_approach"``: the shocked forecast itself,
        ConnectednessApproach's default ``DCC_config = list(standardize = FALSE)``, which its author calls "a
        mistake I am aware of" (ConnectednessApproach issue #10); use it only to reproduce published numbers.
    dates : sequence of dates, optional
        Dates of the fit to compute (default: all).

    Returns
    -------
    DCCConnectednessResult
        A :class:`~contagion.spillover.rolling_results.RollingConnectednessResult` with ``method="dcc"``,
        ``kind="generalized volatility"``, ``n_lags=0``; ``options`` holds ``convention``, ``a``, ``b``,
        ``alpha``, ``beta``, ``margins``, ``on_bound`` (asset -> GARCH parameters on the zero bound),
        ``persistence_cap`` (assets with alpha + beta on rugarch's cap 0.999), ``dcc_boundary`` and the
        ``flags`` texts (also the notes of :meth:`~DCCConnectednessResult.summary`).

    Raises
    ------
    SpecificationError, DataError
        Unknown convention, horizon < 1, a result that is not GARCH(1,1)-DCC; a date outside the sample.

    Warns
    -----
    ConvergenceWarning
        A margin with a GARCH parameter on a bound (named with the asset and parameter): alpha = 0 means that
        asset's variance cannot respond to any shock, so it transmits nothing through its own variance.

    Notes
    -----
    The shock is a unit innovation, :math:`\varepsilon_{i,t}^2 = 1`, in every asset at once, on the scale of
    the returns as given, and step 1 of Q mixes :math:`H_t` into the correlation target as R does: the
    tables therefore depend on the units (decimal vs percent returns). Only :math:`\alpha_i, \beta_i` of the
    margins enter (omega cancels, mu and the margins' distribution do not enter).
    """
    if convention not in _CONVENTIONS:
        raise SpecificationError(f"convention must be one of {_CONVENTIONS}, got convention={convention!r}.")
    horizon = check_int("horizon", horizon, 1)
    fit = _check_result(result)
    positions = _date_positions(fit, dates)
    alpha = np.array([float(m.recursion["alpha"]) for m in fit.margins])
    beta = np.array([float(m.recursion["beta"]) for m in fit.margins])
    a, b, _, _ = _unpack(fit.params_array, fit.spec.model, fit.spec.joint_dist)
    on_bound, flags, capped = _margin_flags(fit, alpha, beta)
    for text in flags:
        warnings.warn(f"dcc_connectedness: {text}.", ConvergenceWarning, stacklevel=2)
    if capped:
        flags.append(f"alpha + beta on rugarch's persistence cap {PERSISTENCE_CAP} for {', '.join(capped)} "
                     "(the recursion decays at beta alone, so this does not propagate into the responses)")
    if fit.boundary:
        flags.append(f"DCC a + b = {a + b:.6f} at the stationarity boundary: correlation responses barely decay")
    tables = _tables(fit, positions, alpha, beta, (a, b), horizon, convention == "difference")
    spec = fit.spec
    options = {
        "convention": convention, "a": a, "b": b,
        "alpha": dict(zip(fit.names, alpha.tolist(), strict=True)),
        "beta": dict(zip(fit.names, beta.tolist(), strict=True)),
        "margins": f"{spec.volatility}(1,1)/{spec.dist}/{spec.mean} mean", "on_bound": on_bound,
        "persistence_cap": tuple(capped),
        "dcc_boundary": bool(fit.boundary), "flags": tuple(flags),
    }
    return DCCConnectednessResult(
        names=fit.names, index=fit.index[positions], values=tables, kind="generalized volatility",
        horizon=horizon, method="dcc", n_lags=0, window=None, step=1, options=options,
    )
