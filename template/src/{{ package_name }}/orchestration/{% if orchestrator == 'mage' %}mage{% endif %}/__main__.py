"""``python -m <package>.orchestration.mage``: Mage's environment and one pipeline run.

setup        create or update Mage's own environment (.venv-mage) from requirements.txt
run          the daily_platform pipeline once through `mage run` (a recorded pipeline run)
run --retry  the failed blocks of the last failed run again, and only those
"""

from __future__ import annotations

import argparse
import sys

from ...config import load_config
from . import ensure_environment, orchestrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.mage", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create or update .venv-mage")
    run = commands.add_parser("run", help="the pipeline once through `mage run`")
    run.add_argument("--retry", action="store_true", help="the last failed run's failed blocks")
    args = parser.parse_args(argv)
    if args.command == "setup":  # needs no stack config (an image build has no .env)
        print(f"Mage's environment: {ensure_environment().parent}")
        return 0
    cfg = load_config()
    cfg.apply_runtime_env()
    return orchestrate(cfg, retry=args.retry)


if __name__ == "__main__":
    sys.exit(main())
