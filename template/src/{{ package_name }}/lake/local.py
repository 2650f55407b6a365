"""Local data lake helpers: what bronze holds, and whether the lake folder is writable."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from ..config import StackConfig


@dataclass(frozen=True)
class BronzeTable:
    source: str
    table: str
    files: int
    rows: int
    path: Path


def bronze_tables(cfg: StackConfig) -> list[BronzeTable]:
    """Every ``<bronze>/<source>/<table>/`` folder with parquet files (in one folder per load;
    dlt's own tables excluded); row counts come from the parquet footers, no data is read."""
    tables: list[BronzeTable] = []
    if not cfg.bronze_path.is_dir():
        return tables
    for source_dir in sorted(p for p in cfg.bronze_path.iterdir() if p.is_dir()):
        for table_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
            if table_dir.name.startswith("_dlt"):
                continue
            files = sorted(table_dir.glob("*/*.parquet"))
            if files:
                rows = sum(pq.ParquetFile(file).metadata.num_rows for file in files)
                tables.append(
                    BronzeTable(source_dir.name, table_dir.name, len(files), rows, table_dir)
                )
    return tables


def check_writable(path: Path) -> None:
    """Create ``path`` if needed and write (then delete) a probe file; raises OSError."""
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-"):
        pass
