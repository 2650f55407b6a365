"""Settings models every tool shares: the strict base, the source systems, dbt, the marts.

A tool's own settings model lives beside the tool (``ingestion/<tool>/settings.py``,
``orchestration/<tool>/settings.py``, ``lake/<tool>.py``, ``warehouse/<tool>.py``) and is
composed into the stack config by ``schema.py``; those models build on the pieces here.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    """Unknown keys are errors (a misspelt key never passes silently); values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FilesSourceConfig(Strict):
    path: str = Field(min_length=1)


class DatabaseSourceConfig(Strict):
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


class ApiSourceConfig(Strict):
    base_url: str = Field(min_length=1)
    page_size: int = Field(default=5000, gt=0, le=10_000)

    @field_validator("base_url")
    @classmethod
    def _http_or_sample(cls, value: str) -> str:
        if value != "sample" and not value.startswith(("http://", "https://")):
            raise ValueError('use "sample" (the bundled sample API) or an http(s):// URL')
        return value.rstrip("/")


class SourcesConfig(Strict):
    """The source systems (whatever tool ingests them)."""

    files: FilesSourceConfig
    database: DatabaseSourceConfig
    api: ApiSourceConfig


class SampleConfig(Strict):
    seed: int = 42
    scale_factor: float = Field(default=0.01, gt=0, le=100)


class IngestionSettings(Strict):
    """What every ingestion tool reads: the sources, and the sample data that fills them."""

    sources: SourcesConfig
    sample: SampleConfig = SampleConfig()


class ScheduleSettings(Strict):
    """What every orchestrator reads: whether the schedule runs, and when (UTC)."""

    scheduler: bool = True
    schedule: str = "0 6 * * *"

    @field_validator("schedule")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(
                f'"{value}" is not a 5-field cron expression (minute hour day month weekday)'
            )
        return value


class DbtSettings(Strict):
    project_dir: str = "transform"
    profiles_dir: str = "transform"
    target: str = "dev"


class ProcessingConfig(Strict):
    tool: Literal["dbt"]
    config: DbtSettings = DbtSettings()


class DashboardSettings(Strict):
    """What every visualization choice reads: where the dashboard specs are (one per mart) and
    where the static preview goes. A BI tool's own keys extend it (``dashboards/<tool>``)."""

    specs_dir: str = "dashboards/specs"
    preview_dir: str = "build/dashboards"


def check_marts(value: list[str]) -> list[str]:
    for mart in value:
        if not IDENTIFIER.match(mart):
            raise ValueError(f'"{mart}" is not a valid mart name (lowercase, digits, "_")')
    return value
