"""Rendered platforms install with uv and run for real: their own tests, lint, dbt parse and the
whole pipeline (`make run`), with a throwaway HOME that must stay empty.

Runs an all-pairs subset of the locally runnable combinations plus one cell per heavy
(`e2e: once`) tool, computed from the catalog (`matrix.e2e_cells`; the default platform is the
first cell, and one cell narrows the marts to a single one). The default
cell and the single-mart cell also run their pipeline tests under a machine time zone west and
one far east of UTC (batch 1): the marts must not depend on it.

Each tool's own tests run in one cell, its home (`own_test_commands`); the others run the
smoke (batch 1 and the same batch again): tests/test_e2e_plan.py checks that plan."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from matrix import combo_id, default_answers, e2e_cells
from matrix.twins import twins

from .conftest import CATALOG, project_env, render

DEFAULT = default_answers(CATALOG)
PAIRWISE = e2e_cells(CATALOG)
# Machine time zones the marts are checked under, per cell (one extra pipeline run each, so
# only two cells): New York is behind UTC and has daylight saving time (a 7-day window crosses
# it), Kiritimati is UTC+14 (most of a UTC day falls on the next local date).
MULTISELECT = [layer.question for layer in CATALOG.layers if layer.multiselect]
SINGLE_CHOICE = [c for c in PAIRWISE if all(len(c[q]) == 1 for q in MULTISELECT)][:1]


def _cell(answers: dict) -> str:
    """A cell's id from any answers holding its layer questions (in catalog order)."""
    return combo_id({question: answers[question] for question in DEFAULT})


TIME_ZONES = {
    _cell(DEFAULT): "America/New_York",
    **{_cell(cell): "Pacific/Kiritimati" for cell in SINGLE_CHOICE},
}
pytestmark = pytest.mark.e2e
# One xdist group per cell: a cell's tests share its installed project (module-scoped fixture)
# on one worker, and `--dist loadgroup` spreads the cells over the workers.
CELLS = [
    pytest.param(c, id=combo_id(c), marks=pytest.mark.xdist_group(f"e2e-{combo_id(c)}"))
    for c in PAIRWISE
]


@pytest.fixture(scope="module", params=CELLS)
def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, str]]]:
    root = tmp_path_factory.mktemp("e2e")
    home = root / "home"
    home.mkdir()
    project = render(root / "acme", **request.param)
    env = project_env(home)
    done = subprocess.run(["make", "setup"], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with twins(CATALOG, request.param, project, env) as twin_env:
        env = {**env, **twin_env}
        # `platform lake init`: the bucket (or folder) exists before `make run`; idempotent.
        for _ in range(2):
            init = subprocess.run(
                ["uv", "run", "--no-sync", "platform", "lake", "init"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
            )
            assert init.returncode == 0, init.stdout + init.stderr
        yield project, env


OWN_TESTS_TIMEOUT = 3600


def _run(platform: tuple[Path, dict[str, str]], *cmd: str, timeout: int = 1800, **extra_env: str):
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


def test_platform_run_end_to_end_prints_the_marts(platform, tmp_path: Path) -> None:
    project, _ = platform
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    done = _run(platform, "make", "run", TMPDIR=str(tmp))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for mart in answers["marts"]:
        assert f"{mart}." in done.stdout, f"the summary shows the {mart} mart"
    # uv itself keeps an (empty) advisory lock file per environment in TMPDIR: not ours.
    leftovers = sorted(
        str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.name.startswith("uv-")
    )
    assert leftovers == [], f"`make run` left files in TMPDIR: {leftovers}"
    if answers["warehouse"] == "duckdb":  # read the marts straight from the warehouse file
        counts = json.loads(_run(platform, *DUCKDB_MART_ROWS, answers["duckdb_path"]).stdout)
        for mart in answers["marts"]:
            tables = {t: n for t, n in counts.items() if t.startswith(f"{mart}.")}
            assert tables, f"no table in schema {mart}"
            assert all(n > 0 for n in tables.values()), tables


def test_platform_bronze_is_the_same_for_every_ingestion_tool(platform) -> None:
    """Whatever the ingestion tool, bronze has the same tables, layout, lineage columns (last,
    with their types) and source columns: each cell's bronze, after an ingest, is compared with
    one recording (`tests/data/bronze_contract.json`), so the tools are compared with each
    other through it."""
    project, _ = platform
    # The package name is computed (not an answer): the one package under src/.
    (package,) = [p.name for p in (project / "src").iterdir() if (p / "__init__.py").is_file()]
    _run(platform, "uv", "run", "--no-sync", "platform", "ingest")
    found = json.loads(_run(platform, *BRONZE_SCHEMA, package).stdout)
    expected = json.loads((Path(__file__).parent / "data" / "bronze_contract.json").read_text())
    assert sorted(found) == sorted(expected["columns"]), "bronze tables"
    for table, seen in found.items():
        assert seen["layout"] == expected["layout"], (table, seen["layout"])
        assert seen["lineage"] == expected["lineage"], (table, seen["lineage"])
        assert seen["columns"] == expected["columns"][table], table


# Per bronze table, through the project's lake module: the layout of its files (load folders
# normalised), the distinct lineage tails (the last four columns with their types) and the union
# of the other column names.
BRONZE_SCHEMA = (
    "uv",
    "run",
    "--no-sync",
    "python",
    "-c",
    "import importlib, json, re, sys;"
    "import pyarrow.parquet as pq;"
    "from pyarrow.fs import FileSelector, FileType;"
    "pkg = sys.argv[1];"
    "cfg = importlib.import_module(pkg + '.config').load_config();"
    "tables = importlib.import_module(pkg + '.sample.schema').SOURCE_TABLES;"
    "fs, bronze = cfg.module('data_lake').bronze_filesystem(cfg);"
    "out = {};\n"
    "for source, names in tables.items():\n"
    " for table in names:\n"
    "  base = f'{bronze}/{source}/{table}';"
    "  infos = fs.get_file_info(FileSelector(base, recursive=True, allow_not_found=True));"
    "  files = [i.path for i in infos if i.type == FileType.File];"
    "  schemas = [pq.read_schema(p, filesystem=fs) for p in files];"
    "  out[f'{source}.{table}'] = {"
    "'layout': sorted({re.sub(r'^load_id=\\d+\\.\\d+/[^/]+\\.parquet$',"
    " 'load_id=<id>/<file>.parquet', p[len(base) + 1:]) for p in files}),"
    "'lineage': sorted({' '.join(f'{n}:{s.field(n).type}' for n in s.names[-4:])"
    " for s in schemas}),"
    "'columns': sorted({n for s in schemas for n in s.names[:-4]})}\n"
    "print(json.dumps(out))",
)


DUCKDB_MART_ROWS = (
    "uv",
    "run",
    "--no-sync",
    "python",
    "-c",
    "import duckdb, json, sys;"
    "c = duckdb.connect(sys.argv[1], read_only=True);"
    "rows = c.sql(\"select table_schema || '.' || table_name from information_schema.tables "
    "where table_schema not in ('main', 'bronze', 'silver', 'gold')\").fetchall();"
    "print(json.dumps({t: c.sql(f'select count(*) from {t}').fetchone()[0] for (t,) in rows}))",
)


# The layers whose logic the rendered `scenario` tests (batch 2, late versions, dirt, a killed
# ingest) exercise: they run in the home cells of these layers' tools, not for a lake, an
# orchestrator or a BI tool (those change where files live or what runs the steps, and batch 1
# plus the same batch again checks that).
SCENARIO_LAYERS = {"ingestion", "warehouse", "processing", "marts"}
# The layers the rendered tests/test_pipeline.py is marked with (its batch 1 is the smoke).
PIPELINE_LAYERS = {"ingestion", "data_lake", "warehouse", "processing", "marts"}
# The smoke every cell runs: batch 1's marts equal the ground truth, every bronze row accounted
# for, the same batch again changes nothing.
SMOKE = ("tests/test_pipeline.py", "-m", "not scenario")
# The rendered `make test` runs `-m "not bi_server"`; the default cell runs these too, so the
# default's BI tool (Superset) runs for real there (tests/test_e2e_plan.py checks both halves).
BI_SERVER = ("-m", "bi_server")


def _value(value: object) -> object:
    return sorted(value) if isinstance(value, list) else value


def _differing(answers: dict) -> list[str]:
    """The layers whose answer differs from the default platform's."""
    return [
        layer.id
        for layer in CATALOG.layers
        if _value(answers[layer.question]) != _value(DEFAULT[layer.question])
    ]


def home_cell(question: str, value: object) -> dict:
    """The cell where a non-default answer's own tests run: of the subset's cells holding it,
    the one with the fewest layers differing from the default (the first on ties)."""
    holders = [c for c in PAIRWISE if _value(c[question]) == _value(value)]
    return min(holders, key=lambda c: len(_differing(c)))


def home_layers(answers: dict) -> list[str]:
    """The layers whose (non-default) answer has its home in this cell."""
    return [
        layer.id
        for layer in CATALOG.layers
        if layer.id in _differing(answers)
        and _cell(home_cell(layer.question, answers[layer.question])) == _cell(answers)
    ]


def own_test_commands(answers: dict) -> list[tuple[str, ...]]:
    """The pytest arguments of a cell's own tests (the default cell runs `make test` instead).

    A tool's marked tests run once, in its home cell (`home_layers`: `-m <layer> or ...`,
    without the `scenario` tests unless a layer of SCENARIO_LAYERS is at home, and limited to
    the catalog's `e2e_own_tests` where a tool names them); every other cell, and a home cell
    whose selection holds no batch-1 pipeline test, runs the SMOKE."""
    homes = home_layers(answers)
    commands: list[tuple[str, ...]] = []
    files: list[str] = []
    if homes:
        expression = " or ".join(homes)
        if not set(homes) & SCENARIO_LAYERS:
            expression = f"({expression}) and not scenario"
        for layer in CATALOG.layers:
            if layer.id in homes and not layer.multiselect:
                files += layer.tool(answers[layer.question]).e2e_own_tests
        commands.append(("-m", expression, *files))
    smoke_ran = set(homes) & PIPELINE_LAYERS and (
        not files or any(f.startswith(SMOKE[0]) for f in files)
    )
    if not smoke_ran:
        commands.append(SMOKE)
    return commands


def test_platform_own_tests_pass_as_rendered(platform) -> None:
    """The cell's own tests (`make test` and then the BI server's tests in the default cell,
    else `own_test_commands`); then, on the cells TIME_ZONES names (computed from the subset:
    the default and the single-mart cell), batch 1 of the pipeline tests again under that
    machine time zone."""
    project, _ = platform
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    # A heavy cell's own tests (an orchestrator, a BI tool, a twin) took up to 28 min on a
    # loaded 2-core machine: the limit only catches a hang.
    if not _differing(answers):
        _run(platform, "make", "test", timeout=OWN_TESTS_TIMEOUT)
        # What `make test` leaves out: the default BI tool's own server (`make test-all`).
        pytest = ("uv", "run", "--no-sync", "pytest", "-q")
        _run(platform, *pytest, *BI_SERVER, timeout=OWN_TESTS_TIMEOUT)
    else:
        for arguments in own_test_commands(answers):
            _run(
                platform,
                "uv",
                "run",
                "--no-sync",
                "pytest",
                "-q",
                *arguments,
                timeout=OWN_TESTS_TIMEOUT,
            )
    zone = TIME_ZONES.get(_cell(answers))
    if zone is not None:
        _run(platform, "uv", "run", "--no-sync", "pytest", "-q", *SMOKE, TZ=zone)


def test_platform_keeps_all_state_inside_the_project(platform) -> None:
    _, env = platform
    home = Path(env["HOME"])
    leftovers = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert leftovers == [], f"written outside the project: {leftovers}"
