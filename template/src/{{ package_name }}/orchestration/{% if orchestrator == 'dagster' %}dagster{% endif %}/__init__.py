"""Dagster: the code location (``definitions.py`` + ``defs/``), its instance home and UI.

The assets call the tool-neutral ``pipeline`` steps; ``[tool.dg]`` in pyproject.toml points
``dg`` at ``defs/``. Heavy imports (dagster) happen in those modules only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ...checks import Check
from ...config.schema import PROJECT_ROOT
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig

__all__ = [
    "Settings",
    "check",
    "dev",
    "home",
    "orchestrate",
    "runtime_env",
    "write_instance_config",
]


def home(cfg: StackConfig) -> Path:
    """DAGSTER_HOME: runs, event logs and schedules, inside the project (git-ignored)."""
    return cfg.root / ".dagster"


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {"DAGSTER_HOME": str(home(cfg))}


def instance_config(cfg: StackConfig) -> dict:
    """``dagster.yaml`` from the stack config (so retention_days is the one place to change)."""
    days = cfg.orchestrator.retention_days
    return {
        "telemetry": {"enabled": False},
        # DuckDB allows one writer at a time: runs are queued and start one after another.
        "concurrency": {"runs": {"max_concurrent_runs": 1}},
        "retention": {
            "schedule": {"purge_after_days": days},
            "sensor": {"purge_after_days": days},
        },
    }


def write_instance_config(cfg: StackConfig) -> Path:
    """Write ``<DAGSTER_HOME>/dagster.yaml`` (generated: edit stack_config.yaml instead)."""
    path = home(cfg) / "dagster.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated from config/stack_config.yaml by `platform dev`; edit that file instead.\n"
    )
    path.write_text(header + yaml.safe_dump(instance_config(cfg), sort_keys=False))
    return path


def orchestrate(cfg: StackConfig) -> int:
    """The pipeline once through Dagster: the daily job executed in this process against the
    project's instance (``DAGSTER_HOME``), so the UI shows the run, its materializations and
    asset checks. Returns 0 when the run succeeded and every dbt test passed."""
    import dagster as dg

    from .definitions import defs

    write_instance_config(cfg)
    os.environ.update(runtime_env(cfg))
    from .defs.schedules import JOB_NAME

    job = defs().resolve_job_def(JOB_NAME)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    print(f"Dagster run {result.run_id}: {'success' if result.success else 'FAILURE'}")
    if failed:
        print(f"failed dbt tests: {', '.join(sorted(failed))}")
    return 0 if result.success and not failed else 1


def dev(cfg: StackConfig, host: str, port: int | None) -> int:
    """Start the Dagster UI and daemon (``dg dev``) for this project; returns its exit code."""
    write_instance_config(cfg)
    env = {**os.environ, **cfg.runtime_env()}
    dg = Path(sys.executable).with_name("dg")
    command = [str(dg) if dg.exists() else "dg", "dev", "--host", host]
    command += ["--port", str(port or cfg.orchestrator.port)]
    # dg reads [tool.dg] from the project's pyproject.toml: run it there, whatever the config.
    return subprocess.call(command, cwd=PROJECT_ROOT, env=env)


def check(cfg: StackConfig) -> Check:
    path = home(cfg)
    try:
        write_instance_config(cfg)
    except OSError as exc:
        return Check("orchestrator", False, f"{path}: {exc}", "make the folder writable")
    return Check(
        "orchestrator",
        True,
        f"Dagster home {path} (schedule {cfg.orchestrator.schedule!r} UTC, "
        f"{'on' if cfg.orchestrator.scheduler else 'off'}); `make dev` opens port "
        f"{cfg.orchestrator.port}",
    )
