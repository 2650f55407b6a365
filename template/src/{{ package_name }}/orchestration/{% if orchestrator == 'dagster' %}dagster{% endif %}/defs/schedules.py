"""The daily platform job (ingest -> bronze -> silver -> gold -> marts) and its schedule.

Steps run in one process, one after the other: DuckDB allows a single writer, and the
sample data is generated once, by the first ingestion step.
"""

import dagster as dg

from ....config import load_config

JOB_NAME = "daily_platform"
SCHEDULE_NAME = "daily_platform_schedule"


@dg.definitions
def defs() -> dg.Definitions:
    orchestrator = load_config().orchestrator
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        description="Every asset: sources -> bronze -> silver -> gold -> marts, with dbt tests.",
    )
    schedule = dg.ScheduleDefinition(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule=orchestrator.schedule,
        execution_timezone="UTC",
        default_status=(
            dg.DefaultScheduleStatus.RUNNING
            if orchestrator.scheduler
            else dg.DefaultScheduleStatus.STOPPED
        ),
    )
    return dg.Definitions(jobs=[job], schedules=[schedule], executor=dg.in_process_executor)
