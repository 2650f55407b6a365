"""The shop API over GraphQL (``api_protocol: graphql`` in dlt's settings), read with dlt's
REST client: one POST per page, cursor pagination (the cursor path in the response, the
``after`` variable in the request body), the node's fields discovered by introspection, so a
field the API adds is loaded too (as text, like the REST path's unknown fields).

The records go through the same conversion as the REST path's (``readers.values``), so bronze
is the same table whichever protocol read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import Response

from ..readers.sources import API_BATCH_ROWS, Reader, api_reader
from ..readers.values import arrow_schema, records_table

ENDPOINT = "/graphql"
FIELDS_QUERY = """
query NodeFields($type: String!) {
  __type(name: $type) { fields { name } }
}
"""


class GraphQLError(RuntimeError):
    """The API answered with GraphQL errors (a bad query, a bad cursor...)."""


def _raise_for_errors(response: Response, *args: Any, **kwargs: Any) -> None:
    """A response hook: HTTP errors, and GraphQL errors that come with status 200."""
    response.raise_for_status()
    errors = response.json().get("errors")
    if errors:
        messages = "; ".join(str(error.get("message", error)) for error in errors)
        raise GraphQLError(f"{response.request.url}: {messages}")


def type_name(table: str) -> str:
    return "".join(part.capitalize() for part in table.split("_"))


def node_fields(client: RESTClient, table: str) -> list[str]:
    """The fields of ``table``'s node type, as the API's schema has them (introspection)."""
    response = client.post(
        ENDPOINT, json={"query": FIELDS_QUERY, "variables": {"type": type_name(table)}}
    )
    _raise_for_errors(response)
    described = response.json()["data"]["__type"]
    if described is None:
        raise GraphQLError(f"the API's schema has no type {type_name(table)!r} for {table}")
    return [field["name"] for field in described["fields"]]


def page_query(table: str, fields: list[str]) -> str:
    return (
        f"query Page($first: Int!, $after: String, $since: String) {{ "
        f"{table}(first: $first, after: $after, updated_since: $since) {{ "
        f"edges {{ node {{ {' '.join(fields)} }} }} "
        f"pageInfo {{ hasNextPage endCursor }} }} }}"
    )


def read_graphql_table(
    base_url: str, table: str, page_size: int, updated_since: str
) -> Iterator[pa.Table]:
    """Every record of ``table`` changed since ``updated_since``, page by page; Arrow tables
    of about ``API_BATCH_ROWS`` rows in the bronze types."""
    client = RESTClient(base_url=base_url)
    fields = node_fields(client, table)
    known = dict(zip(arrow_schema(table).names, arrow_schema(table).types, strict=True))
    paginator = JSONResponseCursorPaginator(
        cursor_path=f"data.{table}.pageInfo.endCursor",
        cursor_body_path="variables.after",
        has_more_path=f"data.{table}.pageInfo.hasNextPage",
    )
    body = {
        "query": page_query(table, fields),
        "variables": {"first": page_size, "after": None, "since": updated_since},
    }
    pending: list[dict[str, Any]] = []
    pages = client.paginate(
        ENDPOINT,
        method="POST",
        json=body,
        paginator=paginator,
        data_selector=f"data.{table}.edges",
        hooks={"response": [_raise_for_errors]},
    )
    for page in pages:
        pending.extend(edge["node"] for edge in page)
        if len(pending) >= API_BATCH_ROWS:
            yield records_table(pending, known)
            pending = []
    if pending:
        yield records_table(pending, known)


def graphql_reader(
    base_url: str | None, table: str, page_size: int, sample_db_path: Path
) -> Reader:
    """``table`` over GraphQL at ``base_url`` (the bundled sample API when None), updated
    since the cursor."""
    return api_reader(base_url, table, page_size, sample_db_path, read_table=read_graphql_table)
