"""The warehouse: one module per provider (``warehouse/<provider>.py``) exposing ``Settings``,
``runtime_env(cfg)`` (what its dbt profile reads), ``prepare(cfg)`` / ``release()`` around a
dbt run, ``query(cfg, sql, params)`` and ``check(cfg)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class WarehouseMissing(FileNotFoundError):
    """The warehouse holds nothing yet (run the transform step first)."""


class WarehouseUnreachable(ConnectionError):
    """The warehouse refused the connection or could not be reached; the message names where,
    the settings key and the fix."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]
