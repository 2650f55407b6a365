"""The stack configuration: ``env.py`` resolves ``${VAR}`` and ``.env``; ``schema.py`` composes
and validates ``config/stack_config.yaml`` from the settings model of each configured tool."""

from .env import ConfigError, interpolate, load_dotenv, parse_dotenv
from .schema import (
    CONFIG_ENV_VAR,
    StackConfig,
    available_tools,
    find_config_path,
    load_config,
    referenced_variables,
)

__all__ = [
    "CONFIG_ENV_VAR",
    "ConfigError",
    "StackConfig",
    "available_tools",
    "find_config_path",
    "interpolate",
    "load_config",
    "load_dotenv",
    "parse_dotenv",
    "referenced_variables",
]
