r"""DCC-GARCH (Engle 2002) and asymmetric DCC (Cappiello, Engle & Sheppard 2006) by two-step QML.

.. math::

    H_t = D_t R_t D_t, \quad D_t = \mathrm{diag}(\sqrt{h_{it}}), \quad z_t = D_t^{-1}\varepsilon_t,

    Q_t = (1-a-b)\bar Q - g\bar N + a z_{t-1}z_{t-1}' + g n_{t-1}n_{t-1}' + b Q_{t-1}, \quad
    R_t = \mathrm{diag}(Q_t)^{-1/2} Q_t \mathrm{diag}(Q_t)^{-1/2}.

Stage 1 fits each asset's univariate model (:mod:`contagion.dcc.margins`); stage 2
(:mod:`contagion.dcc._stage`) maximises the correlation part of the likelihood in (a, b[, g][, nu]) with
correlation targeting, on the vectorised kernels of :mod:`contagion.dcc._kernels`; the fit is returned as a
:class:`~contagion.dcc.results.DCCResult`. Conventions follow rmgarch (docs/conventions.md, 'rugarch and
rmgarch conventions (GARCH-DCC)') and are listed in ``docs/dcc.md``:

* ``h_1`` = mean squared demeaned residual (rugarch objective for garch/normal margins);
* :math:`\bar Q` = ``cov(z)`` with the ``n - 1`` denominator, :math:`Q_0 = \bar Q`;
* the optimiser pads the pre-sample :math:`z_0` with zeros, the final filter (reported correlations and
  log-likelihood) pads it with ones;
* log-likelihood = sum of the univariate log-likelihoods + :math:`-\tfrac12\sum_t(\log|R_t| +
  z_t'R_t^{-1}z_t - z_t'z_t)`, on the scale of the data as given (a rescaling by ``scale`` is undone by adding
  :math:`T N \log(\text{scale})`).

References
----------
.. [1] Engle, R. F. (2002). Dynamic conditional correlation. Journal of Business & Economic Statistics, 20(3),
   339-350.
.. [2] Engle, R. F. and Sheppard, K. (2001). Theoretical and empirical properties of dynamic conditional
   correlation multivariate GARCH. NBER Working Paper 8554.
.. [3] Cappiello, L., Engle, R. F. and Sheppard, K. (2006). Asymmetric dynamics in the correlations of global
   equity and bond returns. Journal of Financial Econometrics, 4(4), 537-572.
.. [4] Engle, R. F., Shephard, N. and Sheppard, K. (2008). Fitting vast dimensional time-varying covariance
   models. NYU Working Paper FIN-08-009.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from contagion._typing import (
    DCCKind,
    Distribution,
    Float64Array1D,
    Float64Array2D,
    JointDist,
    MeanModel,
    VolatilityModel,
)
from contagion._validation import check_columns
from contagion.dcc._se import two_step_se
from contagion.dcc._simulate import DCCProcess, simulate_path
from contagion.dcc._stage import _fit_correlation_stage
from contagion.dcc.margins import fit_margins
from contagion.dcc.results import DCCResult
from contagion.errors import (
    DataError,
    DataQualityWarning,
    EstimationError,
    SpecificationError,
)

__all__ = ["DCCGARCH", "DCCResult", "simulate_dcc"]

logger = logging.getLogger(__name__)

MIN_OBS = 250


def _choose_scale(sd: Float64Array1D) -> float:
    """Power of ten that brings the median standard deviation into [1, 10) (arch's advice for optimisers)."""
    med = float(np.median(sd))
    return float(10.0 ** (-np.floor(np.log10(med))))


def _validate(returns: pd.DataFrame) -> None:
    if not isinstance(returns, pd.DataFrame):
        raise DataError(f"DCCGARCH needs a pandas DataFrame of returns (date x asset), got {type(returns).__name__}.")
    if returns.shape[1] < 2:
        raise DataError(f"DCCGARCH needs at least two assets (columns), got {returns.shape[1]}.")
    check_columns(returns, "DCCGARCH returns")
    if returns.shape[0] < MIN_OBS:
        raise DataError(f"DCCGARCH needs at least {MIN_OBS} observations for stable GARCH estimates, got "
                        f"{returns.shape[0]}; use a longer sample.")
    values = returns.to_numpy(dtype=float)  # numeric: checked by check_columns
    for k, col in enumerate(returns.columns):
        x = values[:, k]
        bad = ~np.isfinite(x)
        if bad.any():
            first = returns.index[int(np.argmax(bad))]
            first = first.date() if isinstance(first, pd.Timestamp) else first
            raise DataError(f"{col} has {int(bad.sum())} missing or infinite returns (first at {first}); "
                            "drop or fill those dates (e.g. returns.dropna()) before fitting.")
        if np.ptp(x) == 0.0:
            raise DataError(f"{col} is constant ({x[0]!r} on every date); a GARCH model cannot be fitted to it. "
                            "Drop it from the panel.")


@dataclass(frozen=True, eq=False)
class DCCGARCH:
    """A DCC-GARCH specification on one panel of returns (date x asset, float).

    Parameters
    ----------
    returns : DataFrame of shape (n_obs, n_assets)
        Returns indexed by date, one column per asset (at least 2 assets and 250 observations, no NaN).
    mean : {"constant", "zero", "ar1"}
        Conditional mean of each asset.
    volatility : {"garch", "gjr", "egarch"}
        Univariate variance recursion (all of order (1, 1)).
    dist : {"normal", "t", "skewt"}
        Distribution of the univariate margins (first stage).
    model : {"dcc", "adcc"}
        Correlation dynamics: Engle (2002) DCC or Cappiello-Engle-Sheppard (2006) scalar aDCC.
    joint_dist : {"normal", "t"}
        Distribution of the standardised residuals in the correlation stage.
    composite : bool
        Fit the correlation stage by composite likelihood over contiguous pairs (Engle, Shephard & Sheppard
        2008), which keeps N = 100 tractable. The reported log-likelihood is still the full one.

    Examples
    --------
    >>> res = DCCGARCH(returns).fit()  # doctest: +SKIP
    >>> res.params  # doctest: +SKIP
    """

    returns: pd.DataFrame
    mean: MeanModel = "constant"
    volatility: VolatilityModel = "garch"
    dist: Distribution = "normal"
    model: DCCKind = "dcc"
    joint_dist: JointDist = "normal"
    composite: bool = False

    def __post_init__(self) -> None:
        options = {"mean": ("constant", "zero", "ar1"), "volatility": ("garch", "gjr", "egarch"),
                   "dist": ("normal", "t", "skewt"), "model": ("dcc", "adcc"), "joint_dist": ("normal", "t")}
        for name, allowed in options.items():
            value = getattr(self, name)
            if value not in allowed:
                raise SpecificationError(f"{name}={value!r} is not supported; choose one of {allowed}.")
        if not isinstance(self.composite, bool):
            raise SpecificationError(f"composite must be True or False, got {self.composite!r}.")
        _validate(self.returns)

    # ------------------------------------------------------------------------------------------------------
    def fit(self, se: bool = True) -> DCCResult:
        """Two-step QML estimation (Engle & Sheppard 2001).

        Parameters
        ----------
        se : bool
            Compute standard errors: first-stage QML (sandwich) errors and DCC errors corrected for the first
            stage (Engle & Sheppard 2001, Theorem 2; numerical scores and Hessians of the stacked problem).

        Returns
        -------
        DCCResult

        Raises
        ------
        EstimationError
            When a first-stage fit or the correlation stage fails (names the asset and stage).
        """
        names = tuple(str(c) for c in self.returns.columns)
        raw = self.returns.to_numpy(dtype=float)
        sd = raw.std(axis=0)
        if sd.max() / sd.min() > 1e3:
            warnings.warn(f"the returns' scales differ by a factor {sd.max() / sd.min():.3g} "
                          f"({names[int(np.argmax(sd))]} sd {sd.max():.3g}, {names[int(np.argmin(sd))]} sd "
                          f"{sd.min():.3g}); check the units (percent vs decimal).", DataQualityWarning, stacklevel=2)
        scale = _choose_scale(sd)
        x = raw * scale
        margins = fit_margins(x, names, mean=self.mean, volatility=self.volatility, dist=self.dist, se=se)
        first = max(m.first for m in margins)
        n_obs = raw.shape[0] - first
        eps = np.column_stack([m.resid[first - m.first:] for m in margins])
        h = np.column_stack([m.variance[first - m.first:] for m in margins])
        z = eps / np.sqrt(h)
        if not np.all(np.isfinite(z)):
            bad = names[int(np.argmax(~np.isfinite(z).all(axis=0)))]
            raise EstimationError(f"first stage produced non-finite standardised residuals for {bad}.")
        stage = _fit_correlation_stage(z, self.model, self.joint_dist, self.composite)
        uni_ll = np.array([m.loglik for m in margins]) + n_obs * np.log(scale)  # undo the rescaling, per asset
        result = DCCResult(
            spec=self, names=names, index=pd.DatetimeIndex(self.returns.index[first:]), margins=tuple(margins),
            scale=scale, eps=eps, h=h, z=z, **stage,
            univariate_loglik=uni_ll,
        )
        if se:
            phi_se = two_step_se(result.margins, result.z, result.params_array, model=self.model,
                                 joint_dist=self.joint_dist, composite=self.composite)
            result = replace(result, std_errors_array=phi_se)
        return result


def simulate_dcc(
    n_obs: int,
    *,
    omega: Float64Array1D,
    alpha: Float64Array1D,
    beta: Float64Array1D,
    a: float,
    b: float,
    qbar: Float64Array2D,
    mu: Float64Array1D | None = None,
    g: float = 0.0,
    nu: float | None = None,
    burn: int = 500,
    rng: np.random.Generator,
) -> Float64Array2D:
    """Simulate returns from a GARCH(1,1)-DCC/aDCC model (Engle 2002, eq. 26-27).

    The innovations are Gaussian, or multivariate Student-t with ``nu`` degrees of freedom scaled to unit
    variance. :math:`\\bar N` for aDCC is set to its Gaussian value ``E[n n']`` approximated by simulation.
    Returns an array of shape (n_obs, N). The parameters are collected in a
    :class:`~contagion.dcc._simulate.DCCProcess` and drawn by :func:`~contagion.dcc._simulate.simulate_path`.
    """
    process = DCCProcess(omega=omega, alpha=alpha, beta=beta, a=a, b=b, qbar=qbar, mu=mu, g=g, nu=nu)
    return simulate_path(process, n_obs, burn=burn, rng=rng)
