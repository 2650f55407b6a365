"""dlt sources for the three source systems; every resource yields Arrow data, never rows.

- ``files``: one resource per table, reading every batch file (``customers_0001.jsonl``,
  ``customers_0002.jsonl``, ...); files already loaded (same size and modification time) are
  skipped.
- ``shop_db``: the sqlite tables, read in chunks with the incremental filter in the query.
- ``shop_api``: ``/payments`` and ``/support_tickets`` of the REST API, page by page (or the
  same records from its GraphQL endpoint, cursor by cursor: ``graphql.py``).

The readers, the incremental cursor on ``updated_at`` and the bronze types are shared with the
other ingestion tools that read these sources (``ingestion/readers/``); the cursor state of a
table is its dlt resource state, saved with each load, so a second run of the same data loads
nothing. Each Arrow batch gets the bronze contract's lineage columns
(``ingestion/contract.py``): ``_load_id`` (dlt's load id), ``_row_id``, ``_loaded_at`` (the
load's UTC time) and ``_source``. Creating a source touches no file, database or server: that
happens when dlt extracts it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ...sample.schema import FILES, SHOP_API, SHOP_DB, SOURCE_TABLES
from ..readers.sources import (
    Lineage,
    Reader,
    api_reader,
    files_reader,
    selected_batches,
    sqlite_reader,
)
from ..readers.values import arrow_schema
from .graphql import graphql_reader

__all__ = ["SOURCE_TABLES", "arrow_schema", "files_source", "shop_api_source", "shop_db_source"]


def _load_id() -> str:
    """The id of the load package being extracted (a Unix timestamp, e.g. 1763371234.12)."""
    try:
        return str(dlt.current.load_package_state()["load_id"])
    except Exception:  # outside an extraction (e.g. a direct call in a test)
        return f"{datetime.now(UTC).timestamp():.6f}"


def _arrow_resource(source: str, table: str, read: Reader) -> DltResource:
    """A dlt resource named ``table``: the rows ``read(cursor)`` yields that the cursor
    selects, in their bronze types, with the lineage columns.

    The sources write ``_row_id`` themselves (dlt's own random ``_dlt_id`` would make its
    normalizer rewrite every file; ``runtime_env`` turns that off, so dlt imports the extracted
    parquet as it is)."""

    def rows() -> Iterator[pa.Table]:
        lineage = Lineage(source, table, _load_id())
        for selected in selected_batches(table, read, dlt.current.resource_state()):
            yield lineage(selected)

    return dlt.resource(rows, name=table, write_disposition="append")()


@dlt.source(name=FILES, max_table_nesting=0)
def files_source(files_dir: str) -> list[DltResource]:
    """Every ``<table>_<batch>.jsonl|csv`` under ``files_dir``; a file is read once (again
    when its size or modification time changes)."""
    folder = Path(files_dir)
    return [
        _arrow_resource(FILES, table, files_reader(folder, table, dlt.current.resource_state))
        for table in SOURCE_TABLES[FILES]
    ]


@dlt.source(name=SHOP_DB, max_table_nesting=0)
def shop_db_source(db_path: str) -> list[DltResource]:
    """The shop's sqlite tables (orders, order_items, refunds, ...)."""
    path = Path(db_path)
    return [
        _arrow_resource(SHOP_DB, table, sqlite_reader(path, table))
        for table in SOURCE_TABLES[SHOP_DB]
    ]


@dlt.source(name=SHOP_API, max_table_nesting=0)
def shop_api_source(
    base_url: str | None, page_size: int, sample_db_path: str, protocol: str = "rest"
) -> list[DltResource]:
    """``payments`` and ``support_tickets`` from the API at ``base_url``: its REST endpoints,
    or with ``protocol="graphql"`` its GraphQL endpoint (``graphql.py``).

    With ``base_url`` None the bundled sample API is started (on 127.0.0.1, a free port) for
    the duration of each table's extraction, serving ``sample_db_path``.
    """
    data = Path(sample_db_path)
    reader = graphql_reader if protocol == "graphql" else api_reader
    return [
        _arrow_resource(SHOP_API, table, reader(base_url, table, page_size, data))
        for table in SOURCE_TABLES[SHOP_API]
    ]
