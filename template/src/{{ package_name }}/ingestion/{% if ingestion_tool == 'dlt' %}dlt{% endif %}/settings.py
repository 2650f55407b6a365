"""dlt's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: dlt``."""

from __future__ import annotations

from typing import Literal

from ...config.base import IngestionSettings, Strict


class DltSettings(IngestionSettings):
    # How the shop API is read: its REST endpoints (page numbers) or its GraphQL endpoint
    # (``<base_url>/graphql``, cursor pagination). Bronze is the same either way.
    api_protocol: Literal["rest", "graphql"] = "rest"


class Settings(Strict):
    tool: Literal["dlt"]
    config: DltSettings
