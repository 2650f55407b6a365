"""Shared fixtures: render the template in-process, isolated from the user's copier settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from copier import run_copy

from extensions.catalog import load_catalog

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()


@pytest.fixture(autouse=True, scope="session")
def _isolated_copier_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep a developer's own copier settings (defaults, trust) out of the tests."""
    settings = tmp_path_factory.mktemp("copier-settings") / "settings.yml"
    settings.write_text("{}\n")
    previous = os.environ.get("COPIER_SETTINGS_PATH")
    os.environ["COPIER_SETTINGS_PATH"] = str(settings)
    yield
    if previous is None:
        os.environ.pop("COPIER_SETTINGS_PATH", None)
    else:
        os.environ["COPIER_SETTINGS_PATH"] = previous


def render(dst: Path, template: Path = TEMPLATE_ROOT, vcs_ref: str = "HEAD", **answers) -> Path:
    """Render the template with defaults plus ``answers`` into ``dst`` (copier's own machinery)."""
    run_copy(
        str(template),
        str(dst),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref=vcs_ref,
        quiet=True,
    )
    return dst


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default platform (dlt + Dagster + local lake + DuckDB + dbt), rendered once."""
    return render(tmp_path_factory.mktemp("default") / "acme")


def rendered_files(root: Path) -> list[Path]:
    skip = {".git", ".venv", "data", "target", "logs", ".dagster", ".dlt"}
    return sorted(
        p for p in root.rglob("*") if p.is_file() and not (set(p.relative_to(root).parts) & skip)
    )


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def template_snapshot(dst: Path) -> Path:
    """A git copy of the template as it is in this checkout (committed or not), as its own repo.

    Update tests tag versions in this copy, never in the developer's repository.
    """
    listed = git(TEMPLATE_ROOT, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for rel in filter(None, listed):
        src = TEMPLATE_ROOT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    git(dst, "init", "-q", "-b", "main")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "template snapshot")
    return dst


def project_env(home: Path) -> dict[str, str]:
    """The environment a rendered project's commands run in, as on a CI runner: HOME a
    throwaway folder (so nothing is written outside the project unseen), the shared uv cache,
    this interpreter's bin first on PATH, no virtualenv of the template leaking in."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    env.update(HOME=str(home), UV_CACHE_DIR=cache, UV_COMPILE_BYTECODE="1", CI="true")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def project_tests_pass(project: Path, home: Path, tests: list[str]) -> None:
    """Install the rendered ``project`` (`make setup`) and run ``tests`` (modules or test ids)
    in it: every test passes and none is skipped (the check of a tool nothing here can run)."""
    home.mkdir(exist_ok=True)
    env = project_env(home)
    done = subprocess.run(["make", "setup"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    cmd = ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert " passed" in done.stdout and " skipped" not in done.stdout, done.stdout[-2000:]


def own_module_passes(
    project: Path, tool_id: str, home: Path, also: tuple[str, ...] = (), ci: bool = False
) -> None:
    """The rendered ``project``'s own `tests/test_<tool>.py` (and the test ids ``also``
    names) pass, installed as a user would (:func:`project_tests_pass`); with ``ci``, then
    the project's other tests not marked e2e (what its CI runs for a tool nothing here runs
    end to end; the config tests' throwaway configs have no `.env` beside them)."""
    module = project / "tests" / f"test_{tool_id}.py"
    assert module.is_file(), f"{tool_id} renders its own test module"
    project_tests_pass(project, home, [str(module), *also])
    if ci:
        own = str(module.relative_to(project))
        project_tests_pass(project, home, ["-m", "not e2e", "--deselect", own])
