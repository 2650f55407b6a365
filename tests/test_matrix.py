"""Every combination of the catalog renders and passes static checks; the fast path is copier.

`MATRIX_SHARD=<orchestrator>-<warehouse>` limits the run to one CI shard;
`MATRIX_RENDERER=copier` renders with plain `copier.run_copy` instead of the fast renderer.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from matrix import (
    Matrix,
    combinations,
    combo_id,
    compatible,
    dbt_environment,
    default_answers,
    default_tools,
    e2e_cells,
    folder_snapshot,
    light_answers,
    manifest_digest,
    once,
    pairwise,
    render_manifests,
    runnable,
    shard_of,
    tree_digest,
    validate,
)
from matrix.checks import parse_cover

from .conftest import CATALOG, TEMPLATE_ROOT

SHARD = os.environ.get("MATRIX_SHARD", "")
pytestmark = pytest.mark.xdist_group("matrix")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return folder_snapshot(tmp_path_factory.mktemp("tpl") / "template")


@pytest.fixture(scope="module")
def matrix(snapshot: Path) -> Matrix:
    combos = [a for a in combinations(CATALOG) if not SHARD or shard_of(a) == SHARD]
    assert combos, f"no combination in shard {SHARD!r}"
    return render_manifests(combos, snapshot)


def test_matrix_combinations_come_from_the_catalog() -> None:
    expected = 1
    for layer in CATALOG.layers:
        n = len(layer.implemented)
        expected *= (2**n - 1) if layer.multiselect else n
    valid, refused = combinations(CATALOG), combinations(CATALOG, valid=False)
    assert len(valid) + len(refused) == expected
    assert len({tuple(map(str, a.values())) for a in valid}) == len(valid)


def test_matrix_every_combination_renders_and_validates(matrix: Matrix) -> None:
    ruff, actionlint = default_tools()
    warehouses = {answers["warehouse"] for answers in matrix.combos}
    build = TEMPLATE_ROOT / "build"
    dbts = {w: dbt_environment(CATALOG, w, build) for w in warehouses}
    report = validate(matrix, ruff, actionlint, dbts)
    assert report.projects == len(matrix.combos)
    assert report.checks.get("python", 0) > 0 and report.checks.get("compose", 0) > 0
    assert report.checks.get("dbt_project", 0) >= 1
    assert report.failures == []


def test_matrix_missing_checker_is_a_failure_not_a_skip(matrix: Matrix, tmp_path: Path) -> None:
    """Without actionlint, or without a dbt for a rendered warehouse, validate fails."""
    one = Matrix(matrix.combos[:1], matrix.manifests[:1], matrix.blobs)
    ruff, _ = default_tools()
    report = validate(one, ruff, str(tmp_path / "no-actionlint"), {})
    assert any("actionlint is not installed" in f for f in report.failures), report.failures
    warehouse = one.combos[0]["warehouse"]
    assert any(f"no dbt for warehouse {warehouse!r}" in f for f in report.failures)


def test_matrix_terraform_must_be_fmt_clean_and_terraform_present(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rendered .tf that `terraform fmt` would change fails; so does a missing terraform."""
    from matrix.checks import _check

    clean = b'resource "fivetran_group" "platform" {\n  name = "acme"\n}\n'
    assert _check("terraform", clean, {}) is None
    unaligned = b'resource "fivetran_group" "platform" {\n  name = "acme"\n  id = "x"\n}\n'
    assert "not formatted" in (_check("terraform", unaligned, {}) or "")
    assert "terraform fmt" in (_check("terraform", b'resource "a" {\n', {}) or "")
    monkeypatch.setenv("PATH", "")
    assert "terraform is not installed" in (_check("terraform", clean, {}) or "")


def cli_sample(combos: list[dict]) -> list[int]:
    """Indexes of a few combinations that together hold every answer the matrix gives: each
    tool of each layer and each marts selection at least once (greedy, in matrix order)."""
    wanted = {(key, json.dumps(value)) for combo in combos for key, value in combo.items()}
    picked: list[int] = []
    for index, combo in enumerate(combos):
        gives = {(key, json.dumps(value)) for key, value in combo.items()} & wanted
        if gives:
            picked.append(index)
            wanted -= gives
        if not wanted:
            break
    return picked


def test_matrix_cli_sample_holds_every_answer(matrix: Matrix) -> None:
    answers = {(k, json.dumps(v)) for combo in matrix.combos for k, v in combo.items()}
    sample = cli_sample(matrix.combos)
    held = {(k, json.dumps(v)) for i in sample for k, v in matrix.combos[i].items()}
    assert held == answers
    assert len(sample) < len(matrix.combos) or len(matrix.combos) <= 1


def test_matrix_fast_path_is_byte_for_byte_copier_copy(matrix: Matrix, tmp_path: Path) -> None:
    """Manifests come from worker processes; a user runs the CLI on the git repository.
    The CLI costs seconds per project, so it renders a sample holding every answer the matrix
    gives (each tool, each marts selection: `cli_sample`); the fast renderer is the same copier
    Worker for every combination, and the every-combination checks run on its manifests."""
    for index in cli_sample(matrix.combos):
        answers, manifest = matrix.combos[index], matrix.manifests[index]
        data = [
            f"--data={k}={yaml.safe_dump(v, default_flow_style=True).strip()}"
            if isinstance(v, list)
            else f"--data={k}={v}"
            for k, v in answers.items()
        ]
        dst = tmp_path / str(index)
        flags = ["-q", "--trust", "--defaults", "--vcs-ref", "HEAD", *data]
        done = subprocess.run(
            [sys.executable, "-m", "copier", "copy", *flags, str(TEMPLATE_ROOT), str(dst)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert manifest_digest(manifest, matrix.blobs) == tree_digest(dst)
        assert (dst / ".env").is_file(), "the CLI ran the .env task"


def test_matrix_copier_renderer_is_byte_for_byte_the_fast_renderer(
    matrix: Matrix, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`MATRIX_RENDERER=copier` (plain run_copy, public API only) gives the same manifests."""
    picks = random.Random(11).sample(range(len(matrix.combos)), k=min(2, len(matrix.combos)))
    monkeypatch.setenv("MATRIX_RENDERER", "copier")
    plain = render_manifests([matrix.combos[i] for i in picks], snapshot)
    for index, manifest in zip(picks, plain.manifests, strict=True):
        assert manifest == matrix.manifests[index]
        assert all(plain.blobs[d] == matrix.blobs[d] for d, _ in manifest.values())


def test_matrix_falls_back_to_run_copy_when_copiers_private_api_moved(
    matrix: Matrix, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copier upgrade that renames what the fast renderer overrides slows the matrix down
    (with one warning) instead of failing it."""
    import matrix.fast as fast

    monkeypatch.delenv("MATRIX_RENDERER", raising=False)
    monkeypatch.setattr(fast, "WORKER_MEMBERS", (*fast.WORKER_MEMBERS, "_render_file_v10"))
    monkeypatch.setattr("matrix.render._warned", False)
    with pytest.warns(RuntimeWarning, match=r"Worker\._render_file_v10.*copier\.run_copy"):
        plain = render_manifests(matrix.combos[:1], snapshot)
    assert plain.manifests == matrix.manifests[:1]
    with pytest.raises(ValueError, match="MATRIX_RENDERER='copy'"):
        render_manifests(matrix.combos[:1], snapshot, renderer="copy")


def test_matrix_incompatible_pair_is_refused_by_copier(snapshot: Path, tmp_path: Path) -> None:
    """A `requires` declared in the catalog becomes a choice validator copier enforces."""
    tpl = tmp_path / "tpl"
    shutil.copytree(snapshot, tpl)
    catalog_file = tpl / "extensions" / "catalog.yaml"
    data = yaml.safe_load(catalog_file.read_text())
    layers = {layer["id"]: layer for layer in data["layers"]}
    warehouse = {t["id"]: t for t in layers["warehouse"]["tools"]}
    warehouse["postgres"]["status"] = "implemented"
    orchestrators = {t["id"]: t for t in layers["orchestration"]["tools"]}
    orchestrators["dagster"]["requires"] = {"warehouse": ["duckdb"]}
    catalog_file.write_text(yaml.safe_dump(data, sort_keys=False))

    with pytest.raises(ValueError, match="PostgreSQL cannot be used with Dagster"):
        run_copy(
            str(tpl),
            str(tmp_path / "p"),
            data={"warehouse": "postgres"},
            defaults=True,
            unsafe=True,
            quiet=True,
            vcs_ref=None,
        )
    assert not (tmp_path / "p" / "pyproject.toml").exists()


def test_matrix_pairwise_subset_covers_every_pair_of_local_choices() -> None:
    """Checked on the planned matrix (every tool implemented), where pairs are many."""
    data = CATALOG.model_dump(mode="json")
    for layer in data["layers"]:
        for tool in layer["tools"]:
            tool["status"] = "implemented"
    planned = _validated(data)
    chosen = pairwise(planned)
    single = [lyr for lyr in planned.layers if not lyr.multiselect]
    local = {
        lyr.question: [t.id for t in lyr.tools if t.runs_locally and t.e2e == "pairwise"]
        for lyr in single
    }
    for i, a in enumerate(single):
        for b in single[i + 1 :]:
            for x in local[a.question]:
                for y in local[b.question]:
                    assert any(c[a.question] == x and c[b.question] == y for c in chosen), (x, y)
    everything = 1
    for ids in local.values():
        everything *= len(ids)
    assert len(chosen) < everything


def test_matrix_template_ci_shards_by_orchestrator_and_warehouse() -> None:
    workflow = TEMPLATE_ROOT / ".github" / "workflows" / "ci.yml"
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    assert "python -m matrix shards" in jobs["shards"]["steps"][-1]["run"]
    assert jobs["matrix"]["strategy"]["matrix"]["shard"].startswith("${{ fromJSON(")
    _, actionlint = default_tools()
    assert actionlint
    done = subprocess.run([actionlint, "-no-color", str(workflow)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "matrix", "shards"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(json.loads(listed.stdout)) == {shard_of(a) for a in combinations(CATALOG)}


def test_matrix_pairwise_subset_runs_one_cell_with_a_single_choice_per_multiselect_layer() -> None:
    chosen = pairwise(CATALOG)
    multi = {
        lyr.question: [t.id for t in lyr.implemented if t.runs_locally]
        for lyr in CATALOG.layers
        if lyr.multiselect
    }
    full = [c for c in chosen if all(c[q] == ids for q, ids in multi.items())]
    solo = [c for c in chosen if all(c[q] == ids[-1:] for q, ids in multi.items())]
    assert full, "the covering cells take every choice of a multiselect layer"
    assert len(solo) == 1, "one cell (not one per tool) narrows each multiselect layer"
    assert len(chosen) == len(full) + 1


def _validated(data: dict):
    """The catalog ``data`` with e2e kinds changed by a test: a tool no longer `e2e: alone`
    drops its `e2e_own_tests` (the catalog allows that limit on `alone` tools only)."""
    for layer in data["layers"]:
        for tool in layer["tools"]:
            if tool["e2e"] != "alone":
                tool["e2e_own_tests"] = []
    return type(CATALOG).model_validate(data)


def test_matrix_heavy_tools_get_exactly_one_cell_each() -> None:
    """`e2e: once` tools (checked on the planned matrix with one tool per layer marked heavy)
    stay out of the all-pairs subset and run once each; heavy tools of different layers share
    cells (packed), each cell being the light answers (the defaults without a heavy default)
    with heavy tools swapped in."""
    data = CATALOG.model_dump(mode="json")
    heavy: list[tuple[str, str]] = []
    for layer in data["layers"]:
        local = [t for t in layer["tools"] if t["runs_locally"]]
        for tool in local:
            tool["status"] = "implemented"
            if tool["e2e"] == "alone":  # packing only (alone: its own test below)
                tool["e2e"] = "pairwise"
        if not layer["multiselect"] and len(local) > 1:
            others = [t for t in local if t["id"] != layer["default"]]
            others[-1]["e2e"] = "once"
            heavy.append((layer["question"], others[-1]["id"]))
    planned = _validated(data)
    assert len(heavy) >= 2
    default = default_answers(planned)
    light = light_answers(planned)
    heavy_questions = {question for question, _ in heavy}
    for question, tool in heavy:
        assert not any(c[question] == tool for c in pairwise(planned)), tool
        cells = [c for c in e2e_cells(planned) if c[question] == tool]
        assert len(cells) == 1, (tool, cells)
        if compatible(planned, {**light, question: tool}):
            changed = {q for q in light if cells[0][q] != light[q]}
            assert changed <= heavy_questions, (tool, changed)
    packed = once(planned)
    assert len(packed) < len(heavy), "heavy tools of different layers share a cell"
    assert e2e_cells(planned)[0] == default
    assert len(e2e_cells(planned)) == len({combo_id(c) for c in e2e_cells(planned)})


def test_matrix_alone_tool_gets_a_cell_of_its_own() -> None:
    """An `e2e: alone` tool (every step of its cell slow) runs in exactly one cell: the
    light answers with it swapped in, shared with no `e2e: once` tool, out of the subset."""
    data = CATALOG.model_dump(mode="json")
    layers = {layer["question"]: layer for layer in data["layers"]}
    for layer in data["layers"]:
        for tool in layer["tools"]:
            if tool["runs_locally"]:
                tool["status"] = "implemented"
    ingestion = layers["ingestion_tool"]
    alone = next(t for t in ingestion["tools"] if t["runs_locally"] and t["id"] != "dlt")
    alone["e2e"] = "alone"
    heavy = next(t for t in layers["orchestrator"]["tools"] if t["id"] != "dagster")
    heavy["e2e"] = "once"
    planned = _validated(data)
    cells = [c for c in e2e_cells(planned) if c["ingestion_tool"] == alone["id"]]
    assert cells == [{**light_answers(planned), "ingestion_tool": alone["id"]}]
    assert not any(c["ingestion_tool"] == alone["id"] for c in pairwise(planned))
    shared = next(c for c in once(planned) if c["orchestrator"] == heavy["id"])
    assert shared["ingestion_tool"] != alone["id"]


def test_matrix_a_heavy_default_runs_in_the_default_cell_only() -> None:
    """A layer's default marked heavy (Superset: `e2e: once`) runs in the default cell, the
    first, and in no other: the other cells start from the light answers, where it is swapped
    for its layer's first all-pairs tool; the default cell's pairs count as covered."""
    default, light = default_answers(CATALOG), light_answers(CATALOG)
    heavy_defaults = {
        layer.question: layer.default
        for layer in CATALOG.layers
        if not layer.multiselect and layer.tool(layer.default).e2e != "pairwise"
    }
    assert heavy_defaults, "no layer's default is heavy"
    cells = e2e_cells(CATALOG)
    assert cells[0] == default
    for question, tool in heavy_defaults.items():
        assert [c for c in cells if c[question] == tool] == [default], tool
        assert light[question] != tool
        layer = next(lyr for lyr in CATALOG.layers if lyr.question == question)
        assert layer.tool(light[question]).e2e == "pairwise"
    assert {q: v for q, v in light.items() if q not in heavy_defaults} == {
        q: v for q, v in default.items() if q not in heavy_defaults
    }
    # Its pairs are the default cell's (but the heavy layer's): no cell of its own.
    assert light not in pairwise(CATALOG), "the default cell's pairs count as covered"


def test_matrix_heavy_tool_runs_only_where_its_e2e_requires_hold() -> None:
    """A heavy tool with `e2e_requires` (what it can run against here) is packed only into a
    cell that has it, even where users may choose more (Superset reaches every warehouse, but
    its cell reads the marts through a warehouse that runs here, never the Spark twin)."""
    constrained = [
        (layer, tool)
        for layer in CATALOG.layers
        for tool in layer.implemented
        if tool.e2e_requires and tool.runs_locally
    ]
    assert constrained, "no implemented tool has e2e_requires"
    cells = e2e_cells(CATALOG)
    assert all(runnable(CATALOG, cell) for cell in cells)
    for layer, tool in constrained:
        [home] = [c for c in cells if c[layer.question] == tool.id]
        for other, allowed in tool.e2e_requires.items():
            question = CATALOG.layer(other).question
            assert home[question] in allowed, (tool.id, home)
            # A choice users may make with it, which its cell may not have.
            for outside in (t.id for t in CATALOG.layer(other).implemented if t.id not in allowed):
                if compatible(CATALOG, {**home, question: outside}):
                    assert not runnable(CATALOG, {**home, question: outside}), outside


MARTS3 = (("finance",), ("product",), ("finance", "product"))


def test_matrix_dbt_parse_cover_holds_every_file_per_warehouse_and_every_layout() -> None:
    """The projects `dbt parse` runs on (not every distinct one: that grows with marts subsets x
    warehouses x lakes x ingestion tools) still hold every distinct file of each warehouse and
    every distinct layout; a file that only one project has is parsed."""
    projects: dict[tuple, tuple[str, dict[str, str]]] = {}
    for warehouse in ("duckdb", "postgres"):
        for marts in MARTS3:
            for lake in ("local", "s3", "gcs"):
                files = {"dbt_project.yml": f"{warehouse}-{lake}", "profiles.yml": warehouse}
                files |= {f"models/marts/{mart}.sql": mart for mart in marts}
                name = f"{warehouse}-{lake}-{'+'.join(marts)}"
                projects[(warehouse, tuple(sorted(files.items())))] = (name, files)
    only_once = {"dbt_project.yml": "duckdb-gcs", "profiles.yml": "duckdb", "odd.sql": "x"}
    projects[("duckdb", tuple(sorted(only_once.items())))] = ("odd", only_once)
    # a warehouse's own file (macros/postgres.sql) does not multiply the layouts by warehouse
    for (warehouse, _), (_, files) in list(projects.items()):
        if warehouse == "postgres":
            files["macros/postgres.sql"] = "postgres"
    marts = {f"models/marts/{mart}.sql" for mart in ("finance", "product")}
    shared = {"dbt_project.yml", "profiles.yml"} | marts
    chosen = parse_cover(projects)
    assert len(chosen) < len(projects)
    assert "odd" in {name for _, name, _ in chosen}
    # 2 warehouses x 3 lakes of distinct dbt_project.yml (odd's is duckdb-gcs's): 6 parses,
    # which hold all 4 layouts too (were 7 layouts, one per warehouse with postgres's macro)
    assert len(chosen) == 2 * 3, [name for _, name, _ in chosen]
    for warehouse, _, files in [(w, n, f) for (w, _), (n, f) in projects.items()]:
        for rel, digest in files.items():
            assert any(w == warehouse and f.get(rel) == digest for w, _, f in chosen), (
                warehouse,
                rel,
                digest,
            )
        layout = shared & set(files)
        assert any(shared & set(f) == layout for _, _, f in chosen), sorted(files)
