"""The coefficient tables and OLS inference of :class:`~contagion.var.model.VARResults` (a mixin).

``VARResults`` inherits :class:`CoefficientTables`: the stacked coefficients and :math:`(Z'Z)^{-1}`, the
tidy coefficient table with standard errors, and the Granger tests (OLS fits only).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from contagion._typing import Float64Array1D, Float64Array2D, Float64Array3D
from contagion.errors import SpecificationError
from contagion.var import _kernels as K
from contagion.var._utility import coefficient_frame, granger_test
from contagion.var.results import GrangerResult

__all__ = ["CoefficientTables"]


class CoefficientTables:
    """Tables and tests computed from the fitted coefficients (the attributes are ``VARResults`` fields)."""

    model: Any  # the contagion.var.model.VAR specification
    coefs: Float64Array3D
    intercept: Float64Array1D
    exog_coefs: Float64Array2D | None
    sigma_u: Float64Array2D
    names: tuple[str, ...]
    n_lags: int
    n_obs: int

    @property
    def estimator(self) -> str:
        """``"ols"``, ``"lasso"``, ``"ridge"`` or ``"elastic_net"`` (the model's)."""
        return str(self.model.estimator)

    @property
    def exog_names(self) -> tuple[str, ...]:
        """Names of the exogenous terms (empty without ``exog``)."""
        return () if self.model.exog is None else tuple(str(c) for c in self.model.exog.columns)

    @property
    def n_nonzero(self) -> int:
        """Number of nonzero lag coefficients (of N² p; all of them for OLS and ridge)."""
        return int(np.count_nonzero(self.coefs))

    @cached_property
    def _design(self) -> tuple[Float64Array2D, Float64Array2D]:
        """Stacked coefficients B (k, N) and (Z'Z)^{-1} (k, k), regressors (const, lag 1, ..., lag p)."""
        y = self.model.data.to_numpy()
        _, z = K.lag_design(y, self.n_lags, self.model.trend)
        blocks = [self.coefs[lag].T for lag in range(self.n_lags)]
        if self.model.trend == "c":
            blocks.insert(0, self.intercept[None, :])
        if self.model.exog is not None and self.exog_coefs is not None:  # regressors (const, lags, exog)
            z = np.concatenate([z, self.model.exog.to_numpy()[self.n_lags :]], axis=1)
            blocks.append(self.exog_coefs.T)
        b = np.concatenate(blocks, axis=0)
        return b, K.gram_inverse(z) if self.estimator == "ols" else np.full((b.shape[0], b.shape[0]), np.nan)

    def _regressor_names(self) -> list[str]:
        names = [f"{n}.l{lag}" for lag in range(1, self.n_lags + 1) for n in self.names]
        return (["const"] if self.model.trend == "c" else []) + names + list(self.exog_names)

    def _require_ols(self, what: str) -> None:
        if self.estimator != "ols":
            raise SpecificationError(
                f"{what} need estimator='ols': after a {self.estimator} fit the OLS sampling theory does not "
                "hold (no valid post-selection inference); refit with estimator='ols'."
            )

    # ---------------------------------------------------------------- tables
    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients: one row per (equation, regressor) with std. error, t and p-value.

        Standard errors from :math:`(Z'Z)^{-1} \\otimes \\Sigma_u` (d.o.f.-corrected), t-tests with
        T - Np - 1 degrees of freedom, as ``summary(vars::VAR(...))``. Exogenous terms follow the lags (``lag``
        0, like ``const``; T - Np - 1 - k degrees of freedom). Penalised fits: standard errors, t and
        p-values are NaN (no valid post-selection inference).
        """
        b, zz_inv = self._design
        se = np.sqrt(np.outer(np.diag(zz_inv), np.diag(self.sigma_u)))  # NaN for penalised fits
        lag = [0] * (1 if self.model.trend == "c" else 0) + [
            lag for lag in range(1, self.n_lags + 1) for _ in self.names
        ] + [0] * len(self.exog_names)
        return coefficient_frame(self.names, self._regressor_names(), lag, b, se, self.n_obs - b.shape[0])

    # ---------------------------------------------------------------- Granger
    def granger(self, cause: str | Sequence[str], effect: str | Sequence[str] | None = None) -> GrangerResult:
        r"""Granger-causality test: do the lags of ``cause`` help predict ``effect``?

        Wald test of :math:`\Phi_{l, ij} = 0` for every lag l, effect i and cause j (Lütkepohl 2005,
        eq. 3.6.5), reported as F = Wald / q with df (q, N (T - Np - 1)) like ``vars::causality`` and
        statsmodels ``test_causality(kind="f")``; the chi-square form is in ``wald``. Both arguments
        accept a group of variables.

        Parameters
        ----------
        cause : str or sequence of str
        effect : str or sequence of str, optional
            Default: every variable not in ``cause`` (the ``vars::causality`` convention).
        """
        self._require_ols("Granger tests")
        b, zz_inv = self._design
        return granger_test(self.names, b, zz_inv, self.sigma_u, self.n_obs, self.n_lags, self.model.trend,
                            (cause, effect))
