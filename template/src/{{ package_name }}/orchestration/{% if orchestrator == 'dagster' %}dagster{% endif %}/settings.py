"""Dagster's entry in ``config/stack_config.yaml``: ``platform.orchestrator``, ``tool: dagster``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import ScheduleSettings, Strict


class DagsterSettings(ScheduleSettings):
    # Schedule and sensor tick history kept this many days (written to .dagster/dagster.yaml).
    retention_days: int = Field(default=30, gt=0)
    # Port of the Dagster UI started by `make dev` / `platform dev`.
    port: int = Field(default=3000, ge=1024, le=65535)


class Settings(Strict):
    tool: Literal["dagster"]
    config: DagsterSettings = DagsterSettings()
