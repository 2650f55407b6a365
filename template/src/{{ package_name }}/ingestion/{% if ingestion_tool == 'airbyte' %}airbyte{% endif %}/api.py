"""Trigger an Airbyte connection's sync and wait for it, through the Airbyte API.

``POST /applications/token`` trades the application's client id and secret for an access token
(Airbyte: Settings, Applications); ``POST /jobs`` with ``{"connectionId": ..., "jobType":
"sync"}`` starts a sync job; ``GET /jobs/{jobId}`` is then polled until the job's ``status`` is
``succeeded`` (done), ``failed``, ``cancelled`` or ``incomplete`` (a clear failure), or until the
timeout. The credentials come from the environment, never from a file in the repository.
Reference: https://reference.airbyte.com/reference/createjob
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._managed import request_json
from ..contract import IngestError

FAILED = ("failed", "cancelled", "incomplete")


class AirbyteSyncError(IngestError):
    """A sync failed, timed out, or the API refused the request; the message says which."""


def token_body(client_id: str, client_secret: str) -> dict[str, str]:
    """``POST /applications/token``'s body."""
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "grant-type": "client_credentials",
    }


def job_body(connection_id: str) -> dict[str, str]:
    """``POST /jobs``'s body: a sync of the connection."""
    return {"connectionId": connection_id, "jobType": "sync"}


@dataclass
class AirbyteClient:
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _token: str = field(default="", repr=False)

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, auth: bool = True
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}"} if auth else {}
        url = f"{self.base_url.rstrip('/')}{path}"
        return request_json(AirbyteSyncError, "Airbyte", method, url, path, body, headers)

    def token(self) -> str:
        if not self._token:
            answer = self._request(
                "POST",
                "/applications/token",
                token_body(self.client_id, self.client_secret),
                auth=False,
            )
            self._token = str(answer.get("access_token", ""))
            if not self._token:
                raise AirbyteSyncError("Airbyte API: no access_token in the token answer")
        return self._token

    def connection(self, connection_id: str) -> dict[str, Any]:
        """``GET /connections/{id}``: the connection (its status, schedule, streams)."""
        return self._request("GET", f"/connections/{connection_id}")

    def job(self, job_id: int | str) -> dict[str, Any]:
        """``GET /jobs/{jobId}``: the job's status."""
        return self._request("GET", f"/jobs/{job_id}")

    def sync(self, connection_id: str, timeout: float, poll: float) -> dict[str, Any]:
        """Start a sync job of ``connection_id`` and wait until it ends; the finished job.

        Raises ``AirbyteSyncError`` when the job fails, is cancelled or incomplete, or when
        ``timeout`` seconds pass first.
        """
        started = self._request("POST", "/jobs", job_body(connection_id))
        job_id = started.get("jobId")
        if job_id is None:
            raise AirbyteSyncError(f"Airbyte connection {connection_id}: no jobId in {started}")
        deadline = self.clock() + timeout
        while True:
            job = self.job(job_id)
            status = str(job.get("status", "")).lower()
            if status == "succeeded":
                return job
            if status in FAILED:
                raise AirbyteSyncError(
                    f"Airbyte connection {connection_id}: sync job {job_id} ended {status}; "
                    "see the job's logs in the Airbyte UI (Connections, Job history)"
                )
            if self.clock() >= deadline:
                raise AirbyteSyncError(
                    f"Airbyte connection {connection_id}: sync job {job_id} did not finish within "
                    f"{timeout:g} s (status {status or '?'}); raise sync_timeout_seconds in "
                    "config/stack_config.yaml or look at the job in Airbyte"
                )
            self.sleep(poll)
