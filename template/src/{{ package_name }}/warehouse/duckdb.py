"""DuckDB warehouse helpers: short-lived connections for querying the marts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from ..config import StackConfig


class WarehouseMissing(FileNotFoundError):
    """The DuckDB file does not exist yet (run the transform step first)."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@contextmanager
def connect(cfg: StackConfig, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse file (read-only by default: it never blocks a writer
    in this process and fails fast, with DuckDB's message, if another process writes)."""
    if read_only and not cfg.duckdb_path.is_file():
        raise WarehouseMissing(f"{cfg.duckdb_path}: warehouse not found (run `platform run`)")
    cfg.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(cfg.duckdb_path), read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def query(cfg: StackConfig, sql: str, params: list[Any] | None = None) -> QueryResult:
    """Run one query read-only and return its columns and rows."""
    with connect(cfg) as connection:
        cursor = connection.execute(sql, params or [])
        columns = [description[0] for description in cursor.description or []]
        return QueryResult(columns=columns, rows=cursor.fetchall())


def list_tables(cfg: StackConfig, schema: str) -> list[str]:
    result = query(
        cfg,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
        "ORDER BY table_name",
        [schema],
    )
    return [row[0] for row in result.rows]


def check_lockable(cfg: StackConfig) -> str:
    """Open the warehouse read-write and close it again; raises duckdb.Error when locked."""
    existed = cfg.duckdb_path.is_file()
    if not existed:
        duckdb.connect(":memory:").close()
        cfg.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return f"{cfg.duckdb_path} will be created on the first transform"
    with connect(cfg, read_only=False) as connection:
        connection.execute("SELECT 1").fetchone()
    return f"{cfg.duckdb_path} opens read-write"
