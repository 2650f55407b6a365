"""Local twins (catalog ``twin``): the servers that stand in for a cloud tool on 127.0.0.1.

Started from a rendered project (the twin's command comes from that project's own ``.venv``)
on a free port; used by the end-to-end tests and the benchmarks alike.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from extensions.catalog import Catalog, Twin


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def executable(spec: Twin, project: Path) -> str:
    """The twin's command: from the project's `.venv`, or from its npm package, installed into
    the project's `.twins/` (where the project's own tests look for it) with the npm cache of
    the user running the tests, so a throwaway HOME stays empty."""
    if not spec.npm:
        return str(project / ".venv" / "bin" / spec.command[0])
    prefix = project / ".twins"
    found = prefix / "node_modules" / ".bin" / spec.command[0]
    if not found.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"{spec.npm}: npm not found (install node)")
        cache = os.environ.get("NPM_CONFIG_CACHE") or str(Path.home() / ".npm")
        done = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-save",
                "--no-audit",
                "--no-fund",
                spec.npm,
            ],
            env={**os.environ, "NPM_CONFIG_CACHE": cache},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm install {spec.npm} failed: {done.stderr[-2000:]}")
    return str(found)


@contextmanager
def twin(spec: Twin, project: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """One local twin, run from the project root with the project's own environment; yields
    the environment that points the platform at it. Stopped (and waited for) on exit."""
    port = free_port()
    command = [part.format(port=port) for part in spec.command]
    command[0] = executable(spec, project)
    twin_env = {key: value.format(port=port) for key, value in spec.env.items()}
    log = project.parent / f"twin-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=project, env={**env, **twin_env}, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                said = log.read_text(errors="replace")
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{command} exited with {process.returncode}: {said}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command} did not listen within 60 s: {said}") from None
                time.sleep(0.2)
        yield twin_env
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def twins(
    catalog: Catalog, answers: dict, project: Path, env: dict[str, str]
) -> Iterator[dict[str, str]]:
    """The twins of every chosen tool that has one (a lake, a warehouse) and the environment
    that points the platform at them; nothing for tools that need no server."""
    with ExitStack() as stack:
        twin_env: dict[str, str] = {}
        for _, tool in catalog.selected(answers):
            if tool.twin is not None:
                twin_env.update(stack.enter_context(twin(tool.twin, project, env)))
        yield twin_env
