"""dlt's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: dlt``."""

from __future__ import annotations

from typing import Literal

from ...config.base import IngestionSettings, Strict


class Settings(Strict):
    tool: Literal["dlt"]
    config: IngestionSettings
