"""``contagion run``, ``contagion studies`` and ``contagion fetch`` (study runner commands)."""

from __future__ import annotations
