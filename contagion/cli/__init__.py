"""The ``contagion`` command: a thin layer that parses options, calls the Python API and maps errors.

Every :class:`~contagion.errors.ContagionError` becomes a one-paragraph message on standard error and a
non-zero exit code (:data:`contagion.errors.EXIT_CODES`); no traceback is shown for bad input. Set
``CONTAGION_DEBUG=1`` to see the traceback anyway.

Subcommands live in one module per command group (:mod:`contagion.cli.run`, :mod:`contagion.cli.data`,
:mod:`contagion.cli.env`)
and are registered explicitly on :data:`main` with ``add_command``; the error mapping is the group class
(:mod:`contagion.cli._group`).
"""

from __future__ import annotations

import click

from contagion._version import __version__
from contagion.cli import data as _data
from contagion.cli import env as _env
from contagion.cli import run as _run
from contagion.cli._group import ContagionGroup

__all__ = ["ContagionGroup", "main"]


@click.group(cls=ContagionGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="contagion")
def main() -> None:
    """Measure how volatility shocks spread from AI equities to crypto markets."""


for _command in (_run.run_command, _run.studies_command, _run.fetch_command, _data.check_data, _data.panel_command,
                 _env.env_command):
    main.add_command(_command)
