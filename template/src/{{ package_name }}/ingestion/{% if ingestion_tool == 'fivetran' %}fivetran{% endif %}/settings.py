"""Fivetran's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: fivetran``.

``mode: replay`` (the default) runs the local replay (``replay.py``: not Fivetran, a stand-in
that lands the sample sources in Fivetran's shape); ``mode: sync`` triggers the real connectors
through Fivetran's REST API (``api.py``) and waits for them. Either way the bronze adapter
(``adapter.py``) maps the destination tables at ``destination`` onto the bronze contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ...config.base import IngestionSettings, Strict
from ...sample.schema import SOURCE_TABLES

# The settings sync mode needs, and the variables .env.example lists for them.
SYNC_SETTINGS = {
    "api_key": "FIVETRAN_API_KEY",
    "api_secret": "FIVETRAN_API_SECRET",
    **{f"{source}_connectors": f"FIVETRAN_{source.upper()}_CONNECTORS" for source in SOURCE_TABLES},
}


class FivetranConfig(IngestionSettings):
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
    sync_timeout_seconds: float = Field(default=3600, gt=0)
    poll_seconds: float = Field(default=15, gt=0)

    @model_validator(mode="after")
    def _sync_needs_credentials(self) -> FivetranConfig:
        if self.mode == "sync":
            missing = [var for key, var in SYNC_SETTINGS.items() if not getattr(self, key)]
            if missing:
                raise ValueError(
                    f"mode sync needs {', '.join(missing)} (set them in .env; "
                    "`terraform output` prints the connector ids)"
                )
        return self

    def connector_ids(self, source: str) -> list[str]:
        """The Fivetran connectors that deliver ``source``."""
        listed = getattr(self, f"{source}_connectors").split(",")
        return [connector.strip() for connector in listed if connector.strip()]


class Settings(Strict):
    tool: Literal["fivetran"]
    config: FivetranConfig
