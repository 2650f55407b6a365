"""``python -m <package>.dashboards.preset setup``: create or update preset-cli's own
environment (``.venv-preset``; the compose image runs it at build time, with no stack config)."""

from __future__ import annotations

import argparse
import sys

from . import ensure_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}")
    parser.add_argument("action", choices=["setup"])
    parser.parse_args(argv)
    print(f"preset-cli's environment: {ensure_environment().parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
