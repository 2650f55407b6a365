"""Stitch ingestion: integrations set up through the Stitch Connect API by an idempotent
script (``connect.py``), a replication-job trigger (``api.py``) and ONE bronze adapter
(``adapter.py``) from the shape of Stitch's S3 destination to the bronze contract;
``replay.py`` is a local replay (not Stitch) that lands the sample sources in that shape, so the
platform runs end to end without an account (``mode: replay``).

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
    from .api import StitchClient

__all__ = ["Settings", "check", "run_source", "runtime_env"]


def destination(cfg: StackConfig) -> Path:
    """Where the destination's objects are (``<integration>/<table>/<version>_<loaded>.jsonl``)."""
    return cfg.resolve(cfg.ingestion.destination)


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {}


def client(cfg: StackConfig) -> StitchClient:
    from .api import StitchClient

    return StitchClient(cfg.ingestion.api_url, cfg.ingestion.api_token)


def run_source(
    cfg: StackConfig, source_name: str, bronze_url: str, api_base_url: str | None = None
) -> SourceLoad:
    """Replicate one integration (the replay, or Stitch itself in ``mode: sync``), then adapt
    its new destination objects into bronze (``bronze_url`` is the lake's, reached through the
    lake module). Either step can be re-run: nothing lands twice."""
    from .adapter import adapt_source
    from .replay import replicate

    started = time.perf_counter()
    settings = cfg.ingestion
    if settings.mode == "replay":
        replicate(cfg, source_name, api_base_url=api_base_url)
    else:
        client(cfg).sync(
            settings.source_id(source_name),
            timeout=settings.sync_timeout_seconds,
            poll=settings.poll_seconds,
        )
    load = adapt_source(cfg, source_name, destination(cfg), seconds=0.0)
    return dataclasses.replace(load, seconds=time.perf_counter() - started)


def check(cfg: StackConfig) -> Check:
    """Replay: the destination folder is writable. Sync: every source answers the API."""
    settings = cfg.ingestion
    if settings.mode == "replay":
        path = destination(cfg)
        return destination_check("stitch", path, f"local replay (not Stitch) into {path}")
    from .api import StitchError

    states = []
    for source in SOURCE_TABLES:
        source_id = settings.source_id(source)
        try:
            found = client(cfg).source(source_id)
        except StitchError as exc:
            return Check(
                "ingestion (stitch)",
                False,
                str(exc),
                "check STITCH_API_TOKEN and the source ids in .env",
            )
        paused = " (paused)" if found.get("paused_at") else ""
        states.append(f"{source}/{source_id}={found.get('name', '?')}{paused}")
    return Check("ingestion (stitch)", True, f"sources: {', '.join(states)}")
