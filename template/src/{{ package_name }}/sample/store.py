"""The generator's own store: the CLEAN current rows of every sample table (sqlite).

The simulation writes here; the sources (files, shop database, API data) are published from it
with their dirt added, and the ground truth is computed from it. Values are kept in exact,
easy-to-compute forms: timestamps as epoch seconds, dates as epoch days, money as cents.
Each row remembers the batch that first published it and the batch of its current version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path

from .schema import DRIFT_COLUMNS, TABLES, SourceTable

STORE_TYPES = {
    "id": "INTEGER",
    "int": "INTEGER",
    "money": "INTEGER",
    "bool": "INTEGER",
    "ts": "INTEGER",
    "date": "INTEGER",
    "text": "TEXT",
}
# Planned future changes (the simulation's timeline), kept beside the rows they change.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "plan_cancel_at INTEGER",
        "plan_ship_at INTEGER",
        "plan_deliver_at INTEGER",
        "plan_promised_at INTEGER",
        "plan_carrier TEXT",
        "plan_refund_at INTEGER",
        "plan_refund_cents INTEGER",
        "plan_refund_reason TEXT",
        "plan_ticket_at INTEGER",
        "next_event_at INTEGER",
    ),
    "subscriptions": ("plan_cancel_at INTEGER", "next_event_at INTEGER"),
    "support_tickets": ("plan_resolve_at INTEGER", "next_event_at INTEGER"),
}


def store_columns(table: SourceTable) -> tuple[str, ...]:
    """The table's source columns (with drift columns) in store order."""
    return table.column_names + tuple(column.name for column in DRIFT_COLUMNS.get(table.name, ()))


def _create_table(table: SourceTable) -> str:
    columns = [f"{c.name} {STORE_TYPES[c.kind]}" for c in table.columns]
    columns += [f"{c.name} {STORE_TYPES[c.kind]}" for c in DRIFT_COLUMNS.get(table.name, ())]
    columns += list(PLAN_COLUMNS.get(table.name, ()))
    columns += ["first_batch INTEGER NOT NULL", "batch INTEGER NOT NULL"]
    key = ", ".join(table.key)
    return (
        f"CREATE TABLE {table.name} ({', '.join(columns)}, PRIMARY KEY ({key})) WITHOUT ROWID;\n"
        f"CREATE INDEX {table.name}_batch ON {table.name} (batch);\n"
    )


SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    + "".join(_create_table(table) for table in TABLES)
    + "CREATE INDEX order_items_order ON order_items (order_id);\n"
    + "CREATE INDEX orders_next_event ON orders (next_event_at);\n"
    + "CREATE INDEX subscriptions_next_event ON subscriptions (next_event_at);\n"
    + "CREATE INDEX support_tickets_next_event ON support_tickets (next_event_at);\n"
)


class Store:
    """A connection to the store with buffered inserts (flushed every ``chunk_rows``)."""

    def __init__(self, path: Path, *, fresh: bool, chunk_rows: int = 20_000) -> None:
        if fresh:
            path.unlink(missing_ok=True)
        elif not path.is_file():
            raise FileNotFoundError(f"{path}: no sample data yet (run `platform generate`)")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        if fresh:
            self.connection.executescript(SCHEMA)
        self.chunk_rows = chunk_rows
        self._pending: dict[str, list[Sequence[object]]] = {}
        self._statements: dict[str, str] = {}

    # ------------------------------------------------------------------ meta
    def get_meta(self, name: str, default: str | None = None) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, name: str, value: object) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, str(value))
        )

    # ------------------------------------------------------------------ rows
    def insert(self, table: str, columns: tuple[str, ...], row: Sequence[object]) -> None:
        """Buffer one row (values for ``columns`` plus first_batch and batch appended)."""
        if table not in self._statements:
            names = (*columns, "first_batch", "batch")
            marks = ", ".join("?" for _ in names)
            self._statements[table] = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        pending = self._pending.setdefault(table, [])
        pending.append(row)
        if len(pending) >= self.chunk_rows:
            self._flush(table)

    def update(
        self, table: str, assignments: str, key: str, rows: Iterable[Sequence[object]]
    ) -> None:
        """``UPDATE table SET <assignments> WHERE <key> = ?`` for each row (key value last)."""
        self.flush()
        self.connection.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = ?", rows)

    def _flush(self, table: str) -> None:
        pending = self._pending.get(table)
        if pending:
            self.connection.executemany(self._statements[table], pending)
            pending.clear()

    def flush(self) -> None:
        for table in list(self._pending):
            self._flush(table)

    def query(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        self.flush()
        return self.connection.execute(sql, params)

    def commit(self) -> None:
        self.flush()
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def read_meta(path: Path) -> dict[str, str]:
    """The store's meta values, or {} when there is no store."""
    if not path.is_file():
        return {}
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return {name: value for name, value in connection.execute("SELECT name, value FROM meta")}
