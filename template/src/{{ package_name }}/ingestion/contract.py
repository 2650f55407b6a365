"""The bronze contract: what every ingestion tool writes into the lake, and what dbt reads.

Layout (under the lake's bronze URL)::

    <source>/<table>/load_id=<load_id>/<file>.parquet

One folder per load: a run only adds folders, never rewrites one. Table names never start with
``_`` (a tool may keep its own state beside the tables under such names). Every row carries the
lineage columns below besides the source's own columns (kept as the source wrote them: text where a
value does not fit its type, so no source row is ever dropped on the way in; silver decides).
dbt reads bronze through one macro (``transform/macros/bronze.sql``) dispatched on the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOAD_ID = "_load_id"  # the load that wrote the row (text; sorts in load order)
ROW_ID = "_row_id"  # unique across loads and tables: <load_id>.<table>.<row number>
LOADED_AT = "_loaded_at"  # UTC timestamp of the load
SOURCE = "_source"  # the source system (files, shop_db, shop_api)
LINEAGE_COLUMNS = (LOAD_ID, ROW_ID, LOADED_AT, SOURCE)
LAYOUT = "{source}/{table}/load_id={load_id}/{file}.parquet"
LOAD_FOLDER_PREFIX = "load_id="


class IngestError(Exception):
    """An ingestion run failed; the message names the source, the step and the cause."""


@dataclass(frozen=True)
class SourceLoad:
    """What one source run loaded: rows per bronze table, wall time and load ids."""

    source: str
    rows: dict[str, int]
    seconds: float
    load_ids: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())
