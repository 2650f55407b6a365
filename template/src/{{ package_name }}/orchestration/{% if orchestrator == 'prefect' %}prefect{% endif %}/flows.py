"""The daily platform flow: a task per source (ingest, with retries and exponential backoff),
dbt through prefect-dbt (one ``dbt build``, a task per dbt node), then the marts summary.

Lineage: prefect-dbt makes an asset of every dbt node, keyed ``<adapter>://<relation>``, with
its upstream nodes' assets (the dbt sources over bronze among them); each ``ingest <source>``
task materializes those source assets, with the raw source (folder, database, API) upstream, so
the Prefect UI draws source -> bronze -> silver -> gold -> marts.

The tasks call the tool-neutral ``pipeline`` steps (what ``platform run`` runs without any
orchestrator). Steps run one after the other: DuckDB allows a single writer. prefect.yaml at the
project root deploys ``daily_platform`` on the stack config's schedule.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.assets import Asset, AssetProperties, materialize
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings
from prefect_dbt.utilities import format_resource_id

from ...config import StackConfig, load_config
from ...pipeline.ingest import SOURCE_NAMES, api_endpoint, ensure_sample_data, run_source
from ...pipeline.summary import mart_summary
from ...pipeline.transform import (
    check_dbt_project,
    dbt_base_args,
    dbt_environment,
    parse_manifest,
)
from . import FLOW_NAME

# dbt artifacts of Prefect runs, relative to the dbt project (inside its git-ignored target/).
RUN_TARGET_PATH = Path("target") / "prefect"


class IngestFailed(RuntimeError):
    """One or more sources could not be loaded (after their retries): nothing is transformed."""


@task(name="sample data", cache_policy=NO_CACHE)
def prepare_sample_data(cfg: StackConfig) -> dict[str, int] | None:
    """Generate the sample sources if any is missing (a no-op once they exist)."""
    return ensure_sample_data(cfg)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_source(cfg: StackConfig, source_name: str, api_base_url: str | None) -> dict[str, int]:
    """One source into the lake's bronze zone with the configured ingestion tool."""
    load = run_source(cfg, source_name, api_base_url=api_base_url)
    get_run_logger().info(f"{source_name}: {load.total_rows} rows in {load.seconds:.1f} s")
    return dict(load.rows)


def raw_source(cfg: StackConfig, source_name: str) -> Asset:
    """The asset of a source as it is before ingestion: its folder, database or API."""
    api = cfg.api_base_url
    uri = {
        "files": cfg.files_dir.as_uri(),
        "shop_db": cfg.sqlite_path.as_uri(),
        # The bundled sample API listens on a free port per run: one key for all its runs.
        "shop_api": "sample://shop_api" if api == "sample" else api,
    }[source_name]
    return Asset(key=uri, properties=AssetProperties(name=f"source {source_name}"))


def bronze_assets(cfg: StackConfig) -> dict[str, list[Asset]]:
    """Per source, the assets prefect-dbt gives the dbt sources over its bronze tables (the
    same keys: ``format_resource_id`` of each source's relation), from a ``dbt parse``."""
    manifest = parse_manifest(cfg, target_path=cfg.dbt_project_dir / RUN_TARGET_PATH)
    adapter = manifest.metadata.adapter_type
    assets: dict[str, list[Asset]] = {}
    for source in sorted(manifest.sources.values(), key=lambda s: s.unique_id):
        if source.relation_name:
            properties = AssetProperties(name=f"bronze {source.source_name}.{source.name}")
            key = format_resource_id(adapter, source.relation_name)
            assets.setdefault(source.source_name, []).append(Asset(key=key, properties=properties))
    return assets


def ingest_task(cfg: StackConfig, source_name: str, bronze: list[Asset] | None = None) -> Any:
    """``ingest_source`` named after its source, retried as the stack config says; with
    ``bronze`` (``bronze_assets``), a task that materializes them from the raw source."""
    settings = cfg.orchestrator
    options: dict[str, Any] = {
        "name": f"ingest {source_name}",
        "retries": settings.ingest_retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=settings.retry_delay_seconds),
    }
    if not bronze:
        return ingest_source.with_options(**options)
    return materialize(
        *bronze,
        by=cfg.platform.ingestion.tool,
        asset_deps=[raw_source(cfg, source_name)],
        cache_policy=NO_CACHE,
        **options,
    )(ingest_source.fn)


def transform(cfg: StackConfig) -> None:
    """``dbt build`` (models and their tests) with prefect-dbt: a task per node; a failing
    model or test fails the flow run."""
    check_dbt_project(cfg)
    warehouse = cfg.module("warehouse")
    warehouse.prepare(cfg)
    try:
        # The one environment rule of every dbt run (pipeline.transform).
        with dbt_environment(cfg):
            runner = PrefectDbtRunner(
                settings=PrefectDbtSettings(
                    project_dir=cfg.dbt_project_dir,
                    profiles_dir=cfg.dbt_profiles_dir,
                    target_path=RUN_TARGET_PATH,
                ),
                raise_on_failure=True,
            )
            runner.invoke(["build", *dbt_base_args(cfg)])
    finally:
        warehouse.release()


@task(name="summary", cache_policy=NO_CACHE)
def summarize(cfg: StackConfig) -> dict[str, Any]:
    summary = mart_summary(cfg)
    logger = get_run_logger()
    for table, rows in summary.tables.items():
        logger.info(f"{table}: {rows} rows")
    return asdict(summary)


@flow(name=FLOW_NAME, description="Sources -> bronze -> silver -> gold -> marts, with dbt tests.")
def daily_platform(config_path: str | None = None) -> dict[str, Any]:
    """The whole pipeline; ``config_path`` defaults to the project's stack config."""
    cfg = load_config(Path(config_path) if config_path else None)
    cfg.apply_runtime_env()
    prepare_sample_data(cfg)
    bronze = bronze_assets(cfg)
    failed: dict[str, BaseException] = {}
    with api_endpoint(cfg) as api_url:
        for source_name in SOURCE_NAMES:
            api_base_url = api_url if source_name == "shop_api" else None
            ingest = ingest_task(cfg, source_name, bronze.get(source_name))
            state = ingest(cfg, source_name, api_base_url, return_state=True)
            if state.is_failed():
                failed[source_name] = state.result(raise_on_failure=False)
    if failed:
        reasons = "; ".join(f"{name}: {error}" for name, error in failed.items())
        raise IngestFailed(f"{len(failed)} source(s) failed, nothing transformed: {reasons}")
    transform(cfg)
    return summarize(cfg)


if __name__ == "__main__":
    daily_platform()
