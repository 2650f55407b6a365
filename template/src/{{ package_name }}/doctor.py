"""``platform doctor``: checks that say what is wrong and how to fix it.

The config, its variables, the dbt project and the sources are checked here; each configured
tool checks itself (``check(cfg)`` in its module: the lake, the warehouse, ...).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from .checks import Check
from .config import (
    ConfigError,
    StackConfig,
    find_config_path,
    load_config,
    load_dotenv,
    referenced_variables,
)
from .config.schema import SLOTS
from .sample.schema import FILES, SHOP_API, SHOP_DB, SOURCE_TABLES

__all__ = ["Check", "run_checks"]


def check_env_vars(config_path: Path | None) -> Check:
    path = find_config_path(config_path)
    env = {**load_dotenv(path.parent.parent), **os.environ}
    notes: list[str] = []
    missing: list[str] = []
    for name, (key, default) in sorted(referenced_variables(path).items()):
        if env.get(name):
            notes.append(f"{name} set")
        elif default is not None:
            notes.append(f"{name} unset (default {default!r})")
        else:
            missing.append(f"{name} (used by {key})")
    if missing:
        return Check(
            "environment",
            False,
            "not set: " + ", ".join(missing),
            "add them to .env (see .env.example) or export them",
        )
    return Check("environment", True, "; ".join(notes) or "no variables referenced")


def check_dbt(cfg: StackConfig) -> Check:
    from .pipeline.transform import DbtProjectMissing, check_dbt_project

    try:
        check_dbt_project(cfg)
    except DbtProjectMissing as exc:
        return Check(
            "dbt project",
            False,
            str(exc),
            "check platform.processing.config.project_dir/profiles_dir in the stack config",
        )
    return Check("dbt project", True, f"{cfg.dbt_project_dir} (target {cfg.dbt_target})")


def check_files(cfg: StackConfig) -> Check:
    from .sample.generator import SamplePaths

    paths = SamplePaths.from_config(cfg)
    tables = SOURCE_TABLES[FILES]
    missing = [table for table in tables if not paths.batch_files(table)]
    if missing:
        return Check("source files", True, f"{', '.join(missing)} will be generated on `run`")
    files = sum(len(paths.batch_files(table)) for table in tables)
    return Check("source files", True, f"{cfg.files_dir}: {files} files for {', '.join(tables)}")


def check_database(cfg: StackConfig) -> Check:
    if not cfg.sqlite_path.is_file():
        return Check("source database", True, f"{cfg.sqlite_path} will be generated on `run`")
    try:
        uri = f"{cfg.sqlite_path.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.Error as exc:
        return Check("source database", False, f"{cfg.sqlite_path}: {exc}", "regenerate it")
    missing = set(SOURCE_TABLES[SHOP_DB]) - tables
    if missing:
        return Check(
            "source database",
            False,
            f"{cfg.sqlite_path}: missing tables {sorted(missing)}",
            "run `platform generate` to rewrite the sample sources",
        )
    return Check("source database", True, f"{cfg.sqlite_path}: {', '.join(SOURCE_TABLES[SHOP_DB])}")


def _get_json(url: str) -> dict:
    with urlopen(url, timeout=5) as response:
        return json.load(response)


def check_api(cfg: StackConfig) -> Check:
    from .sample.api import serve_sample_api

    if cfg.api_base_url == "sample":
        if not cfg.api_data_path.is_file():
            return Check("shop API", True, "sample API data will be generated on `run`")
        try:
            with serve_sample_api(cfg.api_data_path) as url:
                health = _get_json(f"{url}/health")
        except (OSError, URLError, ValueError) as exc:
            return Check("shop API", False, f"sample API: {exc}", "run `platform generate`")
        served = ", ".join(f"{health[table]:,} {table}" for table in SOURCE_TABLES[SHOP_API])
        return Check("shop API", True, f"sample API serves {served}")
    try:
        for table in SOURCE_TABLES[SHOP_API]:
            _get_json(f"{cfg.api_base_url}/{table}?page=1&page_size=1")
    except (OSError, URLError, ValueError) as exc:
        return Check(
            "shop API",
            False,
            f"{cfg.api_base_url}: {exc}",
            "start the API or set SAMPLE_API_URL=sample in .env to use the bundled one",
        )
    return Check("shop API", True, f"{cfg.api_base_url} answers")


def run_checks(config_path: Path | None = None) -> Iterator[Check]:
    """Yield every check; stop after the config check when the config cannot be loaded."""
    try:
        cfg = load_config(config_path)
    except ConfigError as exc:
        yield Check(
            "config", False, str(exc), "set the variable in .env or correct the value in the file"
        )
        yield from _safe(lambda: check_env_vars(config_path), "environment")
        return
    yield Check("config", True, f"{cfg.config_file} is valid (platform {cfg.platform.name!r})")
    yield from _safe(lambda: check_env_vars(config_path), "environment")
    for layer in SLOTS:
        yield from _safe(lambda layer=layer: cfg.module(layer).check(cfg), layer)
    for check in (check_dbt, check_files, check_database, check_api):
        yield from _safe(lambda check=check: check(cfg), check.__name__.removeprefix("check_"))


def _safe(run: Callable[[], Check], name: str) -> Iterator[Check]:
    try:
        yield run()
    except ConfigError as exc:
        yield Check(name, False, str(exc), "see the message")
