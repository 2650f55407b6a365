"""Bronze types: each column's catalog type, or text where a value does not fit it.

Bronze keeps every source row (``ingestion/contract.py``). A batch whose values all fit a
column's catalog type (``sample/schema.py``) gets that Arrow type; a column holding a value that
does not fit (``abc`` as a price, ``"abc"`` as an id) lands as text instead, the values as the
source wrote them, and silver quarantines the row with its reason (``invalid_<column>``).
Within one run of a table a column that fell back to text stays text, so a load holds at most
two shapes of a table: the tool writes each shape to its own parquet file (dlt: its
``runtime_env`` sets ``arrow_concat_promote_options``; the Fivetran replay: a file per shape)
and DuckDB's ``union_by_name`` reads such a column as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from ...sample.schema import DRIFT_COLUMNS, TABLES_BY_NAME, Column

TEXT = pa.string()
ARROW_TYPES = {
    "id": pa.int64(),
    "int": pa.int64(),
    "money": pa.float64(),
    "bool": pa.bool_(),
    "text": TEXT,
    "ts": TEXT,
    "date": TEXT,
}
# What pyarrow raises when a value does not convert to a type.
CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError)


def arrow_schema(table: str) -> pa.Schema:
    """Bronze schema of a table's catalog columns (all nullable: junk rows may lack a key)."""
    return pa.schema([(c.name, ARROW_TYPES[c.kind]) for c in TABLES_BY_NAME[table].columns])


def known_types(table: str) -> dict[str, pa.DataType]:
    """Arrow types of a table's catalog columns and of the columns it gains later (drift)."""
    columns: tuple[Column, ...] = (*TABLES_BY_NAME[table].columns, *DRIFT_COLUMNS.get(table, ()))
    return {column.name: ARROW_TYPES[column.kind] for column in columns}


def as_text(value: Any) -> str | None:
    """A Python value as text: strings as they are, numbers and booleans as JSON writes them."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return json.dumps(value, default=str)


def text_array(values: Iterable[Any]) -> pa.Array:
    return pa.array([as_text(value) for value in values], type=TEXT)


def column_array(values: Sequence[Any], kind: pa.DataType | None) -> pa.Array:
    """Python ``values`` as ``kind`` (inferred when None), or as text when one does not fit."""
    try:
        return pa.array(values, type=kind)
    except (*CONVERSION_ERRORS, OverflowError):
        return text_array(values)


def records_table(records: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    """Records (parsed JSON, database rows) as a table: the catalog's columns first, each of
    its type or text, then any other field as text."""
    names = list(types) + [
        name
        for name in dict.fromkeys(key for record in records for key in record)
        if name not in types
    ]
    return pa.table(
        {
            name: column_array([record.get(name) for record in records], types.get(name, TEXT))
            for name in names
        }
    )


def fit_table(
    data: pa.Table | pa.RecordBatch, types: dict[str, pa.DataType], text: set[str]
) -> pa.Table:
    """``data`` with each column cast to ``types`` (others keep theirs, text when untyped); a
    column whose values do not fit, or named in ``text``, becomes text and is added to ``text``."""
    table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = types.get(field.name)
        if kind is None:
            kind = TEXT if pa.types.is_null(field.type) else field.type
        if field.name in text:
            kind = TEXT
        if column.type != kind:
            try:
                column = column.cast(kind)
            except CONVERSION_ERRORS:
                column = _to_text(column)
                text.add(field.name)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _to_text(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    try:
        return column.cast(TEXT)
    except CONVERSION_ERRORS:  # e.g. a nested value: as JSON text
        return text_array(column.to_pylist())


class Fitter:
    """Fits the Arrow batches of one table to its bronze types during one run (see above)."""

    def __init__(self, table: str) -> None:
        self.types = known_types(table)
        self.text: set[str] = set()

    def __call__(self, data: pa.Table | pa.RecordBatch) -> pa.Table:
        return fit_table(data, self.types, self.text)
