"""The ``contagion`` command: a thin layer that parses options, calls the Python API and maps errors.

Every :class:`~contagion.errors.ContagionError` becomes a one-paragraph message on standard error and a
non-zero exit code (:data:`contagion.errors.EXIT_CODES`); no traceback is shown for bad input. Set
``CONTAGION_DEBUG=1`` to see the traceback anyway.

Subcommands live in :mod:`contagion.commands` (one module per family) and register themselves on
:data:`main`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from contagion._version import __version__
from contagion.errors import ContagionError, exit_code_for


class ContagionGroup(click.Group):
    """A click group that turns :class:`ContagionError` into a clean message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ContagionError as err:
            if os.environ.get("CONTAGION_DEBUG"):
                raise
            click.echo(f"error: {err}", err=True)
            sys.exit(exit_code_for(err))


@click.group(cls=ContagionGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="contagion")
def main() -> None:
    """Measure how volatility shocks spread from AI equities to crypto markets."""


def _register() -> None:
    # Imported for their side effect of adding subcommands to ``main``.
    from contagion.commands import data as _data  # noqa: F401
    from contagion.commands import run as _run  # noqa: F401


_register()
