"""Readers of the sample company's three sources, shared by the ingestion tools that read them
in this process (dlt's sources, Fivetran's local replay): Arrow data, never rows.

- ``files``: every batch file of a table (``customers_0001.jsonl``, ...) with pyarrow's streaming
  JSON/CSV readers (``files.py``); a file already read (same size and modification time) is skipped.
- ``shop_db``: the sqlite tables, read in chunks with the incremental filter in the query.
- ``shop_api``: ``/payments`` and ``/support_tickets`` of the REST API, page by page.

``selected_batches`` applies the incremental cursor on ``updated_at`` (``cursor.py``) and the
bronze types (``values.py``) to what a reader yields; ``Lineage`` adds the bronze contract's
lineage columns. A tool keeps the cursor state (a dict per table) wherever it keeps state.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode
from urllib.request import urlopen

import adbc_driver_manager
import adbc_driver_sqlite as adbc_sqlite_driver
import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa
import pyarrow.compute as pc

from ...sample.api import serve_sample_api
from ...sample.schema import CURSOR_COLUMN, FILES, SHOP_API, SHOP_DB, TABLES_BY_NAME
from ..contract import LOAD_ID, LOADED_AT, ROW_ID, SOURCE
from .cursor import Cursor, format_instant
from .files import read_csv, read_jsonl
from .values import Fitter, arrow_schema, column_array, fit_table, known_types, records_table

EARLIEST = "1970-01-01T00:00:00Z"
SQL_CHUNK_ROWS = 100_000
API_BATCH_ROWS = 20_000
API_TIMEOUT_SECONDS = 30
SQLITE_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64()}
LOADED_AT_TYPE = pa.timestamp("us", tz="UTC")
ADBC_BATCH_ROWS = adbc_sqlite_driver.StatementOptions.BATCH_ROWS.value
# What the ADBC sqlite reader raises when a value does not fit the type it inferred.
_ADBC_ERRORS = (adbc_driver_manager.Error, pa.ArrowException, OSError)

READ_AHEAD_ITEMS = 2
Reader = Callable[[Cursor], Iterator[pa.Table | pa.RecordBatch]]
T = TypeVar("T")
_END = object()


class Lineage:
    """Adds the lineage columns of the bronze contract to the Arrow batches of one table.

    ``_row_id`` is ``<load id>.<table>.<row number>``: unique across loads and tables, made
    with Arrow compute. ``load_id`` is a Unix timestamp (e.g. ``1763371234.12``): ``_loaded_at``
    is that instant.
    """

    def __init__(self, source: str, table: str, load_id: str) -> None:
        self.load_id = pa.scalar(load_id, type=pa.string())
        self.loaded_at = pa.scalar(datetime.fromtimestamp(float(load_id), UTC), type=LOADED_AT_TYPE)
        self.source = pa.scalar(source, type=pa.string())
        self.prefix = pa.scalar(f"{load_id}.{table}.", type=pa.string())
        self.rows = 0
        self.one = pa.scalar(1, type=pa.int64())

    def __call__(self, data: pa.Table) -> pa.Table:
        count = data.num_rows
        # rows, rows + 1, ... rows + count - 1, in Arrow compute (not a Python range)
        numbers = pc.cumulative_sum(pa.repeat(self.one, count), start=self.rows - 1)
        numbers = pc.cast(numbers, pa.string())
        self.rows += count
        ids = pc.binary_join_element_wise(self.prefix, numbers, "")
        data = data.append_column(pa.field(LOAD_ID, pa.string()), pa.repeat(self.load_id, count))
        data = data.append_column(pa.field(ROW_ID, pa.string()), ids)
        data = data.append_column(
            pa.field(LOADED_AT, LOADED_AT_TYPE), pa.repeat(self.loaded_at, count)
        )
        return data.append_column(pa.field(SOURCE, pa.string()), pa.repeat(self.source, count))


def read_ahead(items: Iterator[T], depth: int = READ_AHEAD_ITEMS) -> Iterator[T]:
    """Yield ``items`` in order while a thread reads up to ``depth`` items ahead.

    Reading (pyarrow's JSON/CSV parsers, the ADBC driver) releases the GIL, so the next batch
    is parsed while dlt filters and writes the current one. ``items`` runs entirely in the
    thread (it must not touch dlt state); its errors are raised here, and closing this
    generator early stops the thread and closes ``items``.
    """
    buffer: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        error: BaseException | None = None
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            error = exc
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put((_END, error))

    worker = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = buffer.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join()


def selected_batches(table: str, read: Reader, state: dict[str, Any]) -> Iterator[pa.Table]:
    """The batches ``read(cursor)`` yields, in their bronze types, with only the rows the
    cursor selects (``cursor.py``); ``state`` is the table's cursor state, updated in place."""
    cursor = Cursor(state)
    fit = Fitter(table)
    for data in read(cursor):
        selected = cursor.select(fit(data))
        if selected.num_rows:
            yield selected


# ---------------------------------------------------------------------------------- files
def file_signature(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def files_reader(folder: Path, table: str, files_state: Callable[[], dict[str, Any]]) -> Reader:
    """Every ``<table>_<batch>.jsonl|csv`` under ``folder``; a file is read once (again when its
    size or modification time changes). ``files_state()`` is where the signatures of the files
    read so far are kept (called while reading)."""
    spec = TABLES_BY_NAME[table]
    read = read_jsonl if spec.file_format == "jsonl" else read_csv

    def read_files(_cursor: Cursor) -> Iterator[pa.RecordBatch | pa.Table]:
        done: dict[str, list[int]] = files_state().setdefault("files", {})
        for path in sorted(folder.glob(spec.file_pattern())):
            signature = file_signature(path)
            if done.get(path.name) == signature:
                continue
            yield from read_ahead(read(path, table))
            done[path.name] = signature

    return read_files


# ---------------------------------------------------------------------------------- shop_db
def _sqlite_schema(connection: sqlite3.Connection, table: str) -> pa.Schema:
    """Catalog types for known columns, the declared sqlite type (else text) for the rest."""
    known = known_types(table)
    declared = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
    return pa.schema(
        [
            (name, known.get(name) or SQLITE_TYPES.get(str(kind).upper(), pa.string()))
            for _, name, kind, *_ in declared
        ]
    )


def _sqlite_rows(
    uri: str, query: str, bound: str, schema: pa.Schema, chunk_rows: int, skip: int
) -> Iterator[pa.Table]:
    """The query's rows after the first ``skip``, via sqlite3 and ``pa.array`` (slow, exact);
    a column with a value that does not fit its type is text in that chunk."""
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        cursor = connection.execute(f"{query} LIMIT -1 OFFSET ?", (bound, skip))
        while rows := cursor.fetchmany(chunk_rows):
            arrays = [
                column_array(values, field.type)
                for values, field in zip(zip(*rows, strict=True), schema, strict=True)
            ]
            yield pa.Table.from_arrays(arrays, names=schema.names)


def _adbc_batches(
    uri: str, query: str, bound: str, schema: pa.Schema, chunk_rows: int
) -> Iterator[pa.Table]:
    """The query's rows as Arrow batches read by the ADBC sqlite driver, cast to ``schema``
    (a column with a value that does not fit is text in that batch).

    The driver infers each column's type from the values of the first batch; a later value of
    another type (e.g. text after a batch of nulls) raises ``_ADBC_ERRORS``.
    """
    types = dict(zip(schema.names, schema.types, strict=True))
    with (
        closing(adbc_sqlite.connect(uri)) as connection,
        closing(connection.cursor()) as cursor,
    ):
        cursor.adbc_statement.set_options(**{ADBC_BATCH_ROWS: str(chunk_rows)})
        cursor.execute(query, (bound,))
        reader = cursor.fetch_record_batch()
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            yield fit_table(batch, types, set())


def read_sqlite_table(
    db_path: Path, table: str, bound: str, chunk_rows: int = SQL_CHUNK_ROWS
) -> Iterator[pa.Table]:
    """Rows whose ``updated_at`` text is ``>= bound`` (``Cursor.text_lower_bound``) or is not
    a timestamp's (NULL, or sorting before ``0``), as Arrow tables of ``chunk_rows`` rows; the
    cursor picks the rows to load among them.

    Read with the ADBC sqlite driver (Arrow batches straight from sqlite, several times faster
    than sqlite3 rows); if its type inference trips over the data (see ``_adbc_batches``), the
    rest of the table is read with sqlite3, whose values ``pa.array`` checks one by one.
    """
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        schema = _sqlite_schema(connection, table)
    columns = ", ".join(f'"{name}"' for name in schema.names)
    key = TABLES_BY_NAME[table].key[0]
    query = (
        f'SELECT {columns} FROM "{table}" '
        f"WHERE {CURSOR_COLUMN} >= ? OR {CURSOR_COLUMN} IS NULL OR {CURSOR_COLUMN} < '0' "
        f'ORDER BY {CURSOR_COLUMN}, "{key}"'
    )
    done = 0
    batches = _adbc_batches(uri, query, bound, schema, chunk_rows)
    while True:
        try:
            data = next(batches)
        except StopIteration:
            return
        except _ADBC_ERRORS:
            batches.close()
            break
        done += data.num_rows
        yield data
    yield from _sqlite_rows(uri, query, bound, schema, chunk_rows, done)


def sqlite_reader(path: Path, table: str) -> Reader:
    """The shop's sqlite table ``table`` from the cursor's text lower bound on."""

    def read(cursor: Cursor) -> Iterator[pa.Table]:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: shop database not found")
        yield from read_ahead(read_sqlite_table(path, table, cursor.text_lower_bound()))

    return read


# ---------------------------------------------------------------------------------- shop_api
def fetch_page(
    base_url: str, endpoint: str, page: int, page_size: int, updated_since: str
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``GET /<endpoint>``: its records and the next page number (or None)."""
    query = urlencode({"page": page, "page_size": page_size, "updated_since": updated_since})
    with urlopen(f"{base_url}/{endpoint}?{query}", timeout=API_TIMEOUT_SECONDS) as response:
        body = json.load(response)
    return body["data"], body.get("next_page")


def read_api_table(
    base_url: str, table: str, page_size: int, updated_since: str
) -> Iterator[pa.Table]:
    """Walk every page of an endpoint; yield Arrow tables of about ``API_BATCH_ROWS`` rows
    (fields the catalog does not know, and values that do not fit their type, as text)."""
    known = dict(zip(arrow_schema(table).names, arrow_schema(table).types, strict=True))
    pending: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        records, page = fetch_page(base_url, table, page, page_size, updated_since)
        pending.extend(records)
        if len(pending) >= API_BATCH_ROWS or (page is None and pending):
            yield records_table(pending, known)
            pending = []


def api_reader(
    base_url: str | None,
    table: str,
    page_size: int,
    sample_db_path: Path,
    read_table: Callable[[str, str, int, str], Iterator[pa.Table]] = read_api_table,
) -> Reader:
    """``/<table>`` of the REST API at ``base_url`` (or what ``read_table(base_url, table,
    page_size, updated_since)`` reads there), updated since the cursor.

    With ``base_url`` None the bundled sample API is started (on 127.0.0.1, a free port) for
    the duration of the table's extraction, serving ``sample_db_path``.
    """

    def read(cursor: Cursor) -> Iterator[pa.Table]:
        since = EARLIEST if cursor.start is None else format_instant(cursor.start)
        server = serve_sample_api(sample_db_path) if base_url is None else nullcontext()
        with server as sample_url:
            yield from read_table(base_url or sample_url, table, page_size, since)

    return read


def table_reader(
    source: str,
    table: str,
    *,
    files_dir: Path,
    db_path: Path,
    api_base_url: str | None,
    api_page_size: int,
    api_data_path: Path,
    files_state: Callable[[], dict[str, Any]],
) -> Reader:
    """The reader of one table of one of the three sources."""
    if source == FILES:
        return files_reader(files_dir, table, files_state)
    if source == SHOP_DB:
        return sqlite_reader(db_path, table)
    if source == SHOP_API:
        return api_reader(api_base_url, table, api_page_size, api_data_path)
    raise ValueError(f"unknown source {source!r}; expected one of {(FILES, SHOP_DB, SHOP_API)}")
