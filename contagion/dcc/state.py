"""The conditional state of a fitted DCC-GARCH model at one date: the contract between the DCC fit
(:mod:`contagion.dcc.results`) and volatility impulse responses (:mod:`contagion.dcc.virf`).

``DCCResult.state_at(at)`` returns a :class:`DCCState`; :func:`contagion.dcc.virf.virf` and the
simulation of future paths consume nothing else, so the VIRF never reaches into the fit's internals.

Timing convention: ``h`` and ``Q`` are the conditional variances and the DCC ``Q`` matrix *for* date ``date``
(known at the close of the previous observation). A shock at ``date`` is an innovation
``eps = returns[date] - mu`` drawn under ``H = D R D`` with ``D = diag(sqrt(h))`` and ``R = corr(Q)``;
it moves ``h`` and ``Q`` of the *next* date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from contagion._typing import Float64Array1D, Float64Array2D


@dataclass(frozen=True, kw_only=True)
class DCCState:
    """Everything needed to iterate a fitted DCC-GARCH forward from one date."""

    names: tuple[str, ...]
    date: pd.Timestamp
    #: "garch", "gjr" or "egarch" (the univariate variance recursion of every asset)
    volatility: str
    #: "dcc" or "adcc"
    model: str
    #: conditional mean of each asset (0 for mean="zero"); shape (N,)
    mu: Float64Array1D
    #: univariate parameters, each shape (N,): variance intercept, ARCH, asymmetry (0 if none), GARCH
    omega: Float64Array1D
    alpha: Float64Array1D
    gamma: Float64Array1D
    beta: Float64Array1D
    #: conditional variances for ``date``; shape (N,)
    h: Float64Array1D
    #: DCC Q matrix for ``date``; shape (N, N)
    Q: Float64Array2D
    #: long-run targets: Qbar = E[z z'] and Nbar = E[n n'] (n = min(z, 0)); shape (N, N)
    Qbar: Float64Array2D
    Nbar: Float64Array2D
    #: DCC parameters (g = 0 for plain DCC)
    a: float
    b: float
    g: float
    #: degrees of freedom of a Student-t joint distribution, or None for normal
    nu: float | None = None
    #: the returns were multiplied by ``scale`` before fitting (1.0 when not rescaled); all arrays above are
    #: on the fitted (rescaled) scale
    scale: float = 1.0
