"""Ingest step: sources -> the configured ingestion tool -> the lake's bronze zone.

Whatever the tool, bronze follows the bronze contract (``ingestion/contract.py``): one folder
per load under ``<bronze>/<source>/<table>/``, every row with the lineage columns. The CLI and
every orchestrator call the functions here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..config import StackConfig
from ..ingestion.contract import IngestError, SourceLoad
from ..sample.api import serve_sample_api
from ..sample.generator import SamplePaths, generate
from ..sample.schema import SOURCE_TABLES

SOURCE_NAMES = tuple(SOURCE_TABLES)
SAMPLE_API = "sample"

__all__ = [
    "SOURCE_NAMES",
    "IngestError",
    "SourceLoad",
    "api_endpoint",
    "ensure_sample_data",
    "generate_sample_data",
    "run_ingest",
    "run_source",
    "sample_data_present",
]


@contextmanager
def api_endpoint(cfg: StackConfig) -> Iterator[str]:
    """The shop API base URL; starts the bundled sample API when the config says ``sample``."""
    if cfg.api_base_url != SAMPLE_API:
        yield cfg.api_base_url
        return
    with serve_sample_api(cfg.api_data_path) as url:
        yield url


def sample_data_present(cfg: StackConfig) -> bool:
    return SamplePaths.from_config(cfg).exist()


def generate_sample_data(
    cfg: StackConfig,
    *,
    seed: int | None = None,
    scale_factor: float | None = None,
    batch: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write sample batch ``batch`` (1: start over); seed and scale factor default to the
    config's (a later batch continues with those of batch 1)."""
    return generate(
        SamplePaths.from_config(cfg),
        seed=cfg.sample.seed if seed is None else seed,
        scale_factor=cfg.sample.scale_factor if scale_factor is None else scale_factor,
        batch=batch,
        progress=progress,
    )


def ensure_sample_data(cfg: StackConfig) -> dict[str, int] | None:
    """Generate the sample sources if any is missing; return the rows written (None: present)."""
    if sample_data_present(cfg):
        return None
    return generate_sample_data(cfg)


def run_source(cfg: StackConfig, source_name: str, api_base_url: str | None = None) -> SourceLoad:
    """Extract one source into bronze with the configured ingestion tool (raises IngestError).

    A run interrupted earlier is completed first (each tool keeps its own state), so nothing
    is loaded twice.
    """
    if source_name not in SOURCE_NAMES:
        raise ValueError(f"unknown source {source_name!r}; expected one of {SOURCE_NAMES}")
    cfg.apply_runtime_env()
    bronze_url = cfg.module("data_lake").bronze_url(cfg)
    return cfg.module("ingestion").run_source(
        cfg, source_name, bronze_url, api_base_url=api_base_url
    )


def run_ingest(
    cfg: StackConfig,
    sources: tuple[str, ...] = SOURCE_NAMES,
    on_source_done: Callable[[SourceLoad], None] | None = None,
) -> list[SourceLoad]:
    """Run ``sources`` (all three by default) into bronze, generating sample data if missing."""
    ensure_sample_data(cfg)
    results: list[SourceLoad] = []
    with api_endpoint(cfg) as api_url:
        for source_name in sources:
            result = run_source(cfg, source_name, api_base_url=api_url)
            results.append(result)
            if on_source_done is not None:
                on_source_done(result)
    return results
