"""Ingestion assets: one run of the configured ingestion tool per source lands its tables in
the lake's bronze zone (``pipeline.ingest.run_source``: the step the CLI runs too).

Each bronze table is an asset keyed ``[<source>, <table>]``, the key dagster-dbt gives the
matching dbt source (``transform/models/bronze/_sources.yml``): that is how the bronze dbt
models come to depend on these assets.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext

import dagster as dg

from ....config import StackConfig, load_config
from ....pipeline.ingest import SOURCE_NAMES, api_endpoint, ensure_sample_data, run_source
from ....sample.schema import SOURCE_TABLES

GROUP = "ingestion"


def bronze_asset_key(source_name: str, table: str) -> dg.AssetKey:
    """The asset key of one bronze table (what dbt's ``source(source_name, table)`` maps to)."""
    return dg.AssetKey([source_name, table])


def _api_url(cfg: StackConfig, source_name: str) -> AbstractContextManager[str | None]:
    """The shop API URL for the duration of a run (starts the sample API if configured)."""
    return api_endpoint(cfg) if source_name == "shop_api" else nullcontext(None)


def build_ingestion_assets(cfg: StackConfig, source_name: str) -> dg.AssetsDefinition:
    """The bronze tables of ``source_name`` as one multi-asset (one ingestion run)."""
    tool = cfg.tool("ingestion")
    specs = [
        dg.AssetSpec(
            bronze_asset_key(source_name, table),
            group_name=GROUP,
            kinds={tool, "parquet"},
            description=f"{source_name}.{table} in the lake's bronze zone ({tool}).",
        )
        for table in SOURCE_TABLES[source_name]
    ]

    @dg.multi_asset(specs=specs, name=f"ingest_{source_name}")
    def _ingest(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        ensure_sample_data(cfg)
        with _api_url(cfg, source_name) as api_base_url:
            load = run_source(cfg, source_name, api_base_url=api_base_url)
        context.log.info(f"{source_name}: {load.total_rows} rows in {load.seconds:.1f} s")
        for table, rows in load.rows.items():
            yield dg.MaterializeResult(
                asset_key=bronze_asset_key(source_name, table),
                metadata={"rows_loaded": rows, "load_ids": ", ".join(load.load_ids)},
            )

    return _ingest


@dg.definitions
def defs() -> dg.Definitions:
    cfg = load_config()
    cfg.apply_runtime_env()
    return dg.Definitions(assets=[build_ingestion_assets(cfg, name) for name in SOURCE_NAMES])
