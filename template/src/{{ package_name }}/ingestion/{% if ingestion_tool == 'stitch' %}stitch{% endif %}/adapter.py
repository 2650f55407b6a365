"""The bronze adapter: Stitch's destination objects -> the bronze contract, once for every
source, so silver, gold and the marts read the same bronze whichever tool ingested.

For each table of an integration, the objects whose ``timestamp_loaded`` (in their key) is newer
than what bronze already holds become one load: ``<bronze>/<source>/<table>/load_id=<id>/``,
where the load id is the newest ``timestamp_loaded`` of those objects (seconds since the epoch).
Bronze itself is therefore the adapter's cursor (so ``<bronze>/<source>/`` is written by this
adapter only): a re-run adds nothing, a run killed after writing some tables resumes with the
others, and a bronze that was removed is written again in full. The mapping:

- the JSON records get each catalog column's bronze type, or text where a value does not fit
  (``readers/values.py``), so bronze has the schema every other tool writes;
- Stitch's lower-cased names go back to the source's names (the sample's catalog);
- the ``_sdc_*`` columns are dropped; a row with ``_sdc_deleted_at`` is a deletion in the
  source, not a row the source served, so it is not loaded;
- the lineage columns of the contract are added (``_load_id``, ``_row_id``, ``_loaded_at``,
  ``_source``), as every ingestion tool writes them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow.fs import FileSelector, FileType

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..contract import LOAD_FOLDER_PREFIX, SourceLoad
from ..readers.sources import Lineage
from ..readers.values import known_types, records_table
from .shape import DELETED, SYSTEM_PREFIX, loaded_ms_of, stitch_name, table_dir

PARTIAL = ".partial"
CHUNK_ROWS = 50_000


def load_id_of(loaded_ms: int) -> str:
    """``1763371234.123000``: a load id (a Unix timestamp, as the contract's ids are)."""
    return f"{loaded_ms // 1000}.{loaded_ms % 1000:03d}000"


def ms_of(load_id: str) -> int:
    seconds, _, fraction = load_id.partition(".")
    return int(seconds) * 1000 + int((fraction + "000")[:3])


def _bronze_cursor(fs: Any, base: str) -> int | None:
    """The newest load in ``base`` (a bronze table folder), in milliseconds; None: empty.

    A load folder still holding ``.partial`` files, or no parquet file at all, was being written
    when a run was killed (its files are renamed only once all are written; on object storage
    a file being uploaded is not listed yet, so the folder can look empty): it is removed, and
    loaded again."""
    newest = None
    for info in fs.get_file_info(FileSelector(base, allow_not_found=True)):
        name = info.base_name
        if info.type != FileType.Directory or not name.startswith(LOAD_FOLDER_PREFIX):
            continue
        names = [file.base_name for file in fs.get_file_info(FileSelector(info.path))]
        if any(n.endswith(PARTIAL) for n in names) or not any(
            n.endswith(".parquet") for n in names
        ):
            fs.delete_dir(info.path)
            continue
        loaded = ms_of(name.removeprefix(LOAD_FOLDER_PREFIX))
        newest = loaded if newest is None else max(newest, loaded)
    return newest


def new_objects(folder: Path, after: int | None) -> list[tuple[int, Path]]:
    """The destination objects loaded after ``after`` (milliseconds), oldest first."""
    found = [(loaded_ms_of(path), path) for path in folder.glob("*.jsonl")]
    return sorted(
        (loaded, path)
        for loaded, path in found
        if loaded is not None and (after is None or loaded > after)
    )


def _records(path: Path, names: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    """The object's live rows in chunks, with the source's names and no ``_sdc_*`` columns."""
    with path.open(encoding="utf-8") as lines:
        while chunk := list(islice(lines, CHUNK_ROWS)):
            records = []
            for line in chunk:
                if not line.strip():
                    continue
                row = json.loads(line)
                if row.get(DELETED) is not None:
                    continue
                records.append(
                    {
                        names.get(key, key): value
                        for key, value in row.items()
                        if not key.startswith(SYSTEM_PREFIX)
                    }
                )
            if records:
                yield records


def _table(records: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    """Records in bronze types: the catalog's columns present (in catalog order), then others."""
    present = {key for record in records for key in record}
    return records_table(records, {name: kind for name, kind in types.items() if name in present})


def adapt_table(cfg: StackConfig, source: str, table: str, destination: Path) -> tuple[int, str]:
    """Write the new objects of one destination table as one bronze load; (rows, load id)."""
    fs, bronze = cfg.module("data_lake").bronze_filesystem(cfg)
    base = f"{bronze}/{source}/{table}"
    objects = new_objects(table_dir(destination, source, table), _bronze_cursor(fs, base))
    if not objects:
        return 0, ""
    load_id = load_id_of(objects[-1][0])
    lineage = Lineage(source, table, load_id)
    types = known_types(table)
    names = {stitch_name(name): name for name in types}
    folder = f"{base}/{LOAD_FOLDER_PREFIX}{load_id}"
    written: list[tuple[str, str, int]] = []
    for _, path in objects:
        for records in _records(path, names):
            if not written:
                fs.create_dir(folder, recursive=True)
            data = lineage(_table(records, types))
            number = len(written)
            partial = f"{folder}/.{number:04d}-{uuid.uuid4().hex}{PARTIAL}"
            pq.write_table(data, partial, filesystem=fs)
            written.append((partial, f"{folder}/{number:04d}.parquet", data.num_rows))
    for partial, final, _ in written:
        fs.move(partial, final)
    return sum(rows for _, _, rows in written), (load_id if written else "")


def adapt_source(cfg: StackConfig, source: str, destination: Path, seconds: float) -> SourceLoad:
    """Adapt every table of ``source``'s integration; what bronze gained."""
    rows: dict[str, int] = {}
    load_ids: list[str] = []
    for table in SOURCE_TABLES[source]:
        rows[table], load_id = adapt_table(cfg, source, table, destination)
        if load_id and load_id not in load_ids:
            load_ids.append(load_id)
    return SourceLoad(source=source, rows=rows, seconds=seconds, load_ids=sorted(load_ids))
