"""One exception hierarchy for the whole package.

Every error raised because of user input derives from :class:`ContagionError`, and each subclass also
inherits the matching builtin so that ``except ValueError`` keeps working. A message says what is wrong, the
value, where (ticker, file, date, option, study) and what to do about it, for example::

    DataError("FET-USD.csv: 23 missing closes between 2024-06-28 and 2024-07-31; "
              "drop FET-USD from the universe or pass gaps='keep'.")

The command-line interface maps each class to an exit code (:data:`EXIT_CODES`) and prints the message
without a traceback.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "ConfigurationError",
    "ContagionError",
    "ContagionWarning",
    "ConvergenceWarning",
    "DataError",
    "DataQualityWarning",
    "EstimationError",
    "ModelError",
    "NetworkError",
    "SpecificationError",
]


class ContagionError(Exception):
    """Root of every error this package raises on purpose."""


class DataError(ContagionError, ValueError):
    """Input data are missing, malformed or unusable (names the ticker, file and date at fault)."""


class SpecificationError(ContagionError, ValueError):
    """An option, study file or model specification is invalid (names the option and the allowed values)."""


#: Alias: configuration problems (study files, CLI options) are specification errors.
ConfigurationError = SpecificationError


class EstimationError(ContagionError, RuntimeError):
    """A model could not be estimated or its result would be wrong (names the model, asset and stage)."""


#: Alias used in the issue texts: model failures are estimation errors.
ModelError = EstimationError


class NetworkError(ContagionError, ConnectionError):
    """A remote data source could not be reached (suggests ``--data-dir`` or ``--demo``)."""


class ContagionWarning(UserWarning):
    """Root of every warning this package emits."""


class DataQualityWarning(ContagionWarning):
    """A data-quality finding that does not stop a run (stale prices, extreme moves, ...)."""


class ConvergenceWarning(ContagionWarning):
    """An optimiser stopped without meeting its convergence criterion, or on a parameter bound."""


#: Exit codes used by the command-line interface, most specific class first.
EXIT_CODES: tuple[tuple[type[ContagionError], int], ...] = (
    (NetworkError, 4),
    (DataError, 3),
    (SpecificationError, 2),
    (EstimationError, 5),
    (ContagionError, 1),
)


def exit_code_for(error: ContagionError) -> int:
    """The CLI exit code for ``error`` (see :data:`EXIT_CODES`)."""
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
