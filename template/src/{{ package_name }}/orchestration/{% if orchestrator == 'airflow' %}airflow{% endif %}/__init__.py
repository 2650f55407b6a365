"""Airflow 3: the ``daily_platform`` DAG (``dags/``, built by ``dag.py``), Airflow's home inside
the project (``.airflow/``), its components for ``make dev`` and docker-compose, and one DAG
run through ``airflow dags test`` (``python -m <package>.orchestration.airflow run``).

Nothing here imports Airflow (this module is imported by every command, for ``runtime_env``):
Airflow's commands run as processes of this environment, with the environment made here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.request import urlopen

from ...checks import Check
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig

__all__ = [
    "DAGS_FOLDER",
    "DAG_ID",
    "Settings",
    "airflow_env",
    "check",
    "component",
    "dev",
    "home",
    "last_run",
    "orchestrate",
    "run_airflow",
    "runtime_env",
]

HERE = Path(__file__).resolve().parent
DAGS_FOLDER = HERE / "dags"
DAG_ID = "daily_platform"
DBT_GROUP = "dbt"
# The source served by the bundled sample API while its task runs.
SAMPLE_API_SOURCE = "shop_api"
ADMIN_USER = "admin"
PASSWORD_VAR = "AIRFLOW_ADMIN_PASSWORD"
CONN_VAR = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
# The components `make dev` starts (docker-compose runs each as its own service).
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
PARSE_TIMEOUT_SECONDS = 180


def home(cfg: StackConfig) -> Path:
    """AIRFLOW_HOME: the metadata database (SQLite outside compose), logs, the password file."""
    return cfg.root / ".airflow"


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    """Airflow's home, DAG folder and users for this project; no example DAGs. The metadata
    database is SQLite in the home unless the process names a server (docker-compose)."""
    path = home(cfg)
    conn = os.environ.get(CONN_VAR, "")
    if not conn or conn.startswith("sqlite"):
        conn = f"sqlite:///{path / 'airflow.db'}"
    return {
        "AIRFLOW_HOME": str(path),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": str(not cfg.orchestrator.scheduler),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        # Cosmos renders the dbt project while the DAG file is parsed (`dbt ls`, cached in
        # Airflow's Variables): slower than Airflow's 30 s default on a busy laptop.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(PARSE_TIMEOUT_SECONDS),
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": str(PARSE_TIMEOUT_SECONDS + 60),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(path / "passwords.json"),
        CONN_VAR: conn,
    }


def airflow_env(cfg: StackConfig) -> dict[str, str]:
    """The environment Airflow's commands run in: this process's, the platform's runtime
    environment (the config's paths win), and this environment's commands first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    for key, value in cfg.runtime_env().items():
        if key in cfg.derived_env_keys() or key not in env:
            env[key] = value
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


class AirflowError(RuntimeError):
    """An Airflow command failed, or Airflow cannot start as configured."""


def write_password_file(cfg: StackConfig, env: dict[str, str]) -> Path:
    """The UI's ``admin`` password, from AIRFLOW_ADMIN_PASSWORD (``.env``), where Airflow's
    simple auth manager reads it; never a default password."""
    password = env.get(PASSWORD_VAR, "")
    if not password or password == ADMIN_USER:
        raise AirflowError(
            f"{PASSWORD_VAR} is not set (or is 'admin'): `make setup` writes a generated one "
            "to .env (scripts/make_env.py)"
        )
    path = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({ADMIN_USER: password}) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _airflow(env: dict[str, str], *args: str, capture: bool = True) -> str:
    done = subprocess.run(
        ["airflow", *args], env=env, capture_output=capture, text=True, check=False
    )
    if done.returncode != 0:
        output = f"{done.stdout or ''}{done.stderr or ''}"[-3000:]
        raise AirflowError(f"airflow {' '.join(args)} exited {done.returncode}\n{output}")
    return done.stdout or ""


def run_airflow(cfg: StackConfig, args: list[str]) -> int:
    """``airflow ARGS`` with this project's environment; returns its exit code."""
    return subprocess.run(["airflow", *args], cwd=cfg.root, env=airflow_env(cfg)).returncode


def migrate(cfg: StackConfig, env: dict[str, str]) -> None:
    """Create or upgrade Airflow's metadata database (idempotent)."""
    home(cfg).mkdir(parents=True, exist_ok=True)
    _airflow(env, "db", "migrate")


def _json_rows(output: str) -> list[dict]:
    """The JSON rows an ``airflow ... -o json`` command printed (after any warning lines)."""
    for line in reversed(output.splitlines()):
        if line.startswith("["):
            return json.loads(line)
    return []


def last_run(env: dict[str, str]) -> tuple[dict[str, str] | None, dict[str, str]]:
    """The latest run of the DAG (its ``run_id``, ``state``, ...) and its tasks' states."""
    runs = _json_rows(_airflow(env, "dags", "list-runs", DAG_ID, "-o", "json"))
    if not runs:
        return None, {}
    run = max(runs, key=lambda r: r.get("start_date") or "")
    states = _json_rows(
        _airflow(env, "tasks", "states-for-dag-run", DAG_ID, run["run_id"], "-o", "json")
    )
    return run, {s["task_id"]: str(s["state"]) for s in states}


def orchestrate(cfg: StackConfig, *, retry: bool = False) -> int:
    """The DAG once through ``airflow dags test``, recorded as a DAG run in Airflow's database.
    ``retry``: a new run of the tasks that did not succeed in the last (failed) run, the
    others marked successful. Returns the exit code (non-zero when the run failed)."""
    env = airflow_env(cfg)
    migrate(cfg, env)
    command = ["airflow", "dags", "test", DAG_ID, datetime.now(UTC).isoformat()]
    if retry:
        run, states = last_run(env)
        if run is None or run["state"] != "failed":
            print(f"no failed run of {DAG_ID} to retry", file=sys.stderr)
            return 1
        done = sorted(task for task, state in states.items() if state == "success")
        if done:
            command += ["--mark-success-pattern", "|".join(re.escape(t) for t in done)]
    return subprocess.run(command, cwd=cfg.root, env=env, check=False).returncode


def component(cfg: StackConfig, name: str, host: str = "0.0.0.0", port: int | None = None) -> int:
    """One Airflow component (a docker-compose service): the api-server migrates the metadata
    database first; the others wait for it to be migrated."""
    if name not in COMPONENTS:
        raise AirflowError(f"unknown component {name!r} (one of {', '.join(COMPONENTS)})")
    env = airflow_env(cfg)
    write_password_file(cfg, env)
    if name == "api-server":
        deadline = time.monotonic() + 300
        while True:
            try:
                migrate(cfg, env)
                break
            except AirflowError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(5)
        args = ["api-server", "--host", host, "--port", str(port or 8080)]
    else:
        _airflow(env, "db", "check-migrations", "--migration-wait-timeout", "600")
        args = [name]
    os.execvpe("airflow", ["airflow", *args], env)
    return 0  # not reached: exec replaced this process


def _wait_for_ui(url: str, server: subprocess.Popen, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError), urlopen(f"{url}/api/v2/monitor/health", timeout=5):
            return True
        time.sleep(2)
    return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def dev(cfg: StackConfig, host: str, port: int | None) -> int:
    """Airflow's UI (api-server), scheduler, DAG processor and triggerer for this project; the
    DAG is paused when the stack config turns the scheduler off. Returns the UI's exit code."""
    port = port or cfg.orchestrator.port
    env = airflow_env(cfg)
    write_password_file(cfg, env)
    migrate(cfg, env)
    keep_after = datetime.now(UTC) - timedelta(days=cfg.orchestrator.retention_days)
    _airflow(env, "db", "clean", "--clean-before-timestamp", keep_after.isoformat(), "--yes")
    local = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://{local}:{port}/execution/"
    server = subprocess.Popen(
        ["airflow", "api-server", "--host", host, "--port", str(port)], cwd=cfg.root, env=env
    )
    others = [
        subprocess.Popen(["airflow", name], cwd=cfg.root, env=env)
        for name in COMPONENTS
        if name != "api-server"
    ]
    try:
        if _wait_for_ui(f"http://{local}:{port}", server):
            print(
                f"Airflow UI on http://{local}:{port} (user {ADMIN_USER}, password {PASSWORD_VAR})"
            )
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in [*others, server]:
            _stop(process)


def check(cfg: StackConfig) -> Check:
    path = home(cfg)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Check("orchestrator", False, f"{path}: {exc}", "make the folder writable")
    if not (DAGS_FOLDER / f"{DAG_ID}.py").is_file():
        return Check("orchestrator", False, f"{DAGS_FOLDER}: no {DAG_ID}.py", "restore dags/")
    # Absent (no line in .env): `make setup`, which `make dev` runs first, appends a generated
    # one (scripts/make_env.py). Present but empty or 'admin': nothing replaces it, so the UI
    # would refuse to start.
    password = os.environ.get(PASSWORD_VAR, cfg.dotenv.get(PASSWORD_VAR))
    if password is not None and password in {"", ADMIN_USER}:
        return Check(
            "orchestrator",
            False,
            f"{PASSWORD_VAR} is empty or 'admin': the Airflow UI would have no admin password",
            "set a strong one in .env, or delete the line and run `make setup` (generates one)",
        )
    login = (
        f"admin password {PASSWORD_VAR} generated by `make setup`"
        if password is None
        else f"admin password {PASSWORD_VAR} set"
    )
    return Check(
        "orchestrator",
        True,
        f"Airflow home {path} (DAG {DAG_ID!r} on {cfg.orchestrator.schedule!r} UTC, "
        f"{'on' if cfg.orchestrator.scheduler else 'paused'}; dbt in Cosmos's "
        f"{cfg.orchestrator.dbt_mode} mode); `make dev` opens port {cfg.orchestrator.port} "
        f"({login})",
    )
