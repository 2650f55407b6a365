"""Trigger a Fivetran connector's sync and wait for it, through Fivetran's REST API.

``POST /v1/connectors/{id}/sync`` starts a sync; ``GET /v1/connectors/{id}`` is then polled
until the connector reports a success (``succeeded_at`` newer than when we started) or a
failure (``failed_at`` newer), or until the timeout: each ends the wait with a clear outcome.
Authentication is HTTP Basic with the API key and secret (Fivetran's account settings, "API
key"); they come from the environment, never from a file in the repository.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._managed import request_json
from ..contract import IngestError


class FivetranSyncError(IngestError):
    """A sync failed, timed out, or the API refused the request; the message says which."""


@dataclass(frozen=True)
class FivetranClient:
    base_url: str
    api_key: str
    api_secret: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        token = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        url = f"{self.base_url.rstrip('/')}{path}"
        headers = {"Authorization": f"Basic {token}"}
        payload = request_json(FivetranSyncError, "Fivetran", method, url, path, body, headers)
        return payload.get("data", {})

    def connector(self, connector_id: str) -> dict[str, Any]:
        """``GET /v1/connectors/{id}``: the connector's details and sync status."""
        return self._request("GET", f"/v1/connectors/{connector_id}")

    def start_sync(self, connector_id: str) -> None:
        """``POST /v1/connectors/{id}/sync`` (``force``: start even if one is scheduled)."""
        self._request("POST", f"/v1/connectors/{connector_id}/sync", {"force": True})

    def sync(self, connector_id: str, timeout: float, poll: float) -> datetime:
        """Start a sync of ``connector_id`` and wait until it ends; its ``succeeded_at``.

        Raises ``FivetranSyncError`` when the sync fails (``failed_at`` moves), when the
        connector is paused or broken, or when ``timeout`` seconds pass first.
        """
        before = self.connector(connector_id)
        if before.get("paused"):
            raise FivetranSyncError(f"Fivetran connector {connector_id} is paused: resume it first")
        succeeded, failed = _instant(before, "succeeded_at"), _instant(before, "failed_at")
        self.start_sync(connector_id)
        deadline = self.clock() + timeout
        while True:
            status = self.connector(connector_id)
            done = _instant(status, "succeeded_at")
            if done is not None and (succeeded is None or done > succeeded):
                return done
            broken = _instant(status, "failed_at")
            if broken is not None and (failed is None or broken > failed):
                raise FivetranSyncError(
                    f"Fivetran connector {connector_id}: the sync failed at {broken.isoformat()} "
                    f"({_state(status)}); see its logs in the Fivetran dashboard"
                )
            if status.get("status", {}).get("setup_state") == "broken":
                raise FivetranSyncError(
                    f"Fivetran connector {connector_id} is broken ({_state(status)}): fix its setup"
                )
            if self.clock() >= deadline:
                raise FivetranSyncError(
                    f"Fivetran connector {connector_id}: the sync did not finish within "
                    f"{timeout:g} s ({_state(status)}); raise sync_timeout_seconds in "
                    "config/stack_config.yaml or look at the connector in Fivetran"
                )
            self.sleep(poll)


def _instant(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _state(data: dict[str, Any]) -> str:
    status = data.get("status", {})
    return f"sync_state={status.get('sync_state')}, setup_state={status.get('setup_state')}"
