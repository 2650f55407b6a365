"""BI tools that nothing here can run are verified offline: for each implemented visualization
tool that does not run locally (the catalog; Metabase, whose jar no package registry ships;
Preset, a cloud service), a platform is rendered with it, installed (`make setup`), and its own
test module (`tests/test_<tool>.py`) runs: it provisions the dashboards twice against a local
stand-in of the tool's REST endpoints that checks every payload's shape (the stand-in is the
rendered test's, and its docstring says what it is not); then the project's tests not marked
e2e. Such a tool gets no end-to-end cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matrix import default_answers, e2e_cells

from .conftest import CATALOG, own_module_passes, render

pytestmark = pytest.mark.e2e

OFFLINE = [t for t in CATALOG.layer("visualization").implemented if not t.runs_locally]


@pytest.mark.parametrize("tool", OFFLINE, ids=lambda tool: tool.id)
def test_visualization_offline_tool_publishes_twice_to_its_stand_in(tool, tmp_path: Path) -> None:
    answers = {**default_answers(CATALOG), "visualization": tool.id}
    # What the tool requires of the other layers (Preset: a warehouse it reaches over the
    # network): the first allowed choice, where the default is not allowed.
    for layer_id, allowed in tool.requires.items():
        question = CATALOG.layer(layer_id).question
        if answers[question] not in allowed:
            answers[question] = allowed[0]
    project = render(tmp_path / "acme", **answers)
    # Then its tests not marked e2e (its other layers, DuckDB or PostgreSQL, run end to end
    # in the e2e cells).
    own_module_passes(project, tool.id, tmp_path / "home", ci=True)


def test_visualization_offline_tools_get_no_e2e_cell() -> None:
    """A BI tool verified offline is never in an end-to-end cell (nothing here runs it)."""
    offline_ids = {tool.id for tool in OFFLINE}
    assert offline_ids, "no implemented visualization tool is verified offline"
    assert [c for c in e2e_cells(CATALOG) if c["visualization"] in offline_ids] == []
