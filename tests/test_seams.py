"""The seams of the rendered platform, checked on the template's own source (fast, static).

- every file that belongs to one tool sits under a folder (or has a name) rendered only when
  that tool is chosen; shared files import no tool's library;
- ``pipeline/`` names no tool at all;
- no import climbs from a lower layer of the package to a higher one;
- the sample's source schema (``sample/schema.py``) and dbt's silver contract
  (``transform/macros/silver_tables.sql``) describe the same 14 tables, keys and columns.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from extensions.catalog import load_catalog

from .conftest import TEMPLATE_ROOT

CATALOG = load_catalog()
TEMPLATE = TEMPLATE_ROOT / "template"
PACKAGE = TEMPLATE / "src" / "{{ package_name }}"
# `{% if question == 'tool' %}` or, for code some tools share, `{% if question in ['a', 'b'] %}`.
CONDITIONAL = re.compile(r"\{% if (\w+) (?:== '(\w+)'|in \[('\w+'(?:, '\w+')+)\]) %\}")
# Layers whose tools get a folder or module of their own, and the copier question naming it.
TOOL_LAYERS = ("ingestion", "orchestration", "data_lake", "warehouse", "visualization")
# Python libraries that belong to one tool (importing one makes a file that tool's file).
TOOL_LIBRARIES = {
    "dlt": "dlt",
    "adbc_driver_sqlite": ("airbyte", "dlt", "fivetran", "stitch"),
    "airbyte": "airbyte",
    "airbyte_cdk": "airbyte",
    "dagster": "dagster",
    "dagster_dbt": "dagster",
    "prefect": "prefect",
    "prefect_dbt": "prefect",
    "mage_ai": "mage",
    "airflow": "airflow",
    "cosmos": "airflow",
    "duckdb": "duckdb",
    "duckdb_extension_httpfs": "duckdb",
    "psycopg": "postgres",
    "boto3": ("s3", "minio"),
    "botocore": ("s3", "minio"),
    "gcsfs": "gcs",
    # Google's libraries share the `google` namespace: the longest matching prefix decides.
    "google": "gcs",
    "google.cloud.bigquery": "bigquery",
    # Credentials and API errors: the GCS lake and BigQuery both use them.
    "google.auth": ("gcs", "bigquery"),
    "google.oauth2": ("gcs", "bigquery"),
    "google.api_core": ("gcs", "bigquery"),
    "adlfs": "azure",
    "azure": "azure",
}
# Package folders from the bottom up: a module may import from its own rank or below.
RANKS = {
    "checks": 0,
    "config": 0,
    "own_environment": 0,
    "sample": 1,
    "ingestion": 2,
    "lake": 2,
    "processing": 2,
    "warehouse": 2,
    "pipeline": 3,
    "dashboards": 3,
    "orchestration": 4,
    "doctor": 5,
    "cli": 5,
    "__init__": 5,
}


def _rendered_name(name: str) -> str:
    return re.sub(r"\{%.*?%\}", "", name)


def _package_files() -> list[Path]:
    """Every Python file of the package, conditional names included (``{% if ... %}x.py``)."""
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and _rendered_name(p.name).endswith(".py") and "__pycache__" not in p.parts
    )


def _conditions(path: Path) -> set[tuple[str, str]]:
    """The (question, tool) pairs a template path is rendered under."""
    pairs = set()
    for question, tool, tools in CONDITIONAL.findall(str(path.relative_to(TEMPLATE))):
        pairs |= {(question, t) for t in ([tool] if tool else re.findall(r"'(\w+)'", tools))}
    return pairs


def _imports(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) of every import in a file (level 0: absolute)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_seams_every_tool_has_its_own_folder() -> None:
    questions = {CATALOG.layer(layer).question: layer for layer in TOOL_LAYERS}
    for layer in TOOL_LAYERS:
        for tool in CATALOG.layer(layer).implemented:
            paths = [
                p
                for p in _package_files()
                if (CATALOG.layer(layer).question, tool.id) in _conditions(p)
            ]
            assert paths, f"{layer} tool {tool.id!r} has no conditional folder or module"
            for path in paths:
                (question, _), *_ = _conditions(path)
                assert questions[question] == layer


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_seams_shared_files_import_no_tool_library(path: Path) -> None:
    conditions = _conditions(path)
    for level, module in _imports(path):
        if level:
            continue
        prefixes = [".".join(module.split(".")[:n]) for n in range(module.count(".") + 1, 0, -1)]
        owner = next((TOOL_LIBRARIES[p] for p in prefixes if p in TOOL_LIBRARIES), None)
        if module.startswith("dbt.adapters."):
            owner = module.split(".")[2]
        if owner is None:
            continue
        owners = {owner} if isinstance(owner, str) else set(owner)
        questions = {
            layer.question for layer in CATALOG.layers for tool in layer.tools if tool.id in owners
        }
        rendered_for = {tool for asked, tool in conditions if asked in questions}
        assert rendered_for and rendered_for <= owners, (
            f"{path.relative_to(TEMPLATE)} imports {module} ({'/'.join(sorted(owners))}'s "
            "library) but is not rendered only for them: move it under that tool's folder"
        )


def test_seams_pipeline_names_no_tool() -> None:
    names = {
        tool.id
        for layer in CATALOG.layers
        if layer.id not in {"processing", "marts"}
        for tool in layer.tools
        if tool.id != "none"
    } | {"dbt-duckdb", "dbt_duckdb"}
    for path in sorted((PACKAGE / "pipeline").glob("*.py")):
        text = path.read_text(encoding="utf-8").lower()
        for name in sorted(names):
            assert not re.search(rf"\b{re.escape(name)}\b", text), (
                f"pipeline/{path.name} names the tool {name!r}: reach it through its layer"
            )


def test_seams_a_shared_bundle_compiler_is_rendered_for_every_tool_that_imports_it() -> None:
    """``dashboards/superset_bundle.py`` is rendered when the chosen BI tool's catalog entry
    says ``import_bundle: superset``: every BI tool whose own files (package or tests) import
    it must say so, or its project would not import."""
    layer = CATALOG.layer("visualization")
    tests = [p for p in TESTS.iterdir() if _rendered_name(p.name).startswith("test_")]
    for path in [*_package_files(), *tests]:
        text = path.read_text(encoding="utf-8").replace("{{ package_name }}", "pkg")
        if not re.search(r"\bsuperset_bundle\b", text) or "import" not in text:
            continue
        for question, tool_id in _conditions(path):
            if question == layer.question:
                assert layer.tool(tool_id).import_bundle == "superset", (
                    f"{path.relative_to(TEMPLATE)} imports superset_bundle: give {tool_id} "
                    "`import_bundle: superset` in extensions/catalog.yaml"
                )


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_seams_no_import_climbs_back_up(path: Path) -> None:
    parts = tuple(_rendered_name(p) for p in path.relative_to(PACKAGE).with_suffix("").parts)
    assert parts[0] in RANKS, f"{parts[0]}: give this new part of the package a rank in RANKS"
    rank = RANKS[parts[0]]
    for level, module in _imports(path):
        if not level:
            continue
        base = list(parts[: len(parts) - level])  # the package the import is relative to
        target = [*base, *[p for p in module.split(".") if p]]
        if not target or target[0] not in RANKS:
            continue
        assert RANKS[target[0]] <= rank, (
            f"{'/'.join(parts)} imports {'.'.join(target)}: a lower layer must not import "
            "a higher one"
        )


# ----------------------------------------------------------------------- one schema
def _sample_schema():
    spec = importlib.util.spec_from_file_location("_sample_schema", PACKAGE / "sample/schema.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _silver_tables() -> dict:
    text = (TEMPLATE / "transform" / "macros" / "silver_tables.sql").read_text(encoding="utf-8")
    literal = text[text.index("{{ return(") + len("{{ return(") : text.rindex(") }}")]
    literal = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", literal))
    return ast.literal_eval(literal)


# sample column kind -> the silver types it may take
SILVER_TYPES = {
    "id": {"id"},
    "int": {"integer", "count"},
    "money": {"money"},
    "bool": {"flag"},
    "text": {"text", "code", "upper_code", "email"},
    "ts": {"timestamp"},
    "date": {"date"},
}


def test_seams_sample_schema_and_silver_contract_agree() -> None:
    schema, silver = _sample_schema(), _silver_tables()
    by_name = {f"{t.source}__{t.name}": t for t in schema.TABLES}
    assert set(by_name) == set(silver), "sample/schema.py and silver_tables.sql list other tables"
    for name, table in by_name.items():
        spec = silver[name]
        assert tuple(spec["key"]) == table.key, f"{name}: keys differ"
        drift = {c.name: c for c in schema.DRIFT_COLUMNS.get(table.name, ())}
        source_columns = {c.name: c for c in table.columns} | drift
        silver_columns = {c["name"]: c for c in spec["columns"]}
        assert set(silver_columns) == set(source_columns), f"{name}: columns differ"
        for column_name, column in source_columns.items():
            silver_column = silver_columns[column_name]
            assert silver_column["type"] in SILVER_TYPES[column.kind], (
                f"{name}.{column_name}: source kind {column.kind} vs silver {silver_column['type']}"
            )
            nullable = column.nullable or column_name in drift
            assert bool(silver_column.get("nullable", False)) == nullable, (
                f"{name}.{column_name}: nullable differs"
            )


TESTS = TEMPLATE / "tests"
# `pytestmark = pytest.mark.x` or `pytestmark = [pytest.mark.x, ...]` (one line or several).
PYTESTMARK = re.compile(r"^pytestmark = (\[[^\]]*\]|pytest\.mark\.\w+)", re.M)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TESTS.iterdir() if _rendered_name(p.name).startswith("test_")),
    ids=lambda p: _rendered_name(p.name),
)
def test_seams_every_rendered_test_module_names_the_layers_it_exercises(path: Path) -> None:
    """The template's e2e cells other than the default run only the rendered tests marked with
    a layer whose tool differs from the default (tests/test_platform_e2e.py): an unmarked module
    would silently never run there, and a tool's own tests must carry that tool's layer."""
    found = PYTESTMARK.search(path.read_text(encoding="utf-8"))
    assert found, f"{path.name}: no module-level `pytestmark` naming the layers it exercises"
    marks = set(re.findall(r"pytest\.mark\.(\w+)", found.group(1)))
    layers = {layer.id for layer in CATALOG.layers}
    assert marks & (layers | {"core"}), f"{path.name}: marks {marks} name no layer (or `core`)"
    by_question = {layer.question: layer.id for layer in CATALOG.layers}
    for question, _ in _conditions(path):
        assert by_question[question] in marks, (
            f"{path.name} is rendered for one {question}: mark it `{by_question[question]}`"
        )
