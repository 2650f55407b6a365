"""Render combinations into in-memory manifests (relative path -> (content hash, mode)).

Two renderers give the same bytes:
- ``fast`` (the default, :mod:`matrix.fast`): copier's own ``Worker`` in worker processes,
  memoizing only what cannot change the output; built on copier's private API;
- ``copier``: plain ``copier.run_copy``, one real copy per combination into a temporary
  folder, read back into the same manifest format. Slower, and public API only.

``MATRIX_RENDERER=copier`` picks the second; the fast renderer also falls back to it by itself
(with one warning) when copier's private API is not what it expects, so a copier upgrade can
slow the matrix down but never block it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from copier import run_copy

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
RENDERERS = ("fast", "copier")
# Raised when a copier upgrade moved the private API the fast renderer stands on (at import, by
# fast.check_api, or on a call). A template bug raising one of these falls back too, and then
# fails the same way under run_copy: slower, never hidden.
PRIVATE_API_ERRORS = (ImportError, AttributeError, TypeError)
Manifest = dict[str, tuple[str, int]]
_warned = False


@dataclass
class Matrix:
    combos: list[dict]
    manifests: list[Manifest]
    blobs: dict[str, bytes]


def folder_snapshot(dst: Path) -> Path:
    """The template's files (as in this checkout) in a plain folder: copier renders it without
    cloning, which is what makes per-combination rendering cheap."""
    shutil.copytree(
        TEMPLATE_ROOT,
        dst,
        ignore=shutil.ignore_patterns(".git", ".venv", "demo", "build", "__pycache__", ".*cache"),
    )
    return dst


def render_manifests(
    combos: list[dict], src: Path, workers: int | None = None, renderer: str | None = None
) -> Matrix:
    """Render every combination into manifests, over a process pool.

    ``renderer``: ``fast`` or ``copier`` (default: ``$MATRIX_RENDERER``, else ``fast``).
    """
    chosen = renderer or os.environ.get("MATRIX_RENDERER") or "fast"
    if chosen not in RENDERERS:
        raise ValueError(f"MATRIX_RENDERER={chosen!r}: expected one of {', '.join(RENDERERS)}")
    workers = max(1, min(workers or os.cpu_count() or 1, len(combos)))
    if chosen == "fast":
        try:
            from . import fast

            fast.check_api()
            manifests, blobs = fast.render(combos, src, workers)
            return Matrix(combos, manifests, blobs)
        except PRIVATE_API_ERRORS as exc:
            _warn_fallback(exc)
    manifests, blobs = _render_with_run_copy(combos, src, workers)
    return Matrix(combos, manifests, blobs)


def _warn_fallback(exc: BaseException) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            f"matrix: the fast renderer failed on copier's private API ({type(exc).__name__}: "
            f"{exc}); rendering with copier.run_copy instead (slower, same files). "
            "Set MATRIX_RENDERER=copier to choose it and silence this warning.",
            RuntimeWarning,
            stacklevel=3,
        )


def _run_copy_job(args: tuple[str, dict]) -> tuple[Manifest, dict[str, bytes]]:
    src, answers = args
    with tempfile.TemporaryDirectory(prefix="matrix-copy-") as tmp:
        dst = Path(tmp) / "project"
        # skip_tasks: like the fast renderer (the only task writes the git-ignored .env)
        run_copy(
            src, str(dst), data=answers, defaults=True, unsafe=True, quiet=True, skip_tasks=True
        )
        return read_tree(dst)


def _render_with_run_copy(
    combos: list[dict], src: Path, workers: int
) -> tuple[list[Manifest], dict[str, bytes]]:
    jobs = [(str(src), answers) for answers in combos]
    manifests: list[Manifest] = []
    blobs: dict[str, bytes] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for manifest, found in pool.map(_run_copy_job, jobs):
            manifests.append(manifest)
            blobs.update(found)
    return manifests, blobs


def project_files(root: Path) -> list[Path]:
    """A project's files, outside its git repository (if it has one)."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts[:-1]
    )


def read_tree(root: Path, ignore: tuple[str, ...] = ()) -> tuple[Manifest, dict[str, bytes]]:
    """A project on disk as a manifest plus its blobs (content hash -> bytes)."""
    manifest: Manifest = {}
    blobs: dict[str, bytes] = {}
    for path in project_files(root):
        rel = path.relative_to(root).as_posix()
        if rel in ignore:
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        blobs.setdefault(digest, data)
        manifest[rel] = (digest, path.stat().st_mode & 0o777)
    return manifest, blobs
