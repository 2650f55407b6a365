"""The bundled sample payments API: a small threaded HTTP server on 127.0.0.1.

``GET /payments?page=N&page_size=M&updated_since=ISO`` returns
``{"data": [...], "page": N, "page_size": M, "next_page": N + 1 | null}`` ordered by
``(updated_at, payment_id)``. Like many real APIs its pages overlap: every page after the first
repeats the last record of the previous one, so clients must deduplicate by ``payment_id``.
``GET /health`` answers ``{"status": "ok", "payments": <count>}``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

HOST = "127.0.0.1"
MAX_PAGE_SIZE = 10_000
PAGE_OVERLAP = 1
EARLIEST = "1970-01-01T00:00:00Z"
COLUMNS = ("payment_id", "order_id", "payment_method", "amount", "status", "paid_at", "updated_at")


class BadRequest(ValueError):
    """A query parameter is invalid."""


def _int_param(query: dict[str, list[str]], name: str, default: int, maximum: int) -> int:
    raw = query.get(name, [str(default)])[-1]
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None
    if not 1 <= value <= maximum:
        raise BadRequest(f"{name} must be between 1 and {maximum}, got {value}")
    return value


def _since_param(query: dict[str, list[str]]) -> str:
    raw = query.get("updated_since", [EARLIEST])[-1]
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"updated_since must be an ISO-8601 timestamp, got {raw!r}") from None
    if moment.tzinfo is None:
        raise BadRequest("updated_since needs a time zone (e.g. 2026-01-01T00:00:00Z)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_page(db_path: Path, page: int, page_size: int, updated_since: str) -> dict[str, Any]:
    """One page of payments with ``updated_at >= updated_since`` (overlapping by one record)."""
    offset = (page - 1) * page_size
    start = max(0, offset - PAGE_OVERLAP)
    limit = offset + page_size - start
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM payments WHERE updated_at >= ? "
            "ORDER BY updated_at, payment_id LIMIT ? OFFSET ?",
            (updated_since, limit + 1, start),
        ).fetchall()
    has_more = len(rows) > limit
    return {
        "data": [dict(zip(COLUMNS, row, strict=True)) for row in rows[:limit]],
        "page": page,
        "page_size": page_size,
        "next_page": page + 1 if has_more else None,
    }


def count_payments(db_path: Path) -> int:
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return int(connection.execute("SELECT count(*) FROM payments").fetchone()[0])


def _handler_for(db_path: Path) -> type[BaseHTTPRequestHandler]:
    class PaymentsHandler(BaseHTTPRequestHandler):
        server_version = "SamplePaymentsAPI/1.0"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            try:
                if url.path == "/payments":
                    body = read_page(
                        db_path,
                        page=_int_param(query, "page", 1, 10**9),
                        page_size=_int_param(query, "page_size", 500, MAX_PAGE_SIZE),
                        updated_since=_since_param(query),
                    )
                elif url.path == "/health":
                    body = {"status": "ok", "payments": count_payments(db_path)}
                else:
                    self._send(HTTPStatus.NOT_FOUND, {"error": f"no route {url.path}"})
                    return
            except BadRequest as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            except sqlite3.Error as exc:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"payments store: {exc}"})
                return
            self._send(HTTPStatus.OK, body)

        def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep request logs out of the pipeline's output."""

    return PaymentsHandler


@contextmanager
def serve_sample_api(db_path: Path, port: int = 0) -> Iterator[str]:
    """Serve ``db_path`` on 127.0.0.1 (``port`` 0 = a free port); yield the base URL."""
    if not db_path.is_file():
        raise FileNotFoundError(f"{db_path}: sample payments not found (run `platform generate`)")
    server = ThreadingHTTPServer((HOST, port), _handler_for(db_path))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sample-api", daemon=True
    )
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
