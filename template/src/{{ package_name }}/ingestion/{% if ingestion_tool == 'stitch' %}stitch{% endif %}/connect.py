"""Stitch set up as code: one idempotent script against the Stitch Connect API (Stitch has no
official Terraform provider). Run it again at will: it converges, never duplicates.

    uv run python -m <package>.ingestion.stitch.connect [--dry-run]

What it makes the Stitch account hold (``desired``):

- the destination: Amazon S3 (``type: s3``), JSON Lines objects keyed
  ``[integration_name]/[table_name]/[table_version]_[timestamp_loaded].jsonl`` in
  ``STITCH_DESTINATION_BUCKET``: the shape the bronze adapter reads (``shape.py``);
- a source per platform source, found by its ``display_name`` (which names its schema):
  ``files`` (Amazon S3 CSV over ``STITCH_FILES_BUCKET``, a table per file table of the sample),
  ``shop_db`` (PostgreSQL, from ``STITCH_SHOP_DB_URL``), ``shop_api`` (the Import API: Stitch
  has no generic REST integration, the API's rows are pushed to it), each replicating every
  ``frequency_in_minutes``;
- replication: every stream of a source that discovery found and the sample knows is selected,
  incrementally on ``updated_at`` where the table has it.

A missing source or destination is created (``POST``), an existing one updated (``PUT``) with the
same properties; the token comes from ``STITCH_API_TOKEN`` only. The source ids it prints go to
``.env`` (``STITCH_<SOURCE>_SOURCE_ID``) for ``mode: sync``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ...sample.schema import SOURCE_TABLES, TABLES_BY_NAME
from .api import StitchClient, StitchError
from .shape import KEY_FORMAT

API_URL = "https://api.stitchdata.com"
FREQUENCY_MINUTES = "1440"
CURSOR_COLUMN = "updated_at"
# source -> Stitch source type
SOURCE_TYPES = {
    "files": "platform.s3-csv",
    "shop_db": "platform.postgres",
    "shop_api": "platform.import_api",
}
# The variables the script reads, and what each is for.
VARIABLES = {
    "STITCH_API_TOKEN": "the Stitch Connect API access token",
    "STITCH_DESTINATION_BUCKET": "the S3 bucket Stitch loads into (the lake's landing bucket)",
    "STITCH_FILES_BUCKET": "the S3 bucket holding the files source's exports",
    "STITCH_SHOP_DB_URL": "the shop database, postgresql://user:password@host:port/database",
}


class ConnectError(StitchError):
    """The desired state cannot be built or applied; the message names the variable or call."""


@dataclass(frozen=True)
class Desired:
    destination: dict[str, Any]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


def _files_tables() -> str:
    """The S3 CSV integration's ``tables`` property: a JSON array, a table per file table."""
    tables = [
        {
            "table_name": spec.name,
            "search_prefix": "",
            "search_pattern": spec.file_pattern().replace(".", "\\.").replace("*", ".*"),
            "key_properties": ",".join(spec.key),
            "date_overrides": CURSOR_COLUMN if CURSOR_COLUMN in spec.column_names else "",
            "delimiter": ",",
        }
        for spec in (TABLES_BY_NAME[name] for name in SOURCE_TABLES["files"])
    ]
    return json.dumps(tables, separators=(",", ":"))


def _database(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"} or not parts.hostname:
        raise ConnectError(
            "STITCH_SHOP_DB_URL: expected postgresql://user:password@host:port/database"
        )
    return {
        "host": parts.hostname,
        "port": str(parts.port or 5432),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
        "ssl": "true",
    }


def desired(env: Mapping[str, str]) -> Desired:
    """The account's desired state from the environment (every property a string, as the
    Connect API requires)."""
    missing = [name for name in VARIABLES if not env.get(name)]
    if missing:
        raise ConnectError(
            "set " + ", ".join(f"{name} ({VARIABLES[name]})" for name in missing) + " in .env"
        )
    every = {"frequency_in_minutes": FREQUENCY_MINUTES}
    return Desired(
        destination={
            "type": "s3",
            "properties": {
                "s3_bucket": env["STITCH_DESTINATION_BUCKET"],
                "output_file_format": "jsonl",
                "s3_key_format_string": KEY_FORMAT,
            },
        },
        sources={
            "files": {
                "display_name": "files",
                "type": SOURCE_TYPES["files"],
                "properties": {
                    "bucket": env["STITCH_FILES_BUCKET"],
                    "tables": _files_tables(),
                    "start_date": "2000-01-01T00:00:00Z",
                    **every,
                },
            },
            "shop_db": {
                "display_name": "shop_db",
                "type": SOURCE_TYPES["shop_db"],
                "properties": {**_database(env["STITCH_SHOP_DB_URL"]), **every},
            },
            "shop_api": {
                "display_name": "shop_api",
                "type": SOURCE_TYPES["shop_api"],
                "properties": {},
            },
        },
    )


def _stream_metadata(source: str, streams: list[dict[str, Any]]) -> dict[str, Any]:
    """``PUT /v4/sources/{id}/streams/metadata``: select the sample's tables among ``streams``."""
    selected = []
    for stream in streams:
        table = stream.get("stream_name")
        if table not in SOURCE_TABLES[source]:
            continue
        metadata: dict[str, Any] = {"selected": True}
        if CURSOR_COLUMN in TABLES_BY_NAME[table].column_names:
            metadata |= {"replication-method": "INCREMENTAL", "replication-key": CURSOR_COLUMN}
        selected.append(
            {
                "tap_stream_id": stream["tap_stream_id"],
                "metadata": [{"breadcrumb": [], "metadata": metadata}],
            }
        )
    return {"streams": selected}


def apply(client: StitchClient, state: Desired, dry_run: bool = False) -> dict[str, str]:
    """Converge the account on ``state``; the id of each source. Prints one line per change."""
    destinations = client.destinations()
    kind = state.destination["type"]
    others = [d for d in destinations if d.get("type") != kind]
    if others:
        raise ConnectError(
            f"the account's destination is {others[0].get('type')!r}, not {kind!r}: Stitch "
            "allows one destination per account; remove it in Stitch first"
        )
    if destinations:
        print(f"destination {kind}: update {destinations[0]['id']}")
        if not dry_run:
            client.update_destination(str(destinations[0]["id"]), state.destination)
    else:
        print(f"destination {kind}: create")
        if not dry_run:
            client.create_destination(state.destination)

    existing = {s.get("display_name"): s for s in client.sources() if not s.get("deleted_at")}
    ids: dict[str, str] = {}
    for source, body in state.sources.items():
        found = existing.get(body["display_name"])
        if found is not None and found.get("type") != body["type"]:
            raise ConnectError(
                f"source {body['display_name']!r} exists with type {found.get('type')!r}, "
                f"not {body['type']!r}: rename or remove it in Stitch"
            )
        if found is None:
            print(f"source {source} ({body['type']}): create")
            if dry_run:
                continue
            found = client.create_source(body)
        else:
            print(f"source {source} ({body['type']}): update {found['id']}")
            if not dry_run and body["properties"]:
                client.update_source(
                    str(found["id"]),
                    {"display_name": body["display_name"], "properties": body["properties"]},
                )
        ids[source] = str(found["id"])
        if dry_run:
            continue
        selection = _stream_metadata(source, client.streams(ids[source]))
        if selection["streams"]:
            client.select_streams(ids[source], selection)
            print(f"source {source}: {len(selection['streams'])} streams selected")
        else:
            print(f"source {source}: no stream discovered yet (run this again after discovery)")
    return ids


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the changes, make none")
    parser.add_argument("--api-url", default=API_URL)
    args = parser.parse_args(argv)
    env = os.environ if env is None else env
    try:
        state = desired(env)
        ids = apply(StitchClient(args.api_url, env["STITCH_API_TOKEN"]), state, args.dry_run)
    except StitchError as exc:
        print(f"stitch connect: {exc}", file=sys.stderr)
        return 1
    for source, source_id in ids.items():
        print(f"STITCH_{source.upper()}_SOURCE_ID={source_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
