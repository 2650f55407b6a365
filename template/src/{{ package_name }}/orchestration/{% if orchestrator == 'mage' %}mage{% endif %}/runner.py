"""Run a Mage pipeline once through ``mage run``, recorded like a triggered run; runs inside
Mage's own environment (``.venv-mage``), never imported by the platform.

``python runner.py PROJECT PIPELINE`` creates a pipeline run (with a block run per block) under
the pipeline's API trigger ``orchestrate`` in Mage's database (in ``MAGE_DATA_DIR``), executes
it with ``mage run --pipeline-run-id``, then marks it completed or failed, as Mage's scheduler
does: the UI lists it with its block runs and their logs. ``--retry`` runs the failed (and
never started) blocks of the last failed run again; its completed blocks are kept.
Exit code 0 when every block completed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

# The trigger that runs recorded by this script are filed under (created on first use).
TRIGGER = "orchestrate"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="the Mage project folder")
    parser.add_argument("pipeline", help="the pipeline's uuid")
    parser.add_argument("--retry", action="store_true", help="the last failed run's failed blocks")
    args = parser.parse_args(argv)
    project = str(args.project.resolve())

    from mage_ai.settings.repo import set_repo_path

    set_repo_path(project)

    from mage_ai.data_preparation.models.triggers import ScheduleStatus, ScheduleType
    from mage_ai.orchestration.db import db_connection
    from mage_ai.orchestration.db.database_manager import database_manager
    from mage_ai.orchestration.db.models.schedules import BlockRun, PipelineRun, PipelineSchedule

    database_manager.run_migrations()
    db_connection.start_session()
    schedule = PipelineSchedule.repo_query.filter(
        PipelineSchedule.name == TRIGGER, PipelineSchedule.pipeline_uuid == args.pipeline
    ).one_or_none()
    if schedule is None:
        schedule = PipelineSchedule.create(
            name=TRIGGER,
            description="Runs started by the platform (python -m <package>.orchestration.mage)",
            pipeline_uuid=args.pipeline,
            schedule_type=ScheduleType.API,
            status=ScheduleStatus.ACTIVE,
            repo_path=project,
        )
    status = PipelineRun.PipelineRunStatus
    if args.retry:
        run = (
            PipelineRun.query.filter(PipelineRun.pipeline_schedule_id == schedule.id)
            .order_by(PipelineRun.id.desc())
            .first()
        )
        if run is None or run.status != status.FAILED:
            print(f"no failed run of {args.pipeline} to retry", file=sys.stderr)
            return 1
        for block_run in run.block_runs:
            if block_run.status != BlockRun.BlockRunStatus.COMPLETED:
                block_run.update(status=BlockRun.BlockRunStatus.INITIAL)
        run.update(status=status.RUNNING, completed_at=None)
    else:
        run = PipelineRun.create(
            pipeline_schedule_id=schedule.id,
            pipeline_uuid=args.pipeline,
            execution_date=datetime.now(UTC),
            status=status.RUNNING,
            started_at=datetime.now(UTC),
        )
    mage = Path(sys.executable).with_name("mage")
    subprocess.run(
        [str(mage), "run", project, args.pipeline, "--pipeline-run-id", str(run.id)],
        env=os.environ,
        check=False,
    )
    db_connection.session.expire_all()
    run = db_connection.session.get(PipelineRun, run.id)
    blocks = {block_run.block_uuid: block_run.status for block_run in run.block_runs}
    completed = all(value == BlockRun.BlockRunStatus.COMPLETED for value in blocks.values())
    run.update(
        status=status.COMPLETED if completed else status.FAILED,
        completed_at=datetime.now(UTC),
    )
    summary = ", ".join(f"{uuid} {value.value}" for uuid, value in blocks.items())
    print(f"mage pipeline run {run.id} ({args.pipeline}): {run.status.value}: {summary}")
    return 0 if completed else 1


if __name__ == "__main__":
    sys.exit(main())
