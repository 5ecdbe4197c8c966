"""Lazy public names of a package: ``__getattr__`` imports the defining module on first use.

A package lists ``{name: defining module}`` and sets ``__getattr__ = lazy_getattr(__name__, _LAZY,
globals())``; its ``if TYPE_CHECKING:`` imports show type checkers and IDEs the same names. A name that is
itself a submodule (``contagion.simulate``) resolves to the module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, names: Mapping[str, str],
                 namespace: MutableMapping[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``names[name]`` and caches the value in
    ``namespace`` (the package's ``globals()``), so the next access skips it."""

    def __getattr__(name: str) -> Any:  # a lazily imported name of any type (getattr returns Any)
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        mod = importlib.import_module(module)
        value = mod if module == f"{package}.{name}" else getattr(mod, name)
        namespace[name] = value
        return value

    return __getattr__
