"""The normal-return models of an event study and the variances of their abnormal returns (pure numpy).

``market`` (OLS on a benchmark), ``market_adjusted`` (return minus benchmark) and ``mean_adjusted``
(return minus its estimation-window mean), as in MacKinlay (1997) and Campbell, Lo & MacKinlay (1997, ch. 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from contagion._typing import Float64Array1D
from contagion.errors import DataError

__all__ = ["MODELS", "NormalFit", "NormalModel", "ar_variance", "car_variance", "expected_returns",
           "fit_normal_model"]

NormalModel = Literal["market", "market_adjusted", "mean_adjusted"]
MODELS: tuple[str, ...] = ("market", "market_adjusted", "mean_adjusted")


@dataclass(frozen=True)
class NormalFit:
    """The normal-return model fitted on one asset's estimation window."""

    model: str
    alpha: float
    beta: float
    sigma2: float           # residual variance s^2 with the d.o.f. stated in fit_normal_model
    n_obs: int              # L, estimation observations used
    dof: int                # L - k
    mean_market: float      # mean benchmark return over the estimation window (market model)
    ssq_market: float       # sum of squared demeaned benchmark returns (market model)


def fit_normal_model(
    r: Float64Array1D, rm: Float64Array1D | None, model: str
) -> NormalFit:
    r"""Fit the normal-return model on the estimation window.

    .. math::

        \text{market:}\quad R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-2}\sum_t \hat\varepsilon_{it}^2 \\
        \text{mean adjusted:}\quad R_{it} = \mu_i + \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-1}\sum_t (R_{it} - \bar R_i)^2 \\
        \text{market adjusted:}\quad R_{it} - R_{mt} = \varepsilon_{it},\quad
        s_i^2 = \frac{1}{L-1}\sum_t (A_{it} - \bar A_i)^2,\ A_{it} = R_{it} - R_{mt}

    (MacKinlay 1997, eqs. 7-8 and section 4; the market-adjusted variance is the sample variance of the
    estimation-window abnormal returns.)
    """
    n = r.shape[0]
    if model == "market":
        assert rm is not None
        m_bar = float(rm.mean())
        dm = rm - m_bar
        ssq = float(dm @ dm)
        if ssq <= 0.0:
            raise DataError("the benchmark is constant over the estimation window; the market model is "
                            "undefined (use model='mean_adjusted').")
        beta = float(dm @ (r - r.mean())) / ssq
        alpha = float(r.mean()) - beta * m_bar
        resid = r - alpha - beta * rm
        return NormalFit(model, alpha, beta, float(resid @ resid) / (n - 2), n, n - 2, m_bar, ssq)
    if model == "mean_adjusted":
        mu = float(r.mean())
        return NormalFit(model, mu, 0.0, float(np.var(r, ddof=1)), n, n - 1, np.nan, np.nan)
    assert rm is not None
    a = r - rm
    return NormalFit(model, 0.0, 1.0, float(np.var(a, ddof=1)), n, n - 1, np.nan, np.nan)


def expected_returns(fit: NormalFit, rm: Float64Array1D | None, n: int) -> Float64Array1D:
    if fit.model == "mean_adjusted":
        return np.full(n, fit.alpha)
    assert rm is not None
    return fit.alpha + fit.beta * rm


def ar_variance(fit: NormalFit, rm: Float64Array1D | None, n: int) -> Float64Array1D:
    r"""Prediction-error variance of each event-day AR (MacKinlay 1997, eq. 10; Patell 1976).

    market: :math:`s^2 [1 + 1/L + (R_{m\tau} - \bar R_m)^2 / \sum_t (R_{mt} - \bar R_m)^2]`;
    mean adjusted: :math:`s^2 (1 + 1/L)`; market adjusted: :math:`s^2`.
    """
    if fit.model == "market":
        assert rm is not None
        return fit.sigma2 * (1.0 + 1.0 / fit.n_obs + (rm - fit.mean_market) ** 2 / fit.ssq_market)
    factor = 1.0 + 1.0 / fit.n_obs if fit.model == "mean_adjusted" else 1.0
    return np.full(n, fit.sigma2 * factor)


def car_variance(fit: NormalFit, rm_window: Float64Array1D | None, length: int) -> float:
    r"""Exact prediction-error variance of a CAR over ``length`` sessions.

    With :math:`X^*` the event-window regressors and :math:`\iota` a vector of ones,
    :math:`\operatorname{Var}(CAR) = s^2[L_w + \iota' X^*(X'X)^{-1}X^{*\prime}\iota]`
    (Campbell, Lo & MacKinlay 1997, eq. 4.4.14), which for the market model is

    .. math::

        s^2 \Big[L_w + \frac{L_w^2}{L} + \frac{(\sum_{\tau} R_{m\tau} - L_w \bar R_m)^2}
                                               {\sum_t (R_{mt} - \bar R_m)^2}\Big],

    :math:`s^2 (L_w + L_w^2 / L)` for the mean-adjusted model and :math:`s^2 L_w` for the market-adjusted
    model (no parameter is estimated).
    """
    if fit.model == "market":
        assert rm_window is not None
        excess = float(rm_window.sum()) - length * fit.mean_market
        return fit.sigma2 * (length + length**2 / fit.n_obs + excess**2 / fit.ssq_market)
    if fit.model == "mean_adjusted":
        return fit.sigma2 * (length + length**2 / fit.n_obs)
    return fit.sigma2 * length
