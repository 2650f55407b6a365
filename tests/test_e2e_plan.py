"""What each e2e cell runs of its rendered tests, checked without installing a cell.

Every cell's project is rendered; the marks of its test modules are read from their source
(`pytestmark` and `@pytest.mark.<name>` decorators) and each command of the cell's plan
(`own_test_commands`) is evaluated with pytest's own `-m` expression parser."""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression

from .conftest import CATALOG, TEMPLATE_ROOT, render
from .test_platform_e2e import (
    BI_SERVER,
    DEFAULT,
    PAIRWISE,
    SCENARIO_LAYERS,
    _cell,
    _differing,
    home_cell,
    home_layers,
    own_test_commands,
)

pytestmark = pytest.mark.xdist_group("e2e-plan")
NON_DEFAULT = [c for c in PAIRWISE if _differing(c)]
BATCH1 = "tests/test_pipeline.py::test_pipeline_batch1_marts_equal_ground_truth"


def _marks(node: ast.AST) -> set[str]:
    """`pytest.mark.<name>` (called or not) found in a decorator or a pytestmark value (pytest's
    own, such as parametrize, included: `rendered_tests` keeps the project's declared ones)."""
    found = set()
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Attribute)
            and sub.value.attr == "mark"
        ):
            found.add(sub.attr)
    return found


def rendered_tests(project: Path) -> dict[str, set[str]]:
    """Each test of the rendered project (`tests/<module>.py::<name>`) with the marks its
    pyproject.toml declares (the layers, `core`, `e2e`, `scenario`: what `-m` selects on)."""
    ini = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    declared = {marker.split(":")[0] for marker in ini["markers"]}
    tests: dict[str, set[str]] = {}
    for module in sorted((project / "tests").glob("test_*.py")):
        tree = ast.parse(module.read_text())
        module_marks: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
            ):
                module_marks |= _marks(node.value)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = set(module_marks)
                for decorator in node.decorator_list:
                    marks |= _marks(decorator)
                tests[f"tests/{module.name}::{node.name}"] = marks & declared
    return tests


def selected(command: tuple[str, ...], tests: dict[str, set[str]]) -> set[str]:
    """The tests `pytest <command>` runs (paths and `-m`; a path without `::` is a module)."""
    args = list(command)
    expression = Expression.compile(args.pop(args.index("-m") + 1)) if "-m" in args else None
    paths = [a for a in args if a != "-m"]
    chosen = set()
    for test, marks in tests.items():
        module = test.split("::")[0]
        if paths and not any(p in (test, module) for p in paths):
            continue
        if expression is None or expression.evaluate(lambda name, m=marks: name in m):
            chosen.add(test)
    return chosen


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, set[str]]]:
    root = tmp_path_factory.mktemp("plan")
    return {_cell(c): rendered_tests(render(root / str(i), **c)) for i, c in enumerate(NON_DEFAULT)}


def _tool_modules(question: str, tool: str) -> list[str]:
    """The template's test modules rendered only for this answer (`{% if <question> == ... %}`)."""
    names = []
    for path in (TEMPLATE_ROOT / "template" / "tests").iterdir():
        condition = re.match(
            r"\{% if (\w+) (==|in) (.+?) %\}(test_\w+\.py)\{% endif %\}", path.name
        )
        if condition and condition[1] == question and f"'{tool}'" in condition[3]:
            names.append(f"tests/{condition[4]}")
    return names


def test_every_answer_of_the_subset_has_one_home_that_runs_its_own_module(projects) -> None:
    """Each non-default tool's own test module runs whole in its home cell (or as far as the
    catalog's `e2e_own_tests` names it), and in no other cell."""
    for layer in CATALOG.layers:
        if layer.multiselect:
            continue
        for tool in {c[layer.question] for c in NON_DEFAULT} - {DEFAULT[layer.question]}:
            home = home_cell(layer.question, tool)
            assert layer.id in home_layers(home)
            tests = projects[_cell(home)]
            runs = set().union(*(selected(cmd, tests) for cmd in own_test_commands(home)))
            limited = layer.tool(tool).e2e_own_tests
            for module in _tool_modules(layer.question, tool):
                own = {t for t in tests if t.startswith(f"{module}::")}
                assert own, f"{module} has tests"
                if not limited or module in limited:
                    assert own <= runs, (tool, sorted(own - runs))
            for cell in NON_DEFAULT:
                if cell[layer.question] == tool and _cell(cell) != _cell(home):
                    assert layer.id not in home_layers(cell), (tool, _cell(cell))


def test_every_cell_runs_batch_1_and_scenarios_only_where_they_are_at_home(projects) -> None:
    for cell in NON_DEFAULT:
        tests = projects[_cell(cell)]
        assert tests[BATCH1], "batch 1 is marked"
        runs = set().union(*(selected(cmd, tests) for cmd in own_test_commands(cell)))
        assert BATCH1 in runs, _cell(cell)
        scenarios = {t for t in runs if "scenario" in tests[t]}
        homes = home_layers(cell)
        if not set(homes) & SCENARIO_LAYERS:
            assert scenarios == set(), (_cell(cell), sorted(scenarios))
        elif not any(
            layer.tool(cell[layer.question]).e2e_own_tests
            for layer in CATALOG.layers
            if layer.id in homes and not layer.multiselect
        ):
            assert scenarios, f"{_cell(cell)}: the scenarios of {homes} run at their home"


def test_the_smoke_is_batch_1_and_the_same_batch_again_without_any_later_day(projects) -> None:
    """A cell whose tools are at home elsewhere still checks its marts (SMOKE)."""
    (smoke_cell,) = [c for c in NON_DEFAULT if not home_layers(c)][:1]
    tests = projects[_cell(smoke_cell)]
    (command,) = own_test_commands(smoke_cell)
    runs = selected(command, tests)
    assert BATCH1 in runs
    assert "tests/test_pipeline.py::test_pipeline_same_batch_twice_changes_nothing" in runs
    later = [t for t in runs if re.search(r"batch2|late_versions|incremental", t)]
    assert later == [], later
    assert all(t.startswith("tests/test_pipeline.py::") for t in runs)


def _make_test_arguments(project: Path) -> tuple[str, ...]:
    """The pytest arguments of the rendered Makefile's `test` task (its recipe's one line)."""
    recipe = project.joinpath("Makefile").read_text().split("\ntest: ", 1)[1].splitlines()[1]
    return tuple(shlex.split(recipe.split(" pytest", 1)[1]))


def test_the_default_cell_runs_every_test_make_test_and_the_bi_server(tmp_path: Path) -> None:
    """The default cell runs the rendered `make test` (read from its Makefile) and then
    BI_SERVER: together every rendered test, once; the default's BI tool (Superset) has tests
    that install and start it, and `make test` (the README's, and the rendered CI's) leaves
    exactly those out."""
    project = render(tmp_path / "default")
    tests = rendered_tests(project)
    make_test = selected(_make_test_arguments(project), tests)
    server = selected(BI_SERVER, tests)
    assert server, "the default BI tool has tests that start it"
    assert all(t.startswith(f"tests/test_{DEFAULT['visualization']}.py::") for t in server)
    assert make_test | server == set(tests)
    assert make_test & server == set()
