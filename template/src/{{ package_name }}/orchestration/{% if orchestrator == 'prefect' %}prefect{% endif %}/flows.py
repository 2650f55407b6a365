"""The daily platform flow: a task per source (ingest, with retries and exponential backoff),
dbt through prefect-dbt (one ``dbt build``, a task per dbt node), then the marts summary.

The tasks call the tool-neutral ``pipeline`` steps (what ``platform run`` runs without any
orchestrator). Steps run one after the other: DuckDB allows a single writer. prefect.yaml at the
project root deploys ``daily_platform`` on the stack config's schedule.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from ...config import StackConfig, load_config
from ...pipeline.ingest import SOURCE_NAMES, api_endpoint, ensure_sample_data, run_source
from ...pipeline.summary import mart_summary
from ...pipeline.transform import check_dbt_project, dbt_base_args, dbt_environment
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


def ingest_task(cfg: StackConfig, source_name: str) -> Any:
    """``ingest_source`` named after its source, retried as the stack config says."""
    settings = cfg.orchestrator
    return ingest_source.with_options(
        name=f"ingest {source_name}",
        retries=settings.ingest_retries,
        retry_delay_seconds=exponential_backoff(backoff_factor=settings.retry_delay_seconds),
    )


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
    failed: dict[str, BaseException] = {}
    with api_endpoint(cfg) as api_url:
        for source_name in SOURCE_NAMES:
            api_base_url = api_url if source_name == "shop_api" else None
            state = ingest_task(cfg, source_name)(cfg, source_name, api_base_url, return_state=True)
            if state.is_failed():
                failed[source_name] = state.result(raise_on_failure=False)
    if failed:
        reasons = "; ".join(f"{name}: {error}" for name, error in failed.items())
        raise IngestFailed(f"{len(failed)} source(s) failed, nothing transformed: {reasons}")
    transform(cfg)
    return summarize(cfg)


if __name__ == "__main__":
    daily_platform()
