"""Airbyte's shape: how its destinations hold a connection's streams (Destinations V2).

- a namespace per source (``files``, ``shop_db``, ``shop_api``), a table per stream;
- the source's columns, then Airbyte's system columns on every row: ``_airbyte_raw_id`` (a UUID
  per record), ``_airbyte_extracted_at`` (when the source emitted it), ``_airbyte_meta`` (JSON:
  the changes Airbyte made to the record, e.g. a value nulled because it did not fit its type)
  and ``_airbyte_generation_id`` (the refresh generation);
- file-based sources add ``_ab_source_file_url`` (the file a record came from).

The local destination here is a folder per stream holding parquet files, one per sync
(``<destination>/<namespace>/<stream>/<sync>.parquet``).
Reference: https://docs.airbyte.com/platform/understanding-airbyte/airbyte-metadata-fields
"""

from __future__ import annotations

from pathlib import Path

RAW_ID = "_airbyte_raw_id"
EXTRACTED_AT = "_airbyte_extracted_at"
META = "_airbyte_meta"
GENERATION_ID = "_airbyte_generation_id"
FILE_URL = "_ab_source_file_url"
SYSTEM_COLUMNS = (RAW_ID, EXTRACTED_AT, META, GENERATION_ID, FILE_URL)
# Any other column Airbyte adds (a destination's ``_airbyte_loaded_at``, a file source's
# ``_ab_source_file_last_modified``) starts with one of these: never a source column here.
PREFIXES = ("_airbyte_", "_ab_")


def stream_dir(destination: Path, namespace: str, stream: str) -> Path:
    return destination / namespace / stream
