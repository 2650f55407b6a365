"""Matrix benchmark: render and statically validate every combination, and project the
planned matrix (every catalogued tool implemented) from a measured sample.

Prints combinations per minute, distinct files checked, and wall times on this machine;
nothing is asserted.

    uv run python benchmarks/matrix.py [--sample 96] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extensions.catalog import Catalog  # noqa: E402
from matrix import (  # noqa: E402
    combinations,
    default_tools,
    folder_snapshot,
    render_manifests,
    validate,
)


def run(combos: list[dict], src: Path, workers: int) -> tuple[float, float, object]:
    start = time.perf_counter()
    matrix = render_manifests(combos, src, workers)
    rendered = time.perf_counter() - start
    ruff, actionlint = default_tools()
    report = validate(matrix, ruff, actionlint)
    total = time.perf_counter() - start
    return rendered, total, report


def planned_snapshot(base: Path) -> tuple[Path, Catalog]:
    """A template copy whose catalog marks every tool implemented: the matrix's planned size."""
    dst = Path(tempfile.mkdtemp(prefix="bench-planned-")) / "template"
    shutil.copytree(base, dst)
    path = dst / "extensions" / "catalog.yaml"
    data = yaml.safe_load(path.read_text())
    for layer in data["layers"]:
        for tool in layer["tools"]:
            tool["status"] = "implemented"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return dst, Catalog.model_validate(data)


def cli_copy_seconds(src: Path, n: int = 3) -> float:
    start = time.perf_counter()
    for _ in range(n):
        dst = Path(tempfile.mkdtemp(prefix="bench-cli-")) / "p"
        flags = ["-q", "--trust", "--defaults"]
        subprocess.run(
            [sys.executable, "-m", "copier", "copy", *flags, str(src), str(dst)],
            check=True,
            capture_output=True,
        )
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=600, help="planned-matrix sample size")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    from tests.conftest import CATALOG

    src = folder_snapshot(Path(tempfile.mkdtemp(prefix="bench-tpl-")) / "template")
    combos = combinations(CATALOG)
    rendered, total, report = run(combos, src, args.workers)
    print(
        f"implemented matrix: {len(combos)} combinations, {report.files} files, "
        f"{report.distinct} distinct checked, {len(report.failures)} failures"
    )
    print(
        f"  render {rendered:.1f} s, render+validate {total:.1f} s "
        f"({len(combos) / total * 60:.0f} combinations/min, {args.workers} workers)"
    )

    planned_src, planned = planned_snapshot(src)
    all_combos = combinations(planned)
    sample = random.Random(11).sample(all_combos, k=min(args.sample, len(all_combos)))
    rendered, total, report = run(sample, planned_src, args.workers)
    per_combo = total / len(sample)
    print(
        f"planned matrix: {len(all_combos)} combinations; sample of {len(sample)}: "
        f"{report.files} files, {report.distinct} distinct checked"
    )
    print(
        f"  sample render {rendered:.1f} s, render+validate {total:.1f} s "
        f"({len(sample) / total * 60:.0f} combinations/min)"
    )
    print(
        f"  projected whole planned matrix: {per_combo * len(all_combos) / 60:.1f} min "
        f"on {args.workers} workers (target: 10 min)"
    )
    cli = cli_copy_seconds(src)
    print(
        f"  for scale: one `copier copy` CLI per combination costs {cli:.2f} s, "
        f"{cli * len(all_combos) / 3600:.1f} h for the planned matrix on one core"
    )


if __name__ == "__main__":
    main()
