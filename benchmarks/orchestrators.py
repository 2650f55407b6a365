"""Orchestrator benchmark: the whole pipeline through each orchestrator vs ``platform run``.

For each implemented orchestrator that runs on this machine (from the tool catalog), renders the
default platform with that orchestrator into a temporary folder, installs it with uv, generates
the sample sources once, then on the same data, each from a fresh lake, warehouse and
orchestrator state:

    plain        platform run           (no orchestrator: the pipeline steps in one process)
    orchestrated platform orchestrate   (the orchestrator's own runner, a recorded run: Dagster
                                         execute_in_process on its instance, a Prefect flow run
                                         on a temporary local API, `mage run` in Mage's env...)

It prints per orchestrator the wall time and the peak memory of each, and the ratios. Peak
memory is the largest sum of resident memory over the whole process tree (servers and
subprocesses an orchestrator starts included), sampled every 0.1 s from /proc (Linux). The
orchestrator's own one-off set-up (Mage's separate environment) is done before timing. Figures
are printed, never asserted.

    uv run python benchmarks/orchestrators.py [--scale-factor 0.1] [--only dagster] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from render import CATALOG, copier_copy_cli  # benchmarks/render.py, beside this script

from matrix import default_answers

ROOT = Path(__file__).resolve().parents[1]
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
# One-off set-up an orchestrator needs before its first run (not timed).
SETUP = {"mage": ["python", "-m", "acme_data_platform.orchestration.mage", "setup"]}


@dataclass
class Measured:
    seconds: float
    peak_mb: float


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB."""
    tree, total, unvisited = _children(), 0, [pid]
    while unvisited:
        current = unvisited.pop()
        unvisited.extend(tree.get(current, []))
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total / 1024


def run_measured(command: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run ``command``; its wall time and the peak memory of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(child.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if child.returncode:
        text = out.decode("utf-8", "replace")
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{text[-4000:]}")
    return Measured(seconds, peak)


def reset(project: Path, answers: dict) -> None:
    """A fresh lake, warehouse, dbt output and orchestrator state; the sources are kept."""
    state = [
        path
        for _, tool in CATALOG.selected(answers)
        for path in tool.state_paths
        if not path.startswith(".venv")
    ]
    data = [f"data/{p.name}" for p in (project / "data").iterdir() if p.name != "sources"]
    for folder in (*data, ".dlt", "transform/target", *state):
        target = project / folder
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink()


def orchestrators() -> list[str]:
    layer = CATALOG.layer("orchestration")
    return [t.id for t in layer.tools if t.implemented and t.runs_locally]


def bench(tool: str, folder: Path, env: dict[str, str], scale_factor: float) -> dict:
    answers = {**default_answers(CATALOG), "orchestrator": tool}
    project = folder / tool
    # As `uv run` does: the project's environment first on PATH.
    env = {**env, "PATH": os.pathsep.join([str(project / ".venv" / "bin"), env["PATH"]])}
    started = time.perf_counter()
    copier_copy_cli(str(ROOT), project, "--data", f"orchestrator={tool}")
    subprocess.run(["uv", "sync", "-q"], cwd=project, env=env, check=True)
    bin_dir = project / ".venv" / "bin"
    if tool in SETUP:
        command = [str(bin_dir / SETUP[tool][0]), *SETUP[tool][1:]]
        subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    platform = str(bin_dir / "platform")
    generate = [platform, "generate", "--scale-factor", str(scale_factor)]
    subprocess.run(generate, cwd=project, env=env, check=True, capture_output=True)
    print(
        f"{tool}: rendered, installed, sources generated in {time.perf_counter() - started:.0f} s"
    )
    results = {}
    for name, command in (("plain", ["run"]), ("orchestrated", ["orchestrate"])):
        reset(project, answers)
        results[name] = run_measured([platform, *command], project, env)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale-factor", type=float, default=0.1)
    parser.add_argument("--only", action="append", choices=orchestrators())
    parser.add_argument("--keep", action="store_true", help="keep the rendered projects")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-orchestrators-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PLATFORM_"))}
    env["UV_COMPILE_BYTECODE"] = "1"
    try:
        results = {
            tool: bench(tool, folder, env, args.scale_factor)
            for tool in args.only or orchestrators()
        }
        print(f"\n=== SF {args.scale_factor:g}: wall s and peak MB (whole process tree) ===")
        print(
            f"{'':<10}{'run s':>8}{'orch s':>8}{'ratio':>8}{'run MB':>9}{'orch MB':>9}{'ratio':>8}"
        )
        for tool, measured in results.items():
            plain, orch = measured["plain"], measured["orchestrated"]
            print(
                f"{tool:<10}{plain.seconds:>8.1f}{orch.seconds:>8.1f}"
                f"{orch.seconds / plain.seconds:>7.2f}x{plain.peak_mb:>9,.0f}"
                f"{orch.peak_mb:>9,.0f}{orch.peak_mb / plain.peak_mb:>7.2f}x"
            )
        print("run: `platform run` (no orchestrator); orch: `platform orchestrate`")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
