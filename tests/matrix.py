"""Every combination of answers, enumerated from the catalog, rendered and checked fast.

- :func:`combinations` walks the catalog (never a hand-typed list): one implemented tool per
  single-choice layer times every non-empty subset of the multiselect layers, minus the pairs
  the catalog declares incompatible (copier refuses those itself).
- :func:`render_manifests` renders every combination with copier's own ``Worker`` (in worker
  processes, in parallel over the cores) into in-memory manifests: relative path -> (content
  hash, mode), each distinct content kept once. :class:`ManifestWorker` only memoizes what cannot
  change the output (see its docstring); tests prove manifests byte-for-byte equal to the
  ``copier copy`` CLI on a sample of combinations in the same run.
- :func:`validate` checks each distinct file once, keyed by the SHA-256 of its content, plus the
  per-project rule that every ``${VAR}`` a file references is listed in ``.env.example``.
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
import tempfile
import tomllib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from copier import run_copy
from copier._main import Worker
from copier._template import Template
from copier._types import Phase
from jinja2 import meta, nodes

from extensions.catalog import Catalog

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_SCHEMA = Path(__file__).with_name("data") / "compose-spec.json"
VAR_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?\}")
SKIP_DIRS = {".git", ".venv", "data", "target", "logs", ".dlt"}
ANSWERS_FILE = ".copier-answers.yml"
Manifest = dict[str, tuple[str, int]]


# ---------------------------------------------------------------- combinations


def _subsets(ids: list[str]) -> Iterator[list[str]]:
    for size in range(1, len(ids) + 1):
        yield from (list(c) for c in itertools.combinations(ids, size))


def compatible(catalog: Catalog, answers: dict) -> bool:
    picked = catalog.selected(answers)
    chosen: dict[str, set[str]] = {lyr.id: set() for lyr, _ in picked}
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
    return [
        dict(combo)
        for combo in itertools.product(*axes)
        if compatible(catalog, dict(combo)) == valid
    ]


def pairwise(catalog: Catalog) -> list[dict]:
    """An all-pairs subset of the locally runnable combinations, for end-to-end runs.

    Every pair of choices of two single-choice layers appears in at least one combination
    (greedy covering); multiselect layers take all their locally runnable choices at once.
    """
    single = [lyr for lyr in catalog.layers if not lyr.multiselect]
    options = {lyr.question: [t.id for t in lyr.implemented if t.runs_locally] for lyr in single}
    multi = {
        lyr.question: [t.id for t in lyr.implemented if t.runs_locally]
        for lyr in catalog.layers
        if lyr.multiselect
    }
    if any(not ids for ids in options.values()) or any(not ids for ids in multi.values()):
        return []
    candidates = [
        {**dict(zip(options, values, strict=True)), **multi}
        for values in itertools.product(*options.values())
    ]
    candidates = [c for c in candidates if compatible(catalog, c)]
    questions = list(options)

    def pairs(combo: dict) -> set[tuple]:
        return {
            (a, combo[a], b, combo[b]) for i, a in enumerate(questions) for b in questions[i + 1 :]
        }

    uncovered = set().union(*(pairs(c) for c in candidates)) if candidates else set()
    chosen: list[dict] = []
    while uncovered:
        best = max(candidates, key=lambda c: len(pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    return chosen or candidates[:1]


def combo_id(answers: dict) -> str:
    return "-".join("+".join(v) if isinstance(v, list) else str(v) for v in answers.values())


def shard_of(answers: dict) -> str:
    """CI shards the matrix by orchestrator x warehouse: one job per pair."""
    return f"{answers['orchestrator']}-{answers['warehouse']}"


def folder_snapshot(dst: Path) -> Path:
    """The template's files (as in this checkout) in a plain folder: copier renders it without
    cloning, which is what makes per-combination rendering cheap."""
    shutil.copytree(
        TEMPLATE_ROOT,
        dst,
        ignore=shutil.ignore_patterns(".git", ".venv", "demo", "build", "__pycache__", ".*cache"),
    )
    return dst


# ---------------------------------------------------------------- rendering


def install_fast_copier() -> None:
    """Make repeated in-process copier runs cheaper without changing what they produce.

    Only for the matrix's worker processes (never the test process itself). Each change keeps
    copier's behaviour for the matrix's inputs:
    - a folder is never a git bundle: skip copier's `git init` + `git bundle verify` probe;
    - Jinja compiles each distinct template source once per process (copier builds a new
      environment per run, with the same settings, and would compile every string again);
    - the git index sync per file is a documented no-op outside a git repository, and matrix
      destinations are never inside one: skip its `git` subprocess.
    """
    import copier._main as copier_main
    import copier._vcs as copier_vcs
    import jinja2

    probe = copier_vcs.is_git_bundle
    copier_vcs.is_git_bundle = lambda path: Path(path).is_file() and probe(path)

    original = jinja2.Environment.compile
    cache: dict[tuple, Any] = {}

    def compile_once(self, source, name=None, filename=None, raw=False, defer_init=False):
        if not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        key = (
            type(self),
            tuple(sorted(self.extensions)),
            self.keep_trailing_newline,
            self.trim_blocks,
            self.lstrip_blocks,
            self.block_start_string,
            self.variable_start_string,
            self.comment_start_string,
            source,
            name,
            filename,
            raw,
            defer_init,
        )
        if key not in cache:
            cache[key] = original(self, source, name, filename, raw, defer_init)
        return cache[key]

    jinja2.Environment.compile = compile_once
    copier_main.Worker._sync_git_index_executable_bit = lambda self, rel, mode: None

    import copy

    import copier._user_data as copier_user_data

    parse = copier_user_data.parse_yaml_string
    parsed: dict[str, Any] = {}

    def parse_once(string: str) -> Any:
        """A pure function of its text: parse each distinct choices/answer text once."""
        if string not in parsed:
            parsed[string] = parse(string)
        return copy.deepcopy(parsed[string])

    copier_user_data.parse_yaml_string = parse_once


_TEMPLATES: dict[str, Template] = {}
_FILE_VARS: dict[tuple[str, str], tuple[str, ...] | None] = {}
_MEMO: dict[tuple, tuple[str, int]] = {}
_BLOBS: dict[str, bytes] = {}
_PATH_VARS: dict[str, tuple[str, ...]] = {}
_PATHS: dict[tuple, list] = {}
_TREE_VARS: dict[str, tuple[str, ...]] = {}
_PLANS: dict[tuple, list] = {}


class ManifestWorker(Worker):
    """copier's Worker, recording a manifest instead of writing files.

    Everything copier decides (questions, validators, defaults, path names, exclusions, which
    files exist, the Jinja environment and context) is copier's own code. What changes:
    - one parsed Template per template folder and process (copier re-reads copier.yml per run);
    - during the render phase the answers are fixed, so the render context, the answers file
      path and each templated string are computed once per run;
    - a file's rendered content, a path's rendering and copier's walk of the template are reused
      when every variable they reference (found by Jinja's own parser) has the same value;
      derived values (computed by extensions/context.py at render time) are compared by their
      rendered value; files that include other templates or read ``_copier_conf`` are always
      rendered.
    Tasks are skipped: they write the git-ignored ``.env`` and make the git repository.
    """

    manifest: Manifest

    @property
    def template(self) -> Template:
        found = _TEMPLATES.get(str(self.src_path))
        if found is None:
            found = _TEMPLATES[str(self.src_path)] = Template(url=str(self.src_path), ref=None)
        return found

    def _render_context(self):
        if Phase.current() != Phase.RENDER or self.__dict__.get("_fresh_context"):
            return super()._render_context()
        if "_ctx_cache" not in self.__dict__:
            self.__dict__["_ctx_cache"] = super()._render_context()
        return self.__dict__["_ctx_cache"]

    @property
    def answers_relpath(self) -> Path:
        if Phase.current() != Phase.RENDER:
            return super().answers_relpath
        if "_answers_relpath" not in self.__dict__:
            # copier blanks `_copier_conf.answers_file` in the context it renders this with:
            # give it a fresh context, never the cached one.
            self.__dict__["_fresh_context"] = True
            try:
                self.__dict__["_answers_relpath"] = super().answers_relpath
            finally:
                self.__dict__["_fresh_context"] = False
        return self.__dict__["_answers_relpath"]

    def _render_string(self, string: str, extra_context=None) -> str:
        if "{" not in string:
            return string  # no Jinja syntax: renders to itself
        if extra_context or Phase.current() != Phase.RENDER:
            return super()._render_string(string, extra_context)
        cache = self.__dict__.setdefault("_str_cache", {})
        if string not in cache:
            cache[string] = super()._render_string(string)
        return cache[string]

    def _render_path(self, relpath: Path):
        """Each template path's rendered destinations, memoized like file contents: keyed by
        the values of the variables the path's own Jinja references."""
        text = relpath.as_posix()
        names = _PATH_VARS.get(text)
        if names is None:
            names = _PATH_VARS[text] = tuple(
                sorted(meta.find_undeclared_variables(self.jinja_env.parse(text)))
            )
        if "_copier_conf" in names:
            yield from super()._render_path(relpath)
            return
        key = (str(self.src_path), text, self._values(names, self._render_context()))
        if key not in _PATHS:
            rendered = list(super()._render_path(relpath))
            if any(ctx for _, ctx in rendered):  # `{% yield %}` paths carry their own context
                yield from rendered
                return
            _PATHS[key] = rendered
        yield from _PATHS[key]

    def _render_folder(self, dst_relpath: Path) -> None:
        return None

    def _render_template(self) -> None:
        """Replay copier's walk of the template (which files land where, which are excluded)
        when every variable referenced by any template path has the same value; record it the
        first time by running copier's own walk."""
        names = _TREE_VARS.get(str(self.src_path))
        if names is None:
            root = self.template_copy_root
            found: set[str] = set()
            for path in root.rglob("*"):
                text = path.relative_to(root).as_posix()
                if "{" in text:
                    tree = self.jinja_env.parse(text)
                    used = meta.find_undeclared_variables(tree)
                    if "_copier_conf" in used and _only_answers_file(tree):
                        used = (used - {"_copier_conf"}) | {"<answers_file>"}  # fixed per run
                    found |= used
            names = _TREE_VARS[str(self.src_path)] = tuple(sorted(found))
        if "_copier_conf" in names:
            super()._render_template()
            return
        key = (str(self.src_path), self._values(names, self._render_context()))
        plan = _PLANS.get(key)
        if plan is None:
            self.__dict__["_recording"] = recorded = []
            try:
                super()._render_template()
            finally:
                self.__dict__["_recording"] = None
            if not any(ctx for _, _, ctx in recorded):
                _PLANS[key] = recorded
            return
        for src_relpath, dst_relpath, ctx in plan:
            self._render_file(src_relpath, dst_relpath, ctx)

    def _render_file(self, src_relpath: Path, dst_relpath: Path, extra_context=None) -> None:
        recording = self.__dict__.get("_recording")
        if recording is not None:
            recording.append((src_relpath, dst_relpath, extra_context))
        src_abspath = self.template.local_abspath / src_relpath
        mode = src_abspath.stat().st_mode & 0o777
        key = None
        if src_relpath.name.endswith(self.template.templates_suffix):
            context = {**self._render_context(), **(extra_context or {})}
            names = self._referenced(src_relpath, src_abspath)
            if names is not None:
                key = (
                    str(self.src_path),
                    src_relpath.as_posix(),
                    mode,
                    self._values(names, context),
                )
                if key in _MEMO:
                    self.manifest[dst_relpath.as_posix()] = _MEMO[key]
                    return
            template = self.jinja_env.get_template(src_relpath.as_posix())
            content = template.render(**context).encode()
        else:
            content = src_abspath.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        _BLOBS.setdefault(digest, content)
        entry = (digest, mode)
        if key is not None:
            _MEMO[key] = entry
        self.manifest[dst_relpath.as_posix()] = entry

    def _referenced(self, src_relpath: Path, src_abspath: Path) -> tuple[str, ...] | None:
        cache_key = (str(self.src_path), src_relpath.as_posix())
        if cache_key not in _FILE_VARS:
            tree = self.jinja_env.parse(src_abspath.read_text(encoding="utf-8"))
            names = meta.find_undeclared_variables(tree)
            unsafe = any(
                tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))
            )
            _FILE_VARS[cache_key] = (
                None if unsafe or "_copier_conf" in names else tuple(sorted(names))
            )
        return _FILE_VARS[cache_key]

    def _values(self, names: tuple[str, ...], context: dict) -> str:
        values = {}
        for name in names:
            if name == "<answers_file>":
                values[name] = str(self.answers_relpath)
            elif name in context:
                values[name] = context[name]
            elif name in self.jinja_env.globals:
                continue  # the catalog and helper functions: the same for every combination
            else:  # computed by extensions/context.py at render time: ask Jinja for its value
                values[name] = self._derived(name, context)
        return json.dumps(values, sort_keys=True, default=str)

    def _derived(self, name: str, context: dict) -> str:
        cache = self.__dict__.setdefault("_derived_cache", {})
        if name not in cache:
            if not name.isidentifier():
                raise ValueError(f"unexpected template variable {name!r}")
            shown = self.jinja_env.from_string(f"{{{{ {name} | pprint }}}}").render(**context)
            cache[name] = shown
        return cache[name]


def _only_answers_file(tree: nodes.Template) -> bool:
    """Whether ``_copier_conf`` appears only as ``_copier_conf.answers_file``."""
    uses = [n for n in tree.find_all(nodes.Name) if n.name == "_copier_conf"]
    reads = [
        n
        for n in tree.find_all(nodes.Getattr)
        if isinstance(n.node, nodes.Name) and n.node.name == "_copier_conf"
    ]
    return bool(uses) and len(uses) == len(reads) and all(r.attr == "answers_file" for r in reads)


def _manifest_job(args: tuple[str, dict]) -> tuple[Manifest, dict[str, bytes]]:
    src, answers = args
    known = set(_BLOBS)
    dst = Path(tempfile.gettempdir()) / f"matrix-never-written-{os.getpid()}"
    worker = ManifestWorker(
        src_path=src,
        dst_path=dst,
        data=answers,
        defaults=True,
        unsafe=True,
        quiet=True,
        skip_tasks=True,
        vcs_ref=None,
    )
    worker.manifest = {}
    worker.run_copy()
    fresh = {d: _BLOBS[d] for d, _ in worker.manifest.values() if d not in known}
    return worker.manifest, fresh


@dataclass
class Matrix:
    combos: list[dict]
    manifests: list[Manifest]
    blobs: dict[str, bytes]


def render_manifests(combos: list[dict], src: Path, workers: int | None = None) -> Matrix:
    """Render every combination with copier into manifests, over a process pool."""
    jobs = [(str(src), answers) for answers in combos]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    chunk = max(1, min(32, len(jobs) // (workers * 4)))
    manifests: list[Manifest] = []
    blobs: dict[str, bytes] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=install_fast_copier) as pool:
        for manifest, fresh in pool.map(_manifest_job, jobs, chunksize=chunk):
            manifests.append(manifest)
            blobs.update(fresh)
    return Matrix(combos, manifests, blobs)


def _render_one(args: tuple[str, str, dict]) -> str:
    src, dst, answers = args
    run_copy(src, dst, data=answers, defaults=True, unsafe=True, quiet=True, vcs_ref=None)
    return dst


def render_projects(combos: list[dict], out_root: Path, src: Path) -> list[Path]:
    """Real projects on disk (copier's run_copy, tasks included), for the end-to-end subset."""
    jobs = [(str(src), str(out_root / combo_id(a)), a) for a in combos]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return [Path(p) for p in pool.map(_render_one, jobs)]


def project_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not (set(p.relative_to(root).parts[:-1]) & SKIP_DIRS)
    )


def _normalized(rel: str, data: bytes) -> bytes:
    """The answers file records where and at which commit it came from: compare the rest."""
    if rel != ANSWERS_FILE:
        return data
    kept = [line for line in data.splitlines() if not line.startswith((b"_commit:", b"_src_path:"))]
    return b"\n".join(kept)


def tree_digest(root: Path, ignore: tuple[str, ...] = (".env",)) -> dict[str, tuple[str, int]]:
    """Relative path -> (content hash, permission bits) of a project on disk."""
    out = {}
    for path in project_files(root):
        rel = path.relative_to(root).as_posix()
        if rel in ignore:
            continue
        data = _normalized(rel, path.read_bytes())
        out[rel] = (hashlib.sha256(data).hexdigest(), path.stat().st_mode & 0o777)
    return out


def manifest_digest(manifest: Manifest, blobs: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    out = {}
    for rel, (digest, mode) in manifest.items():
        data = _normalized(rel, blobs[digest])
        out[rel] = (hashlib.sha256(data).hexdigest(), mode)
    return out


# ---------------------------------------------------------------- validation


@dataclass
class Report:
    projects: int = 0
    files: int = 0
    distinct: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


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


def validate(
    matrix: Matrix,
    ruff: list[str],
    actionlint: str | None,
    dbt_executables: dict[str, str] | None = None,
) -> Report:
    """Static checks over every rendered combination; each distinct file checked once, each
    distinct dbt project parsed once with its adapter (``dbt_executables``: warehouse -> the
    `dbt` of an environment with that adapter)."""
    report = Report(projects=len(matrix.manifests))
    dbt_projects: dict[tuple, tuple[str, dict[str, str]]] = {}
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    seen: dict[tuple[str, str], str] = {}  # (kind, digest) -> an example path
    var_refs: dict[str, set[str]] = {}
    python_roots: dict[str, dict[str, str]] = {}  # ruff config digest -> {rel: digest}
    for answers, manifest in zip(matrix.combos, matrix.manifests, strict=True):
        name = combo_id(answers)
        report.files += len(manifest)
        example = (
            matrix.blobs[manifest[".env.example"][0]].decode() if ".env.example" in manifest else ""
        )
        listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
        ruff_config = manifest.get("pyproject.toml", ("", 0))[0]
        dbt_files = {
            r[len("transform/") :]: d
            for r, (d, _) in manifest.items()
            if r.startswith("transform/")
        }
        if dbt_files:
            key = (answers.get("warehouse", ""), tuple(sorted(dbt_files.items())))
            dbt_projects.setdefault(key, (name, dbt_files))
        for rel, (digest, _) in manifest.items():
            if rel not in {".env", ".env.example"} and not rel.endswith((".md", ".py")):
                if digest not in var_refs:
                    var_refs[digest] = set(
                        VAR_REF.findall(matrix.blobs[digest].decode(errors="replace"))
                    )
                for missing in sorted(var_refs[digest] - listed):
                    report.failures.append(f"{name}/{rel}: ${{{missing}}} is not in .env.example")
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
        report.failures += _tool_on_blobs(Path(tmp), seen, "workflow", matrix.blobs, actionlint)
        parses = [
            (Path(tmp), dbt, name, files, matrix.blobs)
            for (warehouse, _), (name, files) in dbt_projects.items()
            if (dbt := (dbt_executables or {}).get(warehouse))
        ]
        report.checks["dbt_project"] = len(parses)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # subprocesses
            for failures in pool.map(lambda args: _dbt_parse(*args), parses):
                report.failures += failures
        if shutil.which("terraform"):
            report.failures += _tool_on_blobs(
                Path(tmp), seen, "terraform", matrix.blobs, "terraform"
            )
    return report


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
    for var in set(re.findall(r"env_var\(\s*['\"]([A-Z][A-Z0-9_]*)['\"]", text)):
        env.setdefault(var, str(tmp / "dbt-env" / var.lower()))
    cmd = [dbt, "parse", "--project-dir", str(root)]
    cmd += ["--profiles-dir", str(root), "--target-path", str(tmp / "dbt-target" / name)]
    cmd += ["--log-path", str(tmp / "dbt-logs" / name)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode == 0:
        return []
    return [f"{name}: dbt parse failed: {(done.stdout + done.stderr).strip()[-2000:]}"]


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


def _ruff_all(
    tmp: Path, roots: dict[str, dict[str, str]], blobs: dict[str, bytes], ruff: list[str]
) -> list[str]:
    """ruff over each distinct Python file once, laid out under the project's own pyproject."""
    failures = []
    for index, (config_key, files) in enumerate(sorted(roots.items())):
        root = tmp / f"ruff-{index}"
        pyproject = config_key.split(":")[0]
        root.mkdir()
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


def _tool_on_blobs(
    tmp: Path,
    seen: dict[tuple[str, str], str],
    kind: str,
    blobs: dict[str, bytes],
    tool: str | None,
) -> list[str]:
    targets = []
    for (k, digest), rel in seen.items():
        if k != kind:
            continue
        path = tmp / kind / digest[:16] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blobs[digest])
        targets.append(str(path))
    if not targets or not tool:
        return []
    if kind == "terraform":
        return [f for t in targets for f in _run_tool([tool, "fmt", "-check", "-diff", t])]
    return _run_tool([tool, "-no-color", *targets], label=kind)


def _run_tool(cmd: list[str], cwd: Path | None = None, label: str = "") -> list[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return []
    return [f"{label}: {' '.join(cmd[:4])}: {(done.stdout + done.stderr).strip()[:2000]}"]


def default_tools() -> tuple[list[str], str | None]:
    actionlint = Path(sys.executable).parent / "actionlint"
    return [sys.executable, "-m", "ruff"], str(actionlint) if actionlint.exists() else None


def dbt_environment(catalog: Catalog, warehouse: str, root: Path) -> str:
    """A virtualenv with dbt and the warehouse's adapter, pinned by the catalog (uv, cached)."""
    tools = [catalog.layer("processing").tool("dbt"), catalog.layer("warehouse").tool(warehouse)]
    pins = sorted({dep for tool in tools for dep in tool.python_dependencies})
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


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.matrix shards`: the CI shards (JSON list), computed from the catalog."""
    import argparse

    from extensions.catalog import load_catalog

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["shards", "count", "pairwise"])
    args = parser.parse_args(argv)
    catalog = load_catalog()
    combos = combinations(catalog)
    if args.command == "shards":
        print(json.dumps(sorted({shard_of(a) for a in combos})))
    elif args.command == "count":
        print(len(combos))
    else:
        print(json.dumps(pairwise(catalog)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
