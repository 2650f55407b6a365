"""Create the project's git-ignored ``.env`` from ``.env.example`` (copier task and `make setup`).

Standalone on purpose: copier runs it with its own Python before the project is installed.

- No ``.env`` yet: it is written with every variable of ``.env.example``; a ``<generate>`` value
  becomes a fresh random password, made here on the user's machine and written only to ``.env``.
- ``.env`` exists: a value in it is never changed. Only what the platform cannot run without is
  appended when missing: a ``<generate>`` secret, and a variable without a default (left blank
  for the user to fill). A variable with a default that the user deleted stays deleted: the
  platform reads that default from ``.env.example`` (telemetry stays off).

Every appended variable is printed, one line each; a secret's value never is. Idempotent (copier
runs tasks on every copy and three times per update). Touches nothing outside the destination.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

# The .env grammar of src/<package>/config/env.py (ENV_LINE, parse_dotenv), copied because this
# script runs before the package is installed; the platform's tests hold the two together.
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
GENERATE = "<generate>"
HEADER = "# Local settings and generated secrets. Git-ignored: never commit this file."


def parse(text: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` lines (``export``, quotes and ``#`` comments allowed)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENV_LINE.match(line)
        if match is None:
            continue
        key, raw = match.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            value = raw[1:-1]
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        values[key] = value
    return values


def to_add(wanted: dict[str, str], existing: dict[str, str] | None) -> dict[str, str]:
    """The variables of ``.env.example`` to write (``existing`` is None when there is no .env)."""
    if existing is None:
        return dict(wanted)
    return {
        name: value
        for name, value in wanted.items()
        if name not in existing and value in (GENERATE, "")
    }


def main(destination: str) -> int:
    root = Path(destination).resolve()
    example, env = root / ".env.example", root / ".env"
    if not example.is_file():
        return 0
    wanted = parse(example.read_text(encoding="utf-8"))
    previous = env.read_text(encoding="utf-8") if env.is_file() else None
    missing = to_add(wanted, None if previous is None else parse(previous))
    if not missing:
        return 0
    lines = [HEADER] if previous is None else []
    for name, value in missing.items():
        if value == GENERATE:
            lines.append(f"{name}={secrets.token_urlsafe(24)}")
            shown = "<generated secret>"
        else:
            lines.append(f"{name}={value}")
            shown = value if value else "(blank: set it)"
        print(f".env: {'wrote' if previous is None else 'added'} {name}={shown}")
    text = previous or ""
    if text and not text.endswith("\n"):
        text += "\n"
    env.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(env, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
