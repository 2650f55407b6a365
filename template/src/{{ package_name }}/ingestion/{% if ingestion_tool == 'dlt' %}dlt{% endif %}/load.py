"""One dlt pipeline per source: parquet in ``<bronze>/<source>/<table>/load_id=<id>/``."""

from __future__ import annotations

import time
from typing import Any

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.sources import DltSource

from ...config import StackConfig
from ...sample.schema import SOURCE_TABLES
from ..contract import IngestError, SourceLoad
from . import state_dir
from .sources import files_source, shop_api_source, shop_db_source

BRONZE_LAYOUT = "{table_name}/load_id={load_id}/{file_id}.{ext}"
# adlfs option -> dlt's Azure credentials field.
AZURE_CREDENTIALS = {
    "account_name": "azure_storage_account_name",
    "account_key": "azure_storage_account_key",
    "sas_token": "azure_storage_sas_token",
    "tenant_id": "azure_tenant_id",
    "client_id": "azure_client_id",
    "client_secret": "azure_client_secret",
}


def build_pipeline(cfg: StackConfig, source_name: str, bronze_url: str) -> dlt.Pipeline:
    """The dlt pipeline of one source, writing the bronze contract's layout at ``bronze_url``."""
    _check_source(source_name)
    cfg.apply_runtime_env()
    destination = dlt.destinations.filesystem(
        bucket_url=bronze_url, layout=BRONZE_LAYOUT, **lake_access(cfg)
    )
    return dlt.pipeline(
        pipeline_name=source_name,
        pipelines_dir=str(state_dir(cfg) / "pipelines"),
        destination=destination,
        dataset_name=source_name,
        progress=None,
    )


def lake_access(cfg: StackConfig) -> dict[str, Any]:
    """dlt's ``credentials`` (and fsspec ``kwargs``) for the lake's network store; nothing for
    a local folder. Every value comes from the lake's ``object_store``."""
    store = cfg.module("data_lake").object_store(cfg)
    if store is None:
        return {}
    if store.protocol == "s3":
        return {
            "credentials": {
                "aws_access_key_id": store.access_key_id,
                "aws_secret_access_key": store.secret_access_key,
                "aws_session_token": store.session_token,
                "region_name": store.region,
                "endpoint_url": store.endpoint_url,
            }
        }
    if store.protocol == "gs":
        # gcsfs authenticates from the options (a key file, the default chain, or none for
        # an emulator); dlt wants a credentials object too (None: it finds the default one).
        return {"credentials": store.credentials, "kwargs": dict(store.options)}
    if store.protocol == "az":
        # adlfs authenticates from the options (a connection string first); dlt wants its own
        # credentials fields too (the account alone: Azure's default chain).
        credentials = {
            AZURE_CREDENTIALS[key]: value
            for key, value in store.options.items()
            if key in AZURE_CREDENTIALS
        }
        return {"credentials": credentials, "kwargs": dict(store.options)}
    raise IngestError(f"dlt: no credentials mapping for a {store.protocol!r} lake")


def build_source(cfg: StackConfig, source_name: str, api_base_url: str | None = None) -> DltSource:
    """The dlt source ``source_name``, configured from ``cfg``; nothing is read until extraction.

    For ``shop_api``, ``api_base_url`` overrides the configured URL; without either (the
    config says ``sample``) the sample API is started while dlt extracts.
    """
    _check_source(source_name)
    if source_name == "files":
        return files_source(files_dir=str(cfg.files_dir))
    if source_name == "shop_db":
        return shop_db_source(db_path=str(cfg.sqlite_path))
    configured = None if cfg.api_base_url == "sample" else cfg.api_base_url
    return shop_api_source(
        base_url=api_base_url or configured,
        page_size=cfg.api_page_size,
        sample_db_path=str(cfg.api_data_path),
        protocol=cfg.ingestion.api_protocol,
    )


def _check_source(source_name: str) -> None:
    if source_name not in SOURCE_TABLES:
        raise ValueError(f"unknown source {source_name!r}; expected one of {tuple(SOURCE_TABLES)}")


def run_source(
    cfg: StackConfig, source_name: str, bronze_url: str, api_base_url: str | None = None
) -> SourceLoad:
    """Extract one source into bronze; return rows loaded per table and the seconds it took.

    Packages left by an interrupted run (extracted or normalized, not yet loaded) are loaded
    first; their incremental state was saved with them, so nothing is extracted twice.
    """
    started = time.perf_counter()
    pipeline = build_pipeline(cfg, source_name, bronze_url)
    try:
        if pipeline.has_pending_data:
            pipeline.run(loader_file_format="parquet")
        source = build_source(cfg, source_name, api_base_url=api_base_url)
        load_info = pipeline.run(source, loader_file_format="parquet")
    except PipelineStepFailed as exc:
        cause = exc.__cause__ or exc.exception
        raise IngestError(f"ingest {source_name} failed at {exc.step}: {cause}") from exc
    row_counts = pipeline.last_trace.last_normalize_info.row_counts
    rows = {table: int(row_counts.get(table, 0)) for table in SOURCE_TABLES[source_name]}
    return SourceLoad(
        source=source_name,
        rows=rows,
        seconds=time.perf_counter() - started,
        load_ids=list(load_info.loads_ids),
    )
