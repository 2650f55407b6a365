"""Airbyte ingestion: connections as code for an Airbyte server (``terraform/`` at the project
root), a sync trigger (``api.py``) and ONE bronze adapter (``adapter.py``) from Airbyte's
destination shape to the bronze contract. ``mode: pyairbyte`` (the default) runs the connectors
here with PyAirbyte, no server: the shop API's declarative manifest (``shop_api.yaml``) and the
project's own CDK connectors for the files and the shop database (``connectors.py``), in
Airbyte's own environment (``.venv-airbyte``, created on first use: PyAirbyte pins libraries
the platform does not share), started as ``pyairbyte_sync.py``.

Heavy imports (pyarrow, the readers) happen only when a run starts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import own_environment
from ...checks import Check
from ...config.schema import PROJECT_ROOT
from ...sample.schema import FILES, SHOP_API, SHOP_DB, SOURCE_TABLES, TABLES_BY_NAME
from .._managed import destination_check
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig
    from ..contract import SourceLoad
    from .api import AirbyteClient

__all__ = ["Settings", "check", "run_source", "runtime_env"]

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
ENVIRONMENT = ".venv-airbyte"
MANIFEST = HERE / "shop_api.yaml"
# The project's own connectors, as the executables PyAirbyte starts (``connectors.py``).
EXECUTABLES = {FILES: "source-shop-files", SHOP_DB: "source-shop-db"}
# How long one PyAirbyte sync may take before the run fails.
PYAIRBYTE_TIMEOUT_SECONDS = 3600


def destination(cfg: StackConfig) -> Path:
    """Where the destination streams in Airbyte's shape are (``<namespace>/<stream>/``)."""
    return cfg.resolve(cfg.ingestion.destination)


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {}


def environment_dir() -> Path:
    return PROJECT_ROOT / ENVIRONMENT


def ensure_environment() -> Path:
    """``.venv-airbyte`` with ``requirements.txt`` installed (see ``own_environment``), and the
    project's connectors as executables in it. Returns the environment's ``bin`` folder."""
    bin_dir = own_environment.ensure(environment_dir(), REQUIREMENTS)
    for kind, name in EXECUTABLES.items():
        script = bin_dir / name
        text = f'#!/bin/sh\nexec "{bin_dir / "python"}" "{HERE / "connectors.py"}" {kind} "$@"\n'
        if not script.is_file() or script.read_text(encoding="utf-8") != text:
            script.write_text(text, encoding="utf-8")
            script.chmod(0o755)
    return bin_dir


def client(cfg: StackConfig) -> AirbyteClient:
    from .api import AirbyteClient

    settings = cfg.ingestion
    return AirbyteClient(settings.api_url, settings.client_id, settings.client_secret)


def _since(state: dict[str, Any], tables: tuple[str, ...], text: bool) -> str:
    """Where the source is read from: the oldest cursor of ``tables`` (the adapter's cursor
    picks the rows to load); '' / the epoch before the first load."""
    from ..readers.cursor import Cursor, format_instant

    cursors = [Cursor(dict(state["tables"].get(table, {}))) for table in tables]
    starts = [cursor.start for cursor in cursors if cursor.start is not None]
    if len(starts) < len(cursors):
        return "" if text else "1970-01-01T00:00:00Z"
    oldest = next(cursor for cursor in cursors if cursor.start == min(starts))
    return oldest.text_lower_bound() if text else format_instant(min(starts))


def _new_files(cfg: StackConfig, state: dict[str, Any]) -> dict[str, dict[str, list[int]]]:
    """Per table, the batch files not read yet (or changed since): name -> signature."""
    from ..readers.sources import file_signature

    new: dict[str, dict[str, list[int]]] = {}
    for table in SOURCE_TABLES[FILES]:
        done = state["tables"].get(table, {}).get("files", {})
        for path in sorted(cfg.files_dir.glob(TABLES_BY_NAME[table].file_pattern())):
            signature = file_signature(path)
            if done.get(path.name) != signature:
                new.setdefault(table, {})[path.name] = signature
    return new


def pyairbyte_sync(
    cfg: StackConfig, source: str, api_base_url: str | None = None
) -> dict[str, dict[str, list[int]]]:
    """One PyAirbyte sync of ``source`` into the destination (in ``.venv-airbyte``); the files
    it read (files source), to record once the adapter took them in."""
    from ...sample.api import serve_sample_api
    from .adapter import load_state

    target = destination(cfg)
    state = load_state(target, source)
    tables = SOURCE_TABLES[source]
    files: dict[str, dict[str, list[int]]] = {}
    job: dict[str, Any] = {"source": source, "destination": str(target), "streams": list(tables)}
    server: Any = nullcontext(api_base_url)
    if source == FILES:
        files = _new_files(cfg, state)
        if not files:  # every file was read: nothing to sync
            return {}
        job["streams"] = sorted(files)
        job["config"] = {
            "folder": str(cfg.files_dir),
            "tables": {t: sorted(f) for t, f in files.items()},
        }
    elif source == SHOP_DB:
        keys = {table: TABLES_BY_NAME[table].key[0] for table in tables}
        job["config"] = {
            "path": str(cfg.sqlite_path),
            "tables": keys,
            "updated_since": _since(state, tables, text=True),
        }
    bin_dir = ensure_environment()
    if source in EXECUTABLES:
        job["executable"] = str(bin_dir / EXECUTABLES[source])
    if source == SHOP_API:
        configured = None if cfg.api_base_url == "sample" else cfg.api_base_url
        url = api_base_url or configured
        server = serve_sample_api(cfg.api_data_path) if url is None else nullcontext(url)
        job["manifest"] = str(MANIFEST)
        job["config"] = {
            "page_size": cfg.api_page_size,
            "updated_since": _since(state, tables, text=False),
        }
    logs = target / "_pyairbyte" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(
        {"AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1", "AIRBYTE_LOGGING_ROOT": str(logs)}
    )
    # PyAirbyte leaves its connectors' config files in the temporary folder: the sync gets
    # one of its own inside the destination, removed afterwards (nothing lands in TMPDIR).
    with server as url, tempfile.TemporaryDirectory(dir=target / "_pyairbyte") as tmp:
        env.update({"TMPDIR": tmp, "TEMP": tmp, "TMP": tmp})
        if source == SHOP_API:
            job["config"]["api_url"] = url
        job_path = Path(tmp) / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        from ..contract import IngestError

        try:
            done = subprocess.run(
                [str(bin_dir / "python"), str(HERE / "pyairbyte_sync.py"), str(job_path)],
                env=env,
                capture_output=True,
                text=True,
                timeout=PYAIRBYTE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise IngestError(
                f"{source}: the PyAirbyte sync did not finish within {PYAIRBYTE_TIMEOUT_SECONDS} s"
            ) from exc
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise IngestError(f"{source}: the PyAirbyte sync failed (logs in {logs}):\n{tail}")
    return files


def run_source(
    cfg: StackConfig, source_name: str, bronze_url: str, api_base_url: str | None = None
) -> SourceLoad:
    """Sync one source (PyAirbyte here, or the server's connection in ``mode: sync``), then
    adapt its new destination rows into bronze (``bronze_url`` is the lake's, reached through
    the lake module). Either step can be re-run: nothing lands twice."""
    from ..contract import SourceLoad
    from .adapter import adapt_source, load_state, save_state

    if source_name not in SOURCE_TABLES:
        raise ValueError(f"unknown source {source_name!r}; expected one of {tuple(SOURCE_TABLES)}")
    started = time.perf_counter()
    settings = cfg.ingestion
    files: dict[str, dict[str, list[int]]] = {}
    if settings.mode == "pyairbyte":
        files = pyairbyte_sync(cfg, source_name, api_base_url=api_base_url)
    else:
        client(cfg).sync(
            settings.connection_id(source_name),
            timeout=settings.sync_timeout_seconds,
            poll=settings.poll_seconds,
        )
    target = destination(cfg)
    rows, load_ids = adapt_source(cfg, source_name, target)
    if files:
        state = load_state(target, source_name)
        for table, read in files.items():
            state["tables"].setdefault(table, {}).setdefault("files", {}).update(read)
        save_state(target, source_name, state)
    return dataclasses.replace(
        SourceLoad(source=source_name, rows=rows, seconds=0.0, load_ids=load_ids),
        seconds=time.perf_counter() - started,
    )


def check(cfg: StackConfig) -> Check:
    """PyAirbyte: the destination folder is writable. Sync: every connection answers the API."""
    settings = cfg.ingestion
    if settings.mode == "pyairbyte":
        path = destination(cfg)
        installed = (environment_dir() / own_environment.STAMP).is_file()
        where = "installed" if installed else "created by the first ingest"
        return destination_check("airbyte", path, f"PyAirbyte into {path} ({ENVIRONMENT}: {where})")
    from .api import AirbyteSyncError

    states = []
    for source in SOURCE_TABLES:
        connection_id = settings.connection_id(source)
        try:
            status = client(cfg).connection(connection_id).get("status", "?")
        except AirbyteSyncError as exc:
            return Check(
                "ingestion (airbyte)",
                False,
                str(exc),
                "check AIRBYTE_CLIENT_ID, AIRBYTE_CLIENT_SECRET and the connection ids in .env",
            )
        states.append(f"{source}/{connection_id}={status}")
    return Check("ingestion (airbyte)", True, f"connections: {', '.join(states)}")
