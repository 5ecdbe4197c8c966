"""The correlation stage reaches the optimum on a real heterogeneous panel (where its start is poor).

On 20 AI equities, indices, miners and crypto majors (2018-2025) the contiguous-pair composite start is far from
the full-likelihood optimum (a = 0.036 vs 0.012) and quasi-Newton walks a curved ridge, the case the step
extrapolation in ``_newton`` is for. Its answer must be at least as good as SLSQP polishing from it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize

from contagion import DCCGARCH
from contagion.dcc import _kernels as K
from contagion.dcc import _stage as S

TICKERS = ["NVDA", "AMD", "AVGO", "TSM", "MSFT", "GOOGL", "META", "SMCI", "QQQ", "SPY", "MARA", "RIOT", "BTC-USD",
           "ETH-USD", "XRP-USD", "BNB-USD", "ADA-USD", "^GSPC", "^IXIC", "^VIX"]


def test_full_likelihood_optimum_on_real_panel(markets_dir) -> None:
    from contagion.data import CsvSource, build_panel

    panel = build_panel(CsvSource(markets_dir), TICKERS, start="2018-01-01", end="2025-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = DCCGARCH(panel.returns.dropna() * 100.0).fit(se=False)
    assert res.optimizer_message.startswith("Newton converged")
    z = res.standardized_residuals.to_numpy()
    qbar, nbar = S._targets(z)
    objective = S._Objective(K.prepare(z, qbar, nbar, pad=0.0, asymmetric=False), "dcc", "normal", 0.0)
    theta = res.params.to_numpy()
    ours = objective(theta)
    polished = optimize.minimize(objective, theta, method="Nelder-Mead",
                                 options={"xatol": 1e-9, "fatol": 1e-13, "maxfev": 400})
    n_obs = z.shape[0]
    # per observation; times n_obs = 1796: the total log-likelihood is within 2e-5 of the polished optimum
    assert (ours - polished.fun) * n_obs < 2e-5
    np.testing.assert_allclose(theta, polished.x, atol=2e-4)
    assert 0.005 < theta[0] < 0.02 and 0.95 < theta[1] < 0.99  # far from the composite start (0.036, 0.944)



@pytest.mark.parametrize(("tickers", "start", "scale", "batched"), [
    (["NVDA", "BTC-USD", "ETH-USD", "FET-USD", "TAO-USD", "NEAR-USD", "GRT-USD", "WLD-USD", "ICP-USD"],
     "2024-04-15", 1.0, 3),
    (TICKERS, "2018-01-01", 100.0, 18),
])
def test_batched_margins_never_worse_than_slsqp_on_real_panels(markets_dir, tickers, start, scale, batched):
    """Every margin the batched Newton returns is SLSQP's optimum from the same start. A modified Newton for
    indefinite starting curvature was tried and rejected on this: it left FET-USD in a local optimum 1.06 below
    SLSQP's; such assets stay with the one-by-one path."""
    from contagion.data import CsvSource, build_panel
    from contagion.dcc import margins as G

    panel = build_panel(CsvSource(markets_dir), tickers, start=start, end="2025-12-31")
    x = panel.returns.dropna().to_numpy() * scale
    batch = G._fit_rugarch_batch(x, tuple(tickers), "constant", False)
    assert sum(m is not None for m in batch) >= batched  # test design: most margins go through the batch
    for i, m in enumerate(batch):
        if m is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            slsqp = G._fit_rugarch(np.ascontiguousarray(x[:, i]), tickers[i], "constant", False)
        assert m.loglik >= slsqp.loglik - 1e-8, tickers[i]
        np.testing.assert_allclose(m.params, slsqp.params, rtol=1e-4, err_msg=tickers[i])
