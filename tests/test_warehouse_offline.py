"""Cloud warehouses that nothing here can reach are verified offline, by their real dbt adapter
and sqlglot: for each implemented warehouse that does not run locally (the catalog), a platform
is rendered with it, the adapter pinned by the catalog `dbt parse`s the whole project and
compiles every model, test and `on-run-start` hook of the `prod` target without a connection
(`dbt compile --no-introspect`: the project's introspective macros honour it, see
`transform/macros/introspection.sql`), then sqlglot parses every compiled file and the
warehouse's `warehouse/setup.sql` in the warehouse's dialect; a parse error fails.

Nothing is mocked and nothing is executed: the cloud cannot be reached from here, so what the
warehouse would answer (types, privileges, data) is out of reach; what is checked is that the
SQL the project sends it is the adapter's own and parses in its dialect. The rendered project
is also installed and its own `tests/test_<warehouse>.py` runs (staging, profile, setup.sql,
doctor), which no end-to-end cell would run. The project is rendered with the BI tool that
connects through the warehouse's own SQLAlchemy dialect (the catalog's `warehouse_driver`:
Superset), and its rendered dialect test runs too: the dialect of the catalog's `bi_driver`,
installed beside Superset's SQLAlchemy, accepts the dashboards' connection (nothing connects).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from matrix import dbt_environment, default_answers, e2e_cells

from .conftest import CATALOG, TEMPLATE_ROOT, own_module_passes, project_tests_pass, render

OFFLINE = [t for t in CATALOG.layer("warehouse").implemented if not t.runs_locally]
# The SQL parser of the check (its own pin: the rendered platforms pin theirs for dlt).
SQLGLOT = "sqlglot==30.30.0"
CHECKER = Path(__file__).with_name("sql_check.py")
# Statements sqlglot does not model (it keeps them as an opaque Command), by dialect: allowed
# only with these leading words; anything else it cannot parse fails.
ADMIN_STATEMENTS = {
    "snowflake": [
        "create role if not exists",
        "grant role",
        "create user if not exists",
        "grant select on all tables in schema",
        "grant select on future tables in schema",
        "grant select on future views in schema",
        "grant ownership on schema",
    ],
    "redshift": [
        "create role",
        "create user",
        "grant role",
        "call ",
        "revoke assumerole on all from public for all",
        "grant assumerole on default to role",
        "alter default privileges for user",
        "grant select on all tables in schema",
        # CREATE SCHEMA ... AUTHORIZATION <user>: the schema's owner is the dbt service user.
        "create schema if not exists",
    ],
    # GRANT takes literal principals: setup.sql builds the statements naming the project's
    # service accounts from @@project_id (sqlglot keeps `EXECUTE IMMEDIATE` as a Command whose
    # argument it quotes).
    "bigquery": ["execute 'immediate format("],
}
# What dbt compiles: models, data tests and hooks (operations).
NODE_KINDS = {"model", "test", "operation"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# The BI tool that reaches a warehouse through the warehouse's own dialect, and its rendered
# test of that dialect (tests/test_<tool>.py).
DRIVER_BI = next(t for t in CATALOG.layer("visualization").implemented if t.warehouse_driver)
DIALECT_TEST = (
    f"tests/test_{DRIVER_BI.id}.py"
    f"::test_{DRIVER_BI.id}_warehouse_dialect_accepts_the_bundles_connection"
)


def _answers(warehouse) -> dict:
    """The default answers with ``warehouse`` and the BI tool of ``DRIVER_BI`` swapped in, and
    in every layer the warehouse `requires`, the first tool it allows (which must be
    implemented)."""
    answers = {**default_answers(CATALOG), "warehouse": warehouse.id}
    answers[CATALOG.layer("visualization").question] = DRIVER_BI.id
    for layer_id, allowed in warehouse.requires.items():
        layer = CATALOG.layer(layer_id)
        usable = [t.id for t in layer.implemented if t.id in allowed]
        assert usable, f"{warehouse.id} requires {layer_id} in {allowed}: none is implemented"
        answers[layer.question] = usable[0]
    return answers


def sql_problems(python: str, dialect: str, files: dict[str, str]) -> dict[str, list[str]]:
    """{file: problems} of ``files`` parsed in ``dialect`` (tests/sql_check.py in ``python``)."""
    request = {"dialect": dialect, "commands": ADMIN_STATEMENTS.get(dialect, []), "files": files}
    done = subprocess.run(
        [python, str(CHECKER)], input=json.dumps(request), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    return {name: [ANSI.sub("", p) for p in found] for name, found in report.items()}


# One xdist group per warehouse: its tests share the fixture, and two workers building the same
# adapter environment (build/dbt-<adapter>-<hash>) at once collide.
@pytest.fixture(
    scope="module",
    params=[
        pytest.param(tool, id=tool.id, marks=pytest.mark.xdist_group(f"offline-{tool.id}"))
        for tool in OFFLINE
    ],
)
def offline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(warehouse, rendered project, the `dbt` and `python` of its adapter's environment)."""
    warehouse = request.param
    project = render(tmp_path_factory.mktemp(warehouse.id) / "acme", **_answers(warehouse))
    dbt = dbt_environment(CATALOG, warehouse.id, TEMPLATE_ROOT / "build", extra=(SQLGLOT,))
    return warehouse, project, dbt, str(Path(dbt).with_name("python"))


def _dbt(dbt: str, project: Path, *args: str) -> subprocess.CompletedProcess:
    transform = project / "transform"
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # Only read by the profile; nothing connects (no value here is a real account).
        "SNOWFLAKE_ACCOUNT": "offline-check",
        "SNOWFLAKE_USER": "offline_check",
        "REDSHIFT_HOST": "offline-check.invalid",
        "REDSHIFT_USER": "offline_check",
        "REDSHIFT_STAGING_URL": "s3://offline-check/lake/warehouse/redshift",
        "REDSHIFT_COPY_ROLE_ARN": "default",
        # A token that is never sent: no Application Default Credentials are looked up.
        "BIGQUERY_KEYFILE": "",
        "BIGQUERY_ACCESS_TOKEN": "offline-check",
        "BIGQUERY_PROJECT": "offline-check-dev",
        "BIGQUERY_PROD_PROJECT": "offline-check",
        "BIGQUERY_LOCATION": "US",
        "BIGQUERY_STAGING_URL": "gs://offline-check/lake/warehouse/bigquery",
    }
    cmd = [dbt, *args, "--project-dir", str(transform), "--profiles-dir", str(transform)]
    cmd += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)


def test_warehouse_offline_project_passes_its_own_warehouse_tests(offline, tmp_path: Path) -> None:
    """What the rendered CI runs for a warehouse nothing here can run (`make test-fast`: every
    test not marked e2e, with no credentials set), its own `tests/test_<warehouse>.py`
    (staging, profile, setup.sql, doctor) among them, and the BI tool's dialect test,
    installed and run as a user would: no e2e cell runs them."""
    warehouse, project, _, _ = offline
    assert "run: make test-fast" in (project / ".github" / "workflows" / "ci.yml").read_text()
    own_module_passes(project, warehouse.id, tmp_path / "home", also=(DIALECT_TEST,), ci=True)


def test_warehouse_offline_project_compiles_and_parses_in_its_dialect(offline) -> None:
    warehouse, project, dbt, python = offline
    done = _dbt(dbt, project, "parse")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    offline_compile = ["compile", "--no-introspect", "--no-populate-cache", "--target", "prod"]
    done = _dbt(dbt, project, *offline_compile)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]

    manifest = json.loads((project / "target" / "manifest.json").read_text())
    package = manifest["metadata"]["project_name"]
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["package_name"] == package and node["resource_type"] in NODE_KINDS
    ]
    compiled = {node["unique_id"]: node.get("compiled_code") for node in nodes}
    assert [uid for uid, sql in compiled.items() if not sql] == [], "compiled to nothing"
    kinds = {node["resource_type"] for node in nodes}
    assert kinds == NODE_KINDS, kinds  # the on-run-start hook is compiled too
    files = dict(compiled)
    setup = project / "warehouse" / "setup.sql"
    assert setup.is_file(), "a cloud warehouse ships warehouse/setup.sql"
    files["warehouse/setup.sql"] = setup.read_text()

    problems = sql_problems(python, warehouse.dbt_adapter, files)
    assert set(problems) == set(files)
    failed = {name: found for name, found in problems.items() if found}
    assert failed == {}, json.dumps(failed, indent=1)[:4000]


def test_warehouse_offline_checker_catches_broken_sql(offline) -> None:
    """The check above cannot pass by parsing nothing: broken statements fail it."""
    warehouse, _, _, python = offline
    broken = {
        "dangling operator": "select 1 +",
        "unclosed call": "select try_cast(cast(a as varchar) as bigint as b from t",
        "misspelt keyword": "selec customer_id from bronze.customers",
        "unknown statement": "alter sesion set timezone = 'UTC'",
        "one bad statement of two": "select 1;\ncreate table t (a int;",
        "nothing": "-- only a comment",
    }
    problems = sql_problems(python, warehouse.dbt_adapter, broken | {"valid": "select 1 as a"})
    assert problems.pop("valid") == []
    assert {name for name, found in problems.items() if not found} == set(), problems


def test_warehouse_offline_tools_get_no_e2e_cell() -> None:
    """A warehouse verified offline is never in an end-to-end cell (it would need the cloud)."""
    offline_ids = {tool.id for tool in OFFLINE}
    assert offline_ids, "no implemented warehouse is verified offline"
    assert [c for c in e2e_cells(CATALOG) if c["warehouse"] in offline_ids] == []


# Warehouses with a `bi_driver` whose dialect test nothing else runs: they run here, so not in
# the offline projects above, and no e2e cell pairs them with DRIVER_BI (its `e2e_requires`
# keeps its cell on one warehouse): PostgreSQL, Databricks (whose twin DRIVER_BI cannot read).
DIALECT_ONLY = [
    w
    for w in CATALOG.layer("warehouse").implemented
    if w.bi_driver
    and w.runs_locally
    and not any(
        c["warehouse"] == w.id and c["visualization"] == DRIVER_BI.id for c in e2e_cells(CATALOG)
    )
]


@pytest.mark.parametrize(
    "warehouse",
    [
        pytest.param(w, id=w.id, marks=pytest.mark.xdist_group(f"dialect-{w.id}"))
        for w in DIALECT_ONLY
    ],
)
def test_warehouse_dialect_of_the_bi_tool_accepts_its_connection(warehouse, tmp_path: Path) -> None:
    """The rendered dialect test of DRIVER_BI (the warehouse's `bi_driver`, offline) for each
    warehouse no other test runs it for."""
    project = render(tmp_path / "acme", **_answers(warehouse))
    project_tests_pass(project, tmp_path / "home", [DIALECT_TEST])
