"""The bronze adapter: Airbyte's destination streams -> the bronze contract, once for every
source, so silver, gold and the marts read the same bronze whichever tool ingested.

Each destination file (``<destination>/<source>/<stream>/*.parquet``, Airbyte's shape:
``shape.py``) not adapted yet becomes one bronze load: ``<bronze>/<source>/<table>/load_id=<id>/``,
where the load id is the file's newest ``_airbyte_extracted_at`` (a Unix timestamp, to the
microsecond). The mapping:

- Airbyte's system columns (``_airbyte_*``, ``_ab_source_file_url``) are dropped;
- each column gets its bronze type, or stays text where a value does not fit (``readers/``);
- the platform's incremental cursor on ``updated_at`` (``readers/cursor.py``, the same rule as
  every other tool's) picks the rows to load: Airbyte hands over every row at or after the
  cursor it was given, so the overlap is dropped here, and a re-run adds nothing;
- the lineage columns of the contract are added (``_load_id``, ``_row_id``, ``_loaded_at``,
  ``_source``).

The adapter's state (the files adapted, the cursor per table, the files source's files read)
is kept in ``<destination>/_adapter/<source>.json``, saved after each file; a load folder of a
file that did not commit is written again.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..contract import LOAD_FOLDER_PREFIX
from ..readers.cursor import Cursor
from ..readers.sources import Lineage, selected_batches
from .shape import EXTRACTED_AT, PREFIXES, SYSTEM_COLUMNS, stream_dir

PARTIAL = ".partial"


def load_id_of(micros: int) -> str:
    """``1763371234.123456``: a load id (a Unix timestamp, as the contract's ids are)."""
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def state_path(destination: Path, source: str) -> Path:
    return destination / "_adapter" / f"{source}.json"


def load_state(destination: Path, source: str) -> dict[str, Any]:
    path = state_path(destination, source)
    if not path.is_file():
        return {"adapted": [], "tables": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def save_state(destination: Path, source: str, state: dict[str, Any]) -> None:
    path = state_path(destination, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def source_table(data: pa.Table) -> pa.Table:
    """A destination table without Airbyte's columns: the source's own."""
    return data.drop_columns(
        [name for name in data.column_names if name in SYSTEM_COLUMNS or name.startswith(PREFIXES)]
    )


def newest_extraction(path: Path) -> int:
    """The newest ``_airbyte_extracted_at`` of a destination file, in microseconds."""
    column = pq.read_table(path, columns=[EXTRACTED_AT])[EXTRACTED_AT]
    newest = pc.max(column.cast(pa.timestamp("us", tz="UTC")))
    return int(newest.cast(pa.int64()).as_py() or 0)


def _write_load(
    cfg: StackConfig, source: str, table: str, load_id: str, batches: Iterator[pa.Table]
) -> int:
    fs, bronze = cfg.module("data_lake").bronze_filesystem(cfg)
    folder = f"{bronze}/{source}/{table}/{LOAD_FOLDER_PREFIX}{load_id}"
    fs.delete_dir_contents(folder, missing_dir_ok=True)  # a load that did not commit
    lineage = Lineage(source, table, load_id)
    written: list[tuple[str, str]] = []
    rows = 0
    for number, batch in enumerate(batches):
        if not written:
            fs.create_dir(folder, recursive=True)
        data = lineage(batch)
        partial = f"{folder}/.{number:04d}-{uuid.uuid4().hex}{PARTIAL}"
        pq.write_table(data, partial, filesystem=fs)
        written.append((partial, f"{folder}/{number:04d}.parquet"))
        rows += data.num_rows
    for partial, final in written:
        fs.move(partial, final)
    if not written and _exists(fs, folder):
        fs.delete_dir(folder)
    return rows


def _exists(fs: Any, path: str) -> bool:
    from pyarrow.fs import FileType

    return fs.get_file_info(path).type != FileType.NotFound


def adapt_file(
    cfg: StackConfig, source: str, table: str, path: Path, state: dict[str, Any]
) -> tuple[int, str]:
    """Write one destination file of ``table`` as one bronze load; (rows, load id). ``state``
    (the table's cursor) is updated in place."""
    table_state: dict[str, Any] = state["tables"].setdefault(table, {})

    def read(_cursor: Cursor) -> Iterator[pa.Table]:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
            yield source_table(pa.Table.from_batches([batch]))

    load_id = load_id_of(newest_extraction(path))
    rows = _write_load(cfg, source, table, load_id, selected_batches(table, read, table_state))
    return rows, load_id


def adapt_source(
    cfg: StackConfig, source: str, destination: Path
) -> tuple[dict[str, int], list[str]]:
    """Adapt every destination file of ``source`` not adapted yet, oldest first (PyAirbyte's
    files are named after their sync's time, Airbyte's S3 destination's after the date and
    epoch); (rows per table, load ids written)."""
    state = load_state(destination, source)
    adapted = set(state["adapted"])
    rows = dict.fromkeys(SOURCE_TABLES[source], 0)
    load_ids: list[str] = []
    for table in SOURCE_TABLES[source]:
        for path in sorted(stream_dir(destination, source, table).glob("*.parquet")):
            key = f"{table}/{path.name}"
            if key in adapted:
                continue
            count, load_id = adapt_file(cfg, source, table, path, state)
            rows[table] += count
            if count:
                load_ids.append(load_id)
            state["adapted"].append(key)
            save_state(destination, source, state)
    return rows, sorted(set(load_ids))
