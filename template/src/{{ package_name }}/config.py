"""Load and validate ``config/stack_config.yaml``.

The file names the tool of every layer and how to reach it. String values may reference
environment variables as ``${VAR}`` or ``${VAR:-default}`` (``$${`` escapes a literal ``${``);
they are resolved from the process environment and the project's git-ignored ``.env``
(``.env`` never overrides a variable that is already set). Every error is a ``ConfigError``
whose message names the file, the key path and the fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_ENV_VAR = "PLATFORM_CONFIG"
CONFIG_RELATIVE_PATH = Path("config") / "stack_config.yaml"

_VAR_PATTERN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    """The stack configuration cannot be used; the message says where and how to fix it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FilesSourceConfig(_Strict):
    path: str = Field(min_length=1)


class DatabaseSourceConfig(_Strict):
    url: str

    @field_validator("url")
    @classmethod
    def _sqlite_only(cls, value: str) -> str:
        if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
            raise ValueError(
                "only sqlite URLs are supported by the bundled ingestion "
                "(e.g. sqlite:///data/sources/shop.sqlite)"
            )
        return value


class ApiSourceConfig(_Strict):
    base_url: str = Field(min_length=1)
    page_size: int = Field(default=5000, gt=0, le=10_000)

    @field_validator("base_url")
    @classmethod
    def _http_or_sample(cls, value: str) -> str:
        if value != "sample" and not value.startswith(("http://", "https://")):
            raise ValueError('use "sample" (the bundled sample API) or an http(s):// URL')
        return value.rstrip("/")


class SourcesConfig(_Strict):
    files: FilesSourceConfig
    database: DatabaseSourceConfig
    api: ApiSourceConfig


class SampleConfig(_Strict):
    seed: int = 42
    scale_factor: float = Field(default=0.01, gt=0, le=100)


class IngestionSettings(_Strict):
    sources: SourcesConfig
    sample: SampleConfig = SampleConfig()


class IngestionConfig(_Strict):
    tool: Literal["dlt"]
    config: IngestionSettings


class OrchestratorSettings(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    scheduler: bool = True
    schedule: str = "0 6 * * *"
    retention_days: int = Field(default=30, gt=0)
    port: int | None = Field(default=None, ge=1024, le=65535)

    @field_validator("schedule")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(
                f'"{value}" is not a 5-field cron expression (minute hour day month weekday)'
            )
        return value


class OrchestratorConfig(_Strict):
    tool: str = Field(min_length=1)
    config: OrchestratorSettings = OrchestratorSettings()


class LocalLakeSettings(_Strict):
    path: str = Field(min_length=1)


class DataLakeConfig(_Strict):
    provider: Literal["local"]
    config: LocalLakeSettings


class DuckDBSettings(_Strict):
    path: str = Field(min_length=1)
    database: str = "analytics"

    @field_validator("path")
    @classmethod
    def _duckdb_file(cls, value: str) -> str:
        if not value.endswith(".duckdb"):
            raise ValueError("use a file name ending in .duckdb")
        return value


class DataWarehouseConfig(_Strict):
    provider: Literal["duckdb"]
    config: DuckDBSettings


class StorageConfig(_Strict):
    data_lake: DataLakeConfig
    data_warehouse: DataWarehouseConfig


class DbtSettings(_Strict):
    project_dir: str = "transform"
    profiles_dir: str = "transform"
    target: str = "dev"


class ProcessingConfig(_Strict):
    tool: Literal["dbt"]
    config: DbtSettings = DbtSettings()


class VisualizationConfig(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    tool: str = "none"


class PlatformConfig(_Strict):
    name: str = Field(min_length=1)
    ingestion: IngestionConfig
    orchestrator: OrchestratorConfig
    storage: StorageConfig
    processing: ProcessingConfig
    marts: list[str] = Field(min_length=1)
    visualization: VisualizationConfig = VisualizationConfig()

    @field_validator("marts")
    @classmethod
    def _mart_names(cls, value: list[str]) -> list[str]:
        for mart in value:
            if not _IDENTIFIER.match(mart):
                raise ValueError(f'"{mart}" is not a valid mart name (lowercase, digits, "_")')
        return value


class StackConfig(BaseModel):
    """The validated stack configuration plus the project root it was loaded from."""

    model_config = ConfigDict(frozen=True)

    platform: PlatformConfig
    root: Path
    config_file: Path
    dotenv: dict[str, str] = Field(default_factory=dict)

    def _resolve(self, value: str | Path) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.root / path).resolve()

    @property
    def lake_path(self) -> Path:
        return self._resolve(self.platform.storage.data_lake.config.path)

    @property
    def bronze_path(self) -> Path:
        return self.lake_path / "bronze"

    @property
    def duckdb_path(self) -> Path:
        return self._resolve(self.platform.storage.data_warehouse.config.path)

    @property
    def dbt_project_dir(self) -> Path:
        return self._resolve(self.platform.processing.config.project_dir)

    @property
    def dbt_profiles_dir(self) -> Path:
        return self._resolve(self.platform.processing.config.profiles_dir)

    @property
    def dbt_target(self) -> str:
        return self.platform.processing.config.target

    @property
    def sources_dir(self) -> Path:
        return self.root / "data" / "sources"

    @property
    def files_dir(self) -> Path:
        return self._resolve(self.platform.ingestion.config.sources.files.path)

    @property
    def sqlite_path(self) -> Path:
        url = self.platform.ingestion.config.sources.database.url
        return self._resolve(url.removeprefix("sqlite:///"))

    @property
    def api_data_path(self) -> Path:
        """Where the bundled sample API keeps the payments and support tickets it serves."""
        return self.sources_dir / "api" / "shop_api.sqlite"

    @property
    def api_base_url(self) -> str:
        return self.platform.ingestion.config.sources.api.base_url

    @property
    def api_page_size(self) -> int:
        return self.platform.ingestion.config.sources.api.page_size

    @property
    def sample(self) -> SampleConfig:
        return self.platform.ingestion.config.sample

    @property
    def state_dir(self) -> Path:
        """dlt's data dir (pipeline state, working files) inside the project."""
        return self.root / ".dlt"

    @property
    def dlt_pipelines_dir(self) -> Path:
        return self.state_dir / "pipelines"

    @property
    def dagster_home(self) -> Path:
        return self.root / ".dagster"

    @property
    def marts(self) -> list[str]:
        return list(self.platform.marts)

    def runtime_env(self) -> dict[str, str]:
        """Environment that child tools (dlt, dbt, Dagster) need: paths and telemetry off.

        Includes the ``.env`` values that are not already set in the process environment.
        """
        env = {key: value for key, value in self.dotenv.items() if key not in os.environ}
        env.update(
            {
                "PLATFORM_ROOT": str(self.root),
                "PLATFORM_CONFIG": str(self.config_file),
                "PLATFORM_LAKE_PATH": str(self.lake_path),
                "PLATFORM_BRONZE_PATH": str(self.bronze_path),
                "PLATFORM_DUCKDB_PATH": str(self.duckdb_path),
                "PLATFORM_DBT_TARGET": self.dbt_target,
                "DBT_PROJECT_DIR": str(self.dbt_project_dir),
                "DBT_PROFILES_DIR": str(self.dbt_profiles_dir),
                "DAGSTER_HOME": str(self.dagster_home),
                "DLT_DATA_DIR": str(self.state_dir),
                "DLT_PROJECT_DIR": str(self.root),
                "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
                # _dlt_id is written by the sources (ingestion/dlt_sources.py): dlt then imports
                # the extracted parquet files instead of rewriting them to add its own ids.
                "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID": "false",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
                "RUNTIME__DLTHUB_TELEMETRY": "false",
                "DAGSTER_DISABLE_TELEMETRY": "true",
            }
        )
        return env

    def apply_runtime_env(self) -> None:
        """Put ``runtime_env()`` into ``os.environ`` without overriding what is already set."""
        for key, value in self.runtime_env().items():
            os.environ.setdefault(key, value)


def find_config_path(path: Path | None = None) -> Path:
    """The config file to load: ``path``, else ``$PLATFORM_CONFIG``, else the project's own."""
    if path is not None:
        return Path(path).resolve()
    if env_path := os.environ.get(CONFIG_ENV_VAR):
        return Path(env_path).resolve()
    project_file = Path(__file__).resolve().parents[2] / CONFIG_RELATIVE_PATH
    if project_file.is_file():
        return project_file
    return (Path.cwd() / CONFIG_RELATIVE_PATH).resolve()


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` lines (``export``, quotes and ``#`` comments allowed)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
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


def _display_path(path: Path) -> str:
    """``config/stack_config.yaml`` style: relative to the cwd or the project root if possible."""
    bases = [Path.cwd()] + ([path.parent.parent] if path.parent.name == "config" else [])
    for base in bases:
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def _key_path(parts: tuple[Any, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"


def _walk(node: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield parts, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*parts, index))


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

    return _VAR_PATTERN.sub(replace, value)


def _interpolate_tree(
    node: Any, env: Mapping[str, str], file_label: str, parts: tuple[Any, ...] = ()
) -> Any:
    if isinstance(node, str):
        return interpolate(node, env, f"{file_label}: {_key_path(parts)}")
    if isinstance(node, Mapping):
        return {k: _interpolate_tree(v, env, file_label, (*parts, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate_tree(v, env, file_label, (*parts, i)) for i, v in enumerate(node)]
    return node


def referenced_variables(path: Path | None = None) -> dict[str, tuple[str, str | None]]:
    """Variables the config file references: ``{name: (key path, default or None)}``."""
    config_path = find_config_path(path)
    raw = _read_yaml(config_path, _display_path(config_path))
    found: dict[str, tuple[str, str | None]] = {}
    for parts, node in _walk(raw):
        if isinstance(node, str):
            for match in _VAR_PATTERN.finditer(node):
                if match.group(1):
                    found.setdefault(match.group(1), (_key_path(parts), match.group(2)))
    return found


def _read_yaml(config_path: Path, label: str) -> Any:
    if not config_path.is_file():
        raise ConfigError(
            f"{label}: file not found (run from the project folder or set {CONFIG_ENV_VAR})"
        )
    try:
        return yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{label}:{line}: invalid YAML: {problem}") from exc


def _format_validation_error(exc: ValidationError, label: str) -> str:
    lines = []
    for error in exc.errors():
        key = _key_path(tuple(error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is missing (add it; see the template's config/stack_config.yaml)"
        elif error["type"] == "extra_forbidden":
            message = "is not a known key (check its spelling)"
        elif "input" in error and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"{label}: {key}: {message}")
    return "\n".join(lines)


def load_config(path: Path | None = None) -> StackConfig:
    """Load, interpolate and validate the stack configuration.

    ``path`` defaults to ``$PLATFORM_CONFIG`` or ``<project root>/config/stack_config.yaml``;
    the project root is the parent of the file's ``config/`` folder.
    """
    config_path = find_config_path(path)
    label = _display_path(config_path)
    raw = _read_yaml(config_path, label)
    if not isinstance(raw, Mapping) or "platform" not in raw:
        raise ConfigError(f"{label}: platform: is missing (the file must start with 'platform:')")
    root = config_path.parent.parent
    dotenv = load_dotenv(root)
    env = {**dotenv, **os.environ}
    data = _interpolate_tree({"platform": raw["platform"]}, env, label)
    unknown = sorted(set(raw) - {"platform"})
    if unknown:
        raise ConfigError(f"{label}: {unknown[0]}: is not a known key (only 'platform' is)")
    try:
        return StackConfig.model_validate(
            {**data, "root": root, "config_file": config_path, "dotenv": dotenv}
        )
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, label)) from None
