"""Dagster code location of the platform: every definition under ``defs/``.

``dg dev`` (``make dev``) and ``dagster`` load this; the modules in ``defs/`` hold the ingestion
assets, the transform assets (dbt) and the daily job with its schedule.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
