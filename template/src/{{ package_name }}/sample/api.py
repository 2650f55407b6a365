"""The bundled sample shop API (source ``shop_api``): a small threaded HTTP server on 127.0.0.1.

``GET /payments`` and ``GET /support_tickets`` with ``page=N&page_size=M&updated_since=ISO``
return ``{"data": [...], "page": N, "page_size": M, "next_page": N + 1 | null}``: the records
with ``updated_at >= updated_since``, ordered by ``(updated_at, <id>)``. Like many real APIs its
pages overlap: every page after the first repeats the last record of the previous one, so
clients must deduplicate by key. ``GET /health`` answers
``{"status": "ok", "payments": <count>, "support_tickets": <count>}``. ``POST /graphql`` serves
the same records over GraphQL with cursor pagination (``graphql_api.py``).
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

from .schema import SHOP_API, SOURCE_TABLES, TABLES_BY_NAME, SourceTable

HOST = "127.0.0.1"
MAX_PAGE_SIZE = 10_000
PAGE_OVERLAP = 1
EARLIEST = "1970-01-01T00:00:00Z"
ENDPOINTS: dict[str, SourceTable] = {
    f"/{name}": TABLES_BY_NAME[name] for name in SOURCE_TABLES[SHOP_API]
}


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


class PageCursors:
    """Where the next page starts, remembered per (table, updated_since, page_size, page).

    Clients walk pages in order, so page N+1 is read with an index seek from the last record
    of page N instead of an OFFSET scan (which makes a full walk quadratic in the rows).
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._positions: dict[tuple[str, str, int, int], tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def get(self, key: tuple[str, str, int, int]) -> tuple[str, int] | None:
        with self._lock:
            return self._positions.get(key)

    def put(self, key: tuple[str, str, int, int], position: tuple[str, int]) -> None:
        with self._lock:
            if len(self._positions) >= self._limit:
                self._positions.clear()
            self._positions[key] = position


def read_page(
    db_path: Path,
    table: SourceTable,
    page: int,
    page_size: int,
    updated_since: str,
    cursors: PageCursors | None = None,
) -> dict[str, Any]:
    """One page of ``table`` with ``updated_at >= updated_since`` (overlapping by one record)."""
    offset = (page - 1) * page_size
    start = max(0, offset - PAGE_OVERLAP)
    limit = offset + page_size - start
    columns = table.column_names
    key = table.key[0]
    select = f"SELECT {', '.join(columns)} FROM {table.name} WHERE updated_at >= ?"
    order = f"ORDER BY updated_at, {key} LIMIT ?"
    position = cursors.get((table.name, updated_since, page_size, page)) if cursors else None
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        if position is None:
            rows = connection.execute(
                f"{select} {order} OFFSET ?", (updated_since, limit + 1, start)
            ).fetchall()
        else:
            rows = connection.execute(
                f"{select} AND (updated_at, {key}) >= (?, ?) {order}",
                (updated_since, *position, limit + 1),
            ).fetchall()
    has_more = len(rows) > limit
    data = [dict(zip(columns, row, strict=True)) for row in rows[:limit]]
    if has_more and cursors is not None and data:
        last = data[-1]
        cursors.put(
            (table.name, updated_since, page_size, page + 1), (last["updated_at"], last[key])
        )
    return {
        "data": data,
        "page": page,
        "page_size": page_size,
        "next_page": page + 1 if has_more else None,
    }


def count_records(db_path: Path) -> dict[str, int]:
    """Records per endpoint table."""
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return {
            table.name: int(connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0])
            for table in ENDPOINTS.values()
        }


def _handler_for(db_path: Path) -> type[BaseHTTPRequestHandler]:
    cursors = PageCursors()
    schemas: list[Any] = []  # the GraphQL schema, built on the first POST /graphql
    lock = threading.Lock()

    def graphql_schema() -> Any:
        from .graphql_api import build_schema

        with lock:
            if not schemas:
                schemas.append(build_schema(db_path, list(ENDPOINTS.values())))
            return schemas[0]

    class ShopApiHandler(BaseHTTPRequestHandler):
        server_version = "SampleShopAPI/1.0"

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            try:
                if url.path in ENDPOINTS:
                    body = read_page(
                        db_path,
                        ENDPOINTS[url.path],
                        page=_int_param(query, "page", 1, 10**9),
                        page_size=_int_param(query, "page_size", 500, MAX_PAGE_SIZE),
                        updated_since=_since_param(query),
                        cursors=cursors,
                    )
                elif url.path == "/health":
                    body = {"status": "ok", **count_records(db_path)}
                else:
                    self._send(HTTPStatus.NOT_FOUND, {"error": f"no route {url.path}"})
                    return
            except BadRequest as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            except sqlite3.Error as exc:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"shop API store: {exc}"})
                return
            self._send(HTTPStatus.OK, body)

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/graphql":
                self._send(HTTPStatus.NOT_FOUND, {"error": f"no route POST {self.path}"})
                return
            from .graphql_api import GraphQLRequestError, execute

            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = execute(graphql_schema(), self.rfile.read(length))
            except GraphQLRequestError as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"errors": [{"message": str(exc)}]})
                return
            except sqlite3.Error as exc:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"shop API store: {exc}"})
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

    return ShopApiHandler


@contextmanager
def serve_sample_api(db_path: Path, port: int = 0) -> Iterator[str]:
    """Serve ``db_path`` on 127.0.0.1 (``port`` 0 = a free port); yield the base URL."""
    if not db_path.is_file():
        raise FileNotFoundError(f"{db_path}: sample API data not found (run `platform generate`)")
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
