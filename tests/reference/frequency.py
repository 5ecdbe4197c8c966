"""Readable twin of the frequency-connectedness kernel: frequencyConnectedness's ``fftGenFEVD`` step by step.

One statement per line of the R function (frequencyConnectedness 0.2.4, ``R/fevd.R`` and ``R/tools.R``,
paraphrased, not copied), with loops instead of matrix algebra, for one VAR.
"""

from __future__ import annotations

import cmath
import itertools
import math

import numpy as np


def r_partition_bins(n_bins: int, edges: list[float]) -> list[list[int]]:
    """``getPartition(partition, n.ahead)``: for each band, the 0-based DFT bins it holds.

    frequencyConnectedness labels bin k (k = 0..floor(n/2)) with frequency k * pi / floor(n/2) and mirrors
    the labels for the negative frequencies; a band [down, up) holds the bins whose label is in it.
    """
    half = n_bins // 2
    bands = []
    for up, down in itertools.pairwise(edges):
        first_half = [1 if down <= k * math.pi / half < up else 0 for k in range(half + 1)]
        mirrored = first_half[1:-1][::-1] if n_bins % 2 == 0 else first_half[1:][::-1]
        flags = first_half + mirrored
        bands.append([k for k, flag in enumerate(flags) if flag])
    return bands


def frequency_fevd(ma: np.ndarray, sigma: np.ndarray, bands: list[list[int]]) -> np.ndarray:
    """Absolute band tables (fractions) of one VAR, ``fftGenFEVD`` followed by the band sums."""
    n_bins, n_vars, _ = ma.shape
    # fft of every impulse-response series over h: Psi_k[i, j] = sum_h A_h[i, j] exp(-2 pi i k h / n)
    psi = np.zeros((n_bins, n_vars, n_vars), dtype=complex)
    for k in range(n_bins):
        for i in range(n_vars):
            for j in range(n_vars):
                psi[k, i, j] = sum(ma[h, i, j] * cmath.exp(-2j * math.pi * k * h / n_bins) for h in range(n_bins))
    in_range = sorted({k for band in bands for k in band})
    # denominator: Re(Psi_k Sigma Psi_k^*)_ii / n summed over the range
    denom = np.zeros(n_vars)
    for k in in_range:
        full = psi[k] @ sigma @ psi[k].conj().T / n_bins
        for i in range(n_vars):
            denom[i] += full[i, i].real
    # enumerator per bin: |Psi_k Sigma|^2 / n, divided by denom_i * sigma_jj
    tab = np.zeros((n_bins, n_vars, n_vars))
    for k in range(n_bins):
        prod = psi[k] @ sigma
        for i in range(n_vars):
            for j in range(n_vars):
                tab[k, i, j] = abs(prod[i, j]) ** 2 / n_bins / (denom[i] * sigma[j, j])
    # standardise rows by their total over the range
    tot = np.zeros(n_vars)
    for k in in_range:
        for i in range(n_vars):
            tot[i] += tab[k, i, :].sum()
    out = np.zeros((len(bands), n_vars, n_vars))
    for d, band in enumerate(bands):
        for k in band:
            out[d] += tab[k] / tot[:, None]
    return out
