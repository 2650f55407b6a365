"""The ``${VAR}`` engine: ``.env`` files and variable references in the stack config.

String values of ``config/stack_config.yaml`` may reference environment variables as ``${VAR}``
or ``${VAR:-default}`` (``$${`` escapes a literal ``${``); they are resolved from the process
environment and the project's git-ignored ``.env`` (``.env`` never overrides a variable that is
already set). ``scripts/make_env.py`` reads ``.env`` with the same grammar (a test holds the two
together).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

VAR_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# One .env line: optional `export`, KEY, `=`, value (quoted, or bare with an optional # comment).
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


class ConfigError(Exception):
    """The stack configuration cannot be used; the message says where and how to fix it."""


def parse_dotenv(text: str) -> dict[str, str]:
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


def load_dotenv(root: Path) -> dict[str, str]:
    env_file = root / ".env"
    if not env_file.is_file():
        return {}
    return parse_dotenv(env_file.read_text(encoding="utf-8"))


def key_path(parts: tuple[Any, ...]) -> str:
    """``platform.storage.data_lake.config.path`` (``[i]`` for list items)."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"


def walk(node: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield parts, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*parts, index))


def interpolate(value: str, env: Mapping[str, str], where: str) -> str:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in ``value``; ``where`` prefixes errors."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name, default = match.group(1), match.group(2)
        if env.get(name):
            return env[name]
        if default is not None:
            return default
        raise ConfigError(f"{where}: {name} is not set (see .env.example)")

    return VAR_PATTERN.sub(replace, value)


def interpolate_tree(
    node: Any, env: Mapping[str, str], file_label: str, parts: tuple[Any, ...] = ()
) -> Any:
    """Interpolate every string of a parsed YAML tree; errors name the file and key path."""
    if isinstance(node, str):
        return interpolate(node, env, f"{file_label}: {key_path(parts)}")
    if isinstance(node, Mapping):
        return {k: interpolate_tree(v, env, file_label, (*parts, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v, env, file_label, (*parts, i)) for i, v in enumerate(node)]
    return node


def variables_in(tree: Any) -> dict[str, tuple[str, str | None]]:
    """Variables a parsed YAML tree references: ``{name: (key path, default or None)}``."""
    found: dict[str, tuple[str, str | None]] = {}
    for parts, node in walk(tree):
        if isinstance(node, str):
            for match in VAR_PATTERN.finditer(node):
                if match.group(1):
                    found.setdefault(match.group(1), (key_path(parts), match.group(2)))
    return found
