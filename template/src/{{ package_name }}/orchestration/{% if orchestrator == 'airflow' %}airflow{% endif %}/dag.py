"""The ``daily_platform`` DAG: sample data, a TaskFlow task per source (retried with
exponential backoff), the warehouse made ready, dbt through astronomer-cosmos (a task and a
test task per model), then the marts summary.

The tasks call the tool-neutral ``pipeline`` steps (what ``platform run`` runs without any
orchestrator). Cosmos renders the dbt project (``dbt ls``, in-process, cached by Cosmos) and,
in its watcher mode, runs it as one ``dbt build`` whose node results the per-model tasks report:
no dbt process per node (docs/airflow.md has the measurements).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from airflow.sdk import DAG, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.operators._watcher.base import BaseConsumerSensor

from ...config import StackConfig, load_config
from ...pipeline.ingest import SOURCE_NAMES, api_endpoint, ensure_sample_data, run_source
from ...pipeline.summary import mart_summary
from . import DAG_ID, DBT_GROUP, SAMPLE_API_SOURCE

log = logging.getLogger(__name__)

# The first day the schedule may run; with catchup off, only the latest interval runs.
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
# How often a model's task looks for its result while the producer's `dbt build` runs.
POKE_SECONDS = 5
EXECUTION_MODES = {"watcher": ExecutionMode.WATCHER, "per_node": ExecutionMode.LOCAL}


def dbt_profile_name(cfg: StackConfig) -> str:
    """The profile ``dbt_project.yml`` names (its ``profiles.yml`` entry)."""
    project = yaml.safe_load((cfg.dbt_project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["profile"]


def dbt_task_group(cfg: StackConfig) -> DbtTaskGroup:
    """dbt as a task group: per model a run task and a test task, with dbt's dependencies."""
    mode = EXECUTION_MODES[cfg.orchestrator.dbt_mode]
    group = DbtTaskGroup(
        group_id=DBT_GROUP,
        project_config=ProjectConfig(
            dbt_project_path=cfg.dbt_project_dir, install_dbt_deps=False, partial_parse=True
        ),
        profile_config=ProfileConfig(
            profile_name=dbt_profile_name(cfg),
            target_name=cfg.dbt_target,
            profiles_yml_filepath=cfg.dbt_profiles_dir / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            execution_mode=mode, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_LS,
            invocation_mode=InvocationMode.DBT_RUNNER,
            test_behavior=TestBehavior.AFTER_EACH,
        ),
        # Lineage is the graph of tasks; no Airflow assets per model.
        operator_args={"emit_datasets": False},
        # A failed dbt node is retried by hand (clear it, or `... airflow run --retry`).
        default_args={"retries": 0},
    )
    for sensor in _consumers(group):
        # Poke, then give the worker slot back (reschedule): the producer's `dbt build` runs
        # meanwhile, also under `airflow dags test`, which runs one task at a time.
        sensor.deferrable = False
        sensor.mode = "reschedule"
        sensor.poke_interval = POKE_SECONDS
    return group


def _consumers(group: DbtTaskGroup) -> list[BaseConsumerSensor]:
    """The tasks of the group that report a node the producer ran (watcher mode only)."""
    tasks: list[Any] = []
    pending = list(group.children.values())
    while pending:
        child = pending.pop()
        if hasattr(child, "children"):
            pending.extend(child.children.values())
        else:
            tasks.append(child)
    return [t for t in tasks if isinstance(t, BaseConsumerSensor)]


def build_dag(cfg: StackConfig | None = None) -> DAG:
    """The daily DAG for ``cfg`` (default: the project's stack config)."""
    cfg = cfg or load_config()
    cfg.apply_runtime_env()
    settings = cfg.orchestrator
    with DAG(
        dag_id=DAG_ID,
        description="Sources -> bronze -> silver -> gold -> marts, with dbt tests.",
        schedule=settings.schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=not settings.scheduler,
        tags=["platform"],
        doc_md=__doc__,
    ) as dag:

        @task(task_id="sample_data")
        def sample_data() -> dict[str, int] | None:
            """Generate the sample sources if any is missing (a no-op once they exist)."""
            return ensure_sample_data(cfg)

        def ingest(source_name: str) -> Any:
            @task(
                task_id=f"ingest_{source_name}",
                retries=settings.ingest_retries,
                retry_delay=timedelta(seconds=settings.retry_delay_seconds),
                retry_exponential_backoff=2.0,
            )
            def load() -> dict[str, int]:
                """One source into the lake's bronze zone with the configured ingestion tool."""
                with (
                    api_endpoint(cfg) if source_name == SAMPLE_API_SOURCE else nullcontext() as url
                ):
                    done = run_source(cfg, source_name, api_base_url=url)
                log.info("%s: %s rows in %.1f s", source_name, done.total_rows, done.seconds)
                return dict(done.rows)

            return load()

        @task(task_id="prepare_warehouse")
        def prepare_warehouse() -> None:
            """The warehouse ready for dbt (a database, bronze loaded where it must be)."""
            warehouse = cfg.module("warehouse")
            try:
                warehouse.prepare(cfg)
            finally:
                warehouse.release()

        @task(task_id="summary")
        def summary() -> dict[str, int]:
            """What the marts hold (read-only), one log line per table."""
            cfg.module("warehouse").release()  # dbt ran in this process under `dags test`
            tables = mart_summary(cfg).tables
            for table, rows in tables.items():
                log.info("%s: %s rows", table, rows)
            return tables

        loads = [ingest(source_name) for source_name in SOURCE_NAMES]
        ready = prepare_warehouse()
        dbt = dbt_task_group(cfg)
        sample_data() >> loads
        loads >> ready >> dbt >> summary()
    return dag
