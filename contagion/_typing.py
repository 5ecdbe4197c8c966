"""Shape-aware array aliases and option sets; the only module that spells numpy types."""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Float64Array: TypeAlias = npt.NDArray[np.float64]
Float64Array1D: TypeAlias = npt.NDArray[np.float64]
Float64Array2D: TypeAlias = npt.NDArray[np.float64]
Float64Array3D: TypeAlias = npt.NDArray[np.float64]
Float64Array4D: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
#: int64 positions (rows of a grid, indices into an axis) and counts.
IntArray: TypeAlias = npt.NDArray[np.int64]
#: datetime64 arrays (e.g. ``DatetimeIndex.to_numpy()``: row dates, datetime64[ns]).
Datetime64Array: TypeAlias = npt.NDArray[np.datetime64]

IRFKind = Literal["orthogonal", "generalized"]
FEVDKind = Literal["cholesky", "generalized"]
BandMethod = Literal["asymptotic", "bootstrap", "kilian", "wild"]
LagCriterion = Literal["aic", "bic", "hqic", "fpe"]
Trend = Literal["c", "n"]
CalendarPolicyName = Literal[
    "exchange", "weekly", "crypto", "monday_friday", "monday_saturday", "monday_sunday"
]
VolEstimator = Literal[
    "returns", "squared", "absolute", "parkinson", "garman_klass", "rogers_satchell",
    "gkyz", "yang_zhang",
]
MeanModel = Literal["constant", "zero", "ar1"]
VolatilityModel = Literal["garch", "gjr", "egarch"]
Distribution = Literal["normal", "t", "skewt"]
DCCKind = Literal["dcc", "adcc"]
JointDist = Literal["normal", "t"]
