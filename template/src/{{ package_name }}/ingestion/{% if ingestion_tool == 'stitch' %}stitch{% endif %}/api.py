"""The Stitch Connect API (https://www.stitchdata.com/docs/developers/stitch-connect/api):
the calls the setup script (``connect.py``) and the sync trigger make.

A replication job is started with ``POST /v4/sources/{source_id}/sync`` (its ``job_name``, or
an ``already_running`` error object), then waited for: ``GET /v4/{stitch_client_id}/extractions``
until the job's extraction ends (``tap_exit_status`` 0, else a failure), then
``GET /v4/{stitch_client_id}/loads`` until every table of the source has loaded a batch after
the extraction ended (an ``error_state`` is a failure), or until the timeout: each ends the wait
with a clear outcome. Authentication is a bearer access token (Stitch: account settings, API
access tokens) read from the environment, never from a file in the repository.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from .._managed import request_json
from ..contract import IngestError


class StitchError(IngestError):
    """A replication job failed, timed out, or the API refused a request; the message says
    which."""


@dataclass(frozen=True)
class StitchClient:
    base_url: str
    token: str = field(repr=False)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url.rstrip('/')}{path}"
        if query:
            url = f"{url}?{urlencode(query)}"
        headers = {"Authorization": f"Bearer {self.token}"}
        return request_json(StitchError, "Stitch", method, url, path, body, headers)

    # ------------------------------------------------------------ sources and destinations
    def sources(self) -> list[dict[str, Any]]:
        """``GET /v4/sources``."""
        return self.request("GET", "/v4/sources")

    def source(self, source_id: str) -> dict[str, Any]:
        """``GET /v4/sources/{source_id}``."""
        return self.request("GET", f"/v4/sources/{source_id}")

    def create_source(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /v4/sources`` (``display_name``, ``type``, ``properties``)."""
        return self.request("POST", "/v4/sources", body)

    def update_source(self, source_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /v4/sources/{source_id}`` (``display_name`` and/or ``properties``)."""
        return self.request("PUT", f"/v4/sources/{source_id}", body)

    def streams(self, source_id: str) -> list[dict[str, Any]]:
        """``GET /v4/sources/{source_id}/streams``: the streams discovery found."""
        return self.request("GET", f"/v4/sources/{source_id}/streams")

    def select_streams(self, source_id: str, body: dict[str, Any]) -> Any:
        """``PUT /v4/sources/{source_id}/streams/metadata`` (``streams``)."""
        return self.request("PUT", f"/v4/sources/{source_id}/streams/metadata", body)

    def destinations(self) -> list[dict[str, Any]]:
        """``GET /v4/destinations``."""
        return self.request("GET", "/v4/destinations")

    def create_destination(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /v4/destinations`` (``type``, ``properties``)."""
        return self.request("POST", "/v4/destinations", body)

    def update_destination(self, destination_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /v4/destinations/{destination_id}`` (``type``, ``properties``)."""
        return self.request("PUT", f"/v4/destinations/{destination_id}", body)

    # ------------------------------------------------------------ replication jobs
    def start_job(self, source_id: str) -> str:
        """``POST /v4/sources/{source_id}/sync``: the new job's name."""
        answer = self.request("POST", f"/v4/sources/{source_id}/sync")
        if "error" in answer:
            error = answer["error"]
            raise StitchError(
                f"Stitch source {source_id}: no replication job started "
                f"({error.get('type')}: {error.get('message')})"
            )
        return str(answer["job_name"])

    def _all(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paged list (``data``, ``links.next``, ``page``)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.request("GET", path, query={"page": page})
            items += answer.get("data", [])
            if not answer.get("links", {}).get("next"):
                return items
            page += 1

    def sync(self, source_id: str, timeout: float, poll: float) -> datetime:
        """Start a replication job of ``source_id`` and wait until its data is loaded; when
        its extraction completed.

        Raises ``StitchError`` when the source is paused, when no job starts, when the
        extraction or a load fails, or when ``timeout`` seconds pass first.
        """
        source = self.source(source_id)
        if source.get("paused_at"):
            raise StitchError(f"Stitch source {source_id} is paused: unpause it first")
        client_id, name = source["stitch_client_id"], source["name"]
        job = self.start_job(source_id)
        deadline = self.clock() + timeout
        completed: datetime | None = None
        while True:
            if completed is None:
                completed = self._extraction_done(client_id, source_id, job)
            if completed is not None and self._loaded_after(client_id, source_id, name, completed):
                return completed
            if self.clock() >= deadline:
                step = "extraction" if completed is None else "loading"
                raise StitchError(
                    f"Stitch source {source_id}: job {job} did not finish within {timeout:g} s "
                    f"(still in {step}); raise sync_timeout_seconds in config/stack_config.yaml "
                    "or look at the integration in Stitch"
                )
            self.sleep(poll)

    def _extraction_done(self, client_id: Any, source_id: str, job: str) -> datetime | None:
        for extraction in self._all(f"/v4/{client_id}/extractions"):
            if extraction.get("job_name") != job:
                continue
            status = extraction.get("tap_exit_status")
            if status is None:
                return None
            if status != 0:
                raise StitchError(
                    f"Stitch source {source_id}: job {job} failed in extraction "
                    f"(tap_exit_status {status}: {extraction.get('tap_description')}); "
                    "see the integration's extraction logs in Stitch"
                )
            return _instant(extraction["completion_time"])
        return None

    def _loaded_after(self, client_id: Any, source_id: str, name: str, moment: datetime) -> bool:
        loads = [
            load for load in self._all(f"/v4/{client_id}/loads") if load.get("source_name") == name
        ]
        for load in loads:
            if load.get("error_state"):
                raise StitchError(
                    f"Stitch source {source_id}: loading {load.get('stream_name')} failed "
                    f"({json.dumps(load['error_state'])[:300]})"
                )
        return bool(loads) and all(
            load.get("last_batch_loaded_at") and _instant(load["last_batch_loaded_at"]) >= moment
            for load in loads
        )


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
