"""CI's budget rests on `--dist loadgroup` (the Makefile's `make test`): each e2e cell and the
matrix are an `xdist_group`, built once on one worker. A pytest/xdist pair that stops honouring
the mark runs silently, every worker building every group's fixtures again (pytest 9 with
pytest-xdist 3.8 did: CI took about twice as long). This runs the same command on a small suite
and fails when a group's module fixture is built on more than one worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SUITE = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("one")


@pytest.fixture(scope="module")
def built():
    with open(os.environ["BUILT_LOG"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")


@pytest.mark.parametrize("i", range(6))
def test_grouped(built, i):
    pass


@pytest.mark.parametrize("i", range(6))
def test_free(i):
    pass
"""


def test_xdist_loadgroup_builds_a_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_suite.py").write_text(SUITE)
    log = tmp_path / "built.log"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"),
            *("--dist", "loadgroup", "--rootdir", str(tmp_path), str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "BUILT_LOG": str(log)},
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    workers = log.read_text().split()
    assert len(workers) == 1, f"the group's fixture was built on {workers}: loadgroup is broken"
