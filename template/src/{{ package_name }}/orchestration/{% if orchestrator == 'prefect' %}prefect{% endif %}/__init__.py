"""Prefect: the daily flow (``flows.py``), its deployment (``prefect.yaml`` at the project root),
its home and UI.

The flow's tasks call the tool-neutral ``pipeline`` steps. Heavy imports (prefect, prefect-dbt)
happen in ``flows.py`` only: this module is imported by every command (``runtime_env``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.request import urlopen

import yaml

from ...checks import Check
from ...config.schema import PROJECT_ROOT
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig

__all__ = [
    "DEPLOYMENT",
    "FLOW_NAME",
    "WORK_POOL",
    "Settings",
    "check",
    "dev",
    "orchestrate",
    "runtime_env",
]

FLOW_NAME = "daily_platform"
# The deployment and work pool prefect.yaml declares (the static tests hold them equal).
DEPLOYMENT = "daily"
WORK_POOL = "platform-process"
DEPLOYMENT_FILE = "prefect.yaml"
SECONDS_PER_DAY = 86_400

# Prefect reads its settings and creates its home when it is first imported (flows.py): unless
# the process says otherwise, that home is this project's, never ~/.prefect.
os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))


def home(cfg: StackConfig) -> Path:
    """PREFECT_HOME: the server's database, profiles and local results, inside the project."""
    return cfg.root / ".prefect"


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    """Prefect's home and history retention, from the stack config (telemetry off and the
    temporary server's start-up timeout are defaults in .env.example)."""
    return {
        "PREFECT_HOME": str(home(cfg)),
        "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
        "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": str(
            cfg.orchestrator.retention_days * SECONDS_PER_DAY
        ),
    }


def deployment_file() -> Path:
    return PROJECT_ROOT / DEPLOYMENT_FILE


def deployment_schedule(path: Path | None = None) -> str | None:
    """The cron of the daily deployment in ``prefect.yaml`` (None: not found)."""
    data = yaml.safe_load((path or deployment_file()).read_text(encoding="utf-8")) or {}
    for deployment in data.get("deployments") or []:
        if deployment.get("name") == DEPLOYMENT:
            for schedule in deployment.get("schedules") or []:
                return schedule.get("cron")
    return None


def _executable(name: str) -> str:
    """A command of this environment, whatever the PATH of the process running it."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _wait_for_api(api_url: str, server: subprocess.Popen, timeout: float = 180) -> bool:
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError), urlopen(f"{api_url}/health", timeout=5) as response:
            if response.status == 200:
                return True
        time.sleep(1)
    return False


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def orchestrate(cfg: StackConfig) -> int:
    """The pipeline once through Prefect: one run of the daily flow, recorded by the Prefect
    API (``PREFECT_API_URL`` when set, else a temporary local server on this project's
    database in ``PREFECT_HOME``). Returns 0 when the flow run completed."""
    os.environ.update(runtime_env(cfg))
    from .flows import daily_platform

    state = daily_platform(config_path=str(cfg.config_file), return_state=True)
    print(f"Prefect flow run {state.state_details.flow_run_id}: {state.type.value}")
    if not state.is_completed():
        print(state.message or "", file=sys.stderr)
    return 0 if state.is_completed() else 1


def dev(cfg: StackConfig, host: str, port: int | None) -> int:
    """Start the Prefect server (UI, API, scheduler) for this project; with the scheduler on,
    also deploy ``prefect.yaml`` and start a process worker. Returns the server's exit code."""
    port = port or cfg.orchestrator.port
    local = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    env = {**os.environ, **cfg.runtime_env(), "PREFECT_API_URL": f"http://{local}:{port}/api"}
    home(cfg).mkdir(parents=True, exist_ok=True)
    prefect = _executable("prefect")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", host, "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
    )
    worker = None
    try:
        if cfg.orchestrator.scheduler and _wait_for_api(env["PREFECT_API_URL"], server):
            # The pool first (deploy refuses an unknown one), then the deployment, then a
            # worker that runs its scheduled flow runs in this project's environment.
            for command in (
                ["work-pool", "create", WORK_POOL, "--type", "process", "--overwrite"],
                ["--no-prompt", "deploy", "--all"],
            ):
                subprocess.run([prefect, *command], cwd=PROJECT_ROOT, env=env, check=False)
            worker = subprocess.Popen(
                [prefect, "worker", "start", "--pool", WORK_POOL, "--type", "process"],
                cwd=PROJECT_ROOT,
                env=env,
            )
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(worker)
        _stop(server)


def check(cfg: StackConfig) -> Check:
    path = home(cfg)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Check("orchestrator", False, f"{path}: {exc}", "make the folder writable")
    schedule = cfg.orchestrator.schedule
    try:
        deployed = deployment_schedule()
    except (OSError, yaml.YAMLError) as exc:
        return Check("orchestrator", False, f"{DEPLOYMENT_FILE}: {exc}", "restore prefect.yaml")
    if deployed != schedule:
        return Check(
            "orchestrator",
            False,
            f"{DEPLOYMENT_FILE}: deployment {DEPLOYMENT!r} runs on {deployed!r}, "
            f"config/stack_config.yaml says {schedule!r}",
            "make the two schedules equal",
        )
    return Check(
        "orchestrator",
        True,
        f"Prefect home {path} (deployment {DEPLOYMENT!r} on {schedule!r} UTC, "
        f"{'on' if cfg.orchestrator.scheduler else 'off'}); `make dev` opens port "
        f"{cfg.orchestrator.port}",
    )
