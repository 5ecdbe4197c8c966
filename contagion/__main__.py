"""``python -m contagion`` runs the command-line interface."""

from contagion.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
