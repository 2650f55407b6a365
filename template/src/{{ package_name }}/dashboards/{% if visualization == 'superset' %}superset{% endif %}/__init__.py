"""Apache Superset: the dashboard specs compiled to an import bundle
(``dashboards/superset_bundle.py``, shared with Preset) and published into Superset, which runs
in its own environment (``.venv-superset``).

apache-superset pins its own stack (Flask, SQLAlchemy 1.4, pandas), so it never shares
``.venv``: ``platform dashboards publish`` installs it on first use (``requirements.txt``,
pinned from the template's catalog, with the warehouse's SQLAlchemy driver), creates its
metadata database (SQLite under ``.superset/`` unless ``metadata_url`` says otherwise) and
admin, then imports the bundle with ``runner.py`` inside that environment. Nothing here
imports Superset.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ... import own_environment
from ...checks import Check
from ...config.base import DashboardSettings, Strict
from ...config.schema import PROJECT_ROOT
from .. import PublishError
from ..superset_bundle import bundle_files, write_bundle

if TYPE_CHECKING:
    from ...config import StackConfig

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
RUNNER = HERE / "runner.py"
ENVIRONMENT = ".venv-superset"


class SupersetSettings(DashboardSettings):
    # Superset's state: its metadata database (SQLite by default) and logs.
    home: str = Field(default=".superset", min_length=1)
    # Where the import bundle is written (one folder per build, replaced each time).
    bundle_dir: str = Field(default="build/superset/bundle", min_length=1)
    # Superset's metadata database; "" means SQLite in `home`.
    metadata_url: str = ""
    admin_user: str = Field(default="admin", min_length=1)
    admin_password: str = Field(min_length=12, repr=False)
    secret_key: str = Field(min_length=32, repr=False)
    # The web UI's address (`make superset`, the compose service), for the summary line.
    url: str = "http://127.0.0.1:8088"


class Settings(Strict):
    tool: Literal["superset"]
    config: SupersetSettings


def settings(cfg: StackConfig) -> SupersetSettings:
    return cfg.settings("visualization")


def home(cfg: StackConfig) -> Path:
    return cfg.resolve(settings(cfg).home)


def bundle_dir(cfg: StackConfig) -> Path:
    return cfg.resolve(settings(cfg).bundle_dir)


def environment_dir() -> Path:
    """``.venv-superset``: beside the project's ``.venv`` (whichever stack config runs)."""
    return PROJECT_ROOT / ENVIRONMENT


def metadata_url(cfg: StackConfig) -> str:
    return settings(cfg).metadata_url or f"sqlite:///{home(cfg) / 'superset.db'}"


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    """What Superset reads: its home, secret key and metadata database (its configuration
    file is set only for Superset's own processes, see ``_env``)."""
    s = settings(cfg)
    return {
        "SUPERSET_HOME": str(home(cfg)),
        "SUPERSET_SECRET_KEY": s.secret_key,
        "SUPERSET_METADATA_URL": metadata_url(cfg),
        "SUPERSET_ADMIN_USER": s.admin_user,
    }


def isolated_settings(root: Path) -> dict[str, str]:
    """A throwaway Superset for tests: its home, bundle and secrets under ``root``."""
    return {
        "home": str(root / ".superset"),
        "bundle_dir": str(root / "build" / "superset" / "bundle"),
        "admin_password": secrets.token_urlsafe(18),
        "secret_key": secrets.token_urlsafe(42),
    }


def build_bundle(cfg: StackConfig) -> Path:
    """The bundle written under ``bundle_dir`` (replacing the last one)."""
    return write_bundle(bundle_files(cfg), bundle_dir(cfg))


def _env(cfg: StackConfig, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(cfg.runtime_env())
    env["SUPERSET_CONFIG_PATH"] = str(HERE / "superset_config.py")
    env.update(extra)
    return env


def ensure_environment() -> Path:
    """``.venv-superset`` with ``requirements.txt`` installed (see ``own_environment``; needs
    no stack config: the compose image builds it). Returns its ``bin`` folder."""
    return own_environment.ensure(environment_dir(), REQUIREMENTS)


def _run(cfg: StackConfig, command: list[str], what: str, **extra: str) -> str:
    log = home(cfg) / "publish.log"
    done = subprocess.run(
        command, env=_env(cfg, **extra), capture_output=True, text=True, check=False
    )
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command[:3])}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise PublishError(f"{what} failed (exit {done.returncode}; log: {log}):\n{tail}")
    return done.stdout


def initialize(cfg: StackConfig) -> Path:
    """Superset's environment, metadata database, roles and admin (each step once: the
    metadata database remembers). Returns the environment's ``bin`` folder."""
    try:
        bin_dir = ensure_environment()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PublishError(f"installing Superset into {ENVIRONMENT} failed: {exc}") from None
    home(cfg).mkdir(parents=True, exist_ok=True)
    stamp = home(cfg) / ".initialized"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == metadata_url(cfg):
        return bin_dir
    s = settings(cfg)
    superset = str(bin_dir / "superset")
    _run(cfg, [superset, "db", "upgrade"], "superset db upgrade")
    _run(cfg, [superset, "init"], "superset init")
    admin = [superset, "fab", "create-admin", "--username", s.admin_user]
    admin += ["--firstname", "Platform", "--lastname", "Admin", "--email", "admin@localhost"]
    _run(cfg, [*admin, "--password", s.admin_password], "creating the Superset admin")
    stamp.write_text(metadata_url(cfg), encoding="utf-8")
    return bin_dir


def runner(cfg: StackConfig, action: str, bundle: Path) -> Any:
    """``runner.py <action> <bundle>`` in Superset's environment; its JSON answer."""
    bin_dir = initialize(cfg)
    connection = cfg.module("warehouse").bi_connection(cfg)
    out = _run(
        cfg,
        [str(bin_dir / "python"), str(RUNNER), action, str(bundle)],
        f"Superset {action}",
        SUPERSET_ADMIN_PASSWORD=settings(cfg).admin_password,
        SUPERSET_WAREHOUSE_PASSWORD=connection.password,
    )
    return json.loads(out.strip().splitlines()[-1])


def publish(cfg: StackConfig) -> str:
    """Build the bundle and import it (overwriting what it names: re-publishing updates)."""
    bundle = build_bundle(cfg)
    counts = runner(cfg, "import", bundle)
    return (
        f"{counts['dashboards']} dashboards, {counts['charts']} charts in Superset "
        f"({settings(cfg).url}, user {settings(cfg).admin_user}); bundle {bundle}"
    )


def check(cfg: StackConfig) -> Check:
    """Whether Superset is installed yet, and the bundle builds from the specs."""
    try:
        files = bundle_files(cfg)
    except PublishError as exc:
        return Check("visualization", False, str(exc), "fix the dashboard specs")
    charts = sum(name.startswith("charts/") for name in files)
    installed = (environment_dir() / ".installed").is_file()
    state = "installed" if installed else "installed by the first `platform dashboards publish`"
    return Check("visualization", True, f"Superset ({state}); bundle of {charts} charts")
