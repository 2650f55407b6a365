"""Publish one batch from the store to the sources, adding the dirt real sources carry.

- files: one file per table and batch (``customers_0002.jsonl``), written to a temporary name
  and renamed, so a reader never sees half a file;
- shop database and API data (sqlite): rows inserted or replaced in place.

Dirt: exact duplicate lines (customers, web_events), junk rows with exactly one defect each
(see ``JUNK``), timestamps with UTC offsets or without a zone in a few real rows, and the
``loyalty_tier`` column from batch 2 on. What was added is counted for the ground truth.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .schema import DRIFT_COLUMNS, SHOP_API, SHOP_DB, TABLES, SourceTable
from .store import Store, store_columns

DAY = 86_400
JUNK_ID_BASE = 900_000_000
# Real rows whose timestamps carry an offset or no zone (chosen by key): value -> text.
ZONED_COLUMNS = {
    "customers": "signup_at",
    "orders": "ordered_at",
    "web_sessions": "started_at",
    "web_events": "occurred_at",
}
DUPLICATED_LINES = {"customers": (97, 5), "web_events": (89, 3)}  # key % m == r: line twice
SQL_TYPES = {"id": "INTEGER", "int": "INTEGER", "money": "REAL", "bool": "INTEGER"}

Row = dict[str, Any]
Mutation = Callable[[Row, int], None]

_DATES: dict[int, str] = {}


def format_date(day: int) -> str:
    text = _DATES.get(day)
    if text is None:
        text = _DATES[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
    return text


def format_ts(seconds: int, suffix: str = "Z") -> str:
    day, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    return f"{format_date(day)}T{hours:02d}:{minutes:02d}:{secs:02d}{suffix}"


def zoned_ts(seconds: int, key: int) -> str:
    """A few real rows: +02:00 / -05:00 offsets (same instant) or no zone (means UTC)."""
    if key % 31 == 7:
        return format_ts(seconds + 7_200, "+02:00")
    if key % 37 == 11:
        return format_ts(seconds - 18_000, "-05:00")
    if key % 43 == 13:
        return format_ts(seconds, "")
    return format_ts(seconds)


def _set(column: str, values: tuple[Any, ...]) -> Mutation:
    def mutate(row: Row, index: int) -> None:
        row[column] = values[index % len(values)]

    return mutate


def _negative_spend(row: Row, index: int) -> None:
    row["spend"] = -round(12.5 + index, 2)
    row["spend_date"] = f"2024-{1 + index // 28:02d}-{1 + index % 28:02d}"


# table -> [(dq reason, mutation)]; each junk row gets a fresh key and exactly one defect.
JUNK: dict[str, list[tuple[str, Mutation]]] = {
    "customers": [
        ("invalid_email", _set("email", ("no-at-sign", "a@b", "two@@example.com", "x y@z.io"))),
        ("missing_email", _set("email", (None,))),
        ("missing_customer_id", _set("customer_id", (None,))),
    ],
    "products": [("missing_unit_price", _set("unit_price", (None,)))],
    "ad_spend": [("invalid_spend", _negative_spend)],
    "web_sessions": [("missing_started_at", _set("started_at", (None,)))],
    "web_events": [
        ("invalid_timestamp", _set("occurred_at", ("not-a-date", "2026-02-31T10:00:00Z"))),
        ("missing_session_id", _set("session_id", (None,))),
    ],
    "orders": [
        ("invalid_timestamp", _set("ordered_at", ("not-a-date", "2026-02-31T10:00:00Z"))),
        ("missing_customer_id", _set("customer_id", (None,))),
    ],
    "order_items": [
        ("invalid_quantity", _set("quantity", (0, -1, -3))),
        ("missing_product_id", _set("product_id", (None,))),
    ],
    "payments": [("missing_amount", _set("amount", (None,)))],
    "support_tickets": [("missing_customer_id", _set("customer_id", (None,)))],
}


@dataclass
class TableCounts:
    """What one table got in one batch."""

    rows: int = 0
    junk: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    versions: int = 0

    @property
    def written(self) -> int:
        return self.rows + sum(self.junk.values()) + self.duplicates


@dataclass(frozen=True)
class Destinations:
    files_dir: Path
    shop_db: Path
    api_db: Path


def junk_count(rows: int) -> int:
    return 0 if rows == 0 else max(1, min(20, round(math.sqrt(rows) / 10)))


class _Formatter:
    def __init__(self, table: SourceTable, batch: int, csv_format: bool) -> None:
        self.table = table
        self.columns = store_columns(table) if batch > 1 else table.column_names
        kinds = {c.name: c.kind for c in (*table.columns, *DRIFT_COLUMNS.get(table.name, ()))}
        self.kinds = [kinds[name] for name in self.columns]
        self.zoned = ZONED_COLUMNS.get(table.name)
        self.csv = csv_format

    def __call__(self, values: tuple[Any, ...]) -> Row:
        row: Row = {}
        key = values[0]
        for name, kind, value in zip(self.columns, self.kinds, values, strict=False):
            if value is None:
                row[name] = None
            elif kind == "ts":
                row[name] = zoned_ts(value, key) if name == self.zoned else format_ts(value)
            elif kind == "date":
                row[name] = format_date(value)
            elif kind == "money":
                row[name] = f"{value / 100:.2f}" if self.csv else value / 100
            elif kind == "bool":
                row[name] = ("true" if value else "false") if self.csv else bool(value)
            else:
                row[name] = value
        return row


def _rows(store: Store, table: SourceTable, columns: tuple[str, ...], batch: int) -> Iterator:
    order = ", ".join(table.key)
    return store.query(
        f"SELECT {', '.join(columns)} FROM {table.name} WHERE batch = ? ORDER BY {order}",
        (batch,),
    )


def _junk_rows(table: SourceTable, template: Row | None, batch: int, rows: int) -> Iterator[tuple]:
    """(reason, row) pairs for the table's junk; keys from a range real rows never use."""
    if template is None:
        return
    count = junk_count(rows)
    for kind, (reason, mutate) in enumerate(JUNK.get(table.name, ())):
        for index in range(count):
            row = dict(template)
            if len(table.key) == 1:
                row[table.key[0]] = JUNK_ID_BASE + batch * 1_000_000 + kind * 10_000 + index
            if table.name == "customers":
                row["email"] = f"junk.{batch}.{kind}.{index}@example.org"
            row["updated_at"] = template["updated_at"]
            mutate(row, index)
            yield reason, row


def _publish_file(
    store: Store, table: SourceTable, batch: int, folder: Path, counts: TableCounts
) -> None:
    formatter = _Formatter(table, batch, csv_format=table.file_format == "csv")
    target = folder / table.batch_file_name(batch)
    partial = target.with_name(target.name + ".partial")
    duplicate = DUPLICATED_LINES.get(table.name)
    repeated: list[str] = []
    template: Row | None = None
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = None
        if table.file_format == "csv":
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(formatter.columns)

        def write(row: Row) -> str:
            if writer is not None:
                writer.writerow(["" if v is None else v for v in row.values()])
                return ""
            line = json.dumps(row, separators=(",", ":")) + "\n"
            handle.write(line)
            return line

        for values in _rows(store, table, formatter.columns, batch):
            row = formatter(values)
            template = template or row
            line = write(row)
            counts.rows += 1
            if duplicate and values[0] % duplicate[0] == duplicate[1]:
                if table.name == "web_events":
                    handle.write(line)
                else:
                    repeated.append(line)
                counts.duplicates += 1
        handle.writelines(repeated)
        for reason, row in _junk_rows(table, template, batch, counts.rows):
            write(row)
            counts.junk[reason] = counts.junk.get(reason, 0) + 1
    partial.replace(target)


def _sqlite_schema(table: SourceTable) -> str:
    columns = [f"{c.name} {SQL_TYPES.get(c.kind, 'TEXT')}" for c in table.columns]
    key = table.key[0]
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(columns)}, PRIMARY KEY ({key}));\n"
        f"CREATE INDEX IF NOT EXISTS {table.name}_updated_at ON {table.name} (updated_at, {key});\n"
    )


def _publish_sqlite(
    store: Store,
    table: SourceTable,
    batch: int,
    connection: sqlite3.Connection,
    counts: TableCounts,
) -> None:
    formatter = _Formatter(table, 1, csv_format=False)
    marks = ", ".join("?" for _ in table.columns)
    statement = (
        f"INSERT OR REPLACE INTO {table.name} ({', '.join(table.column_names)}) VALUES ({marks})"
    )
    template: Row | None = None
    chunk: list[tuple] = []
    for values in _rows(store, table, table.column_names, batch):
        row = formatter(values)
        template = template or row
        chunk.append(tuple(row.values()))
        counts.rows += 1
        if len(chunk) >= 20_000:
            connection.executemany(statement, chunk)
            chunk.clear()
    for reason, row in _junk_rows(table, template, batch, counts.rows):
        chunk.append(tuple(row.values()))
        counts.junk[reason] = counts.junk.get(reason, 0) + 1
    connection.executemany(statement, chunk)


def publish(store: Store, batch: int, where: Destinations) -> dict[str, TableCounts]:
    """Write batch ``batch`` of every table; return what each table got."""
    where.files_dir.mkdir(parents=True, exist_ok=True)
    where.shop_db.parent.mkdir(parents=True, exist_ok=True)
    where.api_db.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, TableCounts] = {}
    databases = {SHOP_DB: where.shop_db, SHOP_API: where.api_db}
    for table in TABLES:
        counts = result.setdefault(table.qualified_name, TableCounts())
        (versions,) = store.query(
            f"SELECT count(*) FROM {table.name} WHERE batch = ? AND first_batch < ?",
            (batch, batch),
        ).fetchone()
        counts.versions = int(versions)
        if table.file_format is not None:
            _publish_file(store, table, batch, where.files_dir, counts)
            continue
        with closing(sqlite3.connect(databases[table.source])) as connection:
            connection.executescript(_sqlite_schema(table))
            _publish_sqlite(store, table, batch, connection, counts)
            connection.commit()
    return result
