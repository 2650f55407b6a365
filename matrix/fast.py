"""The fast renderer: copier's own ``Worker``, recording in-memory manifests.

Built on copier's private API (``copier._main.Worker`` and friends), so it is imported only by
:func:`matrix.render.render_manifests`, which checks :func:`check_api` first and falls back to
plain ``copier.run_copy`` when a copier upgrade moved any of it. Tests prove its manifests
byte-for-byte equal to the ``copier copy`` CLI and to the fallback on samples in every run.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import copier._user_data as copier_user_data
import copier._vcs as copier_vcs
import copier_template_extensions._internal.loader as extension_loader
from copier._main import Worker, _operation
from copier._template import Template
from copier._tools import scantree
from copier._types import Phase
from copier._user_data import Question
from jinja2 import Environment, meta, nodes

from .render import Manifest

# What this module overrides or patches, and the Worker arguments it passes: if a copier
# upgrade renames any of them, the subclass would silently stop intercepting.
WORKER_MEMBERS = (
    "template",
    "template_copy_root",
    "jinja_env",
    "answers_relpath",
    "run_copy",
    "_render_context",
    "_render_string",
    "_render_path",
    "_render_template",
    "all_exclusions",
    "match_exclude",
    "_render_file",
    "_sync_git_index_executable_bit",
)
WORKER_ARGS = ("src_path", "dst_path", "data", "defaults", "unsafe", "quiet", "skip_tasks")
FILE_ARGS = ("self", "src_relpath", "dst_relpath", "extra_context")
QUESTION_ARGS = ("self", "value", "extra_answers")


def check_api() -> None:
    """Raise AttributeError naming each piece of copier's private API that is missing."""
    missing = [f"Worker.{name}" for name in WORKER_MEMBERS if not hasattr(Worker, name)]
    params = inspect.signature(Worker).parameters
    missing += [f"Worker({name}=)" for name in WORKER_ARGS if name not in params]
    if hasattr(Worker, "_render_file"):
        found = tuple(inspect.signature(Worker._render_file).parameters)
        if found != FILE_ARGS:
            missing.append(f"Worker._render_file{FILE_ARGS} (found {found})")
    if hasattr(Question, "render_value"):
        found = tuple(inspect.signature(Question.render_value).parameters)
        if found != QUESTION_ARGS:
            missing.append(f"Question.render_value{QUESTION_ARGS} (found {found})")
    else:
        missing.append("Question.render_value")
    for field in ("context", "jinja_env"):
        if field not in getattr(Question, "__dataclass_fields__", {}):
            missing.append(f"Question.{field}")
    loader = getattr(extension_loader, "TemplateExtensionLoader", None)
    if loader is None or not hasattr(loader, "_import_template_module"):
        missing.append("copier_template_extensions TemplateExtensionLoader._import_template_module")
    for module, name in (
        (copier_vcs, "is_git_bundle"),
        (copier_user_data, "parse_yaml_string"),
        (Phase, "RENDER"),
        (Phase, "current"),
    ):
        if not hasattr(module, name):
            missing.append(f"{module.__name__}.{name}")
    if missing:
        raise AttributeError("copier's private API changed: " + ", ".join(missing))


def install_fast_copier() -> None:
    """Make repeated in-process copier runs cheaper without changing what they produce.

    Only for the matrix's worker processes (never the test process itself). Each change keeps
    copier's behaviour for the matrix's inputs:
    - a folder is never a git bundle: skip copier's `git init` + `git bundle verify` probe;
    - Jinja compiles each distinct template source once per process (copier builds a new
      environment per run, with the same settings, and would compile every string again);
    - the git index sync per file is a documented no-op outside a git repository, and matrix
      destinations are never inside one: skip its `git` subprocess;
    - a question's templated text (default, help, choices, when, validator...) is rendered once
      per distinct value of the variables it references (found by Jinja's own parser); text
      that reads anything else (names the context hook derives, ``_copier_conf``, an include)
      is rendered every time; about 40% of a combination's time was questions;
    - the template's Jinja extension module (extensions/context.py, loaded by
      copier-template-extensions from a file path) is executed once per file and process, not
      twice per run (it loads and validates the catalog).
    """
    probe = copier_vcs.is_git_bundle
    copier_vcs.is_git_bundle = lambda path: Path(path).is_file() and probe(path)

    original = Environment.compile
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

    Environment.compile = compile_once
    Worker._sync_git_index_executable_bit = lambda self, rel, mode: None

    parse = copier_user_data.parse_yaml_string
    parsed: dict[str, Any] = {}

    def parse_once(string: str) -> Any:
        """A pure function of its text: parse each distinct choices/answer text once."""
        if string not in parsed:
            parsed[string] = parse(string)
        return copy.deepcopy(parsed[string])

    copier_user_data.parse_yaml_string = parse_once

    render_value = Question.render_value
    rendered: dict[tuple, Any] = {}
    referenced: dict[str, tuple[str, ...] | None] = {}

    def render_value_once(self, value, extra_answers=None):
        if not isinstance(value, str):
            return render_value(self, value, extra_answers)
        if "{" not in value and "\r" not in value:
            return value  # no Jinja syntax, nothing to normalize: renders to itself
        names = referenced.get(value, ())
        if names == ():
            tree = self.jinja_env.parse(value)
            unsafe = any(tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)))
            found = meta.find_undeclared_variables(tree)
            names = referenced[value] = None if unsafe else tuple(sorted(found))
        if names is None:
            return render_value(self, value, extra_answers)
        context = {**self.context, **(extra_answers or {})}
        values = []
        for name in names:
            if name in context and name != "_copier_conf":
                values.append(context[name])
            elif name in self.jinja_env.globals and name not in context:
                continue  # the catalog and helper functions: the same for every combination
            else:  # derived by the context hook, or copier's own configuration
                return render_value(self, value, extra_answers)
        try:
            key = (id(self.jinja_env.globals.get("catalog")), value, json.dumps(values))
        except TypeError:  # a value that is not plain data: no safe key
            return render_value(self, value, extra_answers)
        if key not in rendered:
            rendered[key] = render_value(self, value, extra_answers)
        return rendered[key]

    Question.render_value = render_value_once

    load_module = extension_loader.TemplateExtensionLoader._import_template_module
    modules: dict[tuple, Any] = {}

    def load_module_once(self, relative_path):
        searchpath = tuple(str(p) for p in self.environment.loader.searchpath)
        key = (searchpath, str(relative_path))
        if key not in modules:
            modules[key] = load_module(self, relative_path)
        return modules[key]

    extension_loader.TemplateExtensionLoader._import_template_module = load_module_once


_TEMPLATES: dict[str, Template] = {}
_FILE_VARS: dict[tuple[str, str], tuple[str, ...] | None] = {}
_MEMO: dict[tuple, tuple[str, int]] = {}
_BLOBS: dict[str, bytes] = {}
_PATH_VARS: dict[str, tuple[str, ...]] = {}
_PATHS: dict[tuple, list] = {}
_ENTRIES: dict[str, list[tuple[Path, Path, bool]] | None] = {}
_EXCLUDED: dict[tuple, bool] = {}


class ManifestWorker(Worker):
    """copier's Worker, recording a manifest instead of writing files.

    Everything copier decides (questions, validators, defaults, path names, exclusions, which
    files exist, the Jinja environment and context) is copier's own code. What changes:
    - one parsed Template per template folder and process (copier re-reads copier.yml per run);
    - during the render phase the answers are fixed, so the render context, the answers file
      path and each templated string are computed once per run;
    - a file's rendered content and a path's rendering are reused
      when every variable they reference (found by Jinja's own parser) has the same value;
      derived values (computed by extensions/context.py at render time) are compared by their
      rendered value; files that include other templates or read ``_copier_conf`` are always
      rendered;
    - copier's walk of the template folder is listed once per process, and each destination's
      exclusion decided once.
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
        """copier's walk of the template, from a listing made once per process: for each entry
        (in copier's own ``scantree`` order), its rendered destinations (memoized by
        :meth:`_render_path`), then copier's exclusions (memoized per destination and
        exclusion list), then the file. copier's own walk runs instead when the template has
        symlinks, templated exclusions, or a destination outside the project (copier raises)."""
        root = self.template_copy_root
        exclusions = (str(_operation.get()), *self.all_exclusions)
        if self.template.preserve_symlinks or any("{" in e for e in exclusions):
            super()._render_template()
            return
        entries = _ENTRIES.get(str(root))
        if entries is None:
            entries = []
            for entry in scantree(str(root), True):
                if entry.is_symlink():
                    entries = None
                    break
                path = Path(entry.path)
                entries.append(
                    (
                        path.relative_to(root),
                        path.relative_to(self.template.local_abspath),
                        entry.is_dir(),
                    )
                )
            _ENTRIES[str(root)] = entries
        if entries is None:
            super()._render_template()
            return
        for copy_relpath, src_relpath, is_dir in entries:
            for dst_relpath, ctx in self._render_path(copy_relpath):
                if dst_relpath.is_absolute() or ".." in dst_relpath.parts:
                    super()._render_template()  # copier raises ForbiddenPathError
                    return
                key = (exclusions, dst_relpath.as_posix())
                excluded = _EXCLUDED.get(key)
                if excluded is None:
                    excluded = _EXCLUDED[key] = bool(self.match_exclude(dst_relpath))
                if excluded or is_dir:
                    continue  # folders: the manifest records files only
                self._render_file(src_relpath, dst_relpath, extra_context=ctx or {})

    def _render_file(self, src_relpath: Path, dst_relpath: Path, extra_context=None) -> None:
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


def render(combos: list[dict], src: Path, workers: int) -> tuple[list[Manifest], dict[str, bytes]]:
    """Every combination's manifest, over a process pool of fast workers."""
    jobs = [(str(src), answers) for answers in combos]
    chunk = max(1, min(32, len(jobs) // (workers * 4)))
    manifests: list[Manifest] = []
    blobs: dict[str, bytes] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=install_fast_copier) as pool:
        for manifest, fresh in pool.map(_manifest_job, jobs, chunksize=chunk):
            manifests.append(manifest)
            blobs.update(fresh)
    return manifests, blobs
