"""Mage's entry in ``config/stack_config.yaml``: ``platform.orchestrator``, ``tool: mage``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import ScheduleSettings, Strict


class MageSettings(ScheduleSettings):
    # Pipeline runs, block runs and their logs kept this many days in MAGE_DATA_DIR.
    retention_days: int = Field(default=30, gt=0)
    # Port of the Mage UI started by `make dev` / `platform dev`.
    port: int = Field(default=6789, ge=1024, le=65535)


class Settings(Strict):
    tool: Literal["mage"]
    config: MageSettings = MageSettings()
