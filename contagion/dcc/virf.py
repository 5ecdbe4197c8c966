r"""Volatility impulse responses (VIRF) of a fitted DCC-GARCH model.

.. math::

    V_t(h) = E[\operatorname{vech} H_{t+h} \mid \varepsilon_t = \varepsilon^*, \mathcal F_{t-1}]
             - E[\operatorname{vech} H_{t+h} \mid \text{baseline}, \mathcal F_{t-1}],
    \qquad h = 1, \dots, \text{horizon}

(Hafner & Herwartz 2006, eq. 5), computed for DCC-GARCH by simulation with common random numbers
(Koop, Pesaran & Potter 1996; Gabauer 2020). Entry point: :func:`virf` (also ``DCCResult.virf``); it reads
nothing from the fit but the :class:`~contagion.dcc.state.DCCState` at the shock date.

The shock :math:`\varepsilon^*` (the innovation at date t, i.e. the return minus its conditional mean) is

- a **named asset** ``"NVDA"``: one standard deviation through the symmetric (eigen) square root of
  :math:`H_t`, :math:`\varepsilon^* = H_t^{1/2} e_j`, so that the standardized shock
  :math:`\xi = H_t^{-1/2}\varepsilon^*` is the unit vector :math:`e_j` and no ordering of the assets matters
  (Hafner & Herwartz 2006, sec. 3). A mapping ``{"NVDA": -3.0}`` gives :math:`\xi = -3 e_j`, and several
  entries combine; a list ``["NVDA", "BTC-USD"]`` computes one VIRF per asset;
- a **historical shock**: a vector or ``pd.Series`` of returns, e.g. the observed returns of 2025-01-27,
  with ``at`` the date whose conditional state is used (inferred from the Series' name when it is a date);
  :math:`\varepsilon^* = r_t - \mu_t`.

Two baselines (``baseline=``):

- ``"zero"`` (default; "no shock" taken literally, as in Gabauer 2020 and ConnectednessApproach's
  ``VFEVD(standardize=TRUE)``): the baseline sets :math:`\varepsilon_t = 0`,
  :math:`E[\cdot \mid \varepsilon_t = 0, \mathcal F_{t-1}]`; univariate GARCH(1,1):
  :math:`\alpha(\alpha+\beta)^{h-1}\varepsilon^{*2}`. A zero shock gives exactly zero, and a shock to an asset
  uncorrelated with the others leaves their variances exactly unchanged while R stays block diagonal. This
  is the reading under which the response to a one-standard-deviation shock is positive, which is what a
  reader of "the response to an NVDA shock" expects.
- ``"expected"`` (Hafner & Herwartz's conditional-expectation baseline): the baseline draws :math:`\varepsilon_t` from its conditional
  distribution, :math:`E[\cdot \mid \mathcal F_{t-1}]`. A VIRF is then driven by the *news*
  :math:`\xi\xi' - I`: in the univariate GARCH(1,1) case it is
  :math:`\alpha(\alpha+\beta)^{h-1} h_t (\xi^2 - 1)`, zero for a one-standard-deviation shock, negative for
  a small one. A shock equal to the baseline's own draw gives exactly zero.

Horizon convention: ``h = 1`` is the first date the shock reaches (:math:`H_t` itself is known at t-1); the
tables also carry ``h = 0`` with a response of exactly 0. Bands are Monte Carlo intervals of the expectation
(batch means, see :func:`virf`): they say how precisely the simulation pins down the VIRF for the fitted
parameters, not how uncertain those parameters are.

References
----------
.. [1] Hafner, C. M. and Herwartz, H. (2006). Volatility impulse responses for multivariate GARCH models:
   An exchange rate illustration. Journal of International Money and Finance, 25(5), 719-740.
.. [2] Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of volatility
   transmission mechanisms. Journal of Forecasting, 39(5), 788-796.
.. [3] Koop, G., Pesaran, M. H. and Potter, S. M. (1996). Impulse response analysis in nonlinear multivariate
   models. Journal of Econometrics, 74(1), 119-147.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as _date
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from contagion._compat import SeedLike, resolve_seed
from contagion._summary import Summary, SummaryReprMixin, SummaryTable
from contagion._typing import Float64Array2D, Float64Array3D
from contagion.dcc import _virf_kernels as kernels
from contagion.dcc._packed_kernels import single_blas_thread
from contagion.dcc._virf_utility import (
    N_BATCHES,
    HasState,
    ShockSpec,
    check_options,
    checked_state,
    parse_shock,
    select_state,
)
from contagion.dcc.state import DCCState
from contagion.errors import EstimationError, SpecificationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["N_BATCHES", "VIRFBaseline", "VIRFResult", "response_labels", "virf"]

logger = logging.getLogger(__name__)

VIRFBaseline = Literal["expected", "zero"]

def response_labels(names: Sequence[str]) -> tuple[str, ...]:
    """Labels of the responses in kernel order: ``var[i]``, then ``cov[i,j]`` and ``corr[i,j]`` for i < j."""
    n = len(names)
    iu, ju = np.triu_indices(n, 1)
    pairs = [f"{names[i]},{names[j]}" for i, j in zip(iu.tolist(), ju.tolist())]
    return (
        tuple(f"var[{x}]" for x in names)
        + tuple(f"cov[{p}]" for p in pairs)
        + tuple(f"corr[{p}]" for p in pairs)
    )


@dataclass(frozen=True, kw_only=True)
class VIRFResult(SummaryReprMixin):
    """Volatility impulse responses of a DCC-GARCH model to one or more shocks at one date.

    Arrays are indexed ``[shock, horizon, response]`` with horizon 0..``horizon`` (row 0 is the date of the
    shock, whose response is 0 by construction) and responses ordered as :attr:`responses`. Variances and
    covariances are in the units of the returns given to the fit, squared (the fit's rescaling is undone);
    correlations are unitless.
    """

    names: tuple[str, ...]
    shocks: tuple[str, ...]
    responses: tuple[str, ...]
    date: pd.Timestamp
    horizon: int
    estimate: Float64Array3D = field(repr=False)
    lower: Float64Array3D = field(repr=False)
    upper: Float64Array3D = field(repr=False)
    #: E[H_{t+h} | baseline], shape (horizon + 1, n_responses); row 0 is H_t
    baseline_level: Float64Array2D = field(repr=False)
    #: the innovation at t of each shock (return minus conditional mean), shape (n_shocks, N), return units
    impulse: Float64Array2D = field(repr=False)
    #: the standardized shock xi = H_t^{-1/2} impulse (symmetric root), shape (n_shocks, N)
    standardized: Float64Array2D = field(repr=False)
    baseline: str
    level: float
    reps: int
    n_batches: int
    seed: int
    volatility: str
    model: str
    dist: str

    def __post_init__(self) -> None:
        for arr in (self.estimate, self.lower, self.upper, self.baseline_level, self.impulse,
                    self.standardized):
            arr.flags.writeable = False

    # ------------------------------------------------------------------ accessors
    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per (shock, response, horizon).

        Columns ``shock, response, horizon, estimate, lower, upper``; horizon runs 0..``horizon``.
        """
        n_shocks, n_h, n_resp = self.estimate.shape
        s_idx, r_idx, h_idx = np.indices((n_shocks, n_resp, n_h)).reshape(3, -1)
        shocks = np.asarray(self.shocks, dtype=object)
        responses = np.asarray(self.responses, dtype=object)
        return pd.DataFrame(
            {
                "shock": shocks[s_idx],
                "response": responses[r_idx],
                "horizon": h_idx.astype(np.int64),
                "estimate": self.estimate[s_idx, h_idx, r_idx],
                "lower": self.lower[s_idx, h_idx, r_idx],
                "upper": self.upper[s_idx, h_idx, r_idx],
            }
        )

    def response(self, response: str, shock: str | None = None) -> pd.DataFrame:
        """One response path: DataFrame indexed by horizon with columns ``estimate, lower, upper``."""
        s = self._shock_index(shock)
        try:
            r = self.responses.index(response)
        except ValueError:
            raise SpecificationError(
                f"unknown response {response!r}; responses look like {self.responses[0]!r}, "
                f"{self.responses[-1]!r} (see VIRFResult.responses)."
            ) from None
        return pd.DataFrame(
            {"estimate": self.estimate[s, :, r], "lower": self.lower[s, :, r], "upper": self.upper[s, :, r]},
            index=pd.RangeIndex(self.horizon + 1, name="horizon"),
        )

    def _shock_index(self, shock: str | None) -> int:
        if shock is None:
            return 0
        if shock not in self.shocks:
            raise SpecificationError(f"unknown shock {shock!r}; this result has shocks {list(self.shocks)}.")
        return self.shocks.index(shock)

    def _default_panels(self, s: int) -> list[str]:
        panels = [f"var[{x}]" for x in self.names]
        corr_idx = [i for i, r in enumerate(self.responses) if r.startswith("corr[")]
        label = self.shocks[s]
        if label in self.names:  # named shock: the correlations of the shocked asset
            chosen = [self.responses[i] for i in corr_idx
                      if label in self.responses[i][5:-1].split(",")]
        else:  # the correlations that move most
            peak = np.abs(self.estimate[s][:, corr_idx]).max(axis=0)
            order = np.argsort(-peak, kind="stable")[: max(len(self.names), 1)]
            chosen = [self.responses[corr_idx[i]] for i in order]
        return (panels + chosen)[:36]

    # ------------------------------------------------------------------ presentation
    def plot(
        self,
        responses: Sequence[str] | None = None,
        shock: str | None = None,
        ncols: int = 4,
    ) -> Figure:
        """Grid of response paths with their Monte Carlo bands.

        Parameters
        ----------
        responses : sequence of str, optional
            Response labels to draw (e.g. ``["var[NVDA]", "corr[NVDA,BTC-USD]"]``). Default: every variance
            plus the correlations of the shocked asset (named shock) or the N correlations with the largest
            peak response (historical shock); at most 36 panels.
        shock : str, optional
            Which shock to draw (default: the first).
        ncols : int
            Panels per row.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        s = self._shock_index(shock)
        chosen = list(responses) if responses is not None else self._default_panels(s)
        unknown = [r for r in chosen if r not in self.responses]
        if unknown:
            raise SpecificationError(
                f"unknown responses {unknown}; use labels like {self.responses[0]!r} (VIRFResult.responses)."
            )
        ncols = max(1, min(ncols, len(chosen)))
        nrows = math.ceil(len(chosen) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows), squeeze=False,
                                 sharex=True)
        h = np.arange(self.horizon + 1)
        for ax, label in zip(axes.ravel(), chosen):
            r = self.responses.index(label)
            ax.fill_between(h, self.lower[s, :, r], self.upper[s, :, r], alpha=0.3, linewidth=0)
            ax.plot(h, self.estimate[s, :, r], linewidth=1.2)
            ax.axhline(0.0, color="black", linewidth=0.6)
            ax.set_title(label, fontsize=9)
            ax.tick_params(labelsize=7)
        for ax in axes.ravel()[len(chosen):]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("horizon", fontsize=8)
        fig.suptitle(
            f"VIRF: shock {self.shocks[s]} at {self.date:%Y-%m-%d} ({self.baseline} baseline, "
            f"{self.level:.0%} Monte Carlo band, {self.reps} replications)",
            fontsize=10,
        )
        fig.tight_layout()
        return fig

    def summary(self, horizons: Sequence[int] | None = None) -> Summary:
        """The shock(s) and the variance and correlation responses at a few horizons.

        Tables: per shock, ``"Shock <label>: responses"`` (response x horizon; the first shock's is the main
        table) and ``"Shock <label>: innovation"`` (the innovation and standardized shock per asset).
        """
        hs = [h for h in (horizons or (1, 2, 5, 10, 20, self.horizon)) if 0 <= h <= self.horizon]
        hs = sorted(set(hs))
        header = [
            f"  state date     : {self.date:%Y-%m-%d}",
            f"  model          : {self.volatility} / {self.model} / {self.dist}",
            f"  baseline       : {self.baseline}   horizon: {self.horizon}   replications: {self.reps} "
            f"({self.n_batches} batches)   seed: {self.seed}",
            f"  bands          : {self.level:.0%} Monte Carlo (batch means)",
        ]
        title = "Volatility impulse responses (DCC-GARCH)"
        lines = [title, *header]
        responses: list[SummaryTable] = []
        innovations: list[SummaryTable] = []
        for s, label in enumerate(self.shocks):
            shock_tab = pd.DataFrame(
                {"innovation": self.impulse[s], "standardized": self.standardized[s]}, index=list(self.names)
            )
            table = self._response_table(s, hs)
            lines += ["", f"Shock {label}", shock_tab.to_string(float_format=lambda v: f"{v: .4g}"),
                      table.to_string(float_format=lambda v: f"{v: .4g}")]
            responses.append((f"Shock {label}: responses", table))
            innovations.append((f"Shock {label}: innovation", shock_tab))
        return Summary(title, header=tuple(header), tables=(*responses, *innovations), text="\n".join(lines))

    def _response_table(self, s: int, hs: list[int]) -> pd.DataFrame:
        """Shock ``s``'s variance responses and (up to 3N) correlation responses at horizons ``hs``."""
        label = self.shocks[s]
        keep = [r for r in self.responses if r.startswith("var[")]
        corr = [r for r in self.responses if r.startswith("corr[")]
        if label in self.names:
            corr = [r for r in corr if label in r[5:-1].split(",")]
        keep += corr[: 3 * len(self.names)]
        idx = [self.responses.index(r) for r in keep]
        return pd.DataFrame(self.estimate[s][np.ix_(hs, idx)].T, index=keep, columns=[f"h={h}" for h in hs])

    def __str__(self) -> str:
        return self.summary().as_text()


# ---------------------------------------------------------------------------------------------- computation
def virf(
    result: HasState | DCCState,
    shock: ShockSpec,
    horizon: int = 30,
    at: _date | str | None = None,
    reps: int = 2000,
    level: float = 0.90,
    seed: SeedLike = None,
    *,
    baseline: VIRFBaseline = "zero",
) -> VIRFResult:
    r"""Volatility impulse responses of a fitted DCC-GARCH model (Hafner & Herwartz 2006, by simulation).

    .. math::

        V_t(h) = \frac{1}{M}\sum_{m=1}^{M} \left[\operatorname{vech} H^{(m)}_{t+h}(\varepsilon^*)
                 - \operatorname{vech} H^{(m)}_{t+h}(\varepsilon^{(m)}_t)\right]

    where path m of both terms uses the same standardized draws :math:`u^{(m)}_{t+1}, \dots` after the
    shock (common random numbers) and the baseline innovation :math:`\varepsilon^{(m)}_t` is a draw from
    :math:`N(0, H_t)` (or the Student-t joint distribution) for ``baseline="expected"``, or 0 for
    ``baseline="zero"``.

    Parameters
    ----------
    result : DCCResult or DCCState
        A fitted model (its ``state_at(at)`` is used) or a state built by hand.
    shock : str, sequence of str, mapping, Series, DataFrame or array
        ``"NVDA"``: one-standard-deviation shock :math:`H_t^{1/2} e_j` (symmetric square root, no
        ordering); ``["NVDA", "BTC-USD"]``: one VIRF per asset; ``{"NVDA": -3.0}``: standardized shock
        :math:`\xi = -3e_j` (entries combine); a Series indexed by asset (or a 1-row DataFrame, or an array
        in the fit's column order) of *returns*: a historical shock :math:`\varepsilon^* = r - \mu_t`.
    horizon : int
        Last horizon h (>= 1); responses are reported for h = 0..horizon.
    at : date or str, optional
        Date whose conditional state is used (the date the shock hits). Default: the Series' name when
        ``shock`` is a Series named by a date, else ``result.state_at(None)``.
    reps : int
        Monte Carlo replications (>= 40); rounded up to a multiple of ``2 * N_BATCHES`` = 40 (antithetic
        pairs in 20 batches). ``reps=2000`` gives relative Monte Carlo errors of about 1% on variances.
    level : float
        Coverage of the Monte Carlo band, in (0, 1).
    seed : int or numpy.random.Generator, optional
        Seed of ``numpy.random.default_rng``; the same seed reproduces every number. ``None`` draws fresh
        entropy (a Generator: one integer from it) and records the integer actually used in
        :attr:`VIRFResult.seed`, so any result can be reproduced.
    baseline : {"zero", "expected"}
        ``"zero"`` (default): the no-shock path sets :math:`\varepsilon_t = 0` (Gabauer 2020);
        ``"expected"``: it draws :math:`\varepsilon_t` from its conditional distribution (Hafner &
        Herwartz 2006). See the module docstring.

    Returns
    -------
    VIRFResult

    Raises
    ------
    SpecificationError
        Unknown asset, wrong shock length, bad ``horizon``/``reps``/``level``/``baseline``, or a state that
        is not a valid DCC-GARCH state (non-positive variances, Q not positive definite, ...).
    EstimationError
        The simulated paths explode (non-finite variances) or R loses positive definiteness.

    Notes
    -----
    *Bands.* Replications are split into 20 independent batches; the band is
    :math:`\hat V \pm t_{19, (1+\text{level})/2}\, \text{sd(batch means)}/\sqrt{20}` (batch-means Monte
    Carlo interval). It measures simulation error only; parameter uncertainty is not included (it would need
    re-filtering the whole sample for each parameter draw, which the ``DCCState`` contract deliberately
    does not expose).

    *Variance reduction.* Common random numbers after the shock; at the shock date the baseline's draws are
    antithetic and moment-matched within each batch (sample second moment exactly I when the batch has at
    least 2N replications), so :math:`E[\varepsilon_t\varepsilon_t']` of the baseline equals :math:`H_t`
    exactly and the h = 1 variance response of a (GJR-)GARCH model has no Monte Carlo error.

    *Units.* The state is on the fit's (possibly rescaled) scale; historical shocks are given in the units
    of the returns passed to the fit and are rescaled, and variance/covariance responses are reported back
    in those units (squared).

    References
    ----------
    .. [1] Hafner, C. M. and Herwartz, H. (2006). Volatility impulse responses for multivariate GARCH
       models: An exchange rate illustration. Journal of International Money and Finance, 25(5), 719-740.
    .. [2] Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of
       volatility transmission mechanisms. Journal of Forecasting, 39(5), 788-796.
    """
    horizon, reps, level = check_options(horizon, reps, level, baseline)
    state, shock = select_state(result, shock, at)
    with single_blas_thread():  # small eigendecompositions and GEMMs: BLAS threads only spin on a busy box
        return _virf(state, shock, horizon, reps, level, seed, baseline)


def _virf(
    state: DCCState, shock: ShockSpec, horizon: int, reps: int, level: float, seed: SeedLike,
    baseline: VIRFBaseline,
) -> VIRFResult:
    """The body of :func:`virf` after the options are checked and the state is selected."""
    checked = checked_state(state)
    params = checked.params
    labels, eps_star, xi = parse_shock(shock, state, checked.root)

    n_assets = len(state.names)
    n_pairs = math.ceil(reps / (2 * N_BATCHES))
    n_reps = 2 * N_BATCHES * n_pairs
    seed_used = resolve_seed(seed)
    rng = np.random.default_rng(seed_used)
    draws = kernels.standardized_draws(rng, n_batches=N_BATCHES, n_pairs=n_pairs, horizon=horizon,
                                       n_assets=n_assets, nu=state.nu, asymmetric=params.g != 0.0)
    # baseline innovation H_t^{1/2} u0 (its standardized shock under the symmetric root is u0 itself), or 0
    eps_base = draws.u0 @ checked.root if baseline == "expected" else np.zeros((n_reps, n_assets))
    logger.debug("VIRF: %d shocks, N=%d, horizon=%d, %d replications", len(labels), n_assets, horizon, n_reps)
    try:
        with np.errstate(invalid="raise", divide="raise"):
            diff, base = kernels.virf_batch_means(params, eps_shock=eps_star, eps_base=eps_base, draws=draws,
                                                  n_batches=N_BATCHES)
    except (FloatingPointError, np.linalg.LinAlgError) as exc:
        raise EstimationError(
            f"VIRF simulation from the {state.date:%Y-%m-%d} state failed ({exc}): the simulated "
            f"{state.volatility}/{state.model} paths exploded or R lost positive definiteness; check the "
            "fitted persistence (a + b, alpha + beta) and the size of the shock."
        ) from exc

    # undo the fit's rescaling: variances and covariances scale with scale^2, correlations do not
    unit = np.ones(n_assets * n_assets)
    unit[: n_assets + n_assets * (n_assets - 1) // 2] = 1.0 / state.scale**2
    diff = diff * unit
    est_h = diff.mean(axis=1)  # (S, horizon, n_resp)
    se = diff.std(axis=1, ddof=1) / math.sqrt(N_BATCHES)
    q = float(stats.t.ppf(0.5 + level / 2.0, N_BATCHES - 1))
    zeros = np.zeros((len(labels), 1, unit.size))
    estimate = np.concatenate([zeros, est_h], axis=1)
    lower = np.concatenate([zeros, est_h - q * se], axis=1)
    upper = np.concatenate([zeros, est_h + q * se], axis=1)
    iu, ju = np.triu_indices(n_assets, 1)
    level0 = np.concatenate([params.h0, checked.H[iu, ju], checked.R[iu, ju]])
    baseline_level = np.concatenate([level0[None], base], axis=0) * unit

    return VIRFResult(
        names=tuple(state.names),
        shocks=labels,
        responses=response_labels(state.names),
        date=pd.Timestamp(state.date),
        horizon=horizon,
        estimate=estimate,
        lower=lower,
        upper=upper,
        baseline_level=baseline_level,
        impulse=eps_star / state.scale,
        standardized=xi,
        baseline=baseline,
        level=level,
        reps=n_reps,
        n_batches=N_BATCHES,
        seed=seed_used,
        volatility=state.volatility,
        model=state.model,
        dist="normal" if state.nu is None else f"t(nu={state.nu:.4g})",
    )
