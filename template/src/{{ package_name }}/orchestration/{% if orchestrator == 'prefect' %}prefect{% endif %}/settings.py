"""Prefect's entry in ``config/stack_config.yaml``: ``platform.orchestrator``, ``tool: prefect``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import ScheduleSettings, Strict


class PrefectSettings(ScheduleSettings):
    # Flow runs and events kept this many days by the Prefect server (its database vacuum).
    retention_days: int = Field(default=30, gt=0)
    # Port of the Prefect UI (and API) started by `make dev` / `platform dev`.
    port: int = Field(default=4200, ge=1024, le=65535)
    # Ingestion tasks: retries after a failure, waiting retry_delay_seconds, then 2x, 4x, ...
    ingest_retries: int = Field(default=2, ge=0, le=10)
    retry_delay_seconds: float = Field(default=10, ge=0)


class Settings(Strict):
    tool: Literal["prefect"]
    config: PrefectSettings = PrefectSettings()
