"""Subcommands of the ``contagion`` CLI, one module per family (data, run)."""
