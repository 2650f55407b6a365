"""The warehouse: one module per provider (``warehouse/<provider>.py``) exposing ``Settings``,
``runtime_env(cfg)`` (what its dbt profile reads), ``prepare(cfg)`` / ``release()`` around a
dbt run, ``query(cfg, sql, params)`` and ``check(cfg)``; a warehouse a BI tool can read also has
``bi_connection(cfg)`` (how a SQLAlchemy-based BI tool such as Superset reaches it)."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class BIConnection:
    """How a SQLAlchemy-based BI tool reaches the warehouse: the URL with the password masked
    (``PASSWORD_MASK``, what BI import bundles expect), the password apart, the engine's
    connection arguments (read-only where the warehouse allows one writer only). The BI tool's
    own environment carries the driver (the catalog lists it)."""

    sqlalchemy_uri: str
    password: str = ""
    connect_args: dict[str, Any] = field(default_factory=dict)


# Superset's own stand-in for a password in an exported or imported database URI (its
# `PASSWORD_MASK`, ten X): the real password travels apart, never in the bundle.
PASSWORD_MASK = "X" * 10
