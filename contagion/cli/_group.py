"""The ``contagion`` click group class: every :class:`~contagion.errors.ContagionError` becomes a message.

The message goes to standard error as ``error: ...`` with the exit code of
:func:`contagion.errors.exit_code_for`; no traceback is shown for bad input unless ``CONTAGION_DEBUG`` is set.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from contagion.errors import ContagionError, exit_code_for

__all__ = ["ContagionGroup"]


class ContagionGroup(click.Group):
    """A click group that turns :class:`ContagionError` into a clean message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:  # click.Group.invoke returns Any
        try:
            return super().invoke(ctx)
        except ContagionError as err:
            if os.environ.get("CONTAGION_DEBUG"):
                raise
            click.echo(f"error: {err}", err=True)
            sys.exit(exit_code_for(err))
