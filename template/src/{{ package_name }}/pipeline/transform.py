"""Transform step: dbt over ``transform/``, the one way every caller runs it.

``dbt_environment`` is the one rule for dbt's environment (the config's runtime env: paths from
the config always win, other values only fill gaps); ``run_dbt`` runs dbt in-process with it
(the CLI, and orchestrators that call the step); an orchestrator that drives the dbt CLI itself
(e.g. a dbt integration package) wraps its invocation in ``dbt_environment`` and passes
``dbt_base_args``. The configured warehouse prepares before and releases after a run.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..config import StackConfig


class DbtProjectMissing(FileNotFoundError):
    """``transform/dbt_project.yml`` (or the profiles) cannot be found."""


class DbtParseFailed(RuntimeError):
    """``dbt parse`` failed: the project does not compile (its message says where)."""


@dataclass(frozen=True)
class DbtRun:
    """Outcome of one dbt command: per-status node counts, failures and wall time."""

    command: list[str]
    success: bool
    seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    result: Any = None

    @property
    def nodes(self) -> int:
        return sum(self.statuses.values())


@contextmanager
def dbt_environment(
    cfg: StackConfig, target_path: Path | None = None, log_path: Path | None = None
) -> Iterator[dict[str, str]]:
    """Set ``cfg.runtime_env()`` (plus target/log paths) in ``os.environ``; restore afterwards.

    Values derived from the config always win over the process environment (several projects
    can run in one process, e.g. in tests); the others only fill gaps.
    """
    env = cfg.runtime_env()
    derived = cfg.derived_env_keys() | {"DBT_TARGET_PATH", "DBT_LOG_PATH"}
    if target_path is not None:
        env["DBT_TARGET_PATH"] = str(target_path)
    if log_path is not None:
        env["DBT_LOG_PATH"] = str(log_path)
    saved = {key: os.environ.get(key) for key in env}
    for key, value in env.items():
        if key in derived or key not in os.environ:
            os.environ[key] = value
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_base_args(cfg: StackConfig) -> list[str]:
    return [
        "--project-dir",
        str(cfg.dbt_project_dir),
        "--profiles-dir",
        str(cfg.dbt_profiles_dir),
        "--target",
        cfg.dbt_target,
    ]


def check_dbt_project(cfg: StackConfig) -> None:
    if not (cfg.dbt_project_dir / "dbt_project.yml").is_file():
        raise DbtProjectMissing(f"{cfg.dbt_project_dir / 'dbt_project.yml'}: dbt project not found")
    if not (cfg.dbt_profiles_dir / "profiles.yml").is_file():
        raise DbtProjectMissing(f"{cfg.dbt_profiles_dir / 'profiles.yml'}: dbt profiles not found")


def _with_project_args(cfg: StackConfig, args: list[str]) -> list[str]:
    """Insert project/profiles/target flags after the subcommand (``build``, or a group's
    subcommand such as ``source freshness``) unless the caller gave them."""
    if not args or args[0].startswith("-"):
        return args
    size = 2 if args[0] in _COMMAND_GROUPS and len(args) > 1 and args[1][:1] != "-" else 1
    flags = dbt_base_args(cfg)
    given = set(args)
    extra: list[str] = []
    for flag, value in zip(flags[::2], flags[1::2], strict=True):
        if flag not in given:
            extra += [flag, value]
    return [*args[:size], *extra, *args[size:]]


_COMMAND_GROUPS = {"source", "docs"}


def processing_tool(cfg: StackConfig) -> ModuleType:
    """The module of the configured processing tool (``processing/<tool>.py``)."""
    package = __package__.rpartition(".")[0]
    return importlib.import_module(f"{package}.processing.{cfg.platform.processing.tool}")


def run_dbt(
    cfg: StackConfig,
    args: list[str],
    *,
    target_path: Path | None = None,
    log_path: Path | None = None,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> DbtRun:
    """Run ``dbt <args>`` in-process with the project, profiles and target from ``cfg``.

    ``target_path`` / ``log_path`` move dbt's ``target/`` and ``logs/`` (tests use tmp dirs);
    ``callbacks`` receive dbt's structured events (e.g. for a progress bar).
    """
    check_dbt_project(cfg)
    warehouse = cfg.module("warehouse")
    warehouse.prepare(cfg)
    command = _with_project_args(cfg, list(args))
    started = time.perf_counter()
    with dbt_environment(cfg, target_path=target_path, log_path=log_path):
        try:
            run = processing_tool(cfg).invoke(command, callbacks)
        finally:
            warehouse.release()
    return DbtRun(
        command=command,
        success=run.success,
        seconds=time.perf_counter() - started,
        statuses=run.statuses,
        failures=run.failures,
        result=run.result,
    )


def parse_manifest(cfg: StackConfig, *, target_path: Path | None = None) -> Any:
    """dbt's manifest of the project (``dbt parse``: no warehouse connection, nothing staged),
    for an orchestrator that ties its own steps to dbt's nodes (e.g. ingestion to sources)."""
    check_dbt_project(cfg)
    with dbt_environment(cfg, target_path=target_path):
        run = processing_tool(cfg).invoke(_with_project_args(cfg, ["parse"]))
    if not run.success:
        raise DbtParseFailed("; ".join(run.failures) or "dbt parse failed")
    return run.result.result


def run_build(cfg: StackConfig, *extra: str, **kwargs: Any) -> DbtRun:
    """``dbt build`` (seeds, models and their tests): silver, gold and the marts."""
    return run_dbt(cfg, ["build", *extra], **kwargs)
