"""Render benchmark: `copier copy` of the default platform vs a plain-Jinja render (the floor).

Prints, from one run on this machine: files rendered, copier's wall time (in-process and as the
CLI a user runs), time per rendered file, and the ratio to rendering the same files with plain
Jinja2 and the same context. Figures are printed, never asserted.

    uv run python benchmarks/render.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import yaml
from copier import run_copy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extensions.context import CATALOG, derive  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def copier_copy(src: str, vcs_ref: str | None) -> Path:
    dst = Path(tempfile.mkdtemp(prefix="bench-copier-"))
    run_copy(src, str(dst / "p"), defaults=True, unsafe=True, vcs_ref=vcs_ref, quiet=True)
    return dst


def copier_copy_cli(src: str, dst: Path, *extra: str) -> None:
    """`copier copy` as a user runs it (the CLI, defaults, HEAD of the template)."""
    flags = ["-q", "--trust", "--defaults", "--vcs-ref", "HEAD", *extra]
    subprocess.run(
        [sys.executable, "-m", "copier", "copy", *flags, src, str(dst)],
        check=True,
        capture_output=True,
    )


def copier_cli(src: str) -> Path:
    dst = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    copier_copy_cli(src, dst / "p")
    return dst


def plain_render(context: dict, dst: Path) -> int:
    """Render template/ with bare Jinja2: the same files and context, none of copier's work."""
    src = ROOT / "template"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(src), keep_trailing_newline=True)
    env.filters["to_json"] = json.dumps
    env.filters["to_nice_yaml"] = lambda value: yaml.safe_dump(value, default_flow_style=False)
    count = 0
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        name = env.from_string(rel).render(context)
        if not name or name.endswith("/") or "//" in name or name.startswith("/"):
            continue
        out = dst / name.removesuffix(".jinja")
        out.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".jinja"):
            out.write_text(env.get_template(rel).render(context))
        else:
            shutil.copyfile(path, out)
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    snapshot = Path(tempfile.mkdtemp(prefix="bench-tpl-")) / "t"
    shutil.copytree(ROOT, snapshot, ignore=shutil.ignore_patterns(".git", ".venv", "demo"))

    first = copier_copy(str(ROOT), "HEAD")
    project = first / "p"
    files = [p for p in project.rglob("*") if p.is_file()]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    context = {k: v for k, v in answers.items() if not k.startswith("_")}
    context.update(project_slug="acme-data-platform", package_name="acme_data_platform")
    context.update(derive(context), catalog=CATALOG, _copier_answers=answers)
    context["_copier_conf"] = {"answers_file": ".copier-answers.yml"}

    git_runs = timed(lambda: copier_copy(str(ROOT), "HEAD"), args.repeat)
    dir_runs = timed(lambda: copier_copy(str(snapshot), None), args.repeat)
    cli_runs = timed(lambda: copier_cli(str(ROOT)), max(1, args.repeat // 2))
    plain_dir = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    plain_count = plain_render(context, plain_dir / "warmup")
    plain_runs = timed(lambda: plain_render(context, Path(tempfile.mkdtemp())), args.repeat)

    n = len(files)
    med = statistics.median
    floor = med(plain_runs)
    rows = [
        ("copier copy, in-process, from git (HEAD)", med(git_runs)),
        ("copier copy, in-process, from a folder", med(dir_runs)),
        ("copier copy CLI (a user's command)", med(cli_runs)),
        ("plain Jinja2, same files + context (floor)", floor),
    ]
    print(f"default platform: {n} files rendered by copier, {plain_count} by plain Jinja2")
    print(f"{'render':46} {'median s':>9} {'ms/file':>8} {'x floor':>8}")
    for label, secs in rows:
        print(f"{label:46} {secs:9.3f} {secs / n * 1000:8.1f} {secs / floor:8.1f}")


if __name__ == "__main__":
    main()
