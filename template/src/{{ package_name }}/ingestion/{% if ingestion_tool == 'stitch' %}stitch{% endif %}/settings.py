"""Stitch's entry in ``config/stack_config.yaml``: ``platform.ingestion`` with ``tool: stitch``.

``mode: replay`` (the default) runs the local replay (``replay.py``: not Stitch, a stand-in
that lands the sample sources in the shape of Stitch's S3 destination); ``mode: sync`` starts
the real integrations' replication jobs through the Stitch Connect API (``api.py``) and waits
for them. Either way the bronze adapter (``adapter.py``) maps the objects at ``destination``
onto the bronze contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import Strict
from ...sample.schema import SOURCE_TABLES
from .._managed import ManagedSettings

# The settings sync mode needs, and the variables .env.example lists for them.
SYNC_SETTINGS = {
    "api_token": "STITCH_API_TOKEN",
    **{f"{source}_source_id": f"STITCH_{source.upper()}_SOURCE_ID" for source in SOURCE_TABLES},
}


class StitchConfig(ManagedSettings):
    SYNC_SETTINGS = SYNC_SETTINGS
    IDS_FROM = "the setup script `python -m <package>.ingestion.stitch.connect` prints the ids"

    mode: Literal["replay", "sync"] = "replay"
    # Where the destination's objects are (Stitch's S3 key format under one folder).
    destination: str = Field(default="data/stitch", min_length=1)
    api_url: str = "https://api.stitchdata.com"
    api_token: str = Field(default="", repr=False)
    # The Stitch source (integration) id of each platform source (`connect` prints them).
    files_source_id: str = ""
    shop_db_source_id: str = ""
    shop_api_source_id: str = ""
    poll_seconds: float = Field(default=30, gt=0)

    def source_id(self, source: str) -> str:
        """The Stitch source that delivers ``source``."""
        return str(getattr(self, f"{source}_source_id")).strip()


class Settings(Strict):
    tool: Literal["stitch"]
    config: StitchConfig
