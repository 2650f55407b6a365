"""The sample shop API's GraphQL endpoint (``POST /graphql``): the same records as the REST
endpoints, as Relay-style connections with cursor pagination.

One query field per REST endpoint table, named like it::

    payments(first: Int!, after: String, updated_since: String): PaymentsConnection!
    support_tickets(first: Int!, after: String, updated_since: String): ...

A connection has ``edges { cursor node { <columns> } }`` and ``pageInfo { hasNextPage
endCursor }``; ``after`` takes an ``endCursor`` (opaque: the last record's ``(updated_at, key)``),
so pages never overlap and a record changed meanwhile is not skipped. A node's fields are the
table's columns as the shop database has them (a column added to the database appears as a new
field: clients discover fields by introspection). Built with graphql-core (the reference
implementation's Python port): queries are parsed, validated and executed by it.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    graphql_sync,
)

from .schema import SourceTable

MAX_FIRST = 10_000
EARLIEST = "1970-01-01T00:00:00Z"
# sqlite declared type -> GraphQL scalar (values pass through as the database holds them).
SCALARS: dict[str, GraphQLOutputType] = {
    "INTEGER": GraphQLInt,
    "REAL": GraphQLFloat,
    "NUMERIC": GraphQLFloat,
}


class GraphQLRequestError(ValueError):
    """The request body is not a GraphQL request (``{"query": ..., "variables": {...}}``)."""


def _type_name(table: str) -> str:
    return "".join(part.capitalize() for part in table.split("_"))


def encode_cursor(updated_at: str, key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([updated_at, key]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, Any]:
    try:
        updated_at, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"after: {cursor!r} is not a cursor this API returned") from exc
    return str(updated_at), key


def _connection(
    db_path: Path, table: SourceTable, typed: list[tuple[str, GraphQLOutputType]]
) -> GraphQLField:
    """The query field of ``table``: a connection of its records, oldest change first."""
    key = table.key[0]
    name = _type_name(table.name)
    columns = [column for column, _ in typed]
    node = GraphQLObjectType(name, {column: GraphQLField(scalar) for column, scalar in typed})
    edge = GraphQLObjectType(
        f"{name}Edge",
        {"cursor": GraphQLField(GraphQLNonNull(GraphQLString)), "node": GraphQLField(node)},
    )
    page_info = GraphQLObjectType(
        f"{name}PageInfo",
        {
            "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
            "endCursor": GraphQLField(GraphQLString),
        },
    )
    connection = GraphQLObjectType(
        f"{name}Connection",
        {
            "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
            "pageInfo": GraphQLField(GraphQLNonNull(page_info)),
        },
    )

    def resolve(
        _root: Any, _info: GraphQLResolveInfo, first: int, after: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        if not 0 < first <= MAX_FIRST:
            raise ValueError(f"first: {first} is not between 1 and {MAX_FIRST}")
        since = kw.get("updated_since") or EARLIEST
        where, params = "updated_at >= ?", [since]
        if after is not None:
            where += f" AND (updated_at, {key}) > (?, ?)"
            params += list(decode_cursor(after))
        sql = (
            f"SELECT {', '.join(columns)} FROM {table.name} WHERE {where} "
            f"ORDER BY updated_at, {key} LIMIT ?"
        )
        uri = f"{db_path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute(sql, (*params, first + 1)).fetchall()
        records = [dict(zip(columns, row, strict=True)) for row in rows[:first]]
        edges = [{"cursor": encode_cursor(r["updated_at"], r[key]), "node": r} for r in records]
        return {
            "edges": edges,
            "pageInfo": {
                "hasNextPage": len(rows) > first,
                "endCursor": edges[-1]["cursor"] if edges else after,
            },
        }

    return GraphQLField(
        GraphQLNonNull(connection),
        args={
            "first": GraphQLArgument(GraphQLNonNull(GraphQLInt)),
            "after": GraphQLArgument(GraphQLString),
            "updated_since": GraphQLArgument(GraphQLString),
        },
        resolve=resolve,
    )


def _columns(db_path: Path, table: SourceTable) -> list[tuple[str, GraphQLOutputType]]:
    """The table's columns in the database (a column added later included), with scalars."""
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        info = db.execute(f"PRAGMA table_info({table.name})").fetchall()
    return [(row[1], SCALARS.get(str(row[2]).upper(), GraphQLString)) for row in info]


def build_schema(db_path: Path, tables: list[SourceTable]) -> GraphQLSchema:
    """The schema of the shop database's API tables (read from the database once)."""
    fields = {table.name: _connection(db_path, table, _columns(db_path, table)) for table in tables}
    return GraphQLSchema(query=GraphQLObjectType("Query", fields))


def execute(schema: GraphQLSchema, body: bytes) -> dict[str, Any]:
    """Run one GraphQL request; the response body (``data`` and, if any, ``errors``)."""
    try:
        request = json.loads(body or b"null")
    except ValueError as exc:
        raise GraphQLRequestError(f"the body is not JSON: {exc}") from None
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        raise GraphQLRequestError('expected a JSON object with a "query" string')
    variables = request.get("variables") or {}
    if not isinstance(variables, dict):
        raise GraphQLRequestError('"variables" must be a JSON object')
    result = graphql_sync(
        schema,
        request["query"],
        variable_values=variables,
        operation_name=request.get("operationName"),
    )
    return result.formatted
