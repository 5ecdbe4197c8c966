"""The sections of a job, one module each; every section returns a :class:`SectionOutput`.

- :mod:`~contagion.workflow.sections.panel`: panel, group indices and data facts (every job);
- :mod:`~contagion.workflow.sections.connectedness`: headline VAR and connectedness (every job), rolling /
  TVP-VAR connectedness and the asset-level network, OLS or penalised (main job);
- :mod:`~contagion.workflow.sections.frequency`, :mod:`~contagion.workflow.sections.quantile`: frequency-band
  and quantile-VAR connectedness of the group indices (main job, when the study switches them on);
- :mod:`~contagion.workflow.sections.dcc_connectedness`: DCC-GARCH connectedness of the DCC fit (main job);
- :mod:`~contagion.workflow.sections.irf`: impulse responses with bands;
- :mod:`~contagion.workflow.sections.dcc`: DCC-GARCH and VIRFs;
- :mod:`~contagion.workflow.sections.events`: the event design and the event study;
- :mod:`~contagion.workflow.sections.hypothesis`: Forbes-Rigobon, correlation shift, causality in variance;
- :mod:`~contagion.workflow.sections.facts`: the DeepSeek facts table;
- :mod:`~contagion.workflow.sections._common`: :class:`JobData`, :class:`SectionOutput`, the failure rule.

:mod:`contagion.workflow.pipeline` runs them in order and merges their outputs.
"""

from __future__ import annotations

from contagion.workflow.sections._common import JobData, SectionOutput

__all__ = ["JobData", "SectionOutput"]
