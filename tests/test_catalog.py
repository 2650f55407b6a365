"""The tool catalog is complete, valid, and the single source of copier.yml's layer choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from extensions.catalog import CATALOG_PATH, Status, load_catalog
from extensions.context import layer_choices

from .conftest import CATALOG, TEMPLATE_ROOT

# The user's Tool Selection Matrix (docs in ../shared/mission): every tool must be catalogued.
USER_MATRIX = {
    "ingestion": {"dlt", "airbyte", "fivetran", "stitch"},
    "orchestration": {"dagster", "prefect", "airflow", "mage"},
    "data_lake": {"local", "minio", "s3", "gcs", "azure"},
    "warehouse": {"duckdb", "postgres", "snowflake", "bigquery", "redshift", "databricks"},
    "processing": {"dbt"},
    "marts": {"finance", "marketing", "operations", "product"},
    "visualization": {"superset", "preset", "metabase", "tableau"},
}

COPIER_YML = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())


def test_catalog_validates() -> None:
    assert load_catalog().layers


@pytest.mark.parametrize("layer_id", USER_MATRIX)
def test_catalog_has_every_tool_of_the_user_matrix(layer_id: str) -> None:
    catalogued = {t.id for t in CATALOG.layer(layer_id).tools}
    assert USER_MATRIX[layer_id] <= catalogued


@pytest.mark.parametrize("layer", CATALOG.layers, ids=lambda layer: layer.id)
def test_catalog_question_in_copier_yml_reads_the_catalog(layer) -> None:
    question = COPIER_YML[layer.question]
    assert question["choices"] == f"{{{{ layer_choices('{layer.id}') }}}}"
    assert layer.id in question["default"]
    assert layer.id in question["help"]
    assert question.get("multiselect", False) == layer.multiselect


@pytest.mark.parametrize("layer", CATALOG.layers, ids=lambda layer: layer.id)
def test_catalog_choices_are_exactly_the_implemented_tools(layer) -> None:
    offered = [entry["value"] for entry in yaml.safe_load(layer_choices(layer.id)).values()]
    assert offered == [t.id for t in layer.tools if t.status is Status.implemented]


def test_catalog_every_layer_has_a_question() -> None:
    layer_questions = {layer.question for layer in CATALOG.layers}
    asked = {k for k, v in COPIER_YML.items() if isinstance(v, dict) and "choices" in v}
    assert layer_questions <= asked


def _planned_case(layer) -> tuple[str, bool] | None:
    """A planned tool of ``layer``: a really planned one if the catalog has one, else (a
    single-choice layer) its last implemented tool that is not the default, marked planned in a
    snapshot of the template; None when the layer has neither (dbt alone; the marts, whose
    default holds every one)."""
    planned = [t.id for t in layer.tools if t.status is Status.planned]
    if planned:
        return planned[0], False
    others = [t.id for t in layer.implemented if t.id not in (layer.default, "none")]
    return (others[-1], True) if others and not layer.multiselect else None


PLANNED_LAYERS = [layer for layer in CATALOG.layers if _planned_case(layer)]


@pytest.fixture(scope="module")
def planned_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template with each layer's ``_planned_case`` marked planned where it was not."""
    from matrix import folder_snapshot

    dst = folder_snapshot(tmp_path_factory.mktemp("planned") / "template")
    path = dst / "extensions" / "catalog.yaml"
    data = yaml.safe_load(path.read_text())
    for layer in data["layers"]:
        tool_id, flip = _planned_case(CATALOG.layer(layer["id"])) or ("", False)
        for tool in layer["tools"]:
            if flip and tool["id"] == tool_id:
                tool["status"] = "planned"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return dst


@pytest.mark.parametrize("layer", PLANNED_LAYERS, ids=lambda layer: layer.id)
def test_catalog_planned_tool_is_refused(layer, planned_snapshot: Path, tmp_path: Path) -> None:
    """A planned tool is never offered: copier refuses it as an answer (in the real template
    when the layer has one, else in a snapshot where one of its tools is marked planned)."""
    from matrix import compatible, default_answers

    tool_id, flipped = _planned_case(layer) or ("", False)
    answer = [tool_id] if layer.multiselect else tool_id
    # refused for being planned, not for a pair the catalog declares incompatible
    assert compatible(CATALOG, {**default_answers(CATALOG), layer.question: answer})
    with pytest.raises(ValueError, match="Invalid choice"):
        run_copy(
            str(planned_snapshot if flipped else TEMPLATE_ROOT),
            str(tmp_path / "p"),
            data={layer.question: answer},
            defaults=True,
            unsafe=True,
            vcs_ref=None if flipped else "HEAD",
            quiet=True,
        )
    assert not (tmp_path / "p" / "pyproject.toml").exists()


def test_catalog_secrets_never_have_defaults() -> None:
    for layer in CATALOG.layers:
        for tool in layer.tools:
            for var in tool.env_vars:
                assert not (var.secret and var.default), f"{tool.id}: {var.name}"


def test_catalog_docs_are_generated_from_it() -> None:
    from extensions.docs import main

    assert main(["--check"]) == 0, "docs/ restate an old catalog: run `make docs`"


def test_catalog_e2e_own_tests_name_rendered_test_modules() -> None:
    """A cell limited to some of its rendered tests (`e2e_own_tests`) names modules (or tests
    of modules) the template renders (pytest refuses a path that is not there)."""
    rendered = {
        re.sub(r"\{%.*?%\}", "", path.name).removesuffix(".jinja")
        for path in (TEMPLATE_ROOT / "template" / "tests").iterdir()
    }
    for layer in CATALOG.layers:
        for tool in layer.tools:
            for module in tool.e2e_own_tests:
                path = module.split("::")[0]  # a module, or one test of it
                assert path.startswith("tests/"), (tool.id, module)
                assert path.removeprefix("tests/") in rendered, (tool.id, module)


def test_catalog_bi_tool_on_the_warehouses_driver_needs_one_per_warehouse(tmp_path: Path) -> None:
    """A BI tool that reaches the warehouse through the warehouse's own dialect
    (`warehouse_driver`: Superset) is refused beside a warehouse it may be combined with that
    has no `bi_driver`; each warehouse module with a `bi_driver` builds a `bi_connection`."""
    data = yaml.safe_load(CATALOG_PATH.read_text())
    warehouses = next(layer for layer in data["layers"] if layer["id"] == "warehouse")
    del warehouses["tools"][0]["bi_driver"]
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=f"{warehouses['tools'][0]['id']} has no bi_driver"):
        load_catalog(path)

    modules = TEMPLATE_ROOT / "template" / "src" / "{{ package_name }}" / "warehouse"
    for tool in CATALOG.layer("warehouse").implemented:
        [module] = [p for p in modules.iterdir() if p.name.endswith(f"{tool.id}.py{{% endif %}}")]
        has_connection = "\ndef bi_connection(" in module.read_text()
        assert has_connection == bool(tool.bi_driver), tool.id


def test_catalog_tool_limiting_its_cells_tests_must_have_the_cell_alone(tmp_path: Path) -> None:
    """`e2e_own_tests` cuts its home cell's tests to a list: a tool sharing that cell would
    lose its own, so the catalog refuses it on a tool that is not `e2e: alone`."""
    data = yaml.safe_load(CATALOG_PATH.read_text())
    limited = [
        tool for layer in data["layers"] for tool in layer["tools"] if tool.get("e2e_own_tests")
    ]
    assert limited, "no tool limits its cell's tests"
    assert all(tool["e2e"] == "alone" for tool in limited)
    limited[0]["e2e"] = "once"
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=f"{limited[0]['id']}: e2e_own_tests limits"):
        load_catalog(path)
