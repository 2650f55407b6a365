"""Static checks over rendered manifests: each distinct file checked once by content hash.

- every file parses for its kind (Python, YAML, TOML; Terraform through `terraform fmt -check`;
  the compose file against the compose spec; GitHub workflows through actionlint), and every
  Python file passes ruff under the rendered project's own configuration;
- per project, every ``${VAR}`` a file references is listed in ``.env.example``;
- ``dbt parse`` with the warehouse's adapter on a covering set of the distinct dbt projects
  (found by their ``dbt_project.yml``): every distinct dbt file of each warehouse, and every
  distinct layout of files (which marts, which adapter models), is in at least one parsed
  project (:func:`parse_cover`). Parsing every distinct project would grow with the product of
  the layers that touch a dbt file (marts subsets x warehouses x lakes x ingestion tools).

Checks are keyed on file kinds (names and extensions), not on where a tool's sources live.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from extensions.catalog import Catalog

from .combinations import combo_id
from .render import TEMPLATE_ROOT, Manifest, Matrix, read_tree

COMPOSE_SCHEMA = TEMPLATE_ROOT / "tests" / "data" / "compose-spec.json"
VAR_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}")
ANSWERS_FILE = ".copier-answers.yml"
ENV_EXAMPLE = ".env.example"
DBT_PROJECT = "dbt_project.yml"
KINDS = {
    ".py": "python",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".toml": "toml",
    ".tf": "terraform",
    ".tfvars": "terraform",
}


@dataclass
class Report:
    projects: int = 0
    files: int = 0
    distinct: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- comparing trees


def _normalized(rel: str, data: bytes) -> bytes:
    """The answers file records where and at which commit it came from: compare the rest."""
    if rel != ANSWERS_FILE:
        return data
    kept = [line for line in data.splitlines() if not line.startswith((b"_commit:", b"_src_path:"))]
    return b"\n".join(kept)


def manifest_digest(manifest: Manifest, blobs: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    """Relative path -> (content hash, permission bits), the answers file's origin left out."""
    out = {}
    for rel, (digest, mode) in manifest.items():
        data = _normalized(rel, blobs[digest])
        out[rel] = (hashlib.sha256(data).hexdigest(), mode)
    return out


def tree_digest(root: Path, ignore: tuple[str, ...] = (".env",)) -> dict[str, tuple[str, int]]:
    """:func:`manifest_digest` of a project on disk (``.env``, written by a task, left out)."""
    return manifest_digest(*read_tree(root, ignore))


# ---------------------------------------------------------------- validation


def _kind(rel: str) -> str | None:
    name = rel.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if rel.startswith(".github/workflows/") and suffix in {".yml", ".yaml"}:
        return "workflow"
    if name == "docker-compose.yml":
        return "compose"
    return KINDS.get(suffix)


def _dbt_project(manifest: Manifest) -> dict[str, str]:
    """The files of the project's dbt project (relative to its folder): digest by path."""
    roots = [rel[: -len(DBT_PROJECT)] for rel in manifest if rel.rsplit("/", 1)[-1] == DBT_PROJECT]
    if not roots:
        return {}
    root = min(roots, key=len)  # the outermost, should a package ever ship its own
    return {rel[len(root) :]: d for rel, (d, _) in manifest.items() if rel.startswith(root)}


def validate(
    matrix: Matrix,
    ruff: list[str],
    actionlint: str | None,
    dbt_executables: dict[str, str] | None = None,
) -> Report:
    """Static checks over every rendered combination; each distinct file checked once, a
    covering set of the distinct dbt projects parsed with their adapters (``dbt_executables``:
    warehouse -> the `dbt` of an environment with that adapter; None: parse no dbt project).
    A tool that is asked for and missing is a failure, never a silent skip: actionlint when
    a workflow was rendered, dbt for a warehouse ``dbt_executables`` does not name."""
    report = Report(projects=len(matrix.manifests))
    dbt_projects: dict[tuple, tuple[str, dict[str, str]]] = {}
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    seen: dict[tuple[str, str], str] = {}  # (kind, digest) -> an example path
    var_refs: dict[str, set[str]] = {}
    python_roots: dict[str, dict[str, str]] = {}  # ruff config digest -> {rel: digest}
    for answers, manifest in zip(matrix.combos, matrix.manifests, strict=True):
        name = combo_id(answers)
        report.files += len(manifest)
        example = matrix.blobs[manifest[ENV_EXAMPLE][0]].decode() if ENV_EXAMPLE in manifest else ""
        listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
        ruff_config = manifest.get("pyproject.toml", ("", 0))[0]
        dbt_files = _dbt_project(manifest)
        if dbt_files:
            key = (answers.get("warehouse", ""), tuple(sorted(dbt_files.items())))
            dbt_projects.setdefault(key, (name, dbt_files))
        for rel, (digest, _) in manifest.items():
            if rel != ENV_EXAMPLE and not rel.endswith((".md", ".py")):
                if digest not in var_refs:
                    var_refs[digest] = set(
                        VAR_REF.findall(matrix.blobs[digest].decode(errors="replace"))
                    )
                for missing in sorted(var_refs[digest] - listed):
                    report.failures.append(f"{name}/{rel}: ${{{missing}}} is not in {ENV_EXAMPLE}")
            kind = _kind(rel)
            if kind is None or (kind, digest) in seen:
                continue
            seen[(kind, digest)] = rel
            report.distinct += 1
            report.checks[kind] = report.checks.get(kind, 0) + 1
            error = _check(kind, matrix.blobs[digest], schema)
            if error:
                report.failures.append(f"{name}/{rel}: {error}")
            if kind == "python":
                python_roots.setdefault(ruff_config, {})
                python_roots[ruff_config].setdefault(rel, digest)
                if python_roots[ruff_config][rel] != digest:  # same path, other content
                    python_roots.setdefault(f"{ruff_config}:{digest}", {})[rel] = digest
    with tempfile.TemporaryDirectory(prefix="matrix-check-") as tmp:
        report.failures += _ruff_all(Path(tmp), python_roots, matrix.blobs, ruff)
        workflows = {digest: rel for (kind, digest), rel in seen.items() if kind == "workflow"}
        report.failures += _actionlint(Path(tmp), workflows, matrix.blobs, actionlint)
        parses = []
        for warehouse, name, files in parse_cover(dbt_projects):
            if dbt_executables is None:
                continue
            dbt = dbt_executables.get(warehouse)
            if dbt is None or not Path(dbt).exists():
                report.failures.append(f"{name}: no dbt for warehouse {warehouse!r} ({dbt})")
                continue
            parses.append((Path(tmp), dbt, name, files, matrix.blobs))
        report.checks["dbt_project"] = len(parses)
        report.checks["dbt_project_distinct"] = len(dbt_projects)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # subprocesses
            for failures in pool.map(lambda args: _dbt_parse(*args), parses):
                report.failures += failures
    return report


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key twice in one mapping (PyYAML keeps the last silently;
    dbt only warns, and the first value is lost)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> object:
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass


def parse_cover(
    projects: dict[tuple, tuple[str, dict[str, str]]],
) -> list[tuple[str, str, dict[str, str]]]:
    """A small set of distinct dbt projects (``(warehouse, files) -> (name, files)``) that
    together hold every distinct file of each warehouse (a file's text can depend on the
    warehouse's dispatch and profile) and every distinct layout (set of paths: refs between
    models break by layout, not by warehouse); greedy set cover, in the order given.

    A layout counts only the paths every warehouse's projects can have (models, sources,
    tests): a warehouse's own files (its macros, its profile) are covered as files of that
    warehouse, so the layouts are the marts x ingestion shapes, not that times the warehouses."""
    paths_by_warehouse: dict[str, set[str]] = {}
    for warehouse, files in ((w, f) for (w, _), (_, f) in projects.items()):
        paths_by_warehouse.setdefault(warehouse, set()).update(files)
    shared = set.intersection(*paths_by_warehouse.values()) if paths_by_warehouse else set()
    features: list[set[tuple]] = []
    entries: list[tuple[str, str, dict[str, str]]] = []
    for (warehouse, _), (name, files) in projects.items():
        entries.append((warehouse, name, files))
        features.append(
            {(warehouse, rel, digest) for rel, digest in files.items()}
            | {("layout", frozenset(shared.intersection(files)))}
        )
    uncovered = set().union(*features) if features else set()
    chosen: list[int] = []
    while uncovered:
        best = max(range(len(entries)), key=lambda i: len(features[i] & uncovered))
        chosen.append(best)
        uncovered -= features[best]
    return [entries[i] for i in sorted(chosen)]


def _check(kind: str, data: bytes, compose_schema: dict) -> str | None:
    text = data.decode()
    try:
        if kind == "python":
            compile(text, "<rendered>", "exec")
        elif kind in {"yaml", "workflow"}:
            _load_yaml(text)
        elif kind == "compose":
            jsonschema.Draft7Validator(compose_schema).validate(_load_yaml(text))
        elif kind == "toml":
            tomllib.loads(text)
        elif kind == "terraform":
            return _terraform_fmt(text)
    except (SyntaxError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        return f"{kind} does not parse: {exc}"
    except jsonschema.ValidationError as exc:
        return f"compose schema: {exc.message}"
    return None


def _terraform_fmt(text: str) -> str | None:
    """``terraform fmt -check`` on one file's text (providers are not needed, nor downloaded);
    a missing terraform is a failure, never a skip."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return "terraform is not installed (needed for `terraform fmt -check`)"
    run = subprocess.run(
        [terraform, "fmt", "-no-color", "-"], input=text, capture_output=True, text=True
    )
    if run.returncode != 0:
        return f"terraform fmt: {run.stderr.strip()}"
    if run.stdout != text:
        return "terraform fmt -check: not formatted (run `terraform fmt` on the rendered file)"
    return None


def _dbt_parse(
    tmp: Path, dbt: str, name: str, files: dict[str, str], blobs: dict[str, bytes]
) -> list[str]:
    """`dbt parse` of one distinct rendered dbt project, with its own profiles.yml."""
    root = tmp / "dbt" / name
    for rel, digest in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(blobs[digest])
    text = "\n".join(blobs[d].decode(errors="replace") for d in files.values())
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    # A stand-in for every variable the project reads: a path, or a number where it is read
    # as one (`env_var('PORT') | as_number`).
    numbers = set(
        re.findall(r"env_var\(\s*['\"]([A-Z][A-Z0-9_]*)['\"][^)]*\)\s*\|\s*as_number", text)
    )
    for var in set(re.findall(r"env_var\(\s*['\"]([A-Z][A-Z0-9_]*)['\"]", text)):
        env.setdefault(var, "1" if var in numbers else str(tmp / "dbt-env" / var.lower()))
    cmd = [dbt, "parse", "--project-dir", str(root)]
    cmd += ["--profiles-dir", str(root), "--target-path", str(tmp / "dbt-target" / name)]
    cmd += ["--log-path", str(tmp / "dbt-logs" / name)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode == 0:
        return []
    return [f"{name}: dbt parse failed: {(done.stdout + done.stderr).strip()[-2000:]}"]


def _ruff_all(
    tmp: Path, roots: dict[str, dict[str, str]], blobs: dict[str, bytes], ruff: list[str]
) -> list[str]:
    """ruff over each distinct Python file once, laid out under the project's own pyproject."""
    failures = []
    # Every root holds every module of the package (an empty stand-in where the root has none
    # of its own): ruff's import sorting resolves `from <package>.x.y import` to first-party
    # only when that module exists in the root.
    modules = {rel for files in roots.values() for rel in files if rel.startswith("src/")}
    for index, (config_key, files) in enumerate(sorted(roots.items())):
        root = tmp / f"ruff-{index}"
        pyproject = config_key.split(":")[0]
        root.mkdir()
        for rel in modules - set(files):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).touch()
        if pyproject:
            (root / "pyproject.toml").write_bytes(blobs[pyproject])
        for rel, digest in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(blobs[digest])
        for args in (
            ["check", "--no-cache", "--quiet", "."],
            ["format", "--no-cache", "--check", "."],
        ):
            failures += _run_tool([*ruff, *args], cwd=root, label=f"ruff ({len(files)} files)")
    return failures


def _actionlint(
    tmp: Path, workflows: dict[str, str], blobs: dict[str, bytes], actionlint: str | None
) -> list[str]:
    """actionlint over each distinct workflow once (``workflows``: digest -> an example path)."""
    if not workflows:
        return []
    if not actionlint or not Path(actionlint).exists():
        return [f"workflow: actionlint is not installed ({actionlint}); `uv sync` installs it"]
    targets = []
    for digest, rel in workflows.items():
        path = tmp / "workflow" / digest[:16] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blobs[digest])
        targets.append(str(path))
    return _run_tool([actionlint, "-no-color", *targets], label="workflow")


def _run_tool(cmd: list[str], cwd: Path | None = None, label: str = "") -> list[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return []
    return [f"{label}: {' '.join(cmd[:4])}: {(done.stdout + done.stderr).strip()[:2000]}"]


def default_tools() -> tuple[list[str], str | None]:
    """ruff and actionlint from the environment running the checks."""
    actionlint = Path(sys.executable).parent / "actionlint"
    return [sys.executable, "-m", "ruff"], str(actionlint) if actionlint.exists() else None


def dbt_environment(
    catalog: Catalog, warehouse: str, root: Path, extra: tuple[str, ...] = ()
) -> str:
    """A virtualenv with dbt and the warehouse's adapter, pinned by the catalog (uv, cached),
    plus the ``extra`` requirements a check runs beside dbt (e.g. a SQL parser)."""
    tools = [catalog.layer("processing").tool("dbt"), catalog.layer("warehouse").tool(warehouse)]
    pins = sorted({dep for tool in tools for dep in tool.python_dependencies} | set(extra))
    venv = root / f"dbt-{warehouse}-{hashlib.sha256(' '.join(pins).encode()).hexdigest()[:12]}"
    dbt = venv / "bin" / "dbt"
    if not dbt.exists():
        uv = [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "venv", "--quiet", str(venv)], check=True)
        subprocess.run(
            [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *pins],
            check=True,
            env={**os.environ, "UV_COMPILE_BYTECODE": "1"},
        )
    return str(dbt)
