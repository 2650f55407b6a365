"""Fivetran's shape: how its destinations hold a connector's tables.

- a schema per connector (``files``, ``shop_db``, ``shop_api``), a table per source table;
- names in snake_case (Fivetran renames ``UnitPrice`` to ``unit_price``);
- two system columns on every row: ``_fivetran_synced`` (UTC timestamp of the sync that wrote
  the row) and ``_fivetran_deleted`` (true when the source deleted the row: a soft delete).

The local destination here is a folder per table holding parquet files
(``<destination>/<schema>/<table>/*.parquet``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

SYNCED = "_fivetran_synced"
DELETED = "_fivetran_deleted"
SYSTEM_COLUMNS = (SYNCED, DELETED)
SYNCED_TYPE = pa.timestamp("us", tz="UTC")
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def fivetran_name(name: str) -> str:
    """A source name as Fivetran writes it: ``UnitPrice`` / ``unit-price`` -> ``unit_price``."""
    snake = _NOT_NAME.sub("_", _WORD_BREAK.sub("_", name).lower()).strip("_")
    return f"_{snake}" if snake[:1].isdigit() else snake or "_"


def table_dir(destination: Path, schema: str, table: str) -> Path:
    return destination / fivetran_name(schema) / fivetran_name(table)
