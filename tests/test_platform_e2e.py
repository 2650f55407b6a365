"""The rendered default platform installs with uv and runs for real: its own tests, lint, dbt
parse and the whole pipeline (`make run`), with a throwaway HOME that must stay empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import render

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("default-platform")]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    env.update(HOME=str(home), UV_CACHE_DIR=cache, UV_COMPILE_BYTECODE="1", CI="true")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("e2e")
    home = root / "home"
    home.mkdir()
    project = render(root / "acme")
    env = _env(home)
    done = subprocess.run(["make", "setup"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return project, env


def _run(platform: tuple[Path, dict[str, str]], *cmd: str, timeout: int = 900, **extra_env: str):
    project, env = platform
    done = subprocess.run(
        list(cmd),
        cwd=project,
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def test_platform_lint_passes_as_rendered(platform) -> None:
    _run(platform, "make", "lint")


def test_platform_dbt_project_parses(platform) -> None:
    _run(platform, "uv", "run", "--no-sync", "platform", "dbt", "--", "parse")


def test_platform_run_end_to_end_prints_the_finance_mart(platform, tmp_path: Path) -> None:
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    done = _run(platform, "make", "run", TMPDIR=str(tmp))
    assert "finance.fct_daily_revenue" in done.stdout
    assert "payment mix" in done.stdout
    # uv itself keeps an (empty) advisory lock file per environment in TMPDIR: not ours.
    leftovers = sorted(
        str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.name.startswith("uv-")
    )
    assert leftovers == [], f"`make run` left files in TMPDIR: {leftovers}"
    project, _ = platform
    query = (
        "import duckdb, json, sys;"
        "c = duckdb.connect(sys.argv[1], read_only=True);"
        "print(json.dumps(c.sql('select count(*), sum(gross_revenue) "
        "from finance.fct_daily_revenue').fetchone(), default=str))"
    )
    out = _run(
        platform,
        "uv",
        "run",
        "--no-sync",
        "python",
        "-c",
        query,
        str(project / "data/warehouse/analytics.duckdb"),
    )
    days, revenue = json.loads(out.stdout)
    assert days > 0
    assert float(revenue) > 0


def test_platform_own_tests_pass_as_rendered(platform) -> None:
    _run(platform, "make", "test")


def test_platform_keeps_all_state_inside_the_project(platform) -> None:
    _, env = platform
    home = Path(env["HOME"])
    leftovers = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert leftovers == [], f"written outside the project: {leftovers}"
