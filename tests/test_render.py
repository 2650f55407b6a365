"""Static checks of the rendered default platform: it parses, lints and keeps its promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import CATALOG, TEMPLATE_ROOT, git, render, rendered_files

EXPECTED = [
    ".copier-answers.yml",
    ".env.example",
    ".env",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/ci.yml",
    "Makefile",
    "README.md",
    "config/stack_config.yaml",
    "docker-compose.yml",
    "Dockerfile",
    "pyproject.toml",
    "scripts/make_env.py",
    "src/acme_data_platform/__init__.py",
    "src/acme_data_platform/config/env.py",
    "src/acme_data_platform/config/schema.py",
    "src/acme_data_platform/cli.py",
    "src/acme_data_platform/pipeline/ingest.py",
    "src/acme_data_platform/pipeline/transform.py",
    "src/acme_data_platform/ingestion/contract.py",
    "src/acme_data_platform/ingestion/dlt/settings.py",
    "src/acme_data_platform/lake/local.py",
    "src/acme_data_platform/warehouse/duckdb.py",
    "src/acme_data_platform/orchestration/dagster/definitions.py",
    "src/acme_data_platform/orchestration/dagster/defs/schedules.py",
    "transform/dbt_project.yml",
    "transform/profiles.yml",
    "tests/test_config.py",
]

VAR_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}")


@pytest.mark.parametrize("rel", EXPECTED)
def test_render_default_has_file(default_project: Path, rel: str) -> None:
    assert (default_project / rel).is_file(), rel


def test_render_leaves_no_template_syntax(default_project: Path) -> None:
    for path in rendered_files(default_project):
        rel = path.relative_to(default_project)
        assert "{{" not in str(rel) and "{%" not in str(rel), rel
        assert not rel.name.endswith(".jinja"), rel
        text = path.read_text(errors="replace")
        for leftover in ("package_name }}", "project_name }}", "orchestrator ==", "_copier_"):
            assert leftover not in text, f"{rel}: {leftover}"


def test_render_yaml_toml_json_parse(default_project: Path) -> None:
    checked = 0
    for path in rendered_files(default_project):
        if path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text())
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix == ".json":
            json.loads(path.read_text())
        else:
            continue
        checked += 1
    assert checked >= 8


def test_render_python_passes_ruff(default_project: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    for args in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        done = subprocess.run(
            [*ruff, *args], cwd=default_project, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_render_python_compiles(default_project: Path) -> None:
    for path in rendered_files(default_project):
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")


def test_render_ruff_config_is_the_templates_own(default_project: Path) -> None:
    ours = tomllib.loads((TEMPLATE_ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    theirs = tomllib.loads((default_project / "pyproject.toml").read_text())["tool"]["ruff"]
    lint = dict(theirs["lint"])
    # The one addition: the rendered package is stated first-party (import sorting must not
    # depend on where a file is checked from).
    assert lint.pop("isort") == {"known-first-party": ["acme_data_platform"]}
    assert lint == ours["lint"]
    assert theirs["line-length"] == ours["line-length"]
    ruff_pin = next(d for d in CATALOG.base_dev_dependencies if d.startswith("ruff"))
    dev = tomllib.loads((TEMPLATE_ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert ruff_pin in dev, "the template and the rendered platform pin the same ruff"
    for root in (TEMPLATE_ROOT, default_project):
        path = root / ".pre-commit-config.yaml"
        assert f'"{ruff_pin}"' in path.read_text(), path
    for dep in CATALOG.copier_dependencies:
        assert dep in dev, "the template is developed with the copier users update with"
        assert dep in (default_project / "Makefile").read_text()


def test_render_dependencies_come_from_the_catalog(default_project: Path) -> None:
    deps = tomllib.loads((default_project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    expected = set(CATALOG.base_dependencies)
    picked = CATALOG.selected({})
    for _layer, tool in picked:
        expected |= set(tool.python_dependencies)
    stack = {layer.id: tool.id for layer, tool in picked if not layer.multiselect}
    for integration in CATALOG.integrations:
        if integration.applies(stack):
            expected |= set(integration.python_dependencies)
    assert set(deps) == expected


def test_render_env_example_lists_every_referenced_variable(default_project: Path) -> None:
    example = (default_project / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    for path in rendered_files(default_project):
        if path.name in {".env", ".env.example"} or path.suffix in {".md", ".py"}:
            continue  # prose, docstrings and config tests show the ${VAR} syntax itself
        for name in VAR_REF.findall(path.read_text(errors="replace")):
            assert name in listed, f"{path.relative_to(default_project)} uses ${{{name}}}"


def test_render_env_is_created_and_ignored(default_project: Path) -> None:
    env = (default_project / ".env").read_text()
    example = (default_project / ".env.example").read_text()
    for name in re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE):
        assert re.search(rf"^{name}=", env, flags=re.MULTILINE), name
    assert ".env" in (default_project / ".gitignore").read_text().splitlines()
    assert (default_project / ".env").stat().st_mode & 0o077 == 0, ".env is private"


def test_render_compose_ports_bind_to_loopback(default_project: Path) -> None:
    compose = yaml.safe_load((default_project / "docker-compose.yml").read_text())
    assert compose["services"]
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_render_compose_validates_against_the_compose_spec(default_project: Path) -> None:
    schema = json.loads((Path(__file__).parent / "data" / "compose-spec.json").read_text())
    compose = yaml.safe_load((default_project / "docker-compose.yml").read_text())
    jsonschema.Draft7Validator(schema).validate(compose)


def test_render_no_secret_in_rendered_files(default_project: Path) -> None:
    secret_like = re.compile(
        # `name: value` / `name = value` on one line (`if token:` then code is not a value,
        # nor is a call or an attribute: `PASSWORD=settings(cfg).admin_password`)
        r"(password|secret|api_key|token)[ \t]*[:=][ \t]*['\"]?(?!\$\{)(?!(?-i:[a-z_]+[.(]))"
        r"[A-Za-z0-9/+_-]{4,}",
        re.I,
    )
    for path in rendered_files(default_project):
        if path.name == ".env":
            continue
        text = path.read_text(errors="replace")
        assert not secret_like.search(text), f"{path.relative_to(default_project)}"
        assert "admin/admin" not in text


def test_render_stack_config_mirrors_the_users_shape(default_project: Path) -> None:
    platform = yaml.safe_load((default_project / "config/stack_config.yaml").read_text())[
        "platform"
    ]
    assert platform["ingestion"]["tool"] == "dlt"
    assert platform["orchestrator"]["tool"] == "dagster"
    assert platform["storage"]["data_lake"]["provider"] == "local"
    assert platform["storage"]["data_warehouse"]["provider"] == "duckdb"
    assert platform["processing"]["tool"] == "dbt"
    assert platform["visualization"]["tool"] == "superset"
    assert platform["marts"] == CATALOG.layer("marts").default


def test_render_readme_shows_this_stack(default_project: Path) -> None:
    readme = (default_project / "README.md").read_text()
    assert "```mermaid" in readme
    for _layer, tool in CATALOG.selected({}):
        assert tool.label in readme, tool.label


def test_render_answers_file_records_choices(default_project: Path) -> None:
    answers = yaml.safe_load((default_project / ".copier-answers.yml").read_text())
    for layer in CATALOG.layers:
        assert answers[layer.question] == layer.default
    assert "package_name" not in answers, "computed values are not answers"
    assert Path(answers["_src_path"]).is_absolute()


def test_render_github_workflow_passes_actionlint(default_project: Path) -> None:
    actionlint = Path(sys.executable).parent / "actionlint"
    workflows = sorted((default_project / ".github" / "workflows").glob("*.yml"))
    assert workflows
    done = subprocess.run(
        [str(actionlint), "-no-color", *map(str, workflows)],
        cwd=default_project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_render_env_task_is_idempotent_and_keeps_values(
    default_project: Path, tmp_path: Path
) -> None:
    """copier runs the task on every copy and (three times) per update: it only ever appends."""
    project = tmp_path / "p"
    shutil.copytree(default_project, project)
    script = [sys.executable, "scripts/make_env.py", "."]
    env_file = project / ".env"
    env_file.write_text(env_file.read_text().replace("DO_NOT_TRACK=1", "DO_NOT_TRACK=0"))
    before = env_file.read_text()
    subprocess.run(script, cwd=project, check=True)
    assert env_file.read_text() == before, "a second run changes nothing"
    with (project / ".env.example").open("a") as example:
        example.write("\n# a new local password\nWAREHOUSE_PASSWORD=<generate>\n")
    for _ in range(3):
        subprocess.run(script, cwd=project, check=True)
    after = env_file.read_text()
    assert after.startswith(before), "existing values (and the user's edit) are kept"
    added = re.findall(r"^WAREHOUSE_PASSWORD=(.+)$", after, flags=re.MULTILINE)
    assert len(added) == 1 and len(added[0]) >= 24 and added[0] != "<generate>"


def test_render_env_task_says_what_it_adds_and_respects_deletions(
    default_project: Path, tmp_path: Path
) -> None:
    """`make setup` runs the task before every target: a variable with a default that the user
    deleted stays deleted (the platform reads .env.example's default), `export X=` counts as
    set, a missing secret is generated again, and each addition is printed without its value."""
    project = tmp_path / "p"
    shutil.copytree(default_project, project)
    env_file = project / ".env"
    kept = [line for line in env_file.read_text().splitlines() if "DAGSTER" not in line]
    kept = [line.replace("SAMPLE_API_URL=", "export SAMPLE_API_URL=") for line in kept]
    env_file.write_text("\n".join(kept) + "\n")
    with (project / ".env.example").open("a") as example:
        example.write("\nWAREHOUSE_PASSWORD=<generate>\nWAREHOUSE_HOST=\n")

    def run() -> str:
        script = [sys.executable, "scripts/make_env.py", "."]
        return subprocess.run(
            script, cwd=project, check=True, capture_output=True, text=True
        ).stdout

    printed = run()
    env = env_file.read_text()
    password = re.findall(r"^WAREHOUSE_PASSWORD=(.+)$", env, flags=re.MULTILINE)
    assert len(password) == 1 and password[0] not in printed
    assert printed.splitlines() == [
        ".env: added WAREHOUSE_PASSWORD=<generated secret>",
        ".env: added WAREHOUSE_HOST=(blank: set it)",
    ]
    assert "DAGSTER_DISABLE_TELEMETRY" not in env
    assert env.count("SAMPLE_API_URL") == 1
    assert run() == "" and env_file.read_text() == env


def test_render_telemetry_is_off_and_documented(default_project: Path) -> None:
    readme = (default_project / "README.md").read_text()
    env = (default_project / ".env").read_text()
    telemetry = [v for _, tool in CATALOG.selected({}) for v in tool.env_vars if v.telemetry]
    telemetry += [v for v in CATALOG.base_env_vars if v.telemetry]
    assert len(telemetry) >= 4
    for var in telemetry:
        assert f"`{var.name}={var.default}`" in readme
        assert re.search(rf"^{var.name}={re.escape(var.default)}$", env, flags=re.MULTILINE)


def test_render_orchestrator_code_is_named_after_the_package(default_project: Path) -> None:
    """Dagster's code location carries the package's name (not the folder's) and its
    definitions live in the orchestrator's own folder."""
    project = tomllib.loads((default_project / "pyproject.toml").read_text())["tool"]["dg"]
    assert project["project"]["code_location_name"] == "acme_data_platform"
    target = project["project"]["code_location_target_module"]
    assert target == "acme_data_platform.orchestration.dagster.definitions"
    assert (default_project / "src" / Path(*target.split("."))).with_suffix(".py").is_file()


def test_render_custom_data_paths_are_ignored_cleaned_mounted_and_documented(
    tmp_path: Path,
) -> None:
    """`lake_path`/`duckdb_path` answers reach .gitignore, `make clean`, compose and README."""
    project = render(tmp_path / "custom", lake_path="lakes/x", duckdb_path="wh/a.duckdb")
    generated = ["lakes/x/bronze/a.parquet", "wh/a.duckdb", "wh/a.duckdb.wal"]
    generated += ["data/sources/shop.sqlite", ".dlt/pipelines/p/state.json"]
    kept = ["wh/notes.md", "lakes/readme.md", "data/keep.txt", "data/lake/mine.parquet"]
    for rel in generated + kept:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text("x")

    ignored = git(project, "status", "--porcelain", "--ignored", "--untracked-files=all")
    for rel in generated:
        assert f"!! {rel}" in ignored, rel
    for rel in kept:
        assert f"?? {rel}" in ignored, rel

    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    volumes = compose["services"]["dagster"]["volumes"]
    for mount in ("./lakes/x:/app/lakes/x", "./wh:/app/wh", "./data/sources:/app/data/sources"):
        assert mount in volumes
    assert not any(v.startswith("./data:") for v in volumes), volumes

    readme = (project / "README.md").read_text()
    assert "`lakes/x/`" in readme and "`wh/a.duckdb`" in readme
    assert "under `data/`" not in readme

    subprocess.run(["make", "clean"], cwd=project, check=True, capture_output=True)
    for rel in generated:
        assert not (project / rel).exists(), rel
    for rel in kept:
        assert (project / rel).is_file(), rel
    assert (project / "wh").is_dir() and (project / "src").is_dir()


@pytest.mark.parametrize("which", ["rendered", "template"])
def test_render_make_compiles_bytecode_once_and_runs_without_syncing(
    default_project: Path, tmp_path: Path, which: str
) -> None:
    """`uv run` with compile-bytecode on recompiles the environment every time (~0.5 s, and a
    "Bytecode compiled" line): setup compiles once, when it syncs; tasks run `uv run --no-sync`."""
    source = default_project if which == "rendered" else TEMPLATE_ROOT
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(source / name, tmp_path / name)
    (tmp_path / "uv.lock").write_text("")
    assert "compile-bytecode" not in tomllib.loads((tmp_path / "pyproject.toml").read_text()).get(
        "tool", {}
    ).get("uv", {})
    assert "UV_COMPILE_BYTECODE" not in (tmp_path / "Makefile").read_text()

    def dry_run(target: str) -> list[str]:
        done = subprocess.run(
            ["make", "-n", target, "UV=uv"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.splitlines()

    assert "uv sync --quiet --compile-bytecode" in dry_run("setup")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".synced").touch()
    commands = dry_run("test")
    assert not [line for line in commands if "uv sync" in line], "synced already: no sync"
    runs = [line for line in commands if line.startswith("uv run")]
    assert runs and all(line.startswith("uv run --no-sync ") for line in runs), runs


def test_render_prefect_ui_reaches_its_api_at_the_published_port(tmp_path: Path) -> None:
    """In compose the server listens on 4200 inside its container; the UI runs in the browser
    on the host, so it must call the API at the port compose publishes (the answer)."""
    project = render(tmp_path / "p", orchestrator="prefect", prefect_port=4300)
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    prefect = compose["services"]["prefect"]
    assert prefect["ports"] == ["127.0.0.1:4300:4200"]
    assert prefect["environment"]["PREFECT_UI_API_URL"] == "http://127.0.0.1:4300/api"


def test_render_compose_pipeline_services_reach_the_lake_by_its_service_name(
    tmp_path: Path,
) -> None:
    """Inside compose, 127.0.0.1 is the container itself: the orchestrator's container reaches
    MinIO as `minio:9000` (the catalog's `compose_env`) and starts once MinIO is healthy, while
    `.env` keeps the host's published address for `make run` outside compose."""
    project = render(tmp_path / "p", data_lake="minio", orchestrator="prefect")
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    prefect, minio = compose["services"]["prefect"], compose["services"]["minio"]
    assert prefect["environment"]["MINIO_ENDPOINT"] == "http://minio:9000"
    assert prefect["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert minio["healthcheck"]["test"][0] == "CMD"
    assert "environment" not in minio or "MINIO_ENDPOINT" not in minio["environment"]
    assert "MINIO_ENDPOINT=http://127.0.0.1:" in (project / ".env.example").read_text()


OWN_ENVIRONMENTS = [
    (layer, tool) for layer in CATALOG.layers for tool in layer.implemented if tool.own_environment
]


@pytest.mark.parametrize(
    ("layer", "tool"), OWN_ENVIRONMENTS, ids=[tool.id for _, tool in OWN_ENVIRONMENTS]
)
def test_render_image_holds_the_tools_own_environment(tmp_path: Path, layer, tool) -> None:
    """A tool with its own environment (pins that clash with the platform's) gets it built
    into the compose services' image, so a container never installs at start; the build step
    needs no stack config (the image has no .env)."""
    assert tool.image_steps, f"{tool.id} has an own_environment but no image_steps"
    answers = {layer.question: tool.id}
    answers.update({CATALOG.layer(lyr).question: ok[0] for lyr, ok in tool.requires.items()})
    project = render(tmp_path / "p", **answers)
    runs = [
        line.removeprefix("RUN ")
        for line in (project / "Dockerfile").read_text().splitlines()
        if line.startswith("RUN ")
    ]
    steps = [step.format(package_name="acme_data_platform") for step in tool.image_steps]
    first = runs.index(steps[0])
    assert runs[first : first + len(steps)] == steps
    assert runs.index("uv sync") < first


def test_render_ci_runs_the_end_to_end_tests_unless_the_pipeline_needs_an_account(
    tmp_path: Path,
) -> None:
    """The rendered CI leaves the e2e tests out only when a tool on the pipeline's path has no
    local stand-in (a cloud warehouse); a BI tool without one (Metabase: its tests use a
    stand-in, the pipeline never calls it) keeps them in."""
    offline = {
        layer.id: [t for t in layer.implemented if not t.runs_locally] for layer in CATALOG.layers
    }
    cases = [("warehouse", offline["warehouse"][0], "make test-fast")]
    cases += [("visualization", tool, "make test\n") for tool in offline["visualization"][:1]]
    assert cases, "no implemented tool without a local stand-in"
    for layer_id, tool, command in cases:
        answers = {CATALOG.layer(layer_id).question: tool.id}
        answers.update(
            {CATALOG.layer(lyr).question: allowed[0] for lyr, allowed in tool.requires.items()}
        )
        project = render(tmp_path / tool.id, **answers)
        workflow = (project / ".github" / "workflows" / "ci.yml").read_text()
        assert f"run: {command}" in workflow, (tool.id, workflow)
