"""dlt sources for the three source systems; every resource yields Arrow tables, never rows.

- ``files``: ``customers`` (JSON lines) and ``products`` (CSV), read with pyarrow's readers.
- ``shop_db``: ``orders`` and ``order_items`` from sqlite, read in chunks into Arrow tables with
  the incremental filter pushed down into the query.
- ``payments_api``: ``payments`` from the REST API, pages gathered into Arrow tables.

Every resource is incremental on ``updated_at`` (ISO-8601 UTC strings, which sort in time order)
with the table's primary key, so a second run loads nothing that was already loaded. Creating a
source does not touch any file, database or server: that happens when dlt extracts it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import urlopen

import dlt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from dlt.sources import DltResource

from ..sample.api import serve_sample_api

EARLIEST = "1970-01-01T00:00:00Z"
SQL_CHUNK_ROWS = 50_000
API_BATCH_ROWS = 20_000
API_TIMEOUT_SECONDS = 30
READ_BLOCK_BYTES = 8 << 20

TIMESTAMP = pa.string()
PRIMARY_KEYS = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_items": "order_item_id",
    "payments": "payment_id",
}


def _schema(table: str, fields: list[tuple[str, pa.DataType]]) -> pa.Schema:
    """Arrow schema of a bronze table; its primary key is NOT NULL (as dlt's hint says)."""
    return pa.schema(
        [pa.field(name, kind, nullable=name != PRIMARY_KEYS[table]) for name, kind in fields]
    )


SCHEMAS: dict[str, pa.Schema] = {
    "customers": _schema(
        "customers",
        [
            ("customer_id", pa.int64()),
            ("email", pa.string()),
            ("first_name", pa.string()),
            ("last_name", pa.string()),
            ("country", pa.string()),
            ("signup_at", TIMESTAMP),
            ("updated_at", TIMESTAMP),
        ],
    ),
    "products": _schema(
        "products",
        [
            ("product_id", pa.int64()),
            ("sku", pa.string()),
            ("product_name", pa.string()),
            ("category", pa.string()),
            ("unit_price", pa.float64()),
            ("is_active", pa.bool_()),
            ("updated_at", TIMESTAMP),
        ],
    ),
    "orders": _schema(
        "orders",
        [
            ("order_id", pa.int64()),
            ("customer_id", pa.int64()),
            ("ordered_at", TIMESTAMP),
            ("status", pa.string()),
            ("updated_at", TIMESTAMP),
        ],
    ),
    "order_items": _schema(
        "order_items",
        [
            ("order_item_id", pa.int64()),
            ("order_id", pa.int64()),
            ("product_id", pa.int64()),
            ("quantity", pa.int64()),
            ("unit_price", pa.float64()),
            ("updated_at", TIMESTAMP),
        ],
    ),
    "payments": _schema(
        "payments",
        [
            ("payment_id", pa.int64()),
            ("order_id", pa.int64()),
            ("payment_method", pa.string()),
            ("amount", pa.float64()),
            ("status", pa.string()),
            ("paid_at", TIMESTAMP),
            ("updated_at", TIMESTAMP),
        ],
    ),
}

SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "files": ("customers", "products"),
    "shop_db": ("orders", "order_items"),
    "payments_api": ("payments",),
}


def _arrow_resource(
    table: str,
    read: Callable[[dlt.sources.incremental[str]], Iterator[pa.Table] | Iterator[pa.RecordBatch]],
) -> DltResource:
    """A dlt resource named ``table`` whose items are Arrow tables from ``read(incremental)``."""
    cursor = dlt.sources.incremental[str]("updated_at", initial_value=EARLIEST)

    def rows(updated_at: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        yield from read(updated_at)

    return dlt.resource(
        rows,
        name=table,
        primary_key=PRIMARY_KEYS[table],
        write_disposition="append",
    )()


def read_jsonl(path: Path, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Stream a JSON-lines file as Arrow record batches of ``schema`` (readers drop NOT NULL)."""
    reader = pajson.open_json(
        path,
        read_options=pajson.ReadOptions(block_size=READ_BLOCK_BYTES),
        parse_options=pajson.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"
        ),
    )
    for batch in reader:
        yield batch.cast(schema)


def read_csv(path: Path, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Stream a CSV file (with a header) as Arrow record batches with an explicit schema."""
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=READ_BLOCK_BYTES),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, include_columns=schema.names, strings_can_be_null=False
        ),
    )
    for batch in reader:
        yield batch.cast(schema)


@dlt.source(name="files", max_table_nesting=0)
def files_source(files_dir: str) -> list[DltResource]:
    """``customers.jsonl`` and ``products.csv`` under ``files_dir``."""
    folder = Path(files_dir)

    def customers(_updated_at: dlt.sources.incremental[str]) -> Iterator[pa.RecordBatch]:
        yield from read_jsonl(folder / "customers.jsonl", SCHEMAS["customers"])

    def products(_updated_at: dlt.sources.incremental[str]) -> Iterator[pa.RecordBatch]:
        yield from read_csv(folder / "products.csv", SCHEMAS["products"])

    return [_arrow_resource("customers", customers), _arrow_resource("products", products)]


def read_sqlite_table(
    db_path: Path, table: str, schema: pa.Schema, updated_since: str, chunk_rows: int
) -> Iterator[pa.Table]:
    """Rows of ``table`` with ``updated_at >= updated_since`` as Arrow tables of ``chunk_rows``."""
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    columns = ", ".join(f'"{name}"' for name in schema.names)
    query = (
        f'SELECT {columns} FROM "{table}" WHERE updated_at >= ? '
        f'ORDER BY updated_at, "{PRIMARY_KEYS[table]}"'
    )
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        cursor = connection.execute(query, (updated_since,))
        while rows := cursor.fetchmany(chunk_rows):
            columns_data = zip(*rows, strict=True)
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(columns_data, schema, strict=True)
            ]
            yield pa.Table.from_arrays(arrays, schema=schema)


@dlt.source(name="shop_db", max_table_nesting=0)
def shop_db_source(db_path: str) -> list[DltResource]:
    """``orders`` and ``order_items`` from the shop's sqlite database."""
    path = Path(db_path)

    def reader(table: str) -> Callable[[dlt.sources.incremental[str]], Iterator[pa.Table]]:
        def read(updated_at: dlt.sources.incremental[str]) -> Iterator[pa.Table]:
            if not path.is_file():
                raise FileNotFoundError(f"{path}: shop database not found")
            yield from read_sqlite_table(
                path, table, SCHEMAS[table], updated_at.last_value, SQL_CHUNK_ROWS
            )

        return read

    return [_arrow_resource(table, reader(table)) for table in SOURCE_TABLES["shop_db"]]


def fetch_page(
    base_url: str, page: int, page_size: int, updated_since: str
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``GET /payments``: its records and the next page number (or None)."""
    query = urlencode({"page": page, "page_size": page_size, "updated_since": updated_since})
    with urlopen(f"{base_url}/payments?{query}", timeout=API_TIMEOUT_SECONDS) as response:
        body = json.load(response)
    return body["data"], body.get("next_page")


def read_payments(base_url: str, page_size: int, updated_since: str) -> Iterator[pa.Table]:
    """Walk every page from the API; yield Arrow tables of about ``API_BATCH_ROWS`` rows."""
    schema = SCHEMAS["payments"]
    pending: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        records, page = fetch_page(base_url, page, page_size, updated_since)
        pending.extend(records)
        if len(pending) >= API_BATCH_ROWS or (page is None and pending):
            yield pa.Table.from_pylist(pending, schema=schema)
            pending = []


@dlt.source(name="payments_api", max_table_nesting=0)
def payments_api_source(
    base_url: str | None, page_size: int, sample_db_path: str
) -> list[DltResource]:
    """``payments`` from the REST API at ``base_url``.

    With ``base_url`` None the bundled sample API is started (on 127.0.0.1, a free port) for
    the duration of the extraction, serving ``sample_db_path``.
    """

    def payments(updated_at: dlt.sources.incremental[str]) -> Iterator[pa.Table]:
        server = serve_sample_api(Path(sample_db_path)) if base_url is None else nullcontext()
        with server as sample_url:
            url = base_url or sample_url
            yield from read_payments(url, page_size, updated_at.last_value)

    return [_arrow_resource("payments", payments)]
