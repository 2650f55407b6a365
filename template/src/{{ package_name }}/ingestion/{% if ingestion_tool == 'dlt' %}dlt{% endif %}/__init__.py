"""dlt ingestion: the three sources as dlt sources (``sources.py``), one dlt pipeline per source
writing parquet in the bronze contract's layout (``load.py``).

Heavy imports (dlt, pyarrow) happen in ``load.py``, only when a run starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...checks import Check
from .settings import Settings

if TYPE_CHECKING:
    from ...config import StackConfig
    from ..contract import SourceLoad

__all__ = ["Settings", "check", "run_source", "runtime_env"]


def state_dir(cfg: StackConfig) -> Path:
    """dlt's data dir (pipeline state, working files) inside the project."""
    return cfg.root / ".dlt"


def runtime_env(cfg: StackConfig) -> dict[str, str]:
    return {
        "DLT_DATA_DIR": str(state_dir(cfg)),
        "DLT_PROJECT_DIR": str(cfg.root),
        # The sources write the contract's lineage columns (_load_id, _row_id) themselves, so
        # dlt imports the extracted parquet files as they are instead of rewriting them.
        "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "false",
        "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID": "false",
        # A column that fell back to text (values.py) mid-run: dlt writes the batches of each
        # shape of a table to their own parquet file instead of failing the extraction.
        "DATA_WRITER__ARROW_CONCAT_PROMOTE_OPTIONS": "default",
    }


def run_source(
    cfg: StackConfig, source_name: str, bronze_url: str, api_base_url: str | None = None
) -> SourceLoad:
    """Extract one source into bronze at ``bronze_url`` (see ``load.run_source``)."""
    from .load import run_source as run

    return run(cfg, source_name, bronze_url, api_base_url=api_base_url)


def check(cfg: StackConfig) -> Check:
    """dlt's state folder is writable and no load package is left half done."""
    path = state_dir(cfg) / "pipelines"
    pending = sorted(p.parent.parent.name for p in path.glob("*/load/normalized/*"))
    if pending:
        return Check(
            "ingestion (dlt)",
            True,
            f"{path}: unfinished loads of {', '.join(sorted(set(pending)))} "
            "are completed by the next ingest",
        )
    return Check("ingestion (dlt)", True, f"pipeline state in {path}")
