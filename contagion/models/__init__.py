"""Models: VAR / connectedness, DCC-GARCH / VIRF, contagion tests, event studies."""
