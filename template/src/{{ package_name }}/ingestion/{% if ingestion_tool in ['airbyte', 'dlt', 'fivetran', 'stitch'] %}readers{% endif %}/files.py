"""Readers of the files source: JSON-lines and CSV batch files as Arrow record batches.

pyarrow's streaming readers parse each file in blocks, typed by the catalog; when one stops at a
value that does not fit its column's type, the rest of the file is read on with such columns
as text (``values.py``), so every row of the file reaches bronze.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from .values import TEXT, arrow_schema, known_types, records_table

READ_BLOCK_BYTES = 8 << 20
JSON_FALLBACK_ROWS = 50_000


def read_jsonl(path: Path, table: str) -> Iterator[pa.RecordBatch | pa.Table]:
    """Stream a JSON-lines file as record batches; unknown fields are inferred.

    pyarrow's reader stops at a value that does not fit its column's type (``"abc"`` as an
    id); the rest of the file is then parsed line by line (slow, exact), such columns as text.
    """
    done = 0
    try:
        reader = pajson.open_json(
            path,
            read_options=pajson.ReadOptions(block_size=READ_BLOCK_BYTES),
            parse_options=pajson.ParseOptions(
                explicit_schema=arrow_schema(table), unexpected_field_behavior="infer"
            ),
        )
        for batch in reader:
            done += batch.num_rows
            yield batch
        return
    except pa.ArrowInvalid:
        pass
    yield from _jsonl_records(path, table, skip=done)


def _jsonl_records(path: Path, table: str, skip: int) -> Iterator[pa.Table]:
    """The records of a JSON-lines file after the first ``skip``, via ``json``."""
    types = known_types(table)
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            if skip:
                skip -= 1
                continue
            records.append(json.loads(line))
            if len(records) >= JSON_FALLBACK_ROWS:
                yield records_table(records, types)
                records = []
    if records:
        yield records_table(records, types)


def read_csv(path: Path, table: str) -> Iterator[pa.RecordBatch]:
    """Stream a CSV file (with a header) as record batches; empty fields are null.

    pyarrow's reader stops at a value that does not fit its column's type (``abc`` as a
    price); the rest of the file is then read with every catalog column as text (each batch's
    columns get their types back where every value fits: ``values.Fitter``).
    """
    types = known_types(table)
    done = 0
    try:
        for batch in _open_csv(path, types, skip=0):
            done += batch.num_rows
            yield batch
        return
    except pa.ArrowInvalid:
        pass
    yield from _open_csv(path, dict.fromkeys(types, TEXT), skip=done)


def _open_csv(path: Path, types: dict[str, pa.DataType], skip: int) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=READ_BLOCK_BYTES, skip_rows_after_names=skip),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            true_values=["true"],
            false_values=["false"],
        ),
    )
