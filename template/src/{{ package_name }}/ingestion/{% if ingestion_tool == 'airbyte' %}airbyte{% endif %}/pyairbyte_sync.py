"""One PyAirbyte sync of one source: runs ONLY in the Airbyte environment (``.venv-airbyte``),
started by ``__init__.py`` as ``python pyairbyte_sync.py <job.json>``; it never imports the
platform (whose libraries that environment does not hold).

The job names the source (``files``, ``shop_db``, ``shop_api``), its connector (a local
executable speaking the Airbyte protocol, or the declarative manifest ``shop_api.yaml``), its
config and the destination folder. PyAirbyte reads the source (``AIRBYTE_OFFLINE_MODE=1``: no
registry, no telemetry) into its DuckDB cache (``<destination>/_pyairbyte/cache_<source>.duckdb``),
appending; the records that sync added are then written to the destination in Airbyte's shape,
one parquet file per stream and sync: ``<destination>/<source>/<stream>/<sync>.parquet`` with the
source's columns and Airbyte's ``_airbyte_raw_id``, ``_airbyte_extracted_at``,
``_airbyte_meta`` and ``_airbyte_generation_id``. Prints a JSON summary (rows per stream).

A sync commits when its record in ``<destination>/_pyairbyte/<source>.json`` is saved; files of
a sync that never committed are removed by the next one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

import airbyte as ab
import yaml
from airbyte.caches import DuckDBCache
from sqlalchemy import text

SYSTEM_COLUMNS = (
    "_airbyte_raw_id",
    "_airbyte_extracted_at",
    "_airbyte_meta",
    "_airbyte_generation_id",
)


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"syncs": [], "exported": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _save(path: Path, state: dict[str, Any]) -> None:
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def _source(job: dict[str, Any]) -> Any:
    name = f"source-{job['source'].replace('_', '-')}"
    if job.get("manifest"):
        manifest = yaml.safe_load(Path(job["manifest"]).read_text(encoding="utf-8"))
        return ab.get_source(name, config=job["config"], source_manifest=manifest)
    return ab.get_source(name, config=job["config"], local_executable=Path(job["executable"]))


def _export(
    cache: DuckDBCache, schema: str, stream: str, after: str | None, target: Path
) -> tuple[int, str | None]:
    """The stream's rows extracted after ``after`` -> ``target`` (parquet), through the
    cache's own DuckDB connection; (rows, newest extraction time)."""
    # The cache's own system columns (it has no generation id), written back in this order.
    columns = ", ".join(SYSTEM_COLUMNS[:3])
    table = f'"{schema}"."{stream}"'
    with cache.get_sql_engine().begin() as con:
        known = con.execute(
            text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = :schema AND table_name = :stream"
            ),
            {"schema": schema, "stream": stream},
        ).scalar()
        if not known:  # the stream never had a record
            return 0, None
        where = "" if after is None else f"WHERE _airbyte_extracted_at > '{after}'::TIMESTAMP"
        rows, newest = con.execute(
            text(f"SELECT count(*), max(_airbyte_extracted_at)::VARCHAR FROM {table} {where}")
        ).one()
        if not rows:
            return 0, None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".parquet.partial")
        con.execute(
            text(
                f"COPY (SELECT * EXCLUDE ({columns}), _airbyte_raw_id, "
                "_airbyte_extracted_at AT TIME ZONE 'UTC' AS _airbyte_extracted_at, "
                "_airbyte_meta::VARCHAR AS _airbyte_meta, "
                "0::BIGINT AS _airbyte_generation_id "
                f"FROM {table} {where} ORDER BY _airbyte_extracted_at) "
                f"TO '{partial}' (FORMAT parquet)"
            )
        )
    os.replace(partial, target)
    return rows, newest


def main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    started = time.perf_counter()
    destination = Path(job["destination"])
    source_name: str = job["source"]
    home = destination / "_pyairbyte"
    home.mkdir(parents=True, exist_ok=True)
    state_path = home / f"{source_name}.json"
    state = _load(state_path)
    committed = set(state["syncs"])
    for folder in (destination / source_name).glob("*"):
        for path in folder.glob("*.parquet*"):
            if path.name.split(".")[0] not in committed:
                path.unlink()
    db = home / f"cache_{source_name}.duckdb"  # not <schema>.duckdb: DuckDB would mix the two names
    cache = DuckDBCache(db_path=db, schema_name=source_name, cache_dir=home / "cache")
    if job["streams"]:
        source = _source(job)
        source.select_streams(job["streams"])
        source.read(cache=cache, write_strategy="append", force_full_refresh=True)
    sync = str(time.time_ns() // 1000)
    rows: dict[str, int] = {}
    for stream in job["streams"]:
        target = destination / source_name / stream / f"{sync}.parquet"
        after = state["exported"].get(stream)
        rows[stream], newest = _export(cache, source_name, stream, after, target)
        if newest is not None:
            state["exported"][stream] = newest
    state["syncs"].append(sync)
    _save(state_path, state)
    summary = {"sync": sync, "rows": rows, "seconds": time.perf_counter() - started}
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1])
