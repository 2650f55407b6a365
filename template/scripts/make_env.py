"""Copier task: create the project's git-ignored ``.env`` from ``.env.example``.

Idempotent (copier runs tasks on every copy and three times per update): a variable already in
``.env`` is never changed; new variables from ``.env.example`` are appended. A variable whose
example value is ``<generate>`` gets a fresh random password, generated here on the user's
machine and never written anywhere but ``.env``. Touches nothing outside the destination.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

_LINE = re.compile(r"^\s*([A-Z][A-Z0-9_]*)=(.*)$")
GENERATE = "<generate>"


def parse(text: str) -> dict[str, str]:
    return {m[1]: m[2] for line in text.splitlines() if (m := _LINE.match(line))}


def main(destination: str) -> int:
    root = Path(destination).resolve()
    example, env = root / ".env.example", root / ".env"
    if not example.is_file():
        return 0
    wanted = parse(example.read_text(encoding="utf-8"))
    existing = parse(env.read_text(encoding="utf-8")) if env.is_file() else {}
    missing = {k: v for k, v in wanted.items() if k not in existing}
    if not missing:
        return 0
    header = "# Local settings and generated secrets. Git-ignored: never commit this file."
    lines = [] if env.is_file() else [header]
    for name, value in missing.items():
        lines.append(f"{name}={secrets.token_urlsafe(24) if value == GENERATE else value}")
    previous = env.read_text(encoding="utf-8") if env.is_file() else ""
    if previous and not previous.endswith("\n"):
        previous += "\n"
    env.write_text(previous + "\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(env, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
