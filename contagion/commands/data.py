"""``contagion check-data`` and ``contagion panel`` (data layer commands)."""

from __future__ import annotations
