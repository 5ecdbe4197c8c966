"""Impulse responses of the headline VAR, with bands, in long form (main job only)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contagion.workflow.sections._common import JobData, SectionOutput, call_with_progress

__all__ = ["irf_section"]


def irf_section(data: JobData, results: Any) -> SectionOutput:
    """One block of rows per IRF kind of the study (``var.irf_kinds``) in the table ``var_irf``."""
    study, name = data.study, data.name
    var_spec = study.var
    bands = None if var_spec.bands == "none" else var_spec.bands
    frames = []
    for kind in var_spec.irf_kinds:
        def draw_progress(done: int, total: int, _kind: str = kind) -> None:
            data.report(f"bootstrap {_kind}", done, total)
        irf = call_with_progress(
            results.irf, draw_progress, horizon=var_spec.irf_horizon, kind=kind, bands=bands,
            reps=var_spec.draws, level=var_spec.level, seed=study.seed,
        )
        tidy = irf.to_frame()
        frame = tidy.reset_index(drop=True) if "impulse" in tidy.columns else tidy.reset_index()
        frame = frame[["impulse", "response", "horizon", "estimate", "lower", "upper"]].copy()
        frame.insert(0, "kind", kind)
        frame.insert(0, "model", "group_var")
        frame["level"] = var_spec.level if bands else np.nan
        frame["band_method"] = var_spec.bands
        frame["job"] = name
        frames.append(frame)
    return SectionOutput(tables={"var_irf": pd.concat(frames, ignore_index=True)})
