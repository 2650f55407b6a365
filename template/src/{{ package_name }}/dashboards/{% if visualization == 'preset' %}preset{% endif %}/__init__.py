"""Preset (managed Superset): the dashboard specs compiled to the same import bundle as
Superset's (``dashboards/superset_bundle.py``: deterministic uuid5 ids) and synced into a Preset
workspace with Preset's own command line, ``preset-cli superset sync native --overwrite``.

preset-cli pins SQLAlchemy 1.4 (the platform's tools need 2.x), so it lives in its own
environment, ``.venv-preset``, created by the first publish that reaches a workspace
(``requirements.txt``, pinned from the template's catalog), never by ``make setup``.

Preset authenticates with an API key: a token (its name) and a secret, exchanged for a JWT at
Preset's manager API (``api_url``). Both come from ``.env`` (``PRESET_API_TOKEN``,
``PRESET_API_SECRET``) through ``config/stack_config.yaml`` and reach preset-cli in its
environment only, never on its command line or in a file. The warehouse's password travels the
same way: the bundle carries ``databases/warehouse.overrides.yaml`` whose password is a Jinja
reference to an environment variable that preset-cli fills (``--load-env``) when it uploads.
With no workspace set (``host`` empty), publishing builds the bundle only.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ... import own_environment
from ...checks import Check
from ...config.base import DashboardSettings, Strict
from ...config.schema import PROJECT_ROOT
from .. import PublishError
from ..superset_bundle import DATABASE_FILE, bundle_files, write_bundle

if TYPE_CHECKING:
    from ...config import StackConfig

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
ENVIRONMENT = ".venv-preset"
SETTINGS_KEY = "platform.visualization.config"
# The environment variable preset-cli's templating reads the warehouse password from.
PASSWORD_VARIABLE = "PRESET_WAREHOUSE_PASSWORD"
PASSWORD_OVERRIDES = DATABASE_FILE.replace(".yaml", ".overrides.yaml")


class PresetSettings(DashboardSettings):
    # The workspace: its host name (Preset: the workspace's URL, e.g.
    # 1a2b3c4d.us1a.app.preset.io) or its full URL; "" builds the bundle only.
    host: str = ""
    # Preset's API key: the token (its name) and its secret (Preset: user menu, API keys).
    api_key: str = Field(default="", repr=False)
    api_secret: str = Field(default="", repr=False)
    # Preset's manager API, where the API key is exchanged for a JWT.
    api_url: str = Field(default="https://api.app.preset.io/", pattern=r"^https?://")
    # Where the import bundle is written (replaced by every build).
    bundle_dir: str = Field(default="build/preset/bundle", min_length=1)


class Settings(Strict):
    tool: Literal["preset"]
    config: PresetSettings


def settings(cfg: StackConfig) -> PresetSettings:
    return cfg.settings("visualization")


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {}


def bundle_dir(cfg: StackConfig) -> Path:
    return cfg.resolve(settings(cfg).bundle_dir)


def workspace_url(s: PresetSettings) -> str:
    """The workspace's URL (``https://`` unless ``host`` names its scheme)."""
    host = s.host.strip().rstrip("/")
    return host if host.startswith(("http://", "https://")) else f"https://{host}"


def environment_dir() -> Path:
    """``.venv-preset``: beside the project's ``.venv`` (whichever stack config runs)."""
    return PROJECT_ROOT / ENVIRONMENT


def _counts(files: dict[str, Any]) -> tuple[int, int]:
    dashboards = sum(name.startswith("dashboards/") for name in files)
    return dashboards, sum(name.startswith("charts/") for name in files)


def build_bundle(cfg: StackConfig) -> tuple[Path, dict[str, Any]]:
    """The bundle written under ``bundle_dir`` (replacing the last one); the folder and its
    files. A warehouse with a password gets it as a template preset-cli fills from its own
    environment on upload (written as text: it is YAML only once rendered)."""
    files = bundle_files(cfg)
    folder = write_bundle(files, bundle_dir(cfg))
    if cfg.module("warehouse").bi_connection(cfg).password:
        reference = f"{{{{ env['{PASSWORD_VARIABLE}'] | tojson }}}}"
        (folder / PASSWORD_OVERRIDES).write_text(f"password: {reference}\n", encoding="utf-8")
    return folder, files


def ensure_environment() -> Path:
    """``.venv-preset`` with ``requirements.txt`` installed (see ``own_environment``; needs no
    stack config: the compose image builds it). Returns its ``bin`` folder."""
    return own_environment.ensure(environment_dir(), REQUIREMENTS)


def missing_credentials(s: PresetSettings) -> list[str]:
    return [
        name
        for name, value in (("PRESET_API_TOKEN", s.api_key), ("PRESET_API_SECRET", s.api_secret))
        if not value
    ]


def sync(cfg: StackConfig, bundle: Path) -> None:
    """``preset-cli superset sync native <bundle> --overwrite`` against the workspace: the
    assets import overwrites what the bundle names, so a second sync updates, never copies."""
    s = settings(cfg)
    missing = missing_credentials(s)
    if missing:
        raise PublishError(
            f"Preset workspace {s.host}: {' and '.join(missing)} not set (Preset: user menu, "
            "API keys; put them in .env)"
        )
    try:
        bin_dir = ensure_environment()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PublishError(f"installing preset-cli into {ENVIRONMENT} failed: {exc}") from None
    command = [str(bin_dir / "preset-cli"), "--baseurl", s.api_url]
    command += ["--workspaces", workspace_url(s), "superset", "sync", "native", str(bundle)]
    command += ["--overwrite", "--load-env"]
    # preset-cli reads its key from these variables; no other PRESET_* setting of the caller
    # (a stored JWT, other workspaces) reaches it.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PRESET_") and k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(PRESET_API_TOKEN=s.api_key, PRESET_API_SECRET=s.api_secret)
    env[PASSWORD_VARIABLE] = cfg.module("warehouse").bi_connection(cfg).password
    log = bundle.parent / "publish.log"
    try:
        # Its own session and no stdin: preset-cli never waits on a prompt.
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PublishError(f"preset-cli ran 15 minutes ({workspace_url(s)})") from None
    log.write_text(f"$ preset-cli ... sync native {bundle}\n{done.stdout}{done.stderr}", "utf-8")
    if done.returncode != 0:
        # What preset-cli printed (the workspace's error messages), then its exception.
        said = [line for line in done.stdout.splitlines() if line.strip()][-4:]
        tail = "\n".join([*said, *done.stderr.strip().splitlines()[-1:]])
        raise PublishError(
            f"preset-cli could not sync the bundle to {workspace_url(s)} (exit "
            f"{done.returncode}; log: {log}; check {SETTINGS_KEY} and the API key in .env):\n"
            f"{tail}"
        )


def publish(cfg: StackConfig) -> str:
    """Build the bundle; sync it into the workspace once one is set."""
    bundle, files = build_bundle(cfg)
    dashboards, charts = _counts(files)
    s = settings(cfg)
    if not s.host:
        return (
            f"bundle of {dashboards} dashboards, {charts} charts built in {bundle}; set "
            "PRESET_WORKSPACE (and PRESET_API_TOKEN, PRESET_API_SECRET) in .env to sync it "
            "into a Preset workspace"
        )
    sync(cfg, bundle)
    where = workspace_url(s)
    return f"{dashboards} dashboards, {charts} charts in Preset ({where}); bundle {bundle}"


def check(cfg: StackConfig) -> Check:
    """The bundle builds from the specs, and what publishing needs is set."""
    try:
        _, charts = _counts(bundle_files(cfg))
    except PublishError as exc:
        return Check("visualization", False, str(exc), "fix the dashboard specs")
    s = settings(cfg)
    if not s.host:
        return Check(
            "visualization",
            True,
            f"Preset: bundle of {charts} charts; no workspace set, publish builds it only",
        )
    missing = missing_credentials(s)
    if missing:
        return Check(
            "visualization",
            False,
            f"Preset workspace {workspace_url(s)}: {' and '.join(missing)} not set",
            "set them in .env (Preset: user menu, API keys)",
        )
    installed = (environment_dir() / own_environment.STAMP).is_file()
    state = "installed" if installed else "installed by the first `platform dashboards publish`"
    return Check(
        "visualization",
        True,
        f"Preset workspace {workspace_url(s)}; bundle of {charts} charts; preset-cli ({state})",
    )
