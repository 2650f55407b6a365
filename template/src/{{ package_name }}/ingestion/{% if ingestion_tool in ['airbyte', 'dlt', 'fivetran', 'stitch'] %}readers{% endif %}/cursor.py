"""The incremental cursor on ``updated_at``, compared as instants, moved only by valid ones.

The rule, per table (its state kept by the ingestion tool: dlt's resource state, saved with
each load; the Fivetran replay's connector state):

- ``updated_at`` is read as ISO-8601: an offset is converted to UTC, a value without a zone is
  UTC (as silver reads it). The cursor is the newest such instant loaded so far.
- A row whose ``updated_at`` parses is loaded when it is after the cursor as it stood when the
  run started (rows at or before it were loaded by an earlier run; as before, a row that
  arrives late with an older ``updated_at`` is not loaded).
- A row whose ``updated_at`` does not parse (missing, empty, ``not-a-date``, an impossible
  date) is loaded too, since bronze keeps every row and silver quarantines it with
  ``invalid_timestamp``, but it never moves the cursor. A text comparison would have let
  ``not-a-date`` (``n`` sorts after ``2``) become the cursor and hide every later change.
- Such rows are loaded once: the run remembers a fingerprint of each one it saw (a hash of all
  its values) and skips a row whose fingerprint it remembers. A source that serves them on every
  request (the database and the API select ``updated_at`` as text, where junk sorts after the
  cursor) therefore loads them once; if any value of the row changes, it is loaded again. The
  fingerprints kept are those seen by the last run that read rows, so what the source no longer
  serves is forgotten. Files are read once per file anyway (see ``files_source``).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...sample.schema import CURSOR_COLUMN
from .values import CONVERSION_ERRORS, as_text

INSTANT = pa.timestamp("us", tz="UTC")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The longest UTC offset (+14:00) and then some: the margin of a text filter on updated_at.
TEXT_FILTER_MARGIN = timedelta(days=1)
# Where dlt's own incremental kept its last value (platforms generated before this module).
_LEGACY_STATE = ("incremental", CURSOR_COLUMN, "last_value")


def parse_instant(value: Any) -> datetime | None:
    """An ISO-8601 timestamp as an aware UTC datetime; None when ``value`` is not one."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    """``2026-03-31T23:59:59Z`` (microseconds only when there are any)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_instants(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``updated_at`` values as UTC instants, null where a value does not parse."""
    try:
        return column.cast(INSTANT)  # the usual case: every value ISO-8601 with a zone
    except CONVERSION_ERRORS:
        return pa.array([parse_instant(value) for value in column.to_pylist()], type=INSTANT)


def fingerprint(row: dict[str, Any]) -> str:
    """A hash of a row's values; a number hashes the same whether read as a number or as text
    (a column can be either from one run to the next: ``values.py``)."""
    values = json.dumps([[name, _canonical(row[name])] for name in sorted(row)])
    return hashlib.blake2b(values.encode(), digest_size=12).hexdigest()


def _canonical(value: Any) -> str | None:
    text = as_text(value)
    if text is None:
        return None
    try:
        return repr(float(text))
    except ValueError:
        return text


class Cursor:
    """The cursor of one table during one run; ``select`` keeps the rows to load."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        saved = state.get("cursor")
        if saved is None:
            legacy: Any = state
            for key in _LEGACY_STATE:
                legacy = legacy.get(key) if isinstance(legacy, dict) else None
            saved = legacy
        self.start = parse_instant(saved)
        self.newest = self.start
        self.known = frozenset(state.get("unparsable", ()))
        self.seen: set[str] = set()

    def text_lower_bound(self) -> str:
        """A bound for a source that compares ``updated_at`` as text: every timestamp after
        the cursor, whatever its offset or format, is ``>=`` it ('' before the first load)."""
        if self.start is None:
            return ""
        return (self.start - TEXT_FILTER_MARGIN).date().isoformat()

    def select(self, data: pa.Table) -> pa.Table:
        """The rows of ``data`` to load (see the module docstring); updates the state."""
        if CURSOR_COLUMN in data.column_names:
            moments = parse_instants(data[CURSOR_COLUMN])
        else:
            moments = pa.nulls(data.num_rows, type=INSTANT)
        valid = pc.is_valid(moments)
        if self.start is None:
            keep = valid
        else:
            keep = pc.fill_null(pc.greater(moments, pa.scalar(self.start, type=INSTANT)), False)
        invalid = pc.indices_nonzero(pc.invert(valid))
        if len(invalid):
            flags = keep.to_pylist()
            for index, row in zip(invalid.to_pylist(), data.take(invalid).to_pylist(), strict=True):
                mark = fingerprint(row)
                flags[index] = mark not in self.known  # copies within a run all load
                self.seen.add(mark)
            keep = pa.array(flags, type=pa.bool_())
        newest = pc.max(pc.filter(moments, keep)).as_py()
        if newest is not None and (self.newest is None or newest > self.newest):
            self.newest = newest
        if self.newest is not None:
            self.state["cursor"] = format_instant(self.newest)
        self.state["unparsable"] = sorted(self.seen)
        return data.filter(keep)
