"""One word for one meaning: the shared seed rule and the deprecation of old spellings.

- :func:`resolve_seed`: every ``seed=`` in the package accepts ``None``, a non-negative int or a
  :class:`numpy.random.Generator`, and resolves it to the integer actually used (recorded in results).
- :func:`renamed_kwargs`: a decorator that accepts an old keyword spelling with a ``DeprecationWarning`` naming
  the new one (``nobs`` -> ``n_obs``, test ``level`` -> ``alpha``).
- :func:`deprecated_alias`: a read-only property under an old attribute name, warning the same way.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np

from contagion.errors import SpecificationError

__all__ = ["SeedLike", "deprecated_alias", "renamed_kwargs", "resolve_seed"]

SeedLike = int | np.integer[Any] | np.random.Generator | None

P = ParamSpec("P")
R = TypeVar("R")


def resolve_seed(seed: SeedLike, *, option: str = "seed") -> int:
    """The integer seed to use: ``seed`` itself, one draw from a Generator, or fresh entropy for ``None``.

    Raises
    ------
    SpecificationError
        ``seed`` is negative, a bool, or not an int / Generator / None.
    """
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        return int(entropy) % 2**63 if isinstance(entropy, int) else 0
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or int(seed) < 0:
        raise SpecificationError(
            f"{option} must be a non-negative integer, a numpy.random.Generator or None, got {seed!r}."
        )
    return int(seed)


def renamed_kwargs(**renames: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept old keyword names (``old="new"``) with a ``DeprecationWarning`` that names the new one.

    Passing both the old and the new name is a :class:`SpecificationError`.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise SpecificationError(
                            f"{func.__qualname__}: pass {new}= only ({old}= is its deprecated spelling)."
                        )
                    warnings.warn(f"{func.__qualname__}: {old}= is deprecated; use {new}= instead.",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def deprecated_alias(new: str, *, old: str) -> property:
    """A property ``old`` that returns attribute ``new`` with a ``DeprecationWarning``."""

    def getter(self: Any) -> Any:  # any class, any attribute: getattr returns Any
        warnings.warn(f"{type(self).__name__}.{old} is deprecated; use .{new} instead.",
                      DeprecationWarning, stacklevel=2)
        return getattr(self, new)

    return property(getter, doc=f"Deprecated spelling of :attr:`{new}`.")
