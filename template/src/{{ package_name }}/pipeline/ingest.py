"""Ingest step, orchestrator-agnostic: sources -> dlt -> ``<lake>/bronze/<source>/<table>/``.

Bronze is partitioned by load: ``<table>/load_id=<load_id>/<file_id>.parquet``; a run only adds
files. Dagster assets (or any other orchestrator) and the CLI call the same functions here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dlt
from dlt.sources import DltSource

from ..config import StackConfig
from ..ingestion.dlt_sources import files_source, shop_api_source, shop_db_source
from ..ingestion.tables import SOURCE_TABLES
from ..sample.api import serve_sample_api
from ..sample.generator import SamplePaths, generate

SOURCE_NAMES = ("files", "shop_db", "shop_api")
SAMPLE_API = "sample"
BRONZE_LAYOUT = "{table_name}/load_id={load_id}/{file_id}.{ext}"


@dataclass(frozen=True)
class SourceLoad:
    """What one source run loaded: rows per bronze table, wall time and dlt load ids."""

    source: str
    rows: dict[str, int]
    seconds: float
    load_ids: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _check_source(source_name: str) -> None:
    if source_name not in SOURCE_NAMES:
        raise ValueError(f"unknown source {source_name!r}; expected one of {SOURCE_NAMES}")


def build_pipeline(cfg: StackConfig, source_name: str) -> dlt.Pipeline:
    """The dlt pipeline of one source: parquet in ``<bronze>/<source_name>/<table>/load_id=../``."""
    _check_source(source_name)
    cfg.apply_runtime_env()
    return dlt.pipeline(
        pipeline_name=source_name,
        pipelines_dir=str(cfg.dlt_pipelines_dir),
        destination=dlt.destinations.filesystem(
            bucket_url=cfg.bronze_path.as_uri(), layout=BRONZE_LAYOUT
        ),
        dataset_name=source_name,
        progress=None,
    )


def build_source(cfg: StackConfig, source_name: str, api_base_url: str | None = None) -> DltSource:
    """The dlt source ``source_name``, configured from ``cfg``; nothing is read until extraction.

    For ``shop_api``, ``api_base_url`` overrides the configured URL; without either (the
    config says ``sample``) the sample API is started while dlt extracts.
    """
    _check_source(source_name)
    if source_name == "files":
        return files_source(files_dir=str(cfg.files_dir))
    if source_name == "shop_db":
        return shop_db_source(db_path=str(cfg.sqlite_path))
    configured = None if cfg.api_base_url == SAMPLE_API else cfg.api_base_url
    return shop_api_source(
        base_url=api_base_url or configured,
        page_size=cfg.api_page_size,
        sample_db_path=str(cfg.api_data_path),
    )


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
    """Extract one source into bronze; return rows loaded per table and the seconds it took.

    Packages left by an interrupted run (extracted or normalized, not yet loaded) are loaded
    first; their incremental state was saved with them, so nothing is extracted twice.
    """
    started = time.perf_counter()
    pipeline = build_pipeline(cfg, source_name)
    if pipeline.has_pending_data:
        pipeline.run(loader_file_format="parquet")
    source = build_source(cfg, source_name, api_base_url=api_base_url)
    load_info = pipeline.run(source, loader_file_format="parquet")
    row_counts = pipeline.last_trace.last_normalize_info.row_counts
    rows = {table: int(row_counts.get(table, 0)) for table in SOURCE_TABLES[source_name]}
    return SourceLoad(
        source=source_name,
        rows=rows,
        seconds=time.perf_counter() - started,
        load_ids=list(load_info.loads_ids),
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
