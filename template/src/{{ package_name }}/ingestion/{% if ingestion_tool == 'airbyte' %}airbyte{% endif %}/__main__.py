"""``python -m <package>.ingestion.airbyte setup``: create or update Airbyte's own environment
(``.venv-airbyte``) from ``requirements.txt`` (the compose image runs it, so a container never
installs at start; the first ingest does it otherwise)."""

from __future__ import annotations

import argparse

from . import ensure_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.airbyte", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create or update .venv-airbyte")
    parser.parse_args(argv)
    print(f"Airbyte's environment: {ensure_environment().parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
