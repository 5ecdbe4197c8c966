"""Study specifications: a TOML file validated into a typed, immutable spec.

A *study* says what to estimate and on which data: the universe (groups of tickers), the sample, the
dated events, the calendar policy, the volatility measure, the VAR / connectedness / DCC / VIRF options, the
robustness variants, the output formats and the seed. ``contagion run`` turns a study into a report folder.

Validation is strict (pydantic v2 with ``extra="forbid"``): an unknown key or a bad value is rejected with
the file, the line and the dotted key in the message, e.g.::

    my-study.toml, line 14, key 'var.draws': Input should be greater than or equal to 0 (got -5)

Built-in studies ship in :mod:`contagion.studies` (``contagion studies`` lists them); any other study is a
path to a ``.toml`` file. The full list of keys, with defaults, is in ``docs/studies.md``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contagion.data._frame import is_safe_ticker
from contagion.errors import SpecificationError
from contagion.workflow._spec_errors import format_errors
from contagion.workflow.event_spec import EventSpec, EventStudySpec, check_events
from contagion.workflow.spec_connectedness import ConnectednessSpec

__all__ = [
    "BUILTIN_STUDIES",
    "ConnectednessSpec",
    "DCCSpec",
    "DataSpec",
    "EventSpec",
    "EventStudySpec",
    "OutputSpec",
    "RobustnessVariant",
    "Study",
    "VARSpec",
    "VIRFShock",
    "VIRFSpec",
    "list_studies",
    "load_study",
    "parse_study",
]

CalendarName = Literal["exchange", "weekly", "crypto", "monday_saturday", "monday_sunday"]
MeasureName = Literal[
    "returns", "squared", "absolute", "parkinson", "garman_klass", "rogers_satchell", "gkyz", "yang_zhang"
]
SourceName = Literal["yahoo", "csv", "demo", "memory"]  # "memory": data handed over in process (jobs)
OutputFormat = Literal["csv", "parquet", "tex", "png", "pdf", "html", "md"]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
#: A ticker names its data file (``<TICKER>.csv``): no path separator, control character or leading dot, so
#: that no ticker reaches outside the data folder. Markup is allowed (a file may be called so) and escaped
#: wherever a ticker is printed.


def _check_lags(value: Any) -> Any:
    if isinstance(value, int) and not 1 <= value <= 60:
        raise ValueError(f"lags must be between 1 and 60 or one of 'aic', 'bic', 'hqic' (got {value})")
    return value


class _Spec(BaseModel):
    """Base of every spec block: unknown keys are errors and specs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DataSpec(_Spec):
    """Where the data come from and how they are aligned and measured.

    ``min_obs`` is the availability filter: an asset enters its group's equal-weighted index only with at
    least ``min_obs`` aligned observations inside the sample; the asset-level network uses only assets that
    cover the whole sample.

    ``membership = "fixed"`` (default): only members whose data cover the estimation sample (within
    ``membership_tolerance`` sessions at either end) enter a group index, so its composition never changes; the
    others are excluded and reported. ``"varying"``: members enter and leave with their data; every change is
    reported with its date. ``variance_scale = "per_day"`` (default) divides the variance measure of a 24/7 bar
    spanning k days by k (:func:`contagion.data.build_panel`); ``"per_bar"`` keeps whole-window variances.
    ``seasonal = "day_of_week"`` removes each group index's weekday means before the VAR (default ``"none"``).
    """

    source: SourceName = "yahoo"
    data_dir: str | None = None
    start: dt.date
    end: dt.date
    calendar: CalendarName = "exchange"
    measure: MeasureName = "garman_klass"
    min_obs: int = Field(default=120, ge=10)
    membership: Literal["fixed", "varying"] = "fixed"
    membership_tolerance: int = Field(default=5, ge=0, le=60)
    variance_scale: Literal["per_day", "per_bar"] = "per_day"
    seasonal: Literal["none", "day_of_week"] = "none"

    @model_validator(mode="after")
    def _check_dates(self) -> DataSpec:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end})")
        if self.source == "csv" and not self.data_dir:
            raise ValueError("source = 'csv' needs data_dir (a folder of <TICKER>.csv files)")
        return self


class VARSpec(_Spec):
    """VAR / impulse-response options for the headline group-level model.

    ``horizon`` is the number of MA terms of the FEVD (h = 0..H-1, Diebold-Yilmaz 2012); ``irf_horizon`` the
    number of impulse-response steps. ``bands = "none"`` skips the bands; ``draws`` is the number of
    bootstrap replications. ``exog = "day_of_week"``: day-of-week dummies in the VAR (needs ``VAR(exog=)``).
    """

    lags: int | Literal["aic", "bic", "hqic"] = "aic"
    max_lags: int = Field(default=10, ge=1, le=60)
    horizon: int = Field(default=10, ge=1, le=500)
    irf_horizon: int = Field(default=20, ge=1, le=500)
    irf_kinds: tuple[Literal["generalized", "orthogonal"], ...] = ("generalized",)
    bands: Literal["none", "asymptotic", "bootstrap", "kilian", "wild"] = "bootstrap"
    draws: int = Field(default=1000, ge=2, le=100_000)
    level: float = Field(default=0.95, gt=0.0, lt=1.0)
    exog: Literal["none", "day_of_week"] = "none"

    _lags_positive = field_validator("lags")(classmethod(lambda cls, value: _check_lags(value)))

    @field_validator("irf_kinds")
    @classmethod
    def _kinds_nonempty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("irf_kinds must name at least one of 'generalized', 'orthogonal'")
        return tuple(dict.fromkeys(value))


class DCCSpec(_Spec):
    """DCC-GARCH on returns. ``start`` (optional) shortens the DCC sample, e.g. to admit young tokens."""

    enabled: bool = True
    assets: tuple[str, ...] = ()
    start: dt.date | None = None
    mean: Literal["constant", "zero", "ar1"] = "constant"
    volatility: Literal["garch", "gjr", "egarch"] = "garch"
    dist: Literal["normal", "t", "skewt"] = "normal"
    model: Literal["dcc", "adcc"] = "dcc"
    joint_dist: Literal["normal", "t"] = "normal"
    composite: bool = False
    window_days: int = Field(default=60, ge=1, description="days either side of the event in the figure")


class VIRFShock(_Spec):
    """A VIRF shock: one standard deviation of a named ``asset``, or the observed returns of ``date``."""

    name: str = Field(min_length=1)
    asset: str | None = None
    date: dt.date | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> VIRFShock:
        if (self.asset is None) == (self.date is None):
            raise ValueError("give exactly one of 'asset' (a named-asset shock) or 'date' (a historical shock)")
        return self


class VIRFSpec(_Spec):
    """Volatility impulse responses (Hafner & Herwartz 2006) from the fitted DCC model."""

    shocks: tuple[VIRFShock, ...] = ()
    horizon: int = Field(default=30, ge=1, le=1000)
    reps: int = Field(default=2000, ge=40, le=1_000_000)  # the VIRF simulation uses 20 antithetic batches
    level: float = Field(default=0.90, gt=0.0, lt=1.0)


class RobustnessVariant(_Spec):
    """A robustness job: the headline model rerun with some data options changed.

    ``window = "pre"`` ends the sample the day before the first event, ``"post"`` starts it on the event.
    ``lags`` (optional) sets the job's lag order; by default the job uses the lag order of the main job, so
    that the variants differ from ``main`` only in what they name.
    """

    name: str
    description: str = ""
    window: Literal["full", "pre", "post"] = "full"
    start: dt.date | None = None
    end: dt.date | None = None
    calendar: CalendarName | None = None
    measure: MeasureName | None = None
    lags: int | Literal["aic", "bic", "hqic"] | None = None

    _variant_lags = field_validator("lags")(classmethod(lambda cls, value: _check_lags(value)))

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value) or value == "main":
            raise ValueError(
                f"robustness names are lower-case identifiers (letters, digits, '_', '-', '.'), not 'main' "
                f"(got {value!r})"
            )
        return value


class OutputSpec(_Spec):
    """Which file formats to write (CSV, Parquet and JSON are always written)."""

    formats: tuple[OutputFormat, ...] = ("csv", "parquet", "tex", "png", "pdf", "html", "md")


class Study(_Spec):
    """A validated study. Build it with :func:`load_study` or :func:`parse_study`."""

    name: str
    title: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    groups: dict[str, tuple[str, ...]]
    events: tuple[EventSpec, ...] = ()
    context_events: tuple[EventSpec, ...] = ()
    event_study: EventStudySpec = EventStudySpec()
    data: DataSpec
    var: VARSpec = VARSpec()
    connectedness: ConnectednessSpec = ConnectednessSpec()
    dcc: DCCSpec = DCCSpec()
    virf: VIRFSpec = VIRFSpec()
    robustness: tuple[RobustnessVariant, ...] = ()
    facts: Literal["none", "deepseek"] = "none"
    output: OutputSpec = OutputSpec()

    @field_validator("name")
    @classmethod
    def _name_slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"name must be a lower-case identifier (letters, digits, '_', '-', '.'; it names the report "
                f"folder), got {value!r}"
            )
        return value

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if len(value) < 2:
            raise ValueError("a study needs at least two groups: connectedness needs at least two series (the "
                             "headline VAR runs on group indices)")
        seen: dict[str, str] = {}
        for group, tickers in value.items():
            if not group.strip():
                raise ValueError("group names must not be empty")
            if not tickers:
                raise ValueError(f"group {group!r} lists no tickers")
            for ticker in tickers:
                if not ticker.strip():
                    raise ValueError(f"group {group!r} contains an empty ticker")
                if not is_safe_ticker(ticker):
                    raise ValueError(f"group {group!r}: ticker {ticker!r} cannot name a data file (no '/', '\\', "
                                     f"control characters or leading '.'; at most 64 characters)")
                if ticker in seen:
                    raise ValueError(f"ticker {ticker!r} appears in both group {seen[ticker]!r} and {group!r}")
                seen[ticker] = group
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Study:
        tickers = set(self.tickers)
        for asset in self.dcc.assets:
            if asset not in tickers:
                raise ValueError(f"dcc.assets: {asset!r} is not in any group ({', '.join(self.groups)})")
        for shock in self.virf.shocks:
            if shock.asset is not None and shock.asset not in self.dcc.assets:
                raise ValueError(f"virf shock {shock.name!r}: asset {shock.asset!r} is not in dcc.assets")
        names = [variant.name for variant in self.robustness]
        if len(set(names)) != len(names):
            raise ValueError(f"robustness variant names must be unique (got {names})")
        if any(v.window != "full" for v in self.robustness) and not self.events:
            raise ValueError("robustness windows 'pre'/'post' need at least one event")
        for event in self.events:
            if not self.data.start < event.date <= self.data.end:
                raise ValueError(
                    f"event {event.name!r} on {event.date} lies outside the sample {self.data.start}..{self.data.end}"
                )
        self._check_events()
        return self

    def _check_events(self) -> None:
        check_events(self.events, self.context_events, self.event_study, self.groups)

    # ------------------------------------------------------------------ derived views
    @property
    def tickers(self) -> tuple[str, ...]:
        """All tickers in group order."""
        return tuple(t for tickers in self.groups.values() for t in tickers)

    @property
    def group_of(self) -> dict[str, str]:
        """Ticker -> group name."""
        return {t: g for g, tickers in self.groups.items() for t in tickers}

    def resolved(self) -> dict[str, Any]:
        """The spec as plain JSON-able data (dates as ISO strings), as recorded in the manifest."""
        return self.model_dump(mode="json")

    def with_overrides(self, **changes: Any) -> Study:
        """A copy with top-level or dotted (``"data.source"``) keys replaced, validated again."""
        raw = self.model_dump(mode="python")
        set_dotted(raw, changes)
        try:
            return Study.model_validate(raw)
        except ValidationError as err:
            raise SpecificationError(format_errors(err, f"study {self.name!r}", None)) from None


# ---------------------------------------------------------------------- loading
BUILTIN_STUDIES: tuple[str, ...] = ("deepseek-2025",)


def list_studies() -> list[tuple[str, str]]:
    """Built-in studies as ``(name, title)`` pairs."""
    return [(study.name, study.title) for study in map(load_study, BUILTIN_STUDIES)]


def _builtin_text(name: str) -> str | None:
    package = resources.files("contagion") / "studies" / f"{name}.toml"
    if not package.is_file():
        return None
    return package.read_text(encoding="utf-8")


def load_study(study: str | Path) -> Study:
    """Load a built-in study by name or a study file by path.

    Raises
    ------
    SpecificationError
        Unknown study name, unreadable or invalid TOML, unknown key or bad value (file, line and key named).
    """
    text: str | None
    label: str
    if isinstance(study, Path) or str(study).endswith(".toml") or "/" in str(study) or "\\" in str(study):
        path = Path(study)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SpecificationError(f"study file {label} does not exist.") from None
        except (OSError, UnicodeDecodeError) as err:
            raise SpecificationError(f"study file {label} cannot be read: {err}.") from None
    else:
        text = _builtin_text(str(study))
        label = f"built-in study {study}.toml"
        if text is None:
            raise SpecificationError(
                f"unknown study {str(study)!r}; built-in studies: {', '.join(BUILTIN_STUDIES)} "
                f"(`contagion studies` lists them), or pass the path to a .toml study file."
            )
    return parse_study(text, source=label)


def parse_study(text: str, source: str = "<study>") -> Study:
    """Validate the TOML ``text`` of a study; ``source`` names it in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecificationError(f"{source}: invalid TOML: {err}.") from None
    try:
        return Study.model_validate(raw)
    except ValidationError as err:
        raise SpecificationError(format_errors(err, source, text)) from None



def set_dotted(raw: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Set top-level or dotted keys (``"var.draws"``) of a nested study dictionary in place."""
    for key, value in changes.items():
        node = raw
        parts = key.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
