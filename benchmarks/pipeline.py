"""Pipeline benchmark: the default platform (all four marts) vs one plain DuckDB SQL script.

Renders the default platform with marts finance, marketing, operations and product into a
temporary folder, installs it with uv (bytecode compiled), and for each scale factor (0.1 and 1;
10 with ``--sf10``) runs, each stage in its own process:

    generate   platform generate --scale-factor SF   (the sample sources)
    ingest     platform ingest                       (dlt, Arrow batches -> bronze parquet)
    transform  platform transform                    (one dbt build: silver, gold, marts, tests)
    baseline   one DuckDB SQL script over the same source files, same DuckDB version

It prints per stage the wall time, rows per second (input rows of the stage) and the peak
memory (max RSS of the stage's process); the dbt layers (bronze->silver, gold, marts) are timed
from dbt's run_results.json inside the one dbt process, whose start-up, parsing and tests are
shown as "dbt overhead" (layers may overlap a little: dbt runs nodes in threads). The ratio
compares the whole run (ingest + transform) with the baseline. Figures are printed, never
asserted.

The baseline is not written by hand: it is dbt's own compiled SQL from the platform's run
(manifest.json), executed in DAG order as CREATE TABLE statements, with the bronze models
replaced by direct reads of the source files (read_json / read_csv). DuckDB's sqlite extension
is not available for the platform's DuckDB version here, so the sqlite sources (shop database,
API data) are exported to CSV first; that export is timed and shown, not counted.

With ``--ingestion TOOL``, ``--lake TOOL`` or ``--warehouse TOOL`` it instead compares, in one
run, the default platform with the same platform on that ingestion tool, lake or warehouse (its
local twin from the catalog, started on 127.0.0.1), stage by stage (generate, ingest,
transform) on the same data, and prints the ratios. A tool with an environment of its own
(PyAirbyte's ``.venv-airbyte``) gets it installed before the clock starts.

    uv run python benchmarks/pipeline.py [--sf10] [--keep] [--ingestion airbyte]
        [--lake s3] [--warehouse postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from render import CATALOG, copier_copy_cli  # benchmarks/render.py, beside this script

# render.py put the template root on sys.path: the matrix package imports from there.
from matrix import default_answers
from matrix.twins import twins

ROOT = Path(__file__).resolve().parents[1]
MARTS = "[finance,marketing,operations,product]"
BASELINE_RUNS = 2  # the baseline is the floor: best of two runs (this machine is noisy)
PACKAGE = "acme_data_platform"

# Runs inside the rendered project's environment (its DuckDB version): builds and times the
# baseline script. argv: project root, work folder. Prints one JSON line.
BASELINE_DRIVER = r"""
import csv, json, re, sqlite3, sys, time
from pathlib import Path
import duckdb
from acme_data_platform.config import load_config
from acme_data_platform.sample.schema import TABLES

root, work = Path(sys.argv[1]), Path(sys.argv[2])
cfg = load_config(root / "config" / "stack_config.yaml")
SQL_TYPES = {"id": "BIGINT", "int": "BIGINT", "money": "DOUBLE", "bool": "BOOLEAN"}

started = time.perf_counter()
exported = work / "sqlite-export"
exported.mkdir(parents=True, exist_ok=True)
databases = {"shop_db": cfg.sqlite_path, "shop_api": cfg.api_data_path}
for table in TABLES:
    if table.file_format is None:
        with sqlite3.connect(databases[table.source]) as connection, open(
            exported / f"{table.name}.csv", "w", newline="", encoding="utf-8"
        ) as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            cursor = connection.execute(f"SELECT {', '.join(table.column_names)} FROM {table.name}")
            while rows := cursor.fetchmany(50_000):
                writer.writerows(rows)
export_seconds = time.perf_counter() - started


def source_read(table):
    columns = "{" + ", ".join(
        f"'{c.name}': '{SQL_TYPES.get(c.kind, 'VARCHAR')}'" for c in table.columns
    ) + "}"
    if table.file_format == "jsonl":
        read = (f"read_json('{cfg.files_dir}/{table.file_pattern()}', "
                f"format='newline_delimited', columns={columns})")
    elif table.file_format == "csv":
        read = f"read_csv('{cfg.files_dir}/{table.file_pattern()}', header=true, columns={columns})"
    else:
        read = f"read_csv('{exported}/{table.name}.csv', header=true, columns={columns})"
    return (f"select *, now() as _loaded_at, '{table.source}' as _source, "
            f"'1700000000.000001' as _load_id, uuid()::varchar as _row_id from {read}")


manifest = json.loads((cfg.dbt_project_dir / "target" / "manifest.json").read_text())
models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
by_table = {t.name: t for t in TABLES}
order, seen = [], set()

def visit(uid):
    if uid in seen or uid not in models:
        return
    seen.add(uid)
    for parent in models[uid]["depends_on"]["nodes"]:
        visit(parent)
    order.append(uid)

for uid in sorted(models):
    visit(uid)
statements, schemas = [], set()
for uid in order:
    node = models[uid]
    schemas.add(node["schema"])
    relation = node["relation_name"]
    if node["schema"] == "bronze":
        source, table = node["name"].split("__", 1)
        body = source_read(by_table[table])
    else:
        body = node["compiled_code"]
    statements.append(f"create or replace table {relation} as\n{body};")
script = "\n".join(f"create schema if not exists {s};" for s in sorted(schemas))
script += "\n" + "\n\n".join(statements)
(work / "baseline.sql").write_text(script, encoding="utf-8")
database = work / "analytics.duckdb"
database.unlink(missing_ok=True)
started = time.perf_counter()
with duckdb.connect(str(database)) as connection:
    connection.execute(script)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "export_seconds": export_seconds,
                  "statements": len(statements), "duckdb": duckdb.__version__}))
"""

# Runs inside the rendered project: rows per layer after the platform's run. Prints JSON.
ROWS_DRIVER = r"""
import json, sys
from pathlib import Path
import duckdb
import pyarrow.parquet as pq
from acme_data_platform.config import load_config

cfg = load_config(Path(sys.argv[1]) / "config" / "stack_config.yaml")
truth = json.loads((cfg.sources_dir / "ground_truth.json").read_text())
result = {"source": sum(truth["source_rows"]["1"].values())}
result["bronze"] = sum(
    pq.read_metadata(path).num_rows
    for path in Path(cfg.runtime_env()["PLATFORM_BRONZE_URL"]).glob("*/*/load_id=*/*.parquet")
    if not path.parts[-3].startswith("_")
)
database = cfg.runtime_env()["PLATFORM_DUCKDB_PATH"]
with duckdb.connect(database, read_only=True) as connection:
    for layer, condition in (("silver", "table_name LIKE 'stg_%'"), ("gold", "true")):
        schema = layer
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND "
            + condition, [schema]).fetchall()
        result[layer] = sum(
            connection.execute(f'SELECT count(*) FROM {schema}."{t}"').fetchone()[0]
            for (t,) in tables)
print(json.dumps(result))
"""


# Runs inside the PostgreSQL project: the load step on its own (what `prepare` does before dbt).
LOAD_DRIVER = r"""
import json, sys, time
from pathlib import Path
from acme_data_platform.config import load_config
cfg = load_config(Path(sys.argv[1]) / "config" / "stack_config.yaml")
started = time.perf_counter()
cfg.module("warehouse").prepare(cfg)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int | None
    peak_mb: float | None


def run_measured(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run a process; return wall seconds, its own peak RSS in MB (wait4) and its output."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    text = out.decode("utf-8", "replace")
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{text[-4000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def render(destination: Path, **answers: str) -> None:
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    copier_copy_cli(str(ROOT), destination, "--data", f"marts={MARTS}", *data)


def layer_times(project: Path) -> dict[str, float]:
    """Wall time of each dbt layer (first start to last end of its nodes, tests included)."""
    target = project / "transform" / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]

    def layer(unique_id: str) -> str:
        if unique_id.startswith("operation."):
            return "hooks"  # on-run-start / on-run-end: not a layer
        node = nodes.get(unique_id, {})
        if node.get("resource_type") == "test":
            parents = node.get("depends_on", {}).get("nodes", [])
            node = nodes.get(parents[0], {}) if parents else {}
        schema = node.get("schema", "")
        if schema in ("bronze", "silver"):
            return "bronze->silver"
        return "gold" if schema == "gold" else "marts"

    spans: dict[str, list[str]] = {}
    for result in results:
        timing = [t for t in result.get("timing", []) if t.get("started_at")]
        if not timing:
            continue
        span = spans.setdefault(layer(result["unique_id"]), [timing[0]["started_at"], ""])
        span[0] = min(span[0], timing[0]["started_at"])
        span[1] = max(span[1], timing[-1]["completed_at"])

    def seconds(start: str, end: str) -> float:
        parse = datetime.fromisoformat
        return (
            parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))
        ).total_seconds()

    times = {name: seconds(*span) for name, span in spans.items()}
    times["all nodes"] = seconds(
        min(span[0] for span in spans.values()), max(span[1] for span in spans.values())
    )
    return times


def reset(project: Path, answers: dict | None = None) -> None:
    """A fresh start: the data, dbt's output and the chosen tools' state (a twin's database,
    an orchestrator's runs), but not their installed environments (``.venv*``)."""
    state = [
        path
        for _, tool in CATALOG.selected(answers or default_answers(CATALOG))
        for path in tool.state_paths
        if not path.startswith(".venv")
    ]
    for folder in ("data", ".dlt", "transform/target", "transform/logs", *state):
        shutil.rmtree(project / folder, ignore_errors=True)


def benchmark(project: Path, env: dict[str, str], scale_factor: float) -> None:
    reset(project)
    bin_dir = project / ".venv" / "bin"
    platform = [str(bin_dir / "platform")]
    python = str(bin_dir / "python")
    gen_s, gen_mb, _ = run_measured(
        [*platform, "generate", "--scale-factor", str(scale_factor)], project, env
    )
    ingest_s, ingest_mb, _ = run_measured([*platform, "ingest"], project, env)
    transform_s, transform_mb, _ = run_measured([*platform, "transform"], project, env)
    _, _, rows_out = run_measured([python, "-c", ROWS_DRIVER, str(project)], project, env)
    rows = json.loads(rows_out.strip().splitlines()[-1])
    work = project / "data" / "baseline"
    runs = []
    for _ in range(BASELINE_RUNS):
        base_s, base_mb, base_out = run_measured(
            [python, "-c", BASELINE_DRIVER, str(project), str(work)], project, env
        )
        runs.append((json.loads(base_out.strip().splitlines()[-1]), base_s, base_mb))
    baseline, base_s, base_mb = min(runs, key=lambda run: run[0]["seconds"])
    spread = ", ".join(f"{run[0]['seconds']:.2f}" for run in runs)
    layers = layer_times(project)
    overhead = transform_s - layers["all nodes"]
    stages = [
        Stage("generate", gen_s, rows["source"], gen_mb),
        Stage("ingest", ingest_s, rows["source"], ingest_mb),
        Stage("bronze->silver", layers.get("bronze->silver", 0.0), rows["bronze"], transform_mb),
        Stage("gold", layers.get("gold", 0.0), rows["silver"], transform_mb),
        Stage("marts", layers.get("marts", 0.0), rows["gold"], transform_mb),
        Stage("dbt overhead", overhead, None, transform_mb),
    ]
    whole = ingest_s + transform_s
    print(f"\n=== SF {scale_factor:g}: {rows['source']:,} source rows (batch 1) ===")
    print(f"{'stage':<16}{'wall s':>9}{'rows/s':>14}{'peak MB':>10}   input rows")
    for stage in stages:
        rate = f"{stage.rows / stage.seconds:,.0f}" if stage.rows and stage.seconds else "-"
        peak = f"{stage.peak_mb:,.0f}" if stage.peak_mb else "-"
        rows_text = f"{stage.rows:,}" if stage.rows else ""
        print(f"{stage.name:<16}{stage.seconds:>9.2f}{rate:>14}{peak:>10}   {rows_text}")
    print(
        f"{'whole run':<16}{whole:>9.2f}{rows['source'] / whole:>14,.0f}"
        f"{max(ingest_mb, transform_mb):>10,.0f}   ingest + transform"
    )
    print(
        f"{'baseline':<16}{baseline['seconds']:>9.2f}{rows['source'] / baseline['seconds']:>14,.0f}"
        f"{base_mb:>10,.0f}   one DuckDB script, best of {spread} s, "
        f"{baseline['statements']} statements, "
        f"DuckDB {baseline['duckdb']} (+{baseline['export_seconds']:.2f} s sqlite->CSV export, "
        f"process {base_s:.2f} s)"
    )
    print(f"ratio whole run / baseline: {whole / baseline['seconds']:.2f}x")


def timed_run(project: Path, env: dict[str, str], scale_factor: float) -> dict[str, float]:
    """Wall seconds of each stage of one whole run in a project (reset by the caller)."""
    platform = str(project / ".venv" / "bin" / "platform")
    times = {}
    for stage, args in (
        ("generate", ["generate", "--scale-factor", str(scale_factor)]),
        ("lake init", ["lake", "init"]),
        ("ingest", ["ingest"]),
        ("transform", ["transform"]),
    ):
        times[stage], _, _ = run_measured([platform, *args], project, env)
    return times


def compare(question: str, tool: str, folder: Path, env: dict, scale_factors) -> None:
    """The default platform vs the same platform with ``question=tool``, on the same data."""
    default = default_answers(CATALOG)
    if default[question] == tool:
        raise SystemExit(f"{question}={tool} is the default already: nothing to compare")
    before = default[question]
    projects = {before: folder / "default", tool: folder / tool}
    cells = {before: default, tool: {**default, question: tool}}
    started = time.perf_counter()
    render(projects[before])
    render(projects[tool], **{question: tool})
    for name, project in projects.items():
        subprocess.run(["uv", "sync", "-q"], cwd=project, env=env, check=True)
        # The rendered package (the answers file does not record a computed package name).
        package = next(p.name for p in (project / "src").iterdir() if (p / "__init__.py").is_file())
        for _, chosen in CATALOG.selected(cells[name]):
            for step in chosen.image_steps:  # e.g. .venv-airbyte: installed once, not timed
                command = step.replace("{package_name}", package)
                subprocess.run(command, shell=True, cwd=project, env=env, check=True)
    print(f"rendered and installed both projects in {time.perf_counter() - started:.1f} s")
    for scale_factor in scale_factors:
        results = {}
        for name, project in projects.items():
            # Fresh data and fresh twins per run: a server that kept the previous scale
            # factor's loads would make this run transform both.
            reset(project, cells[name])
            with twins(CATALOG, cells[name], project, env) as twin_env:
                results[name] = timed_run(project, {**env, **twin_env}, scale_factor)
        base, other = results[before], results[tool]
        print(f"\n=== SF {scale_factor:g}: {question} {before} vs {tool} ===")
        print(f"{'stage':<12}{before + ' s':>12}{tool + ' s':>12}{'ratio':>8}")
        for stage in base:
            ratio = other[stage] / base[stage] if base[stage] else float("nan")
            print(f"{stage:<12}{base[stage]:>12.2f}{other[stage]:>12.2f}{ratio:>7.2f}x")
        whole = {name: r["ingest"] + r["transform"] for name, r in results.items()}
        print(
            f"{'ingest+dbt':<12}{whole[before]:>12.2f}{whole[tool]:>12.2f}"
            f"{whole[tool] / whole[before]:>7.2f}x"
        )


def choices(question: str) -> list[str]:
    layer = next(layer for layer in CATALOG.layers if layer.question == question)
    return [t.id for t in layer.tools if t.implemented and t.runs_locally]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sf10", action="store_true", help="also run scale factor 10")
    parser.add_argument("--keep", action="store_true", help="keep the rendered project")
    parser.add_argument(
        "--scale-factor", type=float, action="append", help="run only these scale factors"
    )
    parser.add_argument(
        "--ingestion", choices=choices("ingestion_tool"), help="compare with this ingestion tool"
    )
    parser.add_argument("--lake", choices=choices("data_lake"), help="compare with this lake")
    parser.add_argument(
        "--warehouse", choices=choices("warehouse"), help="compare with this warehouse"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    project = folder / "platform"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PLATFORM_"))}
    env["UV_COMPILE_BYTECODE"] = "1"
    scale_factors = args.scale_factor or (0.1, 1.0, *((10.0,) if args.sf10 else ()))
    try:
        if args.ingestion or args.lake or args.warehouse:
            for question, tool in (
                ("ingestion_tool", args.ingestion),
                ("data_lake", args.lake),
                ("warehouse", args.warehouse),
            ):
                if tool:
                    compare(question, tool, folder / question, env, scale_factors)
            return
        started = time.perf_counter()
        render(project)
        subprocess.run(["uv", "sync", "-q"], cwd=project, env=env, check=True)
        print(f"rendered and installed {project} in {time.perf_counter() - started:.1f} s")
        for scale_factor in scale_factors:
            benchmark(project, env, scale_factor)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
