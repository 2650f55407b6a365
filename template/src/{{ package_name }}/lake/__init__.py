"""The data lake: one module per provider (``lake/<provider>.py``) exposing ``Settings``,
``runtime_env(cfg)``, ``bronze_url(cfg)``, ``bronze_tables(cfg)`` and ``check(cfg)``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BronzeTable:
    """One bronze table as the lake holds it: its files and rows (from parquet footers)."""

    source: str
    table: str
    files: int
    rows: int
    location: str
