"""``python -m <package>.dashboards.superset setup``: create or update Superset's own
environment (``.venv-superset``; the compose image runs it at build time, with no stack config).
``python -m <package>.dashboards.superset serve [--host H] [--port P]``: publish the
dashboards, then serve Superset's UI with gunicorn from its own environment (what the compose
service runs)."""

from __future__ import annotations

import argparse
import os
import sys

from ...config import load_config
from . import _env, ensure_environment, initialize, publish


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}")
    parser.add_argument("action", choices=["setup", "serve"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args(argv)
    if args.action == "setup":  # needs no stack config (an image build has no .env)
        print(f"Superset's environment: {ensure_environment().parent}")
        return 0
    cfg = load_config()
    print(publish(cfg), flush=True)
    gunicorn = str(initialize(cfg) / "gunicorn")
    command = [gunicorn, "--workers", "2", "--timeout", "120"]
    command += ["--bind", f"{args.host}:{args.port}", "superset.app:create_app()"]
    os.execve(gunicorn, command, _env(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
