"""Readable loop twins of the contagion-test kernels (documentation and test oracles, never on a hot path)."""

from __future__ import annotations

import math

import numpy as np

from contagion._typing import Float64Array1D


def cheung_ng_ccf(u: Float64Array1D, v: Float64Array1D, lags: int) -> Float64Array1D:
    """Cheung & Ng (1996) eq. 2.5, one statement per term: r_uv(k) for k = 1..lags."""
    n = len(u)
    u_bar = sum(u) / n
    v_bar = sum(v) / n
    c_uu0 = sum((u[t] - u_bar) ** 2 for t in range(n)) / n
    c_vv0 = sum((v[t] - v_bar) ** 2 for t in range(n)) / n
    out = np.empty(lags)
    for k in range(1, lags + 1):
        c_uv = 0.0
        for t in range(k, n):                      # t = k+1..T in 1-based indexing
            c_uv += (u[t] - u_bar) * (v[t - k] - v_bar)
        c_uv /= n
        out[k - 1] = c_uv / math.sqrt(c_uu0 * c_vv0)
    return out
