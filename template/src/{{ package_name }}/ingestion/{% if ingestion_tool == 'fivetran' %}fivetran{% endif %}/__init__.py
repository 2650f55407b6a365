"""Fivetran ingestion: connectors as code (``terraform/`` at the project root), a sync trigger
(``api.py``) and ONE bronze adapter (``adapter.py``) from Fivetran's destination shape to the
bronze contract; ``replay.py`` is a local replay (not Fivetran) that lands the sample sources in
Fivetran's shape, so the platform runs end to end without an account (``mode: replay``).

Heavy imports (pyarrow, the readers) happen only when a run starts.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ...checks import Check
from ...sample.schema import SOURCE_TABLES
from .._managed import destination_check
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig
    from ..contract import SourceLoad
    from .api import FivetranClient

__all__ = ["Settings", "check", "run_source", "runtime_env"]


def destination(cfg: StackConfig) -> Path:
    """Where the destination tables in Fivetran's shape are (``<schema>/<table>/``)."""
    return cfg.resolve(cfg.ingestion.destination)


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {}


def client(cfg: StackConfig) -> FivetranClient:
    from .api import FivetranClient

    settings = cfg.ingestion
    return FivetranClient(settings.api_url, settings.api_key, settings.api_secret)


def run_source(
    cfg: StackConfig, source_name: str, bronze_url: str, api_base_url: str | None = None
) -> SourceLoad:
    """Sync one connector (the replay, or Fivetran itself in ``mode: sync``), then adapt its
    new destination rows into bronze (``bronze_url`` is the lake's, reached through the lake
    module). Either step can be re-run: nothing lands twice."""
    from .adapter import adapt_source
    from .replay import sync_connector

    started = time.perf_counter()
    settings = cfg.ingestion
    if settings.mode == "replay":
        sync_connector(cfg, source_name, api_base_url=api_base_url)
    else:
        fivetran = client(cfg)
        for connector_id in settings.connector_ids(source_name):
            fivetran.sync(
                connector_id, timeout=settings.sync_timeout_seconds, poll=settings.poll_seconds
            )
    load = adapt_source(cfg, source_name, destination(cfg), seconds=0.0)
    return dataclasses.replace(load, seconds=time.perf_counter() - started)


def check(cfg: StackConfig) -> Check:
    """Replay: the destination folder is writable. Sync: every connector answers the API."""
    settings = cfg.ingestion
    if settings.mode == "replay":
        path = destination(cfg)
        return destination_check("fivetran", path, f"local replay (not Fivetran) into {path}")
    from .api import FivetranSyncError

    states = []
    for source in SOURCE_TABLES:
        for connector_id in settings.connector_ids(source):
            try:
                status = client(cfg).connector(connector_id).get("status", {})
            except FivetranSyncError as exc:
                return Check(
                    "ingestion (fivetran)",
                    False,
                    str(exc),
                    "check FIVETRAN_API_KEY, FIVETRAN_API_SECRET and the connector ids in .env",
                )
            states.append(f"{source}/{connector_id}={status.get('setup_state', '?')}")
    return Check("ingestion (fivetran)", True, f"connectors: {', '.join(states)}")
