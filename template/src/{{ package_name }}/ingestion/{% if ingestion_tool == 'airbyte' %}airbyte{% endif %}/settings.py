"""Airbyte's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: airbyte``.

``mode: pyairbyte`` (the default) runs the connectors here with PyAirbyte, no Airbyte server
(in the Airbyte environment, ``.venv-airbyte``); ``mode: sync`` triggers the connections of an
Airbyte server (``terraform/``) through its API (``api.py``) and waits for them. Either way the
bronze adapter (``adapter.py``) maps the destination streams at ``destination`` onto the bronze
contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import Strict
from ...sample.schema import SOURCE_TABLES
from .._managed import ManagedSettings

# The settings sync mode needs, and the variables .env.example lists for them.
SYNC_SETTINGS = {
    "client_id": "AIRBYTE_CLIENT_ID",
    "client_secret": "AIRBYTE_CLIENT_SECRET",
    **{f"{source}_connection": f"AIRBYTE_{source.upper()}_CONNECTION" for source in SOURCE_TABLES},
}


class AirbyteConfig(ManagedSettings):
    SYNC_SETTINGS = SYNC_SETTINGS
    IDS_FROM = "`terraform output` prints the connection ids"

    mode: Literal["pyairbyte", "sync"] = "pyairbyte"
    # Where the destination streams are (Airbyte's shape: <namespace>/<stream>/*.parquet).
    destination: str = Field(default="data/airbyte", min_length=1)
    # The Airbyte server's public API (abctl's default: http://localhost:8000/api/public/v1).
    api_url: str = "http://localhost:8000/api/public/v1"
    client_id: str = ""
    client_secret: str = Field(default="", repr=False)
    # The connection id per source (`terraform output connection_ids`).
    files_connection: str = ""
    shop_db_connection: str = ""
    shop_api_connection: str = ""

    def connection_id(self, source: str) -> str:
        """The Airbyte connection that delivers ``source``."""
        return str(getattr(self, f"{source}_connection")).strip()


class Settings(Strict):
    tool: Literal["airbyte"]
    config: AirbyteConfig
