"""The local replay: NOT Fivetran. A stand-in that lands the sample sources in the shape a
Fivetran connector gives its destination (``shape.py``), so the whole platform runs on a laptop
with no Fivetran account; ``mode: sync`` uses the real connectors instead.

One replayed sync of a connector reads its source with the readers every in-process tool shares
(``ingestion/readers/``: the same incremental cursor on ``updated_at``, the same types), renames
columns as Fivetran does, adds ``_fivetran_synced`` (the sync's time) and ``_fivetran_deleted``
(false: the sample sources never delete) and appends the rows to the destination tables, one
parquet file per table and sync (``<sync>.parquet``; a second file when a column fell back to
text mid-sync). Like a file connector keyed on file and line, it keeps every row the source
served; a database connector merges by primary key instead, which silver's deduplication
handles just the same.

The connector state (cursor per table, files read) plays Fivetran's own: it is kept beside the
tables it describes, in ``<destination>/_replay/<connector>.json`` (so a container that mounts
the destination keeps it too, and removing the destination removes it), saved when a sync
commits. A sync that was killed midway
left files of a sync that never committed: the next sync removes them first, then reads again
from the committed state, so no row lands twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..readers.sources import selected_batches, table_reader
from .shape import DELETED, SYNCED, SYNCED_TYPE, fivetran_name, table_dir

STATE_VERSION = 1


@dataclass(frozen=True)
class Sync:
    """What one replayed sync of a connector wrote: rows per table, and its time."""

    connector: str
    synced_at: datetime
    rows: dict[str, int]


def sync_name(moment: datetime) -> str:
    """A sync's file stem: its time in microseconds since the epoch (sorts in sync order)."""
    return str(int(moment.timestamp()) * 1_000_000 + moment.microsecond)


def state_path(cfg: StackConfig, connector: str) -> Path:
    return destination_path(cfg) / "_replay" / f"{connector}.json"


def destination_path(cfg: StackConfig) -> Path:
    return cfg.resolve(cfg.ingestion.destination)


def _load_state(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"version": STATE_VERSION, "tables": {}, "syncs": []}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state atomically: a sync commits when its state is saved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def _drop_uncommitted(folder: Path, committed: set[str]) -> None:
    """Remove files of a sync that never committed (killed midway)."""
    for path in folder.glob("*.parquet"):
        if path.stem.split("-")[0] not in committed:
            path.unlink()
    for path in folder.glob("*.partial"):
        path.unlink()


def _fivetran_table(data: pa.Table, synced: pa.Scalar) -> pa.Table:
    """A batch in Fivetran's shape: snake_case names and the two system columns."""
    data = data.rename_columns([fivetran_name(name) for name in data.column_names])
    data = data.append_column(pa.field(SYNCED, SYNCED_TYPE), pa.repeat(synced, data.num_rows))
    return data.append_column(
        pa.field(DELETED, pa.bool_()), pa.repeat(pa.scalar(False), data.num_rows)
    )


class _TableWriter:
    """Appends one sync's batches of one table: a parquet file per shape of the table."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.writers: list[tuple[pq.ParquetWriter, Path]] = []
        self.rows = 0

    def write(self, data: pa.Table) -> None:
        writer = next((w for w, _ in self.writers if w.schema.equals(data.schema)), None)
        if writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            suffix = f"-{len(self.writers)}" if self.writers else ""
            path = self.folder / f"{self.name}{suffix}.parquet.partial"
            writer = pq.ParquetWriter(path, data.schema)
            self.writers.append((writer, path))
        writer.write_table(data)
        self.rows += data.num_rows

    def close(self) -> None:
        for writer, path in self.writers:
            writer.close()
            os.replace(path, path.with_suffix(""))


def sync_connector(cfg: StackConfig, connector: str, api_base_url: str | None = None) -> Sync:
    """Replay one sync of ``connector`` (a source name) into the local destination."""
    if connector not in SOURCE_TABLES:
        raise ValueError(f"unknown connector {connector!r}; expected one of {tuple(SOURCE_TABLES)}")
    path = state_path(cfg, connector)
    state = _load_state(path)
    destination = destination_path(cfg)
    committed = set(state["syncs"])
    configured = None if cfg.api_base_url == "sample" else cfg.api_base_url
    synced_at = datetime.now(UTC)
    name = sync_name(synced_at)
    synced = pa.scalar(synced_at, type=SYNCED_TYPE)
    rows: dict[str, int] = {}
    for table in SOURCE_TABLES[connector]:
        folder = table_dir(destination, connector, table)
        _drop_uncommitted(folder, committed)
        table_state: dict[str, Any] = state["tables"].setdefault(table, {})
        read = table_reader(
            connector,
            table,
            files_dir=cfg.files_dir,
            db_path=cfg.sqlite_path,
            api_base_url=api_base_url or configured,
            api_page_size=cfg.api_page_size,
            api_data_path=cfg.api_data_path,
            files_state=lambda table_state=table_state: table_state,
        )
        writer = _TableWriter(folder, name)
        try:
            for batch in selected_batches(table, read, table_state):
                writer.write(_fivetran_table(batch, synced))
        finally:
            writer.close()
        rows[table] = writer.rows
    state["syncs"].append(name)
    _save_state(path, state)
    return Sync(connector, synced_at, rows)
