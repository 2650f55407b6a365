"""Ingestion assets: one dlt run per source lands its tables in the lake's bronze zone.

Each bronze table is an asset keyed ``[<source>, <table>]``, the key dagster-dbt gives the
matching dbt source (``transform/models/bronze/_sources.yml``): that is how the bronze dbt
models come to depend on these assets.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ..config import StackConfig, load_config
from ..pipeline.ingest import (
    SOURCE_NAMES,
    api_endpoint,
    build_pipeline,
    build_source,
    ensure_sample_data,
)

GROUP = "ingestion"


def bronze_asset_key(source_name: str, table: str) -> dg.AssetKey:
    """The asset key of one bronze table (what dbt's ``source(source_name, table)`` maps to)."""
    return dg.AssetKey([source_name, table])


@dataclass
class BronzeTranslator(DagsterDltTranslator):
    """Keys dlt resources by bronze table; the external systems are not modelled as assets."""

    source_name: str = ""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        return (
            super()
            .get_asset_spec(data)
            .replace_attributes(
                key=bronze_asset_key(self.source_name, data.resource.name),
                deps=[],
                group_name=GROUP,
                kinds={"dlt", "parquet"},
            )
        )


def _api_url(cfg: StackConfig, source_name: str) -> AbstractContextManager[str | None]:
    """The shop API URL for the duration of a run (starts the sample API if configured)."""
    return api_endpoint(cfg) if source_name == "shop_api" else nullcontext(None)


def build_ingestion_assets(cfg: StackConfig, source_name: str) -> dg.AssetsDefinition:
    """The bronze tables of ``source_name`` as one multi-asset (one dlt pipeline run)."""

    @dlt_assets(
        dlt_source=build_source(cfg, source_name),
        dlt_pipeline=build_pipeline(cfg, source_name),
        name=f"ingest_{source_name}",
        dagster_dlt_translator=BronzeTranslator(source_name=source_name),
    )
    def _ingest(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        ensure_sample_data(cfg)
        with _api_url(cfg, source_name) as api_base_url:
            yield from dlt.run(
                context=context,
                dlt_source=build_source(cfg, source_name, api_base_url=api_base_url),
                dlt_pipeline=build_pipeline(cfg, source_name),
                loader_file_format="parquet",
            )

    return _ingest


@dg.definitions
def defs() -> dg.Definitions:
    cfg = load_config()
    cfg.apply_runtime_env()
    return dg.Definitions(
        assets=[build_ingestion_assets(cfg, name) for name in SOURCE_NAMES],
        resources={"dlt": DagsterDltResource()},
    )
