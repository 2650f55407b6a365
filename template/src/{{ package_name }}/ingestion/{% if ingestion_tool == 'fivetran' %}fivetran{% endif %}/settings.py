"""Fivetran's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: fivetran``.

``mode: replay`` (the default) runs the local replay (``replay.py``: not Fivetran, a stand-in
that lands the sample sources in Fivetran's shape); ``mode: sync`` triggers the real connectors
through Fivetran's REST API (``api.py``) and waits for them. Either way the bronze adapter
(``adapter.py``) maps the destination tables at ``destination`` onto the bronze contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import Strict
from ...sample.schema import SOURCE_TABLES
from .._managed import ManagedSettings

# The settings sync mode needs, and the variables .env.example lists for them.
SYNC_SETTINGS = {
    "api_key": "FIVETRAN_API_KEY",
    "api_secret": "FIVETRAN_API_SECRET",
    **{f"{source}_connectors": f"FIVETRAN_{source.upper()}_CONNECTORS" for source in SOURCE_TABLES},
}


class FivetranConfig(ManagedSettings):
    SYNC_SETTINGS = SYNC_SETTINGS
    IDS_FROM = "`terraform output` prints the connector ids"

    mode: Literal["replay", "sync"] = "replay"
    # Where the destination tables are (Fivetran's shape: <schema>/<table>/*.parquet).
    destination: str = Field(default="data/fivetran", min_length=1)
    api_url: str = "https://api.fivetran.com"
    api_key: str = ""
    api_secret: str = Field(default="", repr=False)
    # Connector ids per source, comma-separated (a file connector per file table, for one).
    files_connectors: str = ""
    shop_db_connectors: str = ""
    shop_api_connectors: str = ""

    def connector_ids(self, source: str) -> list[str]:
        """The Fivetran connectors that deliver ``source``."""
        listed = getattr(self, f"{source}_connectors").split(",")
        return [connector.strip() for connector in listed if connector.strip()]


class Settings(Strict):
    tool: Literal["fivetran"]
    config: FivetranConfig
