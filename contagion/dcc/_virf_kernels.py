r"""Batched simulation kernels for DCC-GARCH volatility impulse responses (pure numpy, no pandas).

The volatility impulse response function (VIRF) of Hafner & Herwartz (2006, eq. 5) is

.. math::

    V_t(h, \varepsilon_t) = E[\operatorname{vech} H_{t+h} \mid \varepsilon_t, \mathcal F_{t-1}]
                            - E[\operatorname{vech} H_{t+h} \mid \mathcal F_{t-1}] .

For BEKK/VEC models it has a closed form; for DCC-GARCH (Engle 2002) the correlation normalisation
:math:`R = \operatorname{diag}(Q)^{-1/2} Q \operatorname{diag}(Q)^{-1/2}` is non-linear, so both expectations
are computed by simulation (the generalized impulse response of Koop, Pesaran & Potter 1996 applied to DCC,
as in Gabauer 2020) with *common random numbers*: the shocked paths and the baseline paths share every random
number after the shock date, so their difference is estimated with far less noise than two independent
simulations would give.

Everything is batched over a leading "path" axis (scenario: baseline or shocked, times replication); the only
Python loop runs along the horizon, which is a recursion. Readable loop twins live in
:mod:`tests.reference.virf`; a test checks that both agree to rounding.

Recursions (one step, all assets at once; :math:`e = \varepsilon/\sqrt h` is the standardized innovation):

- ``garch``/``gjr`` (Bollerslev 1986; Glosten, Jagannathan & Runkle 1993, eq. 2):
  :math:`h_{t+1} = \omega + (\alpha + \gamma 1[\varepsilon_t < 0]) \varepsilon_t^2 + \beta h_t`
  (``gamma = 0`` for ``garch``);
- ``egarch`` (Nelson 1991) in the parametrisation of ``arch.univariate.EGARCH``, so that a fitted arch
  model's ``omega, alpha[1], gamma[1], beta[1]`` fill the same ``DCCState`` fields unchanged; the fields then
  describe the *log* variance:
  :math:`\ln h_{t+1} = \omega + \alpha(|e_t| - \sqrt{2/\pi}) + \gamma e_t + \beta \ln h_t`
  (arch centres :math:`|e|` with :math:`\sqrt{2/\pi}` whatever the distribution; so do we);
- DCC / scalar aDCC (Engle 2002, eq. 26; Cappiello, Engle & Sheppard 2006, eq. 6):
  :math:`Q_{t+1} = C + a\, e_t e_t' + g\, n_t n_t' + b\, Q_t`, with
  :math:`C = (1-a-b)\bar Q - g \bar N`, :math:`n_t = \min(e_t, 0)` and ``g = 0`` for DCC;
  :math:`R_{t+1} = \operatorname{diag}(Q_{t+1})^{-1/2} Q_{t+1} \operatorname{diag}(Q_{t+1})^{-1/2}`,
  :math:`H_{t+1} = D_{t+1} R_{t+1} D_{t+1}`, :math:`D = \operatorname{diag}(\sqrt h)`.

**Drawing e ~ N(0, R) without a factorisation per path.** Unrolling the DCC recursion from the shock date
(step 0) gives, for step :math:`k \ge 1`,

.. math::

    Q_k = S_k + \sum_{m=0}^{k-1} b^{k-1-m} (a\, e_m e_m' + g\, n_m n_m'), \qquad
    S_k = C + b S_{k-1},\; S_0 = Q_0 ,

where :math:`S_k` is the same for every path. Hence, with independent standard normals :math:`w_k`
(N-vector) and scalars :math:`\eta_{k,m}, \eta^n_{k,m}`,

.. math::

    X_k = S_k^{1/2} w_k + \sum_{m<k} \sqrt{a b^{k-1-m}}\, \eta_{k,m}\, e_m
          + \sqrt{g b^{k-1-m}}\, \eta^n_{k,m}\, n_m

has covariance exactly :math:`Q_k` given the past, and :math:`e_k = \operatorname{diag}(Q_k)^{-1/2} X_k`
is a draw from :math:`N(0, R_k)` (times a common mixing factor :math:`\sqrt{(\nu-2)/\chi^2_\nu}` for the
Student-t joint distribution). This costs :math:`O(kN)` per path instead of an :math:`O(N^3)` Cholesky
factorisation of every :math:`R_k` on every path; :math:`S_k^{1/2}` (symmetric root) is computed once per
step. No path carries an N x N ``Q``: only its diagonal (which scales the draws); the batch sums of the
covariances and correlations come from Gram matrices of the weighted innovation history
(:func:`_weighted_q_sums`), GEMMs run with BLAS pinned to one thread (a multi-threaded BLAS on a busy
machine made an earlier GEMM-based version ten times slower). Which root maps the random
numbers to :math:`e_k` changes no expectation; it only decides how the common random numbers pair the
shocked and baseline paths.

References
----------
.. [1] Hafner, C. M. and Herwartz, H. (2006). Volatility impulse responses for multivariate GARCH models:
   An exchange rate illustration. Journal of International Money and Finance, 25(5), 719-740.
.. [2] Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of volatility
   transmission mechanisms. Journal of Forecasting, 39(5), 788-796.
.. [3] Koop, G., Pesaran, M. H. and Potter, S. M. (1996). Impulse response analysis in nonlinear multivariate
   models. Journal of Econometrics, 74(1), 119-147.
.. [4] Engle, R. (2002). Dynamic conditional correlation. Journal of Business & Economic Statistics, 20(3),
   339-350.
.. [5] Cappiello, L., Engle, R. F. and Sheppard, K. (2006). Asymmetric dynamics in the correlations of global
   equity and bond returns. Journal of Financial Econometrics, 4(4), 537-572.
.. [6] Nelson, D. B. (1991). Conditional heteroskedasticity in asset returns: A new approach. Econometrica,
   59(2), 347-370.
.. [7] Glosten, L. R., Jagannathan, R. and Runkle, D. E. (1993). On the relation between the expected value
   and the volatility of the nominal excess return on stocks. Journal of Finance, 48(5), 1779-1801.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from contagion._typing import Float64Array, Float64Array1D, Float64Array2D, Float64Array3D, Float64Array4D
from contagion.dcc._packed_kernels import single_blas_thread

__all__ = [
    "SQRT_2_OVER_PI",
    "Draws",
    "VIRFParams",
    "n_responses",
    "news_free_q",
    "standardized_draws",
    "sym_sqrt",
    "variance_step",
    "virf_batch_means",
]

#: E|e| for a standard normal e; the centring constant of arch's EGARCH
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

#: ``weights(j)``: (column weights of the history or None, scalar) for Q_j (:func:`_history_weights`)
_Weights = Callable[[int], tuple[Float64Array1D | None, float]]

#: soft cap on the float64 entries of the per-path arrays (Q: N x N, innovation history: H x N): replications
#: are processed in chunks of whole batches below it, which bounds memory for large N and horizons
_CHUNK_ENTRIES = 1_000_000


def n_responses(n_assets: int) -> int:
    """Number of responses: N variances, N(N-1)/2 covariances and N(N-1)/2 correlations."""
    return n_assets * n_assets


@dataclass(frozen=True, kw_only=True)
class VIRFParams:
    r"""The recursion constants of one DCC-GARCH state, as the VIRF simulation needs them.

    Shapes use N assets. Build it from a :class:`~contagion.dcc.state.DCCState` with
    ``contagion.dcc._virf_utility.checked_state`` (which validates the state first).
    """

    #: univariate variance parameters, each shape (N,) (module docstring, per ``volatility``)
    omega: Float64Array1D
    alpha: Float64Array1D
    gamma: Float64Array1D
    beta: Float64Array1D
    #: conditional variances for the shock date t (known at t-1), shape (N,)
    h0: Float64Array1D
    #: DCC ``Q_t`` for the shock date, shape (N, N)
    Q0: Float64Array2D
    #: :math:`C = (1-a-b)\bar Q - g\bar N`, shape (N, N)
    intercept: Float64Array2D
    #: DCC parameters (``g = 0`` for DCC)
    a: float
    b: float
    g: float
    #: "garch", "gjr" or "egarch"
    volatility: str


@dataclass(frozen=True)
class Draws:
    """The random numbers of one VIRF simulation (see :func:`standardized_draws`).

    Shapes use P replications, N assets and H the horizon; step k = 1..H-1 uses row ``k - 1``.
    """

    #: standardized draws for the shock date (baseline only), shape (P, N); antithetic, moment-matched
    u0: Float64Array2D
    #: normals for the common part :math:`S_k^{1/2} w_k`, shape (H-1, P, N)
    w: Float64Array3D
    #: loadings of past standardized innovations, shape (H-1, P, H-1); column m < k is used at step k
    eta: Float64Array3D
    #: loadings of past negative parts (aDCC only, else zeros of shape (H-1, P, 0))
    eta_n: Float64Array3D
    #: Student-t mixing factors :math:`\sqrt{(\nu-2)/\chi^2_\nu}` (ones for the normal), shape (H-1, P)
    mix: Float64Array2D


def standardized_draws(
    rng: np.random.Generator,
    *,
    n_batches: int,
    n_pairs: int,
    horizon: int,
    n_assets: int,
    nu: float | None,
    asymmetric: bool,
) -> Draws:
    r"""All random numbers of a VIRF simulation, taken from ``rng`` in a fixed order.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness. Order: shock-date normals, their chi-square mixing variables (t
        only), ``w``, ``eta``, ``eta_n`` (aDCC only), later mixing variables (t only); a seed therefore
        reproduces every number.
    n_batches, n_pairs : int
        ``n_batches`` independent batches of ``2 * n_pairs`` replications; replications
        ``[b * 2k, (b + 1) * 2k)`` form batch ``b`` (``k = n_pairs``).
    horizon : int
        H; steps 1..H-1 after the shock date need random numbers.
    n_assets : int
        N.
    nu : float or None
        Degrees of freedom of the standardized multivariate Student-t (``nu > 2``); ``None``: normal.
    asymmetric : bool
        Draw ``eta_n`` (needed when the aDCC asymmetry g is non-zero).

    Returns
    -------
    Draws

    Notes
    -----
    Shock-date draws ``u0`` (unit covariance; a multivariate t is ``x sqrt((nu-2)/w)``, ``w ~ chi2(nu)``) are
    antithetic within each batch (the second half is minus the first) and, when ``n_pairs >= N``, whitened so
    that each batch's sample second moment is exactly the identity (moment matching). The baseline's
    expected squared innovation at the shock date is then exact, so the horizon-1 response of a (GJR-)GARCH
    variance has no Monte Carlo error. Batches stay independent, which the batch-means bands rely on.
    """
    n_reps = 2 * n_batches * n_pairs
    n_steps = max(horizon - 1, 0)
    x0 = rng.standard_normal((n_batches, n_pairs, n_assets))
    if nu is not None:
        x0 = x0 * np.sqrt((nu - 2.0) / rng.chisquare(nu, size=(n_batches, n_pairs, 1)))
    if n_pairs >= n_assets:
        # symmetric whitening per batch: x <- x S^{-1/2}, S = x'x / k (the antithetic half has the same S)
        second = np.einsum("bki,bkj->bij", x0, x0) / n_pairs
        vals, vecs = np.linalg.eigh(second)
        if np.all(vals > 1e-8 * vals.max(axis=-1, keepdims=True)):
            inv_root = np.einsum("bij,bj,bkj->bik", vecs, 1.0 / np.sqrt(vals), vecs)
            x0 = np.einsum("bki,bij->bkj", x0, inv_root)
    u0 = np.concatenate([x0, -x0], axis=1).reshape(n_reps, n_assets)
    w = rng.standard_normal((n_steps, n_reps, n_assets))
    eta = rng.standard_normal((n_steps, n_reps, n_steps))
    eta_n = rng.standard_normal((n_steps, n_reps, n_steps)) if asymmetric else np.zeros((n_steps, n_reps, 0))
    if nu is not None:
        mix = np.sqrt((nu - 2.0) / rng.chisquare(nu, size=(n_steps, n_reps)))
    else:
        mix = np.ones((n_steps, n_reps))
    return Draws(u0=np.ascontiguousarray(u0), w=w, eta=eta, eta_n=eta_n, mix=mix)


def sym_sqrt(S: Float64Array2D) -> Float64Array2D:
    """Symmetric square root :math:`V \\Lambda^{1/2} V'` of a symmetric PSD matrix (tiny negatives -> 0)."""
    vals, vecs = np.linalg.eigh(0.5 * (S + S.T))
    root: Float64Array2D = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    return root


def news_free_q(Q0: Float64Array2D, intercept: Float64Array2D, b: float, horizon: int) -> Float64Array3D:
    r""":math:`S_k = C + b S_{k-1}`, :math:`S_0 = Q_0`, for k = 0..H; shape (H + 1, N, N).

    :math:`S_k` is the part of :math:`Q_k` that does not depend on the simulated innovations (module
    docstring): the DCC recursion with all news terms removed.
    """
    S = np.empty((horizon + 1, *Q0.shape))
    S[0] = Q0
    for k in range(1, horizon + 1):
        S[k] = intercept + b * S[k - 1]
    return S


def variance_step(
    h: Float64Array,
    eps: Float64Array,
    omega: Float64Array1D,
    alpha: Float64Array1D,
    gamma: Float64Array1D,
    beta: Float64Array1D,
    volatility: str,
) -> Float64Array:
    r"""One step of the univariate variance recursions, batched over leading axes (last axis = asset).

    ``garch``/``gjr``: :math:`h' = \omega + (\alpha + \gamma 1[\varepsilon<0])\varepsilon^2 + \beta h`
    (GJR 1993, eq. 2); ``egarch``: :math:`\ln h' = \omega + \alpha(|e| - \sqrt{2/\pi}) + \gamma e +
    \beta \ln h` with :math:`e = \varepsilon/\sqrt h` (Nelson 1991; arch's parametrisation).
    """
    if volatility == "egarch":
        e = eps / np.sqrt(h)
        with np.errstate(over="ignore"):  # overflow -> inf, caught by the caller's finiteness check
            return np.exp(omega + alpha * (np.abs(e) - SQRT_2_OVER_PI) + gamma * e + beta * np.log(h))
    return omega + (alpha + gamma * (eps < 0.0)) * (eps * eps) + beta * h


def virf_batch_means(
    params: VIRFParams,
    *,
    eps_shock: Float64Array,
    eps_base: Float64Array2D,
    draws: Draws,
    n_batches: int,
) -> tuple[Float64Array4D, Float64Array2D]:
    r"""Simulate shocked and baseline DCC-GARCH paths with common random numbers; return batch means.

    Parameters
    ----------
    params : VIRFParams
        The state's recursion constants: variance parameters, ``h0``, ``Q0``, the DCC intercept, a, b, g.
    eps_shock : ndarray of shape (S, N) or (S, P, N)
        Innovation at t of each of S shocked scenarios (the same for every replication, or one per
        replication).
    eps_base : ndarray of shape (P, N)
        Baseline innovation at t (a draw from its conditional distribution for the Hafner-Herwartz
        baseline, zeros for the zero-innovation baseline).
    draws : Draws
        Random numbers for t+1 .. t+H-1, common to all scenarios of a replication; H is taken from them.
    n_batches : int
        P must be a multiple of it; consecutive blocks of P / n_batches replications are averaged apart.

    Returns
    -------
    diff : ndarray of shape (S, n_batches, H, N * N)
        ``diff[s, j, h - 1]``: batch j's mean shocked response at t+h minus its mean baseline response.
        Responses: N variances, then the covariances and then the correlations of pairs i < j (row-major,
        the order of ``numpy.triu_indices(N, 1)``).
    base : ndarray of shape (H, N * N)
        Mean baseline response over all replications (estimate of E[vech H_{t+h} | baseline]).

    Raises
    ------
    FloatingPointError
        A simulated variance or Q became non-finite (the caller turns it into an EstimationError).
    """
    h0, Q0, intercept, b, g = params.h0, params.Q0, params.intercept, params.b, params.g
    n_assets = h0.shape[0]
    n_reps = eps_base.shape[0]
    horizon = draws.w.shape[0] + 1
    if n_reps % n_batches:
        raise ValueError(f"n_reps={n_reps} is not a multiple of n_batches={n_batches}")
    per_batch = n_reps // n_batches
    eps_shock = np.asarray(eps_shock, dtype=np.float64)
    if eps_shock.ndim == 2:
        eps_shock = np.broadcast_to(eps_shock[:, None, :], (eps_shock.shape[0], n_reps, n_assets))
    n_paths = eps_shock.shape[0] + 1  # scenario 0 is the baseline
    history = _history_weights(b, horizon)
    sums = np.zeros((n_paths, n_batches, horizon, n_responses(n_assets)))
    # per path: the innovation history (H x N, twice for aDCC) and its weighted copy in the batch sums
    per_path = 3 * horizon * n_assets * (2 if g != 0.0 else 1)
    per_chunk = max(1, _CHUNK_ENTRIES // (n_paths * per_batch * per_path))
    with single_blas_thread():  # many small GEMMs: threads only add synchronisation on a busy machine
        news_free = news_free_q(Q0, intercept, b, horizon)  # S_0 .. S_H
        roots = [sym_sqrt(S) for S in news_free[:horizon]]
        for first in range(0, n_batches, per_chunk):
            last = min(n_batches, first + per_chunk)
            rows = slice(first * per_batch, last * per_batch)
            eps = np.concatenate([eps_base[None, rows], eps_shock[:, rows]], axis=0)  # (paths, rows, N)
            _simulate_chunk(params, eps, draws, rows, roots, news_free, history, sums[:, first:last])
    sums /= per_batch  # batch means, in place (the array is (paths, batches, H, N^2))
    diff = sums[1:] - sums[0]
    base = sums[0].mean(axis=0)
    return diff, base


def _history_weights(b: float, horizon: int) -> tuple[Float64Array1D, _Weights]:
    r"""How the innovation history is weighted: (``col_scale``, ``weights``).

    The weight of :math:`e_m e_m'` in :math:`Q_j` (m < j) is :math:`a b^{j-1-m}` (module docstring). When
    :math:`b^{-H/2}` is representable it factorises as :math:`[\sqrt a\, b^{(j-1)/2}]^2 [b^{-m/2}]^2`: the
    history is stored pre-scaled by ``col_scale[m]`` = :math:`b^{-m/2}` once and each step needs a scalar
    only (``weights(j)`` = (None, :math:`b^{(j-1)/2}`)). Otherwise (b = 0 or tiny) ``col_scale`` is 1 and
    ``weights(j)`` = (:math:`\sqrt{b^{j-1-m}}` for m < j, 1).
    """
    steps = np.arange(horizon + 1)
    if b > 0.0 and 0.5 * horizon * math.log(1.0 / b) < 200.0:
        step_scale = b ** (0.5 * (steps - 1.0))  # index j: sqrt(b^(j-1)); times sqrt(a) or sqrt(g)

        def separable(j: int) -> tuple[Float64Array1D | None, float]:
            return None, float(step_scale[j])

        col_scale: Float64Array1D = np.power(float(b), -0.5 * steps[:horizon], dtype=np.float64)
        return col_scale, separable
    power = np.clip(steps[:, None] - 1 - steps[None, :horizon], 0, None).astype(np.float64)
    lower = steps[None, :horizon] < steps[:, None]
    col_weight = np.where(lower, np.sqrt(b**power), 0.0)  # (H + 1, H): sqrt(b^(j-1-m)), m < j

    def general(j: int) -> tuple[Float64Array1D | None, float]:
        return col_weight[j, :j], 1.0

    return np.ones(horizon), general


def _simulate_chunk(
    params: VIRFParams, eps: Float64Array3D, draws: Draws, rows: slice, roots: list[Float64Array2D],
    news_free: Float64Array3D, history: tuple[Float64Array1D, _Weights], out: Float64Array4D,
) -> None:
    """Simulate the paths of whole batches (``eps``: the innovations at t, (paths, rows, N)) and write the
    batch sums of every response into ``out`` (paths, batches, H, N * N); see :func:`virf_batch_means`.

    Per path only the diagonal of Q_k is carried (it scales the draws); the covariances and correlations
    come from :func:`_weighted_q_sums` on the innovation history, so no N x N array exists per path.
    """
    omega, alpha, gamma, beta, volatility = params.omega, params.alpha, params.gamma, params.beta, params.volatility
    a, g = params.a, params.g
    n_paths, n_rows, n_assets = eps.shape
    horizon = draws.w.shape[0] + 1
    n_batches = out.shape[1]
    col_scale, weights = history
    asymmetric = g != 0.0
    iu, ju = np.triu_indices(n_assets, 1)
    covs, corrs = slice(n_assets, n_assets + iu.size), slice(n_assets + iu.size, None)
    h = np.broadcast_to(params.h0, eps.shape)
    q_diag = np.array(np.broadcast_to(np.diagonal(params.Q0), eps.shape))  # diag Q_k of every path
    c_diag = np.diagonal(params.intercept)
    e = eps / np.sqrt(h)
    # e_m (and n_m = min(e_m, 0)) of every path, times col_scale[m]
    hist_e = np.empty((n_paths, n_rows, horizon, n_assets))
    hist_n = np.empty_like(hist_e) if asymmetric else hist_e
    for k in range(horizon):
        if k > 0:  # draw e_k ~ N(0, R_k) (times the t mixing factor) through the unrolled recursion
            # einsum (not BLAS): small products must not depend on BLAS threading
            x = np.einsum("rj,ij->ri", draws.w[k - 1, rows], roots[k])  # same for every scenario
            col, scalar = weights(k)
            load = draws.eta[k - 1, rows, :k] if col is None else col * draws.eta[k - 1, rows, :k]
            x = x + (math.sqrt(a) * scalar) * np.matmul(load[:, None, :], hist_e[:, :, :k])[..., 0, :]
            if asymmetric:
                load = draws.eta_n[k - 1, rows, :k] if col is None else col * draws.eta_n[k - 1, rows, :k]
                x = x + (math.sqrt(g) * scalar) * np.matmul(load[:, None, :], hist_n[:, :, :k])[..., 0, :]
            e = x * draws.mix[k - 1, rows, None] / np.sqrt(q_diag)
            eps = np.sqrt(h) * e
        n = np.minimum(e, 0.0)
        hist_e[:, :, k] = e * col_scale[k]
        if asymmetric:
            hist_n[:, :, k] = n * col_scale[k]
        h = variance_step(h, eps, omega, alpha, gamma, beta, volatility)  # h_{k+1}
        # diagonal of Q_{k+1} = C + a e e' + g n n' + b Q_k (Engle 2002 eq. 26; Cappiello et al. 2006 eq. 6)
        q_diag *= params.b
        q_diag += c_diag
        root_a_e = math.sqrt(a) * e
        q_diag += root_a_e * root_a_e
        if asymmetric:
            root_g_n = math.sqrt(g) * n
            q_diag += root_g_n * root_g_n
        if not (np.isfinite(h).all() and np.isfinite(q_diag).all()):
            raise FloatingPointError(f"non-finite conditional variance or Q at horizon {k + 1}")
        # batch sums of H_ii, of H_ij = sd_i d_i Q_ij d_j sd_j and of R_ij = d_i Q_ij d_j (Engle 2002 eq. 23)
        d_corr = 1.0 / np.sqrt(q_diag)
        block = out[:, :, k]
        block[..., :n_assets] = h.reshape(n_paths, n_batches, -1, n_assets).sum(axis=2)
        col, scalar = weights(k + 1)  # weights of e_0 .. e_k in Q_{k+1}
        hist = (hist_e[:, :, :k + 1], hist_n[:, :, :k + 1] if asymmetric else None)
        for d, cols in ((d_corr * np.sqrt(h), covs), (d_corr, corrs)):
            sums = _weighted_q_sums(d, hist, col, (a * scalar**2, g * scalar**2), news_free[k + 1], n_batches)
            block[..., cols] = sums[..., iu, ju]


def _weighted_q_sums(
    d: Float64Array3D, hist: tuple[Float64Array4D, Float64Array4D | None], col: Float64Array1D | None,
    coef: tuple[float, float], S: Float64Array2D, n_batches: int,
) -> Float64Array4D:
    r"""Batch sums :math:`\sum_r d_{ri} Q_{r,ij} d_{rj}` of every path's Q without forming it.

    Unrolled, :math:`Q_r = S + \sum_m w_m (a\, e_{rm} e_{rm}' + g\, n_{rm} n_{rm}')` with weights common to all
    paths (module docstring), so over the replications r of a batch

    .. math::

        \sum_r D_r Q_r D_r = S \odot \sum_r d_r d_r' + a V_e'V_e + g V_n'V_n, \qquad
        V_e = [\sqrt{w_m}\, d_r \odot e_{rm}]_{(r, m)},

    two GEMMs of (replications x history) rows per batch instead of an N x N update per path.
    ``d``: (paths, rows, N); ``hist``: the stored (pre-scaled) e and n histories, (paths, rows, K, N);
    ``col``: per-column weights of the history (None: already in it); ``coef``: (a, g) times the step's
    scalar squared; returns (paths, n_batches, N, N).
    """
    n_paths, _, n_assets = d.shape
    groups = n_paths * n_batches
    d_b = d.reshape(groups, -1, n_assets)
    out: Float64Array3D = np.matmul(d_b.transpose(0, 2, 1), d_b)
    out *= S
    for h_part, c in zip(hist, coef, strict=True):
        if h_part is None:
            continue
        v = d[:, :, None, :] * h_part
        if col is not None:
            v *= col[:, None]
        v_b = v.reshape(groups, -1, n_assets)
        gram = np.matmul(v_b.transpose(0, 2, 1), v_b)
        gram *= c
        out += gram
    result: Float64Array4D = out.reshape(n_paths, n_batches, n_assets, n_assets)
    return result
