"""What every block of this Mage project calls: one ``platform`` command of the project, run in
the project's own environment (``.venv``), never in Mage's (``.venv-mage``).

Mage's pins (pyarrow, click) never meet the platform's libraries: a block is a process
boundary. The command's output goes to the block's log; a non-zero exit fails the block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# project/utils/platform_step.py -> project -> mage -> orchestration -> package -> src -> root
HERE = Path(__file__).resolve()
PACKAGE = HERE.parents[4].name
PROJECT_ROOT = HERE.parents[6]


class PlatformStepFailed(RuntimeError):
    """A platform command exited non-zero: the block fails with its output's last lines."""


def run_platform(*args: str) -> dict[str, object]:
    """``platform ARGS`` in the project's environment; returns its command and output lines."""
    python = os.environ.get("PLATFORM_PYTHON") or str(PROJECT_ROOT / ".venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    command = [python, "-m", f"{PACKAGE}.cli", *args]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    output = (done.stdout + done.stderr).splitlines()
    for line in output:
        print(line, file=sys.stderr if done.returncode else sys.stdout)
    if done.returncode != 0:
        tail = "\n".join(output[-20:])
        raise PlatformStepFailed(f"platform {' '.join(args)} exited {done.returncode}:\n{tail}")
    return {"command": f"platform {' '.join(args)}", "lines": len(output)}
