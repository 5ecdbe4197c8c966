r"""What a DCC-GARCH fit produced: :class:`DCCResult` (parameters, likelihood, paths, state, forecasts).

The arrays are on the fitted scale (returns multiplied by ``scale``); every public pandas accessor is on the
scale of the input data. :meth:`DCCResult.state_at` hands the conditional state at one date to the volatility
impulse responses (:mod:`contagion.dcc.virf`), which read nothing else from the fit.

References
----------
.. [1] Engle, R. F. (2002). Dynamic conditional correlation. Journal of Business & Economic Statistics, 20(3),
   339-350.
.. [2] Engle, R. F. and Sheppard, K. (2001). Theoretical and empirical properties of dynamic conditional
   correlation multivariate GARCH. NBER Working Paper 8554.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, renamed_kwargs, resolve_seed
from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import (
    DCCKind,
    Distribution,
    Float64Array1D,
    Float64Array2D,
    JointDist,
    MeanModel,
    VolatilityModel,
)
from contagion.dcc import _kernels as K
from contagion.dcc._se import _interior
from contagion.dcc._stage import NU_CAP, _unpack, params_on_bound
from contagion.dcc.margins import MarginFit
from contagion.dcc.state import DCCState
from contagion.errors import DataError, SpecificationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from contagion.dcc.virf import VIRFBaseline, VIRFResult

__all__ = ["DCCResult", "DCCSpec"]

logger = logging.getLogger(__name__)


class DCCSpec(Protocol):
    """What a result reads from its specification (:class:`contagion.dcc.model.DCCGARCH`)."""

    @property
    def returns(self) -> pd.DataFrame: ...
    @property
    def mean(self) -> MeanModel: ...
    @property
    def volatility(self) -> VolatilityModel: ...
    @property
    def dist(self) -> Distribution: ...
    @property
    def model(self) -> DCCKind: ...
    @property
    def joint_dist(self) -> JointDist: ...
    @property
    def composite(self) -> bool: ...


@dataclass(frozen=True, kw_only=True, eq=False)
class DCCResult(SummaryReprMixin):
    """What one DCC-GARCH fit produced. Never mutated; derived values are cached.

    Arrays ending in ``_array`` and the raw fields (``eps``, ``h``, ``z``, ``q_vech``) are on the fitted
    scale (returns multiplied by ``scale``); every public pandas accessor is on the scale of the input data.
    """

    spec: DCCSpec  # the DCCGARCH that produced it
    names: tuple[str, ...]
    index: pd.DatetimeIndex
    margins: tuple[MarginFit, ...]
    scale: float
    eps: Float64Array2D  # (T, N) residuals x - mu (fitted scale)
    h: Float64Array2D  # (T, N) conditional variances (fitted scale)
    z: Float64Array2D  # (T, N) standardised residuals
    params_array: Float64Array1D
    param_names: tuple[str, ...]
    qbar: Float64Array2D
    nbar: Float64Array2D
    delta: float
    q_vech: Float64Array2D  # (N(N+1)/2, T), final filter (z_0 padded with ones)
    dcc_loglik_terms: Float64Array1D  # (T,) final-filter DCC terms
    univariate_loglik: Float64Array1D  # (N,) on the input scale
    converged: bool
    boundary: bool
    objective_value: float  # optimiser's DCC objective (z_0 padded with zeros)
    optimizer_message: str
    std_errors_array: Float64Array1D = field(default_factory=lambda: np.full(0, np.nan))

    def __post_init__(self) -> None:
        for arr in (self.eps, self.h, self.z, self.params_array, self.qbar, self.nbar, self.q_vech,
                    self.dcc_loglik_terms, self.univariate_loglik):
            arr.flags.writeable = False

    # ---- parameters --------------------------------------------------------------------------------------
    @property
    def n_obs(self) -> int:
        return int(self.z.shape[0])

    @property
    def n_assets(self) -> int:
        return len(self.names)

    @property
    def params(self) -> pd.Series:
        """DCC parameters ``a``, ``b`` (plus ``g`` for aDCC, ``nu`` for a Student-t joint distribution)."""
        return pd.Series(np.array(self.params_array), index=list(self.param_names), name="estimate")

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors of :attr:`params`, corrected for the first stage (NaN when ``fit(se=False)``)."""
        values = self.std_errors_array if self.std_errors_array.size else np.full(len(self.param_names), np.nan)
        return pd.Series(np.array(values), index=list(self.param_names), name="std_error")

    @cached_property
    def univariate(self) -> pd.DataFrame:
        """Each asset's first-stage parameters and QML standard errors, on the scale of the input data.

        Columns: the parameter names (``mu``, ``omega``, ``alpha``, ``beta`` for rugarch-objective margins;
        arch's names otherwise), ``se_<name>``, ``loglik``, ``engine``, the winning ``start`` and ``on_bound``
        (variance parameters estimated on their zero bound, comma-separated). A QML standard error is not
        defined at a bound, so those entries of ``se_<name>`` are NaN, and ``on_bound`` says why.
        """
        rows = []
        for m, ll in zip(self.margins, self.univariate_loglik, strict=True):
            p, s = _unscale_params(m, self.scale)
            interior = set(_interior(m))
            bound = [k for j, k in enumerate(m.param_names) if j not in interior]
            s = np.array([np.nan if j not in interior else v for j, v in enumerate(s)])
            row: dict[str, Any] = dict(zip(m.param_names, p, strict=True))
            row.update({f"se_{k}": v for k, v in zip(m.param_names, s, strict=True)})
            row.update({"loglik": float(ll), "engine": m.engine, "start": m.start, "converged": m.converged,
                        "on_bound": ",".join(bound)})
            rows.append(row)
        return pd.DataFrame(rows, index=pd.Index(self.names, name="asset"))

    # ---- likelihood --------------------------------------------------------------------------------------
    @property
    def univariate_loglikelihood(self) -> pd.Series:
        """Each asset's first-stage log-likelihood on the input scale."""
        return pd.Series(np.array(self.univariate_loglik), index=list(self.names), name="loglik")

    @property
    def dcc_loglikelihood(self) -> float:
        """The DCC term :math:`-\\tfrac12\\sum_t(\\log|R_t| + z_t'R_t^{-1}z_t - z_t'z_t)` (final filter)."""
        return float(self.dcc_loglik_terms.sum())

    @property
    def loglikelihood(self) -> float:
        """rmgarch's log-likelihood: sum of univariate log-likelihoods + the DCC term (input scale)."""
        return float(self.univariate_loglik.sum()) + self.dcc_loglikelihood

    # ---- paths -------------------------------------------------------------------------------------------
    @cached_property
    def conditional_volatility(self) -> pd.DataFrame:
        """Conditional standard deviations :math:`\\sqrt{h_{it}}` (date x asset, input scale)."""
        return pd.DataFrame(np.sqrt(self.h) / self.scale, index=self.index, columns=list(self.names))

    @cached_property
    def standardized_residuals(self) -> pd.DataFrame:
        """:math:`z_t = D_t^{-1} \\varepsilon_t` (date x asset)."""
        return pd.DataFrame(np.array(self.z), index=self.index, columns=list(self.names))

    @cached_property
    def _r_vech(self) -> Float64Array2D:
        return K.correlation_from_q(self.q_vech, self.n_assets)

    def _pair_pos(self, x: str, y: str) -> int:
        for name in (x, y):
            if name not in self.names:
                raise SpecificationError(f"unknown asset {name!r}; the model has {list(self.names)}.")
        i, j = sorted((self.names.index(x), self.names.index(y)))
        n = self.n_assets
        return int(i * n - i * (i - 1) // 2 + (j - i))

    def correlation_pair(self, x: str, y: str) -> pd.Series:
        """Conditional correlation path of assets ``x`` and ``y`` (Series indexed by date, named ``"x~y"``)."""
        return pd.Series(np.array(self._r_vech[self._pair_pos(x, y)]), index=self.index, name=f"{x}~{y}")

    @cached_property
    def correlation(self) -> pd.DataFrame:
        """All conditional correlations in long form: columns ``date, x, y, value`` (one row per date and
        unordered pair x < y in column order)."""
        rows, cols = K.vech_indices(self.n_assets)
        off = np.flatnonzero(rows != cols)
        names = np.asarray(self.names, dtype=object)
        n_pairs = off.shape[0]
        return pd.DataFrame({
            "date": np.tile(self.index.to_numpy(), n_pairs),
            "x": np.repeat(names[rows[off]], self.n_obs),
            "y": np.repeat(names[cols[off]], self.n_obs),
            "value": self._r_vech[off].ravel(),
        })

    def correlation_matrix(self, at: date | str | pd.Timestamp | None = None) -> pd.DataFrame:
        """The N x N conditional correlation matrix of one date (default: the last)."""
        t = self._date_pos(at)
        r = K.unvech(self._r_vech[:, t:t + 1], self.n_assets)[:, :, 0]
        return pd.DataFrame(r, index=list(self.names), columns=list(self.names))

    # ---- state for VIRF ----------------------------------------------------------------------------------
    def _date_pos(self, at: date | str | pd.Timestamp | None) -> int:
        if at is None:
            return self.n_obs - 1
        ts = pd.Timestamp(at)
        pos = self.index.get_indexer(pd.DatetimeIndex([ts]))[0]
        if pos < 0:
            raise DataError(f"date {ts.date()} is not in the fitted sample ({self.index[0].date()} to "
                            f"{self.index[-1].date()}, {self.n_obs} observations); pick a date of the sample.")
        return int(pos)

    def state_at(self, at: date | str | pd.Timestamp | None = None) -> DCCState:
        r"""The conditional state for date ``at`` (default: the last date): ``h`` and ``Q`` *for* that date
        (known at the previous close), on the fitted scale (see :class:`DCCState`).

        ``mu`` is the conditional mean for that date: the constant for ``mean="constant"``, 0 for ``"zero"``
        and :math:`c + \phi x_{t-1}` for ``"ar1"``, so that ``returns[at] * scale - mu`` is the innovation.
        """
        t = self._date_pos(at)
        rec = [m.recursion for m in self.margins]
        a, b, g, nu = _unpack(self.params_array, self.spec.model, self.spec.joint_dist)
        q = K.unvech(self.q_vech[:, t:t + 1], self.n_assets)[:, :, 0]
        mu = np.array([r["mu"] for r in rec])
        if self.spec.mean == "ar1":
            first = self.spec.returns.shape[0] - self.n_obs
            mu = self.spec.returns.to_numpy(dtype=float)[first + t] * self.scale - self.eps[t]
        return DCCState(
            names=self.names, date=self.index[t], volatility=self.spec.volatility, model=self.spec.model,
            mu=mu, omega=np.array([r["omega"] for r in rec]),
            alpha=np.array([r["alpha"] for r in rec]), gamma=np.array([r["gamma"] for r in rec]),
            beta=np.array([r["beta"] for r in rec]), h=np.array(self.h[t]), Q=q, Qbar=np.array(self.qbar),
            Nbar=np.array(self.nbar), a=a, b=b, g=g, nu=nu, scale=self.scale,
        )

    def virf(self, shock: Any, horizon: int = 30, at: date | str | None = None, reps: int = 2000,
             level: float = 0.90, seed: SeedLike = None, *, baseline: VIRFBaseline = "zero") -> VIRFResult:
        """Volatility impulse responses (Hafner & Herwartz 2006); see :func:`contagion.dcc.virf.virf`.

        ``level`` is the coverage of the Monte Carlo band; ``seed`` an int, a Generator or None.
        """
        from contagion.dcc.virf import virf

        return virf(self, shock, horizon=horizon, at=at, reps=reps, level=level, seed=seed, baseline=baseline)

    # ---- forecasts and simulation -------------------------------------------------------------------------
    def _next_state(self) -> tuple[Float64Array1D, Float64Array2D]:
        """h and Q for the first out-of-sample date T + 1 (from the last residuals)."""
        st = self.state_at()
        eps = np.asarray(self.eps[-1])
        z = np.asarray(self.z[-1])
        h_next = _variance_step(self.spec.volatility, st, eps, z, st.h)
        n = np.minimum(z, 0.0)
        q_next = ((1 - st.a - st.b) * st.Qbar - st.g * st.Nbar + st.a * np.outer(z, z)
                  + st.g * np.outer(n, n) + st.b * st.Q)
        return h_next, q_next

    def forecast(self, horizon: int = 10) -> pd.DataFrame:
        r"""Conditional covariance and correlation forecasts for the dates T+1 .. T+horizon.

        Variances: h_{T+1} from the last residual; then the GARCH expectation
        :math:`h_{T+k} = \omega + (\alpha + \gamma/2 + \beta) h_{T+k-1}` (symmetric innovations; for EGARCH the
        log-variance recursion :math:`\log h_{T+k} = \omega + \beta \log h_{T+k-1}`, ignoring the Jensen term).
        Correlations: the standard DCC approximation :math:`E_T[z z'] \approx Q_{T+k-1}` (Engle & Sheppard 2001,
        sec. 4), i.e. :math:`Q_{T+k} = (1-a-b)\bar Q + (a+b) Q_{T+k-1}` for k >= 2 (for aDCC,
        :math:`E[nn'] = \bar N` makes the asymmetric terms cancel), then :math:`R = \mathrm{corr}(Q)`.

        Returns
        -------
        DataFrame
            Long: columns ``horizon`` (1..H), ``x``, ``y``, ``covariance`` (input scale) and ``correlation``;
            one row per horizon and pair x <= y (x == y rows carry the variances).
        """
        if horizon < 1:
            raise SpecificationError(f"horizon must be >= 1, got {horizon}.")
        st = self.state_at()
        h, q = self._next_state()
        pa = st.a + st.b
        hs, qs = [h], [q]
        for _ in range(horizon - 1):
            if self.spec.volatility == "egarch":
                h = np.exp(st.omega + st.beta * np.log(h))
            else:
                h = st.omega + (st.alpha + 0.5 * st.gamma + st.beta) * h
            q = (1 - pa) * st.Qbar + pa * q
            hs.append(h)
            qs.append(q)
        rows, cols = K.vech_indices(self.n_assets)
        names = np.asarray(self.names, dtype=object)
        out = []
        for k, (hk, qk) in enumerate(zip(hs, qs, strict=True), start=1):
            d = np.sqrt(np.diag(qk))
            r = qk / np.outer(d, d)
            sd = np.sqrt(hk) / self.scale
            out.append(pd.DataFrame({"horizon": k, "x": names[rows], "y": names[cols],
                                     "covariance": r[rows, cols] * sd[rows] * sd[cols],
                                     "correlation": r[rows, cols]}))
        return pd.concat(out, ignore_index=True)

    @renamed_kwargs(nobs="n_obs")
    def simulate(self, n_obs: int, seed: SeedLike = None) -> pd.DataFrame:
        """Simulate ``n_obs`` returns forward from the end of the sample with the fitted parameters.

        Innovations are Gaussian (or multivariate Student-t with the fitted ``nu`` for ``joint_dist="t"``),
        with correlation :math:`R_t` from the DCC recursion. Returns a DataFrame (step 1..n_obs x asset) on the
        input scale. ``seed``: an int, a numpy Generator (one integer is drawn from it) or None (fresh
        entropy); ``nobs=`` is the deprecated spelling of ``n_obs=``.
        """
        if n_obs < 1:
            raise SpecificationError(f"n_obs must be >= 1, got {n_obs}.")
        rng = np.random.default_rng(resolve_seed(seed))
        st = self.state_at()
        h, q = self._next_state()
        phi = np.array([m.recursion.get("phi", 0.0) for m in self.margins])
        r_prev = (np.asarray(self.spec.returns.to_numpy(dtype=float)[-1]) * self.scale)
        n = self.n_assets
        out = np.empty((n_obs, n))
        for t in range(n_obs):  # simulation is sequential by nature
            d = np.sqrt(np.diag(q))
            chol = np.linalg.cholesky(q / np.outer(d, d))
            z = chol @ rng.standard_normal(n)
            if st.nu is not None:
                z *= np.sqrt((st.nu - 2.0) / rng.chisquare(st.nu))
            eps = np.sqrt(h) * z
            r = st.mu + phi * r_prev + eps if self.spec.mean == "ar1" else st.mu + eps
            out[t] = r
            r_prev = r
            nz = np.minimum(z, 0.0)
            h = _variance_step(self.spec.volatility, st, eps, z, h)
            q = (1 - st.a - st.b) * st.Qbar - st.g * st.Nbar + st.a * np.outer(z, z) + st.g * np.outer(nz, nz) + st.b * q
        return pd.DataFrame(out / self.scale, index=pd.RangeIndex(1, n_obs + 1, name="step"),
                            columns=list(self.names))

    # ---- reporting ---------------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """DCC parameters with standard errors (tidy)."""
        return pd.DataFrame({"parameter": list(self.param_names), "estimate": self.params.to_numpy(),
                             "std_error": self.std_errors.to_numpy()})

    def summary(self) -> Summary:
        """The fit at a glance: specification, sample, univariate table, DCC parameters, likelihood, flags.

        Tables: ``"Correlation stage"`` (the main one, :meth:`to_frame`) and ``"Univariate stage"``
        (:attr:`univariate`); notes: convergence, boundary and on-bound flags.
        """
        spec = self.spec
        title = (f"DCC-GARCH: model={spec.model}, margins={spec.volatility}/{spec.dist}/{spec.mean} mean, "
                 f"joint={spec.joint_dist}{', composite likelihood (contiguous pairs)' if spec.composite else ''}")
        sample = (f"assets: {', '.join(self.names)}; {self.n_obs} observations "
                  f"({self.index[0].date()} to {self.index[-1].date()}); data rescaled by {self.scale:g} for fitting")
        likelihood = [
            f"log-likelihood (rmgarch convention): {self.loglikelihood:.6f}",
            f"  univariate: {float(self.univariate_loglik.sum()):.6f}; DCC term: {self.dcc_loglikelihood:.6f}",
        ]
        univariate, correlation = self.univariate, self.to_frame()
        lines = [
            title, sample, "",
            "Univariate stage:", univariate.to_string(float_format=lambda v: f"{v:.6g}"), "",
            "Correlation stage:", correlation.to_string(index=False, float_format=lambda v: f"{v:.6g}"), "",
            *likelihood,
        ]
        flags = self._flags()
        return Summary(title, header=(sample, *likelihood),
                       tables=(("Correlation stage", correlation), ("Univariate stage", univariate)),
                       notes=tuple(flags), text="\n".join(lines + (["", *flags] if flags else [])))

    def _flags(self) -> list[str]:
        """Warnings and notes of the summary: convergence, stationarity boundary, parameters on a bound."""
        flags = []
        if not self.converged:
            flags.append(f"WARNING: correlation stage did not converge ({self.optimizer_message})")
        if self.boundary:
            flags.append("WARNING: a + b at the stationarity boundary (integrated correlations)")
        for j in params_on_bound(self.param_names, self.params_array):
            if self.param_names[j] == "g":
                flags.append("NOTE: g = 0 is on its bound (no asymmetry in the correlations); its standard error is "
                             "undefined")
            else:
                flags.append(f"NOTE: nu = {NU_CAP:g} is on its cap (the joint distribution is practically Gaussian); "
                             "its standard error is undefined")
        for m in self.margins:
            if not m.converged:
                flags.append(f"WARNING: first stage for {m.name} did not converge")
        return flags

    def plot(self, pairs: list[tuple[str, str]] | None = None) -> Figure:
        """Conditional volatilities and correlations (first five pairs unless ``pairs`` is given)."""
        import matplotlib.pyplot as plt

        if pairs is None:
            rows, cols = K.vech_indices(self.n_assets)
            off = np.flatnonzero(rows != cols)[:5]
            pairs = [(self.names[rows[k]], self.names[cols[k]]) for k in off]
        fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
        self.conditional_volatility.plot(ax=axes[0], lw=0.8)
        axes[0].set_ylabel("conditional volatility")
        for x, y in pairs:
            self.correlation_pair(x, y).plot(ax=axes[1], lw=0.8, label=f"{x}~{y}")
        axes[1].set_ylabel("conditional correlation")
        axes[1].legend(fontsize=7)
        fig.tight_layout()
        return fig


def _variance_step(
    volatility: str, st: DCCState, eps: Float64Array1D, z: Float64Array1D, h: Float64Array1D
) -> Float64Array1D:
    r"""One step of the univariate variance recursions (GARCH, GJR (Glosten et al. 1993), EGARCH in arch's
    form :math:`\log h_t = \omega + \alpha(|z| - \sqrt{2/\pi}) + \gamma z + \beta \log h_{t-1}`)."""
    if volatility == "egarch":
        out: Float64Array1D = np.exp(st.omega + st.alpha * (np.abs(z) - np.sqrt(2.0 / np.pi)) + st.gamma * z
                                     + st.beta * np.log(h))
        return out
    out = st.omega + (st.alpha + st.gamma * (eps < 0)) * eps * eps + st.beta * h
    return out


def _unscale_params(m: MarginFit, scale: float) -> tuple[Float64Array1D, Float64Array1D]:
    """Map first-stage parameters (and standard errors) from the fitted scale back to the input scale."""
    p = np.array(m.params, dtype=float)
    s = np.array(m.std_errors, dtype=float)
    for k, name in enumerate(m.param_names):
        if name in ("mu", "Const"):
            p[k] /= scale
            s[k] /= scale
        elif name == "omega":
            if m.volatility == "egarch":
                # log h_t scales additively: omega_orig = omega - (1 - beta) log(scale^2) (SE left unadjusted)
                beta = float(m.recursion["beta"])
                p[k] -= (1.0 - beta) * np.log(scale * scale)
            else:
                p[k] /= scale * scale
                s[k] /= scale * scale
    return p, s
