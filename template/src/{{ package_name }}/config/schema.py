"""Load and validate ``config/stack_config.yaml``: the tool of every layer and its settings.

The file's shape is composed from the tools this project has: each layer's entry is validated
by the settings model of the tool it names (``tool:`` / ``provider:`` is the discriminator), and
that model lives beside the tool (``ingestion/<tool>/settings.py``, ``lake/<tool>.py``, ...).
``${VAR}`` references are resolved first (see ``env.py``). Every error is a ``ConfigError``
whose message names the file, the key path and the fix.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from .base import (
    IngestionSettings,
    ProcessingConfig,
    SampleConfig,
    ScheduleSettings,
    Strict,
    check_marts,
)
from .env import ConfigError, interpolate_tree, key_path, load_dotenv, parse_dotenv, variables_in

CONFIG_ENV_VAR = "PLATFORM_CONFIG"
CONFIG_RELATIVE_PATH = Path("config") / "stack_config.yaml"
PACKAGE = __package__.rpartition(".")[0]
PROJECT_ROOT = Path(__file__).resolve().parents[3]
# Values in .env.example that are not defaults (`<generate>`: make_env.py makes a secret).
_NOT_A_DEFAULT = {"<generate>", ""}


@dataclass(frozen=True)
class LayerSlot:
    """Where a layer sits in the config (``platform.<path>``), its package and discriminator."""

    path: tuple[str, ...]
    package: str
    discriminator: str

    @property
    def key(self) -> str:
        return ".".join(("platform", *self.path))


SLOTS = {
    "ingestion": LayerSlot(("ingestion",), "ingestion", "tool"),
    "orchestration": LayerSlot(("orchestrator",), "orchestration", "tool"),
    "data_lake": LayerSlot(("storage", "data_lake"), "lake", "provider"),
    "warehouse": LayerSlot(("storage", "data_warehouse"), "warehouse", "provider"),
    "visualization": LayerSlot(("visualization",), "dashboards", "tool"),
}


def available_tools(layer: str) -> list[str]:
    """The tools of ``layer`` this project holds: one module or folder each (a layer's shared
    modules, listed in its ``SHARED_MODULES``, are not tools; no tool module is imported)."""
    package = importlib.import_module(f"{PACKAGE}.{SLOTS[layer].package}")
    shared = set(getattr(package, "SHARED_MODULES", ()))
    return sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name not in shared and not info.name.startswith("_")
    )


def tool_module(layer: str, tool: str) -> ModuleType:
    """The module of ``tool`` in ``layer`` (e.g. ``warehouse.duckdb``): its settings and hooks."""
    return importlib.import_module(f"{PACKAGE}.{SLOTS[layer].package}.{tool}")


@functools.cache
def _layer_type(layer: str) -> Any:
    """The layer's entry type: a discriminated union of its tools' ``Settings`` models."""
    slot = SLOTS[layer]
    models = [tool_module(layer, tool).Settings for tool in available_tools(layer)]
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator=slot.discriminator)]  # noqa: UP007


@functools.cache
def platform_model() -> type[BaseModel]:
    """``platform:`` composed from the tools of this project."""
    storage = create_model(
        "StorageConfig",
        __base__=Strict,
        data_lake=(_layer_type("data_lake"), ...),
        data_warehouse=(_layer_type("warehouse"), ...),
    )
    return create_model(
        "PlatformConfig",
        __base__=Strict,
        name=(str, Field(min_length=1)),
        ingestion=(_layer_type("ingestion"), ...),
        orchestrator=(_layer_type("orchestration"), ...),
        storage=(storage, ...),
        processing=(ProcessingConfig, ...),
        marts=(Annotated[list[str], Field(min_length=1), AfterValidator(check_marts)], ...),
        visualization=(_layer_type("visualization"), ...),
    )


class StackConfig(BaseModel):
    """The validated stack configuration plus the project root it was loaded from.

    Tool-neutral accessors only: a tool's own paths (the warehouse file, the lake folder, an
    orchestrator's home) are computed by that tool's module from its settings.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    platform: Any
    root: Path
    config_file: Path
    dotenv: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)

    def resolve(self, value: str | Path) -> Path:
        """A configured path, absolute (relative paths are relative to the project root)."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.root / path).resolve()

    def tool(self, layer: str) -> str:
        """The tool id the config names for ``layer`` (``ingestion``, ``data_lake``, ...)."""
        node: Any = self.platform
        for part in SLOTS[layer].path:
            node = getattr(node, part)
        return getattr(node, SLOTS[layer].discriminator)

    def settings(self, layer: str) -> Any:
        """The ``config:`` block of ``layer``, validated by its tool's model."""
        node: Any = self.platform
        for part in SLOTS[layer].path:
            node = getattr(node, part)
        return node.config

    def module(self, layer: str) -> ModuleType:
        """The module implementing the configured tool of ``layer``."""
        return tool_module(layer, self.tool(layer))

    @property
    def ingestion(self) -> IngestionSettings:
        return self.settings("ingestion")

    @property
    def orchestrator(self) -> ScheduleSettings:
        return self.settings("orchestration")

    @property
    def dbt_project_dir(self) -> Path:
        return self.resolve(self.platform.processing.config.project_dir)

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.resolve(self.platform.processing.config.profiles_dir)

    @property
    def dbt_target(self) -> str:
        return self.platform.processing.config.target

    @property
    def sources_dir(self) -> Path:
        return self.root / "data" / "sources"

    @property
    def files_dir(self) -> Path:
        return self.resolve(self.ingestion.sources.files.path)

    @property
    def sqlite_path(self) -> Path:
        return self.resolve(self.ingestion.sources.database.url.removeprefix("sqlite:///"))

    @property
    def api_data_path(self) -> Path:
        """Where the bundled sample API keeps the payments and support tickets it serves."""
        return self.sources_dir / "api" / "shop_api.sqlite"

    @property
    def api_base_url(self) -> str:
        return self.ingestion.sources.api.base_url

    @property
    def api_page_size(self) -> int:
        return self.ingestion.sources.api.page_size

    @property
    def sample(self) -> SampleConfig:
        return self.ingestion.sample

    @property
    def marts(self) -> list[str]:
        return list(self.platform.marts)

    @property
    def dashboard_specs_dir(self) -> Path:
        return self.resolve(self.platform.visualization.config.specs_dir)

    @property
    def dashboard_preview_dir(self) -> Path:
        return self.resolve(self.platform.visualization.config.preview_dir)

    def runtime_env(self) -> dict[str, str]:
        """Environment that the tools need while they run, lowest priority first:

        the defaults of ``.env.example`` (telemetry off, ... : the catalog's env vars), then
        ``.env``, both only where the process has no value; then what each configured tool
        derives from the config (absolute paths, homes), which always wins.
        """
        env = {
            key: value
            for source in (self.defaults, self.dotenv)
            for key, value in source.items()
            if key not in os.environ
        }
        env.update(
            {
                "PLATFORM_ROOT": str(self.root),
                "PLATFORM_CONFIG": str(self.config_file),
                "PLATFORM_DBT_TARGET": self.dbt_target,
                "DBT_PROJECT_DIR": str(self.dbt_project_dir),
                "DBT_PROFILES_DIR": str(self.dbt_profiles_dir),
            }
        )
        for layer in SLOTS:
            env.update(self.module(layer).runtime_env(self))
        return env

    def derived_env_keys(self) -> set[str]:
        """The keys of ``runtime_env()`` computed from the config (they override the process)."""
        keys = {"PLATFORM_ROOT", "PLATFORM_CONFIG", "PLATFORM_DBT_TARGET"}
        keys |= {"DBT_PROJECT_DIR", "DBT_PROFILES_DIR"}
        for layer in SLOTS:
            keys |= set(self.module(layer).runtime_env(self))
        return keys

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
    project_file = PROJECT_ROOT / CONFIG_RELATIVE_PATH
    if project_file.is_file():
        return project_file
    return (Path.cwd() / CONFIG_RELATIVE_PATH).resolve()


def example_defaults(root: Path) -> dict[str, str]:
    """The default values ``.env.example`` lists (generated secrets and blanks excluded)."""
    example = root / ".env.example"
    if not example.is_file():
        return {}
    values = parse_dotenv(example.read_text(encoding="utf-8"))
    return {key: value for key, value in values.items() if value not in _NOT_A_DEFAULT}


def _display_path(path: Path) -> str:
    """``config/stack_config.yaml`` style: relative to the cwd or the project root if possible."""
    bases = [Path.cwd()] + ([path.parent.parent] if path.parent.name == "config" else [])
    for base in bases:
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


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


def referenced_variables(path: Path | None = None) -> dict[str, tuple[str, str | None]]:
    """Variables the config file references: ``{name: (key path, default or None)}``."""
    config_path = find_config_path(path)
    return variables_in(_read_yaml(config_path, _display_path(config_path)))


def _check_tools(platform: Mapping[str, Any], label: str) -> None:
    """A layer naming a tool this project does not have gets a message before pydantic's."""
    for layer, slot in SLOTS.items():
        node: Any = platform
        for part in slot.path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping) or slot.discriminator not in node:
            continue  # pydantic reports the missing key
        name, have = node[slot.discriminator], available_tools(layer)
        if name not in have:
            raise ConfigError(
                f"{label}: {slot.key}.{slot.discriminator}: {name!r} is not a tool of this project "
                f"(it has: {', '.join(have)}). Use one of those, or add the tool with "
                "`copier update` and a new answer."
            )


def _format_validation_error(exc: ValidationError, label: str) -> str:
    lines = []
    for error in exc.errors():
        loc = ("platform", *(part for part in error["loc"] if not _is_union_tag(part)))
        key = key_path(loc)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is missing (add it; see the template's config/stack_config.yaml)"
        elif error["type"] == "extra_forbidden":
            message = "is not a known key (check its spelling)"
        elif "input" in error and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"{label}: {key}: {message}")
    return "\n".join(lines)


def _is_union_tag(part: Any) -> bool:
    """pydantic puts the union member's tag into error locations: not a key of the file."""
    return isinstance(part, str) and part.endswith("]") and "[" in part


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
    unknown = sorted(set(raw) - {"platform"})
    if unknown:
        raise ConfigError(f"{label}: {unknown[0]}: is not a known key (only 'platform' is)")
    root = config_path.parent.parent
    dotenv = load_dotenv(root)
    # The project's own .env.example, then one beside a config kept elsewhere (tests, CI).
    defaults = {**example_defaults(PROJECT_ROOT), **example_defaults(root)}
    env = {**defaults, **dotenv, **os.environ}
    data = interpolate_tree({"platform": raw["platform"]}, env, label)
    if isinstance(data["platform"], Mapping):
        _check_tools(data["platform"], label)
    try:
        platform = platform_model().model_validate(data["platform"])
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, label)) from None
    return StackConfig(
        platform=platform, root=root, config_file=config_path, dotenv=dotenv, defaults=defaults
    )
