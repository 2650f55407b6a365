"""The bronze adapter: Fivetran's destination tables -> the bronze contract, once for every
source, so silver, gold and the marts read the same bronze whichever tool ingested.

For each table of a connector's schema, the rows whose ``_fivetran_synced`` is newer than what
bronze already holds become one load: ``<bronze>/<source>/<table>/load_id=<id>/``, where the
load id is the newest ``_fivetran_synced`` of those rows (seconds since the epoch, to the
microsecond). Bronze itself is therefore the adapter's cursor (so ``<bronze>/<source>/`` is
written by this adapter only): a re-run adds nothing, a run killed after writing some tables
resumes with the others, and a bronze that was removed is written again in full. The mapping:

- Fivetran's snake_case names go back to the source's names (the sample's catalog);
- ``_fivetran_synced`` and ``_fivetran_deleted`` are dropped; a row Fivetran marks deleted is a
  deletion in the source, not a row the source served, so it is not loaded;
- the lineage columns of the contract are added (``_load_id``, ``_row_id``, ``_loaded_at``,
  ``_source``), as every ingestion tool writes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow.fs import FileSelector, FileType

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..contract import LOAD_FOLDER_PREFIX, SourceLoad
from ..readers.sources import Lineage
from ..readers.values import known_types
from .shape import DELETED, SYNCED, SYNCED_TYPE, fivetran_name, table_dir

PARTIAL = ".partial"


def load_id_of(micros: int) -> str:
    """``1763371234.123456``: a load id (a Unix timestamp, as the contract's ids are)."""
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def micros_of(load_id: str) -> int:
    seconds, _, fraction = load_id.partition(".")
    return int(seconds) * 1_000_000 + int((fraction + "000000")[:6])


def source_names(table: str) -> dict[str, str]:
    """Fivetran's name of each catalog column of ``table`` -> the source's name."""
    return {fivetran_name(name): name for name in known_types(table)}


def _bronze_cursor(fs: Any, base: str) -> int | None:
    """The newest load in ``base`` (a bronze table folder), in microseconds; None: empty.

    A load folder still holding ``.partial`` files, or no parquet file at all, was being written
    when a run was killed (its files are renamed only once all are written; on object storage
    a file being uploaded is not listed yet, so the folder can look empty): it is removed, and
    loaded again."""
    newest = None
    for info in fs.get_file_info(FileSelector(base, allow_not_found=True)):
        name = info.base_name
        if info.type != FileType.Directory or not name.startswith(LOAD_FOLDER_PREFIX):
            continue
        files = fs.get_file_info(FileSelector(info.path))
        names = [file.base_name for file in files]
        if any(n.endswith(PARTIAL) for n in names) or not any(
            n.endswith(".parquet") for n in names
        ):
            fs.delete_dir(info.path)
            continue
        micros = micros_of(name.removeprefix(LOAD_FOLDER_PREFIX))
        newest = micros if newest is None else max(newest, micros)
    return newest


def _new_rows(folder: Path, table: str, after: int | None) -> Iterator[pa.Table]:
    """Rows of the destination table synced after ``after`` (microseconds), not deleted, with
    the source's names and no Fivetran columns; one table per destination file."""
    names = source_names(table)
    for path in sorted(folder.glob("*.parquet")):
        data = pq.read_table(path)
        keep = pc.invert(pc.fill_null(data[DELETED], False))
        if after is not None:
            bound = pa.scalar(after, type=pa.int64()).cast(SYNCED_TYPE)
            keep = pc.and_(keep, pc.greater(data[SYNCED], bound))
        data = data.filter(keep)
        if data.num_rows:
            yield data.rename_columns([names.get(name, name) for name in data.column_names])


def adapt_table(cfg: StackConfig, source: str, table: str, destination: Path) -> tuple[int, str]:
    """Write the new rows of one destination table as one bronze load; (rows, load id)."""
    fs, bronze = cfg.module("data_lake").bronze_filesystem(cfg)
    base = f"{bronze}/{source}/{table}"
    batches = list(
        _new_rows(table_dir(destination, source, table), table, _bronze_cursor(fs, base))
    )
    if not batches:
        return 0, ""
    newest = max(pc.max(batch[SYNCED]).value for batch in batches)
    load_id = load_id_of(newest)
    lineage = Lineage(source, table, load_id)
    folder = f"{base}/{LOAD_FOLDER_PREFIX}{load_id}"
    fs.create_dir(folder, recursive=True)
    written = []
    for number, batch in enumerate(batches):
        data = lineage(batch.drop_columns([SYNCED, DELETED]))
        partial = f"{folder}/.{number:04d}-{uuid.uuid4().hex}{PARTIAL}"
        pq.write_table(data, partial, filesystem=fs)
        written.append((partial, f"{folder}/{number:04d}.parquet", data.num_rows))
    for partial, final, _ in written:
        fs.move(partial, final)
    return sum(rows for _, _, rows in written), load_id


def adapt_source(cfg: StackConfig, source: str, destination: Path, seconds: float) -> SourceLoad:
    """Adapt every table of ``source``'s connector schema; what bronze gained."""
    rows: dict[str, int] = {}
    load_ids: list[str] = []
    for table in SOURCE_TABLES[source]:
        rows[table], load_id = adapt_table(cfg, source, table, destination)
        if load_id and load_id not in load_ids:
            load_ids.append(load_id)
    return SourceLoad(source=source, rows=rows, seconds=seconds, load_ids=sorted(load_ids))
