"""Stitch's shape: how its Amazon S3 destination holds an integration's tables.

- an integration per source (``files``, ``shop_db``, ``shop_api``), a table per source table;
- an object per table version and load, keyed
  ``[integration_name]/[table_name]/[table_version]_[timestamp_loaded].jsonl`` (the destination's
  ``s3_key_format_string``; ``timestamp_loaded`` in milliseconds since the epoch);
- JSON Lines records with the source's column names (lower case, other characters as ``_``) and
  Stitch's system columns on every row: ``_sdc_extracted_at``, ``_sdc_received_at``,
  ``_sdc_batched_at`` (ISO 8601 UTC instants), ``_sdc_sequence``, ``_sdc_table_version``; a row
  deleted in the source (log-based replication) carries ``_sdc_deleted_at``.

The local destination here is the same layout under a folder (``<destination>/<integration>/
<table>/<version>_<loaded>.jsonl``).
"""

from __future__ import annotations

import re
from pathlib import Path

EXTRACTED = "_sdc_extracted_at"
RECEIVED = "_sdc_received_at"
BATCHED = "_sdc_batched_at"
SEQUENCE = "_sdc_sequence"
TABLE_VERSION = "_sdc_table_version"
DELETED = "_sdc_deleted_at"
SYSTEM_PREFIX = "_sdc_"
SUFFIX = ".jsonl"
KEY_FORMAT = "[integration_name]/[table_name]/[table_version]_[timestamp_loaded].jsonl"
_NOT_NAME = re.compile(r"[^a-z0-9_]+")


def stitch_name(name: str) -> str:
    """A source name as Stitch writes it: ``UnitPrice`` -> ``unitprice``, ``unit-price`` ->
    ``unit_price``; a leading digit gets ``_``."""
    cleaned = _NOT_NAME.sub("_", name.lower())
    return f"_{cleaned}" if cleaned[:1].isdigit() else cleaned or "_"


def table_dir(destination: Path, integration: str, table: str) -> Path:
    return destination / stitch_name(integration) / stitch_name(table)


def object_name(table_version: int, loaded_ms: int) -> str:
    """``<table_version>_<timestamp_loaded>.jsonl``."""
    return f"{table_version}_{loaded_ms}{SUFFIX}"


def loaded_ms_of(path: Path) -> int | None:
    """The ``timestamp_loaded`` of an object's name; None for a name not in Stitch's format."""
    stem = path.name.removesuffix(SUFFIX)
    version, _, loaded = stem.partition("_")
    if not (path.name.endswith(SUFFIX) and version.isdigit() and loaded.isdigit()):
        return None
    return int(loaded)
