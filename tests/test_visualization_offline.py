"""BI tools that nothing here can run are verified offline: for each implemented visualization
tool that does not run locally (the catalog; Metabase, whose jar no package registry ships), a
platform is rendered with it, installed (`make setup`), and its own test module
(`tests/test_<tool>.py`) runs: it provisions the dashboards twice against a local stand-in of
the tool's REST endpoints that checks every payload's shape (the stand-in is the rendered
test's, and its docstring says what it is not). Such a tool gets no end-to-end cell.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from matrix import default_answers, e2e_cells

from .conftest import CATALOG, project_env, render

pytestmark = pytest.mark.e2e

OFFLINE = [t for t in CATALOG.layer("visualization").implemented if not t.runs_locally]


@pytest.mark.parametrize("tool", OFFLINE, ids=lambda tool: tool.id)
def test_visualization_offline_tool_publishes_twice_to_its_stand_in(tool, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    answers = {**default_answers(CATALOG), "visualization": tool.id}
    project = render(tmp_path / "acme", **answers)
    module = project / "tests" / f"test_{tool.id}.py"
    assert module.is_file(), f"{tool.id} renders its own test module"
    env = project_env(home)
    done = subprocess.run(["make", "setup"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    cmd = ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", str(module)]
    done = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert " passed" in done.stdout and " skipped" not in done.stdout, done.stdout[-2000:]


def test_visualization_offline_tools_get_no_e2e_cell() -> None:
    """A BI tool verified offline is never in an end-to-end cell (nothing here runs it)."""
    offline_ids = {tool.id for tool in OFFLINE}
    assert offline_ids, "no implemented visualization tool is verified offline"
    assert [c for c in e2e_cells(CATALOG) if c["visualization"] in offline_ids] == []
