"""The local replay: NOT Stitch. A stand-in that lands the sample sources in the shape Stitch's
Amazon S3 destination gives them (``shape.py``), so the whole platform runs on a laptop with no
Stitch account; ``mode: sync`` starts the real integrations' replication jobs instead.

One replayed replication job of an integration reads its source with the readers every
in-process tool shares (``ingestion/readers/``: the same incremental cursor on ``updated_at``,
the same types), writes each table's new rows as one JSON Lines object
(``<table_version>_<timestamp_loaded>.jsonl``) with Stitch's ``_sdc_*`` columns, and names
columns as Stitch does. Like Stitch's append-only destinations, it keeps every row the source
served; silver's deduplication picks the newest version of a row.

The integration's state (cursor per table, files read) plays Stitch's own bookmarks: it is kept
beside the objects it describes, in ``<destination>/_replay/<integration>.json`` (so a container
that mounts the destination keeps it too, and removing the destination removes it), saved when
a job commits. A job that was killed midway
left objects of a job that never committed: the next job removes them first, then reads again
from the committed state, so no row lands twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..readers.sources import selected_batches, table_reader
from .shape import (
    BATCHED,
    EXTRACTED,
    RECEIVED,
    SEQUENCE,
    SUFFIX,
    TABLE_VERSION,
    loaded_ms_of,
    object_name,
    stitch_name,
    table_dir,
)

STATE_VERSION = 1
PARTIAL = ".partial"


@dataclass(frozen=True)
class Job:
    """What one replayed replication job wrote: rows per table, and when it loaded."""

    integration: str
    loaded_ms: int
    rows: dict[str, int]


def state_path(cfg: StackConfig, integration: str) -> Path:
    return destination_path(cfg) / "_replay" / f"{integration}.json"


def destination_path(cfg: StackConfig) -> Path:
    return cfg.resolve(cfg.ingestion.destination)


def _load_state(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"version": STATE_VERSION, "tables": {}, "jobs": []}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state atomically: a job commits when its state is saved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def _drop_uncommitted(folder: Path, committed: set[int]) -> None:
    """Remove objects of a job that never committed (killed midway)."""
    for path in folder.glob(f"*{SUFFIX}"):
        if loaded_ms_of(path) not in committed:
            path.unlink()
    for path in folder.glob(f"*{PARTIAL}"):
        path.unlink()


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _ObjectWriter:
    """Writes one job's rows of one table as a JSON Lines object, renamed into place at the
    end (an object appears whole or not at all)."""

    def __init__(self, folder: Path, name: str, system: dict[str, Any]) -> None:
        self.final = folder / name
        self.partial = folder / f"{name}{PARTIAL}"
        self.system = system
        self.file: TextIO | None = None
        self.rows = 0

    def write(self, data: pa.Table) -> None:
        if self.file is None:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.partial.open("w", encoding="utf-8")
        names = [stitch_name(name) for name in data.column_names]
        lines = []
        for record in data.to_pylist():
            row = dict(zip(names, record.values(), strict=True))
            row.update(self.system, **{SEQUENCE: self.system[SEQUENCE] + self.rows})
            self.rows += 1
            lines.append(json.dumps(row, separators=(",", ":")))
        self.file.write("\n".join(lines) + "\n")

    def close(self, complete: bool) -> None:
        """Close the object; only a complete one is renamed into place (a failed job leaves
        its ``.partial`` file, which the next job removes)."""
        if self.file is not None:
            self.file.close()
            if complete:
                os.replace(self.partial, self.final)


def replicate(cfg: StackConfig, integration: str, api_base_url: str | None = None) -> Job:
    """Replay one replication job of ``integration`` (a source name) into the destination."""
    if integration not in SOURCE_TABLES:
        raise ValueError(
            f"unknown integration {integration!r}; expected one of {tuple(SOURCE_TABLES)}"
        )
    path = state_path(cfg, integration)
    state = _load_state(path)
    destination = destination_path(cfg)
    committed = set(state["jobs"])
    configured = None if cfg.api_base_url == "sample" else cfg.api_base_url
    started = datetime.now(UTC)
    loaded_ms = max(int(started.timestamp() * 1000), max(committed, default=0) + 1)
    loaded = datetime.fromtimestamp(loaded_ms / 1000, UTC)
    rows: dict[str, int] = {}
    for table in SOURCE_TABLES[integration]:
        folder = table_dir(destination, integration, table)
        _drop_uncommitted(folder, committed)
        table_state: dict[str, Any] = state["tables"].setdefault(table, {})
        version = table_state.setdefault("table_version", loaded_ms)
        read = table_reader(
            integration,
            table,
            files_dir=cfg.files_dir,
            db_path=cfg.sqlite_path,
            api_base_url=api_base_url or configured,
            api_page_size=cfg.api_page_size,
            api_data_path=cfg.api_data_path,
            files_state=lambda table_state=table_state: table_state,
        )
        system = {
            EXTRACTED: _instant(started),
            RECEIVED: _instant(loaded),
            BATCHED: _instant(loaded),
            SEQUENCE: loaded_ms * 1000,
            TABLE_VERSION: version,
        }
        writer = _ObjectWriter(folder, object_name(version, loaded_ms), system)
        complete = False
        try:
            for batch in selected_batches(table, read, table_state):
                writer.write(batch)
            complete = True
        finally:
            writer.close(complete)
        rows[table] = writer.rows
    state["jobs"].append(loaded_ms)
    _save_state(path, state)
    return Job(integration, loaded_ms, rows)
