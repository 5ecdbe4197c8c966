"""Vectorised DCC / GARCH kernels against their readable loop twins, plus identities."""

from __future__ import annotations

import numpy as np
import pytest

from contagion.dcc import _filter_kernels as F
from contagion.dcc import _kernels as K
from contagion.dcc import margins as G
from contagion.dcc.margins import garch11_derivatives, garch11_filter
from tests.reference import dcc as ref


def _z(rng: np.random.Generator, n_obs: int, n: int) -> np.ndarray:
    a = rng.standard_normal((n, n))
    cov = a @ a.T / n + np.eye(n)
    d = np.sqrt(np.diag(cov))
    return rng.multivariate_normal(np.zeros(n), cov / np.outer(d, d), size=n_obs)


def test_garch_filter_matches_loop(rng):
    x = 0.01 * rng.standard_normal(400)
    for params in ((0.0003, 2e-6, 0.08, 0.9), (-0.001, 1e-5, 0.0, 0.0), (0.0, 1e-7, 0.3, 0.699)):
        h, ll = garch11_filter(x, *params)
        h2, ll2 = ref.garch11_filter(x, *params)
        np.testing.assert_allclose(h, h2, rtol=1e-12)
        np.testing.assert_allclose(ll, ll2, rtol=1e-12)


@pytest.mark.parametrize("has_mu", [True, False])
def test_garch_analytic_scores_match_numerical(rng, has_mu):
    x = 0.01 * rng.standard_normal(300) + 0.001
    p = np.array([0.0005, 3e-6, 0.07, 0.9]) if has_mu else np.array([3e-6, 0.07, 0.9])

    def total(q):
        mu, rest = (q[0], q[1:]) if has_mu else (0.0, q)
        return garch11_filter(x, mu, *rest)[1].sum()

    mu, rest = (p[0], p[1:]) if has_mu else (0.0, p)
    s = garch11_derivatives(x[None, :], np.array([[mu, *rest]]), order=1)[2][0][:, [0, 1, 2, 3] if has_mu else [1, 2, 3]]
    num = []
    for j in range(p.size):
        step = 1e-6 * abs(p[j])
        up, dn = p.copy(), p.copy()
        up[j] += step
        dn[j] -= step
        num.append((total(up) - total(dn)) / (2 * step))
    np.testing.assert_allclose(s.sum(axis=0), num, rtol=1e-5)


def test_garch_batched_derivatives_match_numerical(rng):
    """Analytic scores and Hessian of many assets at once (Fiorentini et al. 1996) vs central differences."""
    x = 0.01 * rng.standard_normal((3, 400)) + 0.0005
    p = np.array([[0.0005, 3e-6, 0.07, 0.9], [0.0, 1e-5, 0.15, 0.7], [-0.001, 1e-6, 0.02, 0.97]])
    ll, h, scores, hess = garch11_derivatives(x, p)
    for i in range(3):
        h_ref, ll_ref = garch11_filter(x[i], *p[i])
        np.testing.assert_allclose(h[i], h_ref, rtol=1e-13)
        assert ll[i] == pytest.approx(ll_ref.sum(), rel=1e-13)
        num = np.empty((4, 4))
        num_grad = np.empty(4)
        for j in range(4):
            step = 1e-6 * max(abs(p[i, j]), 1e-4)
            up, dn = p[i].copy(), p[i].copy()
            up[j] += step
            dn[j] -= step
            num_grad[j] = (garch11_filter(x[i], *up)[1].sum() - garch11_filter(x[i], *dn)[1].sum()) / (2 * step)
            g_up = garch11_derivatives(x[i:i + 1], up[None], order=1)[2].sum(axis=1)[0]
            g_dn = garch11_derivatives(x[i:i + 1], dn[None], order=1)[2].sum(axis=1)[0]
            num[:, j] = (g_up - g_dn) / (2 * step)
        np.testing.assert_allclose(hess[i], num, rtol=1e-5, atol=1e-6 * np.abs(hess[i]).max())
        np.testing.assert_allclose(hess[i], hess[i].T, rtol=1e-12)
        np.testing.assert_allclose(scores[i].sum(axis=0), num_grad, rtol=1e-5)


@pytest.mark.parametrize("mean", ["constant", "zero"])
def test_batched_newton_margins_equal_slsqp(rng, mean):
    """All margins at once by Newton give SLSQP's optimum (same start, log-likelihood at least as high);
    a series whose optimum is on the persistence cap is left to the one-by-one path."""
    from contagion.dcc.model import simulate_dcc

    n = 6
    x = simulate_dcc(1500, omega=np.full(n, 0.02), alpha=np.linspace(0.04, 0.12, n),
                     beta=np.linspace(0.93, 0.85, n), a=0.03, b=0.95, qbar=np.eye(n), mu=np.full(n, 0.05), rng=rng)
    # variance that trends up threefold: the GARCH(1,1) optimum is on rugarch's persistence cap
    x = np.column_stack([x, rng.standard_normal(1500) * np.linspace(0.3, 3.0, 1500)])
    names = tuple(f"A{i}" for i in range(n + 1))
    batch = G._fit_rugarch_batch(x, names, mean, True)
    assert all(m is not None for m in batch[:n])
    for i, m in enumerate(batch):
        slsqp = G._fit_rugarch(x[:, i], names[i], mean, True)
        if m is None:
            assert slsqp.params[-2] + slsqp.params[-1] == pytest.approx(G.PERSISTENCE_CAP, abs=1e-6)
            continue
        assert m.start == slsqp.start
        assert m.loglik >= slsqp.loglik - 1e-8
        np.testing.assert_allclose(m.params, slsqp.params, rtol=2e-4)
        np.testing.assert_allclose(m.variance, slsqp.variance, rtol=1e-4)
        np.testing.assert_allclose(m.std_errors, slsqp.std_errors, rtol=1e-3)
    assert batch[n] is None
    fitted = G.fit_margins(x, names, mean=mean, volatility="garch", dist="normal", se=False)
    assert [m.name for m in fitted] == list(names)


@pytest.mark.parametrize(("n_obs", "n"), [(50, 2), (120, 5), (80, 9)])
@pytest.mark.parametrize("pad", [0.0, 1.0])
def test_dcc_kernel_matches_loop(rng, n_obs, n, pad):
    z = _z(rng, n_obs, n)
    qbar = np.cov(z, rowvar=False, ddof=1)
    nz = np.minimum(z, 0.0)
    nbar = nz.T @ nz / n_obs
    for a, b, g, nu in ((0.03, 0.95, 0.0, None), (0.02, 0.9, 0.03, None), (0.05, 0.9, 0.0, 7.0), (0.0, 0.0, 0.0, None)):
        data = K.prepare(z, qbar, nbar, pad=pad)
        q = K.dcc_q_filter(data.zz, data.qbar, a, b, g=g, nn=data.nn, nbar=data.nbar)
        q_loop = ref.dcc_q_path(z, qbar, a, b, g=g, nbar=nbar, pad=pad)
        np.testing.assert_allclose(K.unvech(q, n).transpose(2, 0, 1), q_loop, rtol=1e-11, atol=1e-13)
        ll = K.dcc_loglik_terms(data, a, b, g, nu)
        ll_loop = ref.dcc_loglik(z, ref.correlation(q_loop), nu)
        np.testing.assert_allclose(ll, ll_loop, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("asymmetric", [False, True])
def test_q_parts_recombine_to_the_filter(rng, asymmetric):
    # Q_t = Qbar + a Y_t(b) + g W_t(b): the rearranged recursion the optimiser caches per value of b
    z = _z(rng, 150, 6)
    qbar = np.cov(z, rowvar=False, ddof=1)
    nz = np.minimum(z, 0.0)
    nbar = nz.T @ nz / 150
    data = K.prepare(z, qbar, nbar, pad=0.0, asymmetric=asymmetric)
    nn, nb = (data.nn, data.nbar) if asymmetric else (None, None)
    parts = K.dcc_q_parts(data.zz, data.qbar, 0.93, nn=nn, nbar=nb)
    assert parts.shape == ((2 if asymmetric else 1) * data.qbar.shape[0], 150)
    for a, g in ((0.03, 0.0), (0.05, 0.02 if asymmetric else 0.0)):
        direct = K.dcc_q_filter(data.zz, data.qbar, a, 0.93, g=g, nn=nn, nbar=nb)
        np.testing.assert_allclose(K.dcc_q_combine(parts, data.qbar, a, g), direct, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model", ["dcc", "adcc"])
def test_objective_cache_gives_the_uncached_value(rng, model, monkeypatch):
    from contagion.dcc import _stage as S

    z = _z(rng, 300, 4)
    qbar, nbar = S._targets(z)
    delta = K.asymmetry_bound(qbar, nbar) if model == "adcc" else 0.0
    data = K.prepare(z, qbar, nbar, pad=0.0, asymmetric=model == "adcc")
    thetas = [np.array([0.03, 0.95, 0.01][: 3 if model == "adcc" else 2]),
              np.array([0.031, 0.95, 0.01][: 3 if model == "adcc" else 2]),
              np.array([0.03, 0.94, 0.02][: 3 if model == "adcc" else 2])]
    cached = S._Objective(data, model, "normal", delta)
    values = [cached(th) for th in thetas + thetas[::-1]]
    monkeypatch.setattr(S, "_CACHE_BYTES", 0)  # every evaluation filters afresh
    for th, v in zip(thetas + thetas[::-1], values, strict=True):
        fresh = S._Objective(data, model, "normal", delta)
        assert fresh._cache_size == 0
        assert fresh(th) == pytest.approx(v, rel=1e-13)
    assert cached(np.array([0.6, 0.6] + ([0.0] if model == "adcc" else []))) == 1e10  # a + b >= 1


@pytest.mark.parametrize("model", ["dcc", "adcc"])
def test_final_filter_from_the_optimiser_cache(rng, model):
    # rmgarch's final filter pads z_0 with ones, its optimiser with zeros: Q_t differs by a b^t in every entry
    from contagion.dcc import _stage as S

    z = _z(rng, 200, 5)
    qbar, nbar = S._targets(z)
    asym = model == "adcc"
    delta = K.asymmetry_bound(qbar, nbar) if asym else 0.0
    a, b, g = 0.04, 0.9, (0.02 if asym else 0.0)
    obj = S._Objective(K.prepare(z, qbar, nbar, pad=0.0, asymmetric=asym), model, "normal", delta)
    theta = np.array([a, b, g][: 3 if asym else 2])
    for cached in (False, True):
        if cached:
            obj(theta)  # leaves the parts of this b in the cache
        final = K.prepare(z, qbar, nbar, pad=1.0, asymmetric=asym)
        expected = K.dcc_q_filter(final.zz, final.qbar, a, b, g=g, nn=final.nn, nbar=final.nbar)
        got = obj.q_padded_with_ones(a, b, g)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
        assert not np.shares_memory(got, obj._q_buf)  # the result outlives the optimiser's scratch


def test_log_prod_equals_the_sum_of_logs_and_falls_back_outside_the_normal_range(rng):
    x = rng.uniform(0.01, 1.0, (25, 40))
    x[:, 3] = 1e-20  # product 1e-500: underflows, summed log by log
    x[:, 7] = 1e20  # overflows
    x[0, 11] = 0.0  # log 0
    got = K._log_prod(x)
    with np.errstate(divide="ignore"):
        expected = np.log(x).sum(axis=0)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    assert got[11] == -np.inf


@pytest.mark.parametrize("m", [7, 16, 1001])
def test_sum_log_rows_equals_the_sum_of_logs(rng, m):
    x = rng.uniform(1e-6, 10.0, (6, m))
    x[1] *= 1e-30  # products underflow: log by log
    x[2] *= 1e30
    x[3, -1] = -1.0  # a negative variance gives NaN, as np.log does
    x[4, 0] = 0.0
    got = K.sum_log_rows(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.log(x).sum(axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.isnan(got[3]) and got[4] == -np.inf


def test_ccc_identity(rng):
    # a = b = 0: Q_t = Qbar for every t, the DCC collapses to constant conditional correlation
    z = _z(rng, 60, 4)
    qbar = np.cov(z, rowvar=False, ddof=1)
    data = K.prepare(z, qbar, np.zeros_like(qbar), pad=1.0)
    q = K.dcc_q_filter(data.zz, data.qbar, 0.0, 0.0)
    np.testing.assert_allclose(q, np.repeat(data.qbar[:, None], 60, axis=1), rtol=1e-14)


@pytest.mark.parametrize("n", [3, 12, K.SMALL_N + 6])
def test_logdet_quad_paths_agree(rng, n):
    a = rng.standard_normal((40, n, n))
    r = a @ a.transpose(0, 2, 1) + n * np.eye(n)
    z = rng.standard_normal((40, n))
    _sign, logdet = np.linalg.slogdet(r)
    quad = np.einsum("ti,ti->t", z, np.linalg.solve(r, z[:, :, None])[:, :, 0])
    ld, qd = K.logdet_quad(np.ascontiguousarray(r.transpose(1, 2, 0)), np.ascontiguousarray(z.T))
    np.testing.assert_allclose(ld, logdet, rtol=1e-11)
    np.testing.assert_allclose(qd, quad, rtol=1e-10)


def test_logdet_quad_flags_indefinite():
    r = np.array([[[1.0, 2.0], [2.0, 1.0]]]).transpose(1, 2, 0)
    ld, qd = K.logdet_quad(r, np.ones((2, 1)))
    assert np.isnan(ld[0]) and np.isnan(qd[0])


@pytest.mark.parametrize("nu", [None, 6.0])
def test_composite_equals_sum_of_bivariate_full_likelihoods(rng, nu):
    z = _z(rng, 100, 4)
    qbar = np.cov(z, rowvar=False, ddof=1)
    nbar = np.zeros_like(qbar)
    pairs = np.array([[0, 1], [1, 2], [2, 3]])
    comp = K.dcc_loglik_terms(K.prepare(z, qbar, nbar, pad=0.0, pairs=pairs), 0.04, 0.93, 0.0, nu)
    total = np.zeros(100)
    for i, j in pairs:
        sub = z[:, [i, j]]
        qs = qbar[np.ix_([i, j], [i, j])]
        total += K.dcc_loglik_terms(K.prepare(sub, qs, np.zeros((2, 2)), pad=0.0), 0.04, 0.93, 0.0, nu)
    np.testing.assert_allclose(comp, total, rtol=1e-11)


def test_t_term_tends_to_normal(rng):
    z = _z(rng, 50, 3)
    qbar = np.cov(z, rowvar=False, ddof=1)
    data = K.prepare(z, qbar, np.zeros_like(qbar), pad=1.0)
    normal = K.dcc_loglik_terms(data, 0.03, 0.95)
    t_big = K.dcc_loglik_terms(data, 0.03, 0.95, nu=1e7)
    np.testing.assert_allclose(t_big, normal, atol=1e-5)


def test_asymmetry_bound_identity():
    qbar = np.eye(3)
    nbar = 0.25 * np.eye(3)
    assert K.asymmetry_bound(qbar, nbar) == pytest.approx(0.25)


@pytest.mark.parametrize(("n_obs", "b"), [(1, 0.5), (2, 0.0), (300, 0.9), (300, 0.999)])
def test_ar1_filter_matches_loop(rng, n_obs, b):
    u = rng.standard_normal((3, n_obs))
    zi = rng.standard_normal(3)
    y = F.ar1_filter(u, b, zi)
    expected = np.empty_like(u)
    prev = zi / b if b else np.zeros(3)
    for t in range(n_obs):
        expected[:, t] = u[:, t] + (b * prev if b else (zi if t == 0 else 0.0))
        prev = expected[:, t]
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-14)
    assert y.flags.c_contiguous or n_obs == 1


@pytest.mark.parametrize("b", [0.0, 0.9, 0.999])
def test_ar1_filter_time_first_path_matches_dtbtrs(rng, b):
    """The date-by-date loop on a Fortran-ordered input (N >= 28 objectives) against LAPACK's dtbtrs.

    Both round b * y_{t-1} and then the sum, so they agree to the last bit on IEEE hardware; the assertion
    allows 1e-15 relative in case a LAPACK build fuses the multiply-add (one rounding instead of two)."""
    m = F.TIME_FIRST_ROWS + 3
    u = rng.standard_normal((m, 500))
    zi = rng.standard_normal(m)
    ref = F.ar1_filter(u, b, zi)  # C order: dtbtrs
    uf = np.asfortranarray(u)
    out = F.ar1_filter(uf, b, zi)
    assert out.flags.f_contiguous and not np.shares_memory(out, uf)
    np.testing.assert_allclose(out, ref, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(uf, u)  # input untouched without overwrite
    same = F.ar1_filter(uf, b, zi, overwrite=True)
    assert np.shares_memory(same, uf)
    np.testing.assert_allclose(same, ref, rtol=1e-15, atol=0)


def test_prepare_time_first_layout_same_values(rng):
    """With at least TIME_FIRST_ROWS vech entries (N >= 28) the full-likelihood products are stored time-first;
    the values and the Q_t filtered from them are the same as in the time-last layout."""
    n = int(np.ceil((np.sqrt(8 * F.TIME_FIRST_ROWS + 1) - 1) / 2))  # smallest n with n(n+1)/2 >= the threshold
    small = rng.standard_normal((120, n - 1))
    assert K.prepare(small, np.eye(n - 1), np.eye(n - 1), pad=1.0).zz.flags.c_contiguous
    z = rng.standard_normal((120, n))
    qbar, nbar = np.cov(z, rowvar=False), np.eye(n) * 0.3
    data = K.prepare(z, qbar, nbar, pad=1.0)
    assert data.zz.flags.f_contiguous and not data.zz.flags.c_contiguous
    rows, cols = K.vech_indices(n)
    zz, nn = K.outer_products(z, rows, cols, 1.0)
    np.testing.assert_array_equal(data.zz, zz)
    np.testing.assert_array_equal(data.nn, nn)
    for g in (0.0, 0.02):
        q_tf = K.dcc_q_filter(data.zz, data.qbar, 0.03, 0.95, g=g, nn=data.nn, nbar=data.nbar)
        q_tl = K.dcc_q_filter(zz, data.qbar, 0.03, 0.95, g=g, nn=nn, nbar=data.nbar)
        np.testing.assert_allclose(q_tf, q_tl, rtol=1e-14, atol=0)
    parts = K.dcc_q_parts(data.zz, data.qbar, 0.95, nn=data.nn, nbar=data.nbar)
    np.testing.assert_allclose(parts, K.dcc_q_parts(zz, data.qbar, 0.95, nn=nn, nbar=data.nbar), rtol=1e-14,
                               atol=1e-15)


@pytest.mark.parametrize("order", ["C", "F"])
def test_logdet_quad_q_vectorised_chunked_and_lapack_agree(rng, monkeypatch, order):
    """logdet_quad_q's vectorised Cholesky (whole sample, and in chunks of dates) and the batched LAPACK path
    give the same log-determinants and quadratic forms, in either memory layout of Q; against numpy's
    slogdet/solve. Tolerances: 1e-11 relative, rounding of two Cholesky orders at N = 40 and cond(Q) ~ 10."""
    n, n_obs = 40, 37
    a = rng.standard_normal((n_obs, n, n))
    q_full = a @ a.transpose(0, 2, 1) / n + np.eye(n)
    i, j = K.vech_indices(n)
    q = np.array(q_full[:, i, j].T, order=order)
    zt = rng.standard_normal((n, n_obs))
    d = np.sqrt(np.diagonal(q_full, axis1=1, axis2=2))  # (T, n)
    r = q_full / (d[:, :, None] * d[:, None, :])
    logdet = np.linalg.slogdet(r)[1]
    quad = np.einsum("ti,ti->t", zt.T, np.linalg.solve(r, zt.T[:, :, None])[:, :, 0])
    whole = K.logdet_quad_q(q, zt)
    monkeypatch.setattr(K, "VECTORISED_ENTRIES", n * n * 10)  # chunks of 10 dates (the last one 7)
    assert K.vectorised_chunk(n, n_obs) == 10
    chunked = K.logdet_quad_q(q, zt, work=np.empty((n, n, 10)))
    monkeypatch.setattr(K, "SMALL_N", n - 1)
    lapack = K.logdet_quad_q(q, zt)
    for ld, qd in (whole, chunked, lapack):
        np.testing.assert_allclose(ld, logdet, rtol=1e-11)
        np.testing.assert_allclose(qd, quad, rtol=1e-11)
    np.testing.assert_array_equal(chunked[0], whole[0])  # the arithmetic of a date does not see the chunking
