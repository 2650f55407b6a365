"""Copier `_migrations` steps between template versions (run inside the rendered project).

Each operation is idempotent (copier may run a step again) and touches only the project:

    migrate.py rename-answer OLD NEW   rename a key in .copier-answers.yml, keeping its value
    migrate.py move OLD NEW            move a file or folder the user may have edited

copier.yml wires a step like this (runs before the update computes the new render):

    _migrations:
      - version: v0.3.0
        when: "{{ _stage == 'before' }}"
        command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/migrate.py",
                  "rename-answer", "old_name", "new_name"]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ANSWERS = Path(".copier-answers.yml")


def rename_answer(old: str, new: str, root: Path) -> str:
    path = root / ANSWERS
    answers = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if old not in answers:
        return f"{ANSWERS}: no answer {old!r} (already migrated)"
    value = answers.pop(old)
    answers.setdefault(new, value)
    path.write_text(yaml.safe_dump(answers, sort_keys=True), encoding="utf-8")
    return f"{ANSWERS}: {old} -> {new}"


def move(old: str, new: str, root: Path) -> str:
    source, target = (root / old).resolve(), (root / new).resolve()
    for path in (source, target):
        if not path.is_relative_to(root.resolve()):
            raise SystemExit(f"migrate: {path} is outside the project; refusing")
    if not source.exists():
        return f"{old}: nothing to move (already migrated)"
    if target.exists():
        raise SystemExit(f"migrate: both {old} and {new} exist; merge them by hand, then update")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, target)
    return f"{old} -> {new}"


def main(argv: list[str]) -> int:
    operations = {"rename-answer": rename_answer, "move": move}
    if len(argv) != 3 or argv[0] not in operations:
        print(__doc__, file=sys.stderr)
        return 2
    print("migrate:", operations[argv[0]](argv[1], argv[2], Path.cwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
