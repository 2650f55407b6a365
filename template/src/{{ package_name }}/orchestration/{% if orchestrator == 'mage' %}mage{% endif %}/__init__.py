"""Mage: the Mage project (``project/``: the ``daily_platform`` pipeline, its blocks and its
schedule trigger), Mage's own environment (``.venv-mage``), its data folder and its UI.

mage-ai pins older libraries than the platform's, so it never shares ``.venv``: it is installed
into ``.venv-mage`` on first use (``requirements.txt``, pinned from the template's catalog), and
its blocks run the tool-neutral ``pipeline`` steps in ``.venv`` through the ``platform``
command. Nothing here imports mage-ai; ``runner.py`` runs inside Mage's environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ... import own_environment
from ...checks import Check
from ...config.schema import PROJECT_ROOT
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig

__all__ = [
    "PIPELINE",
    "PROJECT_DIR",
    "TRIGGER",
    "Settings",
    "check",
    "dev",
    "ensure_environment",
    "home",
    "orchestrate",
    "runtime_env",
    "trigger_schedule",
]

HERE = Path(__file__).resolve().parent
# The Mage project: its folder name is the project's name in Mage's UI and in MAGE_DATA_DIR.
PROJECT_DIR = HERE / "project"
PIPELINE = "daily_platform"
# The schedule trigger in the pipeline's triggers.yaml (the cron of the stack config).
TRIGGER = "daily"
REQUIREMENTS = HERE / "requirements.txt"
ENVIRONMENT = ".venv-mage"


def home(cfg: StackConfig) -> Path:
    """MAGE_DATA_DIR: Mage's database (pipeline and block runs), logs and block outputs."""
    return cfg.root / ".mage"


def environment_dir() -> Path:
    """``.venv-mage``: beside the project's ``.venv`` (the code's environment, whichever stack
    config runs)."""
    return PROJECT_ROOT / ENVIRONMENT


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    """Where Mage keeps its data (never ~/.mage_data), and which Python runs the platform's
    steps for its blocks (this environment's)."""
    return {"MAGE_DATA_DIR": str(home(cfg)), "PLATFORM_PYTHON": sys.executable}


def trigger_schedule(path: Path | None = None) -> str | None:
    """The cron of the ``daily`` trigger in the pipeline's ``triggers.yaml`` (None: none)."""
    path = path or PROJECT_DIR / "pipelines" / PIPELINE / "triggers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for trigger in data.get("triggers") or []:
        if trigger.get("name") == TRIGGER:
            return trigger.get("schedule_interval")
    return None


def ensure_environment() -> Path:
    """``.venv-mage`` with ``requirements.txt`` installed (see ``own_environment``).
    Returns the environment's ``bin`` folder."""
    return own_environment.ensure(environment_dir(), REQUIREMENTS)


def _mage_env(cfg: StackConfig) -> dict[str, str]:
    """The environment Mage runs in: the platform's runtime environment, and the homes of the
    libraries Mage starts (IPython, Jupyter kernels, matplotlib) inside MAGE_DATA_DIR, so
    nothing lands in the user's home folder."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(cfg.runtime_env())
    data = home(cfg)
    env.update(
        {
            "IPYTHONDIR": str(data / "ipython"),
            "JUPYTER_CONFIG_DIR": str(data / "jupyter"),
            "JUPYTER_DATA_DIR": str(data / "jupyter" / "data"),
            "JUPYTER_RUNTIME_DIR": str(data / "jupyter" / "runtime"),
            "MPLCONFIGDIR": str(data / "matplotlib"),
        }
    )
    data.mkdir(parents=True, exist_ok=True)
    return env


def orchestrate(cfg: StackConfig, *, retry: bool = False) -> int:
    """The pipeline once through ``mage run``, recorded in Mage's database as a pipeline run
    with a block run per block; ``retry``: the failed blocks of the last failed run again.
    Returns the exit code (non-zero when a block failed)."""
    bin_dir = ensure_environment()
    command = [str(bin_dir / "python"), str(HERE / "runner.py"), str(PROJECT_DIR), PIPELINE]
    done = subprocess.run(
        [*command, *(["--retry"] if retry else [])], cwd=cfg.root, env=_mage_env(cfg)
    )
    return done.returncode


def dev(cfg: StackConfig, host: str, port: int | None) -> int:
    """Mage's UI and scheduler for this project (``mage start``); its schedule trigger runs the
    pipeline on the stack config's cron when the scheduler is on."""
    bin_dir = ensure_environment()
    port = port or cfg.orchestrator.port
    command = [str(bin_dir / "mage"), "start", str(PROJECT_DIR), "--host", host]
    command += ["--port", str(port)]
    if not cfg.orchestrator.scheduler:
        command += ["--instance-type", "web_server"]
    try:
        return subprocess.run(command, cwd=cfg.root, env=_mage_env(cfg)).returncode
    except KeyboardInterrupt:
        return 0


def check(cfg: StackConfig) -> Check:
    path = home(cfg)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Check("orchestrator", False, f"{path}: {exc}", "make the folder writable")
    schedule = cfg.orchestrator.schedule
    triggers = f"{PROJECT_DIR.relative_to(PROJECT_ROOT)}/pipelines/{PIPELINE}/triggers.yaml"
    try:
        scheduled = trigger_schedule()
    except (OSError, yaml.YAMLError) as exc:
        return Check("orchestrator", False, f"{triggers}: {exc}", "restore triggers.yaml")
    if scheduled != schedule:
        return Check(
            "orchestrator",
            False,
            f"{triggers}: trigger {TRIGGER!r} runs on {scheduled!r}, "
            f"config/stack_config.yaml says {schedule!r}",
            "make the two schedules equal",
        )
    installed = (environment_dir() / ".installed").is_file()
    return Check(
        "orchestrator",
        True,
        f"Mage data in {path} (trigger {TRIGGER!r} on {schedule!r} UTC); its environment "
        f"{ENVIRONMENT} is {'installed' if installed else 'created by the first `make dev`'}; "
        f"`make dev` opens port {cfg.orchestrator.port}",
    )
