"""Processing: one module per tool (``processing/<tool>.py``) exposing ``invoke(args,
callbacks)`` -> ``Invocation``; ``pipeline/transform.py`` gives it the project, the profiles and
the environment, and the warehouse prepares before and releases after."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Invocation:
    """One run of the processing tool: success, per-status node counts, failures, raw result."""

    success: bool
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    result: Any = None
