"""The study runner: study TOML -> jobs (main and robustness) -> results -> report folder.

- :mod:`contagion.workflow.spec`: the study specification (pydantic) and the built-in studies;
- :mod:`contagion.workflow.jobs`: jobs, the content-addressed result cache and the executors;
- :mod:`contagion.workflow.pipeline` and :mod:`contagion.workflow.sections` (one module per section): what
  one job computes;
- :mod:`contagion.workflow.runner`: :func:`run_study`.
"""

from __future__ import annotations

from contagion.workflow.runner import RunResult, run_study
from contagion.workflow.spec import Study, list_studies, load_study

__all__ = ["RunResult", "Study", "list_studies", "load_study", "run_study"]
