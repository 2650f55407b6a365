"""Airflow's entry in ``config/stack_config.yaml``: ``platform.orchestrator``, ``tool: airflow``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.base import ScheduleSettings, Strict


class AirflowSettings(ScheduleSettings):
    # DAG runs, task instances and their logs older than this many days are removed from
    # Airflow's database when `make dev` starts (`airflow db clean`).
    retention_days: int = Field(default=30, gt=0)
    # Port of the Airflow UI (api-server) started by `make dev` / `platform dev`.
    port: int = Field(default=8080, ge=1024, le=65535)
    # Ingestion tasks: retries after a failure, waiting retry_delay_seconds, then 2x, 4x, ...
    ingest_retries: int = Field(default=2, ge=0, le=10)
    retry_delay_seconds: float = Field(default=10, ge=0)
    # How Cosmos runs dbt. watcher: one `dbt build` whose node results the per-model tasks and
    # test tasks report (docs/airflow.md); per_node: Cosmos's default, one dbt invocation per
    # model task and per test task (several minutes more on this project).
    dbt_mode: Literal["watcher", "per_node"] = "watcher"


class Settings(Strict):
    tool: Literal["airflow"]
    config: AirflowSettings = AirflowSettings()
