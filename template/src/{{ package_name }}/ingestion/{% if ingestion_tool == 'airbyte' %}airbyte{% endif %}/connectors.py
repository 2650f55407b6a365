"""The project's own Airbyte connectors, written with the Airbyte CDK (``airbyte-cdk``), for the
two sample sources no PyPI connector reads as the platform needs:

- ``source-shop-files``: the batch files of the files source (``<table>_<batch>.jsonl|csv``), a
  stream per table; only the files named in the config (the ones not read yet) are read, and
  every record carries the file it came from (``_ab_source_file_url``, as Airbyte's file-based
  connectors write it).
- ``source-shop-db``: the shop's sqlite tables, a stream per table, the rows whose
  ``updated_at`` is at or after the config's ``updated_since`` (or is not a timestamp).

They speak the Airbyte protocol (``spec``, ``check``, ``discover``, ``read``) and run ONLY in the
Airbyte environment (``.venv-airbyte``), never in the platform's: PyAirbyte starts them as local
executables (``python connectors.py <files|shop_db> read --config ... --catalog ...``). Every
value is declared as text or null: the bronze adapter gives each column its bronze type, so a
value that does not fit its type is kept as the source wrote it.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from airbyte_cdk.entrypoint import launch
from airbyte_cdk.models import ConnectorSpecification, SyncMode
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream

FILE_URL = "_ab_source_file_url"
TEXT = {"type": ["null", "string"]}


def _schema(columns: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": True,
        "properties": dict.fromkeys(columns, TEXT),
    }


def _text(value: Any) -> str | None:
    """A value as text (numbers and booleans as JSON writes them)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


class FileTable(Stream):
    """One table of the files source: the listed files of it, in name order."""

    primary_key = None

    def __init__(self, name: str, folder: Path, files: list[str]) -> None:
        self._name, self.folder, self.files = name, folder, files
        self._schema: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self._name

    def _rows(self, path: Path) -> Iterator[dict[str, Any]]:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix == ".csv":  # an empty field is null, as the platform reads CSV
                for row in csv.DictReader(handle):
                    yield {name: value if value != "" else None for name, value in row.items()}
                return
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def get_json_schema(self) -> Mapping[str, Any]:
        # Every field of the files (the CDK asks for the schema often: it is read once).
        if self._schema is None:
            columns: dict[str, None] = {}
            for name in self.files:
                for row in self._rows(self.folder / name):
                    columns.update(dict.fromkeys(row))
            self._schema = _schema([*columns, FILE_URL])
        return self._schema

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        for name in self.files:
            path = self.folder / name
            for row in self._rows(path):
                yield {**{k: _text(v) for k, v in row.items()}, FILE_URL: path.as_uri()}


class DbTable(Stream):
    """One sqlite table, from ``updated_since`` on (rows whose ``updated_at`` is not a
    timestamp too: the platform's cursor decides which rows to load)."""

    def __init__(self, name: str, key: str, path: Path, updated_since: str) -> None:
        self._name, self._key, self.path, self.since = name, key, path, updated_since
        self._schema: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def primary_key(self) -> str:
        return self._key

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)

    def get_json_schema(self) -> Mapping[str, Any]:
        if self._schema is None:
            with closing(self._connect()) as connection:
                info = connection.execute(f'PRAGMA table_info("{self._name}")').fetchall()
            self._schema = _schema(row[1] for row in info)
        return self._schema

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        query = (
            f'SELECT * FROM "{self._name}" WHERE updated_at >= ? OR updated_at IS NULL '
            f"OR updated_at < '0' ORDER BY updated_at, \"{self._key}\""
        )
        with closing(self._connect()) as connection:
            cursor = connection.execute(query, (self.since,))
            names = [column[0] for column in cursor.description]
            while rows := cursor.fetchmany(10_000):
                for row in rows:
                    yield {name: _text(value) for name, value in zip(names, row, strict=True)}


class SampleSource(AbstractSource):
    """``files`` or ``shop_db``; the streams (tables) and their keys come from the config."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def spec(self, logger: Any) -> ConnectorSpecification:
        required = ["folder", "tables"] if self.kind == "files" else ["path", "tables"]
        return ConnectorSpecification(
            connectionSpecification={
                "type": "object",
                "required": required,
                "properties": {
                    "folder": {"type": "string", "description": "the files' folder"},
                    "path": {"type": "string", "description": "the sqlite database file"},
                    "tables": {"type": "object", "description": "table -> files or key"},
                    "updated_since": {"type": "string", "default": ""},
                },
            }
        )

    def check_connection(self, logger: Any, config: Mapping[str, Any]) -> tuple[bool, Any]:
        where = Path(config["folder"] if self.kind == "files" else config["path"])
        if not where.exists():
            return False, f"{where} not found"
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        tables: Mapping[str, Any] = config["tables"]
        if self.kind == "files":
            folder = Path(config["folder"])
            return [FileTable(name, folder, list(files)) for name, files in tables.items()]
        path = Path(config["path"])
        since = config.get("updated_since", "")
        return [DbTable(name, key, path, since) for name, key in tables.items()]


if __name__ == "__main__":
    launch(SampleSource(sys.argv[1]), sys.argv[2:])
