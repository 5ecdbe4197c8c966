"""Readable loop twins of the numerical kernels, one statement per line of the paper's equation."""
