"""Every combination of answers, enumerated from the catalog, rendered and checked fast.

- :func:`combinations` walks the catalog (never a hand-typed list): one implemented tool per
  single-choice layer times every non-empty subset of the multiselect layers, minus the pairs the
  catalog declares incompatible (copier refuses those itself).
- :func:`render_matrix` renders through copier's own ``run_copy``, in-process, over a process
  pool, from a plain folder snapshot of the template (no git clone per project). Tests prove it
  byte-for-byte equal to the ``copier copy`` CLI on a sample.
- :func:`validate` checks each distinct file once, keyed by the SHA-256 of its content.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml
from copier import run_copy

from extensions.catalog import Catalog

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_SCHEMA = Path(__file__).with_name("data") / "compose-spec.json"
VAR_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}")
SKIP_DIRS = {".git", ".venv", "data", "target", "logs", ".dlt"}


def _subsets(ids: list[str]) -> Iterator[list[str]]:
    for size in range(1, len(ids) + 1):
        yield from (list(c) for c in itertools.combinations(ids, size))


def compatible(catalog: Catalog, answers: dict) -> bool:
    picked = catalog.selected(answers)
    chosen = {lyr.id: set() for lyr, _ in picked}
    for lyr, tool in picked:
        chosen[lyr.id].add(tool.id)
    for _, tool in picked:
        for other, allowed in tool.requires.items():
            if not chosen.get(other, set()) <= set(allowed):
                return False
    return True


def combinations(catalog: Catalog, *, valid: bool = True) -> list[dict]:
    """Answer sets for every combination of implemented tools (``valid``: compatible ones)."""
    axes: list[list[tuple[str, object]]] = []
    for layer in catalog.layers:
        ids = [t.id for t in layer.implemented]
        options = list(_subsets(ids)) if layer.multiselect else ids
        axes.append([(layer.question, option) for option in options])
    out = []
    for combo in itertools.product(*axes):
        answers = dict(combo)
        if compatible(catalog, answers) == valid:
            out.append(answers)
    return out


def combo_id(answers: dict) -> str:
    parts = []
    for value in answers.values():
        parts.append("+".join(value) if isinstance(value, list) else str(value))
    return "-".join(parts)


def folder_snapshot(dst: Path) -> Path:
    """The template's files (as in this checkout) in a plain folder: copier renders it without
    cloning, which is what makes per-combination rendering cheap."""
    shutil.copytree(
        TEMPLATE_ROOT,
        dst,
        ignore=shutil.ignore_patterns(".git", ".venv", "demo", "build", "__pycache__", ".*cache"),
    )
    return dst


def install_fast_copier() -> None:
    """Make repeated in-process ``run_copy`` calls cheaper without changing what they write.

    Only for the matrix's worker processes (never the test process itself). Measured on the
    default platform: 172 ms -> 69 ms per copy. Each change keeps copier's behaviour for the
    matrix's inputs, and tests prove the output byte-for-byte equal to the ``copier copy`` CLI:
    - a folder is never a git bundle: skip copier's `git init` + `git bundle verify` probe for it;
    - Jinja compiles each distinct template source once per process (copier builds a new
      environment per copy, with the same settings, so it would compile every string again);
    - the git index sync per file is a documented no-op outside a git repository, and matrix
      destinations are fresh folders outside any repository: skip its `git` subprocess.
    """
    import copier._main as copier_main
    import copier._vcs as copier_vcs
    import jinja2

    probe = copier_vcs.is_git_bundle
    copier_vcs.is_git_bundle = lambda path: Path(path).is_file() and probe(path)

    original = jinja2.Environment.compile
    cache: dict[tuple, object] = {}

    def compile_once(self, source, name=None, filename=None, raw=False, defer_init=False):
        key = (
            type(self),
            tuple(sorted(self.extensions)),
            self.keep_trailing_newline,
            self.trim_blocks,
            self.lstrip_blocks,
            self.block_start_string,
            self.variable_start_string,
            self.comment_start_string,
            source if isinstance(source, str) else id(source),
            name,
            filename,
            raw,
            defer_init,
        )
        if not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        if key not in cache:
            cache[key] = original(self, source, name, filename, raw, defer_init)
        return cache[key]

    jinja2.Environment.compile = compile_once
    copier_main.Worker._sync_git_index_executable_bit = lambda self, rel, mode: None


def _render_one(args: tuple[str, str, dict]) -> str:
    src, dst, answers = args
    if _outside_git(Path(dst)):
        run_copy(src, dst, data=answers, defaults=True, unsafe=True, quiet=True, vcs_ref=None)
        return dst
    raise RuntimeError(f"matrix destinations must be outside git repositories: {dst}")


def _outside_git(path: Path) -> bool:
    return not any((parent / ".git").exists() for parent in [path, *path.parents])


def render_matrix(
    combos: list[dict], out_root: Path, src: Path, workers: int | None = None
) -> list[Path]:
    """Render each combination into ``out_root/<combo id>`` with copier, over a process pool
    (always worker processes, so the fast-path patches never touch the caller's copier)."""
    jobs = [(str(src), str(out_root / combo_id(a)), a) for a in combos]
    workers = min(workers or os.cpu_count() or 1, len(jobs)) or 1
    chunk = max(1, min(16, len(jobs) // (workers * 4) or 1))
    with ProcessPoolExecutor(max_workers=workers, initializer=install_fast_copier) as pool:
        return [Path(p) for p in pool.map(_render_one, jobs, chunksize=chunk)]


def project_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not (set(p.relative_to(root).parts[:-1]) & SKIP_DIRS)
    )


def tree_digest(root: Path, ignore: Iterable[str] = (".env", ".copier-answers.yml")) -> dict:
    """Relative path -> content hash, for byte-for-byte comparison of two renders."""
    ignored = set(ignore)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in project_files(root)
        if p.relative_to(root).as_posix() not in ignored
    }


@dataclass
class Report:
    projects: int = 0
    files: int = 0
    distinct: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.checks[kind] = self.checks.get(kind, 0) + 1


def _kind(rel: str) -> str | None:
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith(".github/workflows/") and name.endswith((".yml", ".yaml")):
        return "workflow"
    if name in {"docker-compose.yml", "compose.yml"}:
        return "compose"
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return {
        ".py": "python",
        ".yml": "yaml",
        ".yaml": "yaml",
        ".toml": "toml",
        ".json": "json",
        ".tf": "terraform",
    }.get(suffix)


def validate(projects: list[Path], ruff: list[str], actionlint: str | None) -> Report:
    """Static checks over rendered projects; each distinct file (by content hash) checked once.

    Per project, only what depends on the whole project: every ``${VAR}`` a file references is
    listed in ``.env.example``.
    """
    report = Report(projects=len(projects))
    seen: set[tuple[str, str]] = set()
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    workflows: dict[str, Path] = {}
    terraform: dict[str, Path] = {}
    for project in projects:
        new_python: list[str] = []
        listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", _read(project / ".env.example"), re.M))
        for path in project_files(project):
            report.files += 1
            rel = path.relative_to(project).as_posix()
            data = path.read_bytes()
            if path.name not in {".env", ".env.example"} and path.suffix not in {".md", ".py"}:
                for name in VAR_REF.findall(data.decode(errors="replace")):
                    if name not in listed:
                        report.failures.append(
                            f"{project.name}/{rel}: ${{{name}}} not in .env.example"
                        )
            kind = _kind(rel)
            digest = hashlib.sha256(data).hexdigest()
            if kind is None or (kind, digest) in seen:
                continue
            seen.add((kind, digest))
            report.distinct += 1
            report.count(kind)
            error = _check(kind, data, schema)
            if error:
                report.failures.append(f"{project.name}/{rel}: {error}")
            if kind == "python":
                new_python.append(rel)
            elif kind == "workflow":
                workflows[digest] = path
            elif kind == "terraform":
                terraform[digest] = path
        if new_python:
            report.failures += _ruff(project, new_python, ruff)
    if workflows and actionlint:
        report.failures += _run_tool([actionlint, "-no-color", *map(str, workflows.values())])
    if terraform and shutil.which("terraform"):
        for path in terraform.values():
            report.failures += _run_tool(["terraform", "fmt", "-check", "-diff", str(path)])
    return report


def _read(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def _check(kind: str, data: bytes, compose_schema: dict) -> str | None:
    text = data.decode()
    try:
        if kind == "python":
            compile(text, "<rendered>", "exec")
        elif kind in {"yaml", "workflow"}:
            yaml.safe_load(text)
        elif kind == "compose":
            jsonschema.Draft7Validator(compose_schema).validate(yaml.safe_load(text))
        elif kind == "toml":
            tomllib.loads(text)
        elif kind == "json":
            json.loads(text)
    except (SyntaxError, yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        return f"{kind} does not parse: {exc}"
    except jsonschema.ValidationError as exc:
        return f"compose schema: {exc.message}"
    return None


def _ruff(project: Path, files: list[str], ruff: list[str]) -> list[str]:
    out = []
    for args in (
        ["check", "--no-cache", "--quiet"],
        ["format", "--no-cache", "--check", "--quiet"],
    ):
        out += _run_tool([*ruff, *args, *files], cwd=project, label=project.name)
    return out


def _run_tool(cmd: list[str], cwd: Path | None = None, label: str = "") -> list[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return []
    return [f"{label}: {' '.join(cmd[:4])}: {(done.stdout + done.stderr).strip()[:2000]}"]


def default_tools() -> tuple[list[str], str | None]:
    bindir = Path(sys.executable).parent
    actionlint = bindir / "actionlint"
    return [sys.executable, "-m", "ruff"], str(actionlint) if actionlint.exists() else None
