"""The ``[connectedness]`` table of a study: static, rolling and TVP-VAR connectedness, and the four model
families beyond them (frequency bands, quantile VARs, DCC-GARCH connectedness, the penalised asset network).

Kept apart from :mod:`contagion.workflow.spec` (which re-exports :class:`ConnectednessSpec`) because it has
most of the keys. Every key is documented in ``docs/studies.md``.

Frequency bands are periods in observations (days); the upper end of the last band is an infinite period,
written ``inf`` in TOML (a float literal; the string ``"inf"`` is accepted too) and stored as ``None``, as
:func:`contagion.frequency_connectedness` takes it (the manifest shows it as ``null``)::

    frequency_bands = [[2, 5], [5, 20], [20, inf]]
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DEFAULT_FREQUENCY_BANDS", "ConnectednessSpec", "FrequencyBandSpec", "NetworkEstimator"]

#: A band ``(period_low, period_high)``; ``period_high = None`` is the infinite period (frequency 0).
FrequencyBandSpec = tuple[float, float | None]
NetworkEstimator = Literal["ols", "lasso", "ridge", "elastic_net"]
#: Short / medium / long run for daily data: within a week, a week to a month, beyond a month.
DEFAULT_FREQUENCY_BANDS: tuple[FrequencyBandSpec, ...] = ((2.0, 5.0), (5.0, 20.0), (20.0, None))


def _infinite(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("inf", "+inf", "infinity")
    return isinstance(value, float) and math.isinf(value) and value > 0


class ConnectednessSpec(BaseModel):
    """Diebold-Yilmaz connectedness options (static, rolling window, TVP-VAR) and the model families
    switched on by ``frequency``, ``quantile``, ``dcc_connectedness`` and ``asset_network_estimator``;
    ``bands``/``reps``: intervals (at ``var.level``) on the headline measures; ``change``: the pre vs post
    test (``connectedness/change.csv``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    static: bool = True
    kind: Literal["generalized", "cholesky"] = "generalized"
    bands: Literal["none", "bootstrap", "wild"] = "bootstrap"
    reps: int = Field(default=1000, ge=2, le=100_000)
    change: bool = True
    rolling_window: int | None = Field(default=200, ge=20)
    rolling_step: int = Field(default=1, ge=1)
    tvp: bool = False
    # frequency connectedness (Barunik-Krehlik 2018) of the group VAR
    frequency: bool = False
    frequency_bands: tuple[FrequencyBandSpec, ...] = DEFAULT_FREQUENCY_BANDS
    frequency_horizon: int = Field(default=100, ge=2, le=1000)
    frequency_rolling: bool = True
    # quantile connectedness (Ando, Greenwood-Nimmo and Shin 2022) of the group indices
    quantile: bool = False
    quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)
    quantile_lags: int | None = Field(default=None, ge=1, le=20)
    quantile_window: int | None = Field(default=None, ge=20)
    quantile_step: int = Field(default=10, ge=1)
    # DCC-GARCH connectedness (Gabauer 2020) of the study's DCC fit
    dcc_connectedness: bool = False
    dcc_horizon: int = Field(default=10, ge=1, le=500)
    dcc_convention: Literal["difference", "connectedness_approach"] = "difference"
    # the asset-level network
    asset_network: bool = True
    asset_network_estimator: NetworkEstimator = "ols"
    asset_network_penalty: float | Literal["bic", "cv"] = "bic"
    asset_network_l1_ratio: float = Field(default=0.5, gt=0.0, le=1.0)
    asset_network_lags: int | None = Field(default=None, ge=1, le=20)
    asset_network_start: dt.date | None = None
    asset_network_end: dt.date | None = None

    @field_validator("frequency_bands", mode="before")
    @classmethod
    def _infinite_periods(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [[None if _infinite(v) else v for v in pair] if isinstance(pair, list | tuple) else pair
                    for pair in value]
        return value

    @field_validator("frequency_bands")
    @classmethod
    def _bands_cover(cls, value: tuple[FrequencyBandSpec, ...]) -> tuple[FrequencyBandSpec, ...]:
        if not value:
            raise ValueError("frequency_bands must list at least one [period_low, period_high] band")
        for b, (low, high) in enumerate(value):
            if not math.isfinite(low) or low <= 0:
                raise ValueError(f"band {b}: period_low must be a positive number of days, got {low}")
            if high is not None and not high > low:
                raise ValueError(f"band {b}: period_high ({high}) must exceed period_low ({low}), or be inf")
        ordered = sorted(value, key=lambda pair: pair[0])
        for (_, high), (low, _) in itertools.pairwise(ordered):
            if high is None or not math.isclose(high, low, rel_tol=1e-12):
                raise ValueError(f"bands must be contiguous: a band ending at period {high} is followed by one "
                                 f"starting at {low} (each band starts where the previous one ends)")
        if ordered[0][0] > 2:
            raise ValueError(f"the first band must start at period 2 (the shortest period of daily data), got "
                             f"{ordered[0][0]}: periods 2 to {ordered[0][0]} would be in no band")
        if ordered[-1][1] is not None:
            raise ValueError(f"the last band must end at inf (the infinite period, frequency 0), got "
                             f"{ordered[-1][1]}")
        return tuple(ordered)

    @field_validator("quantiles")
    @classmethod
    def _taus(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value:
            raise ValueError("quantiles must list at least one level in (0, 1)")
        bad = [t for t in value if not 0.0 < t < 1.0]
        if bad:
            raise ValueError(f"quantile levels must lie strictly between 0 and 1, got {bad}")
        if len(set(value)) != len(value):
            raise ValueError(f"quantile levels must be distinct, got {list(value)}")
        return tuple(sorted(value))

    @field_validator("asset_network_penalty")
    @classmethod
    def _penalty(cls, value: float | str) -> float | str:
        if isinstance(value, float | int) and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"asset_network_penalty must be 'bic', 'cv' or a number >= 0, got {value}")
        return value

    @model_validator(mode="after")
    def _network_dates(self) -> ConnectednessSpec:
        start, end = self.asset_network_start, self.asset_network_end
        if start is not None and end is not None and start >= end:
            raise ValueError(f"asset_network_start ({start}) must be before asset_network_end ({end})")
        return self

    @property
    def frequency_band_periods(self) -> list[tuple[float, float | None]]:
        """The bands as :func:`contagion.frequency_connectedness` takes them."""
        return [(float(low), None if high is None else float(high)) for low, high in self.frequency_bands]

