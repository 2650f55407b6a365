"""Late versions: existing keys arriving again after their current version, with an older or
the same ``updated_at`` (a source re-sending history, a replayed page, a backfill).

From batch 2 on, for ``customers`` rows whose current version was published in an earlier
batch (a few keys, chosen by key):

- *stale*: ``updated_at`` one day before the current version's, another ``first_name`` and
  ``acquisition_channel``: silver must keep the current version;
- *tied*: the same ``updated_at`` as the current version, another ``last_name``: the newest
  load wins (the tie-break of ``latest_per_key``), so silver takes this one.

The sources do not carry them: an ingestion with a cursor on ``updated_at`` (dlt's) loads only
rows newer than what it loaded before, so it could not. They are what a tool without such a
cursor would deliver; the end-to-end tests write them into bronze as a later load and compare
silver with ``expected`` and an incremental build with a full refresh. No mart reads
``first_name`` or ``last_name``, and a stale version never wins, so the mart figures of the
ground truth hold whether they were loaded or not.
"""

from __future__ import annotations

from typing import Any

from .publish import DAY, _Formatter
from .schema import TABLES_BY_NAME
from .store import Store

TABLE = "customers"
PICK = (53, 19)  # key % 53 == 19
MAX_KEYS = 6


def late_versions(store: Store, batch: int) -> dict[str, Any]:
    """``{"files.customers": {"versions": [{"kind", "row"}], "expected": {key: values}}}`` for
    batch ``batch`` (empty for batch 1); ``row`` is a source row, ``expected`` what silver
    holds for the key once every version is loaded."""
    if batch < 2:
        return {}
    table = TABLES_BY_NAME[TABLE]
    formatter = _Formatter(table, batch, csv_format=False)
    columns = formatter.columns
    updated = columns.index("updated_at")
    modulus, remainder = PICK
    current = store.query(
        f"SELECT {', '.join(columns)} FROM {TABLE} WHERE batch < ? AND customer_id % ? = ? "
        "ORDER BY customer_id LIMIT ?",
        (batch, modulus, remainder, MAX_KEYS),
    ).fetchall()
    versions: list[dict[str, Any]] = []
    expected: dict[str, dict[str, Any]] = {}
    for index, values in enumerate(current):
        row = formatter(values)
        kept = {name: row[name] for name in ("first_name", "last_name", "acquisition_channel")}
        if index % 2 == 0:
            stale = list(values)
            stale[updated] = values[updated] - DAY
            late = formatter(tuple(stale))
            late["first_name"] = f"Stale{batch}"
            channel = kept["acquisition_channel"]
            late["acquisition_channel"] = "search" if channel == "affiliate" else "affiliate"
            kind = "stale"
        else:
            late = dict(row)
            late["last_name"] = kept["last_name"] = f"Tied{batch}"
            kind = "tied"
        versions.append({"kind": kind, "row": late})
        expected[str(values[0])] = kept
    return {table.qualified_name: {"versions": versions, "expected": expected}}
