"""Data layer: sources -> calendar alignment -> measures, with a data-quality report."""
