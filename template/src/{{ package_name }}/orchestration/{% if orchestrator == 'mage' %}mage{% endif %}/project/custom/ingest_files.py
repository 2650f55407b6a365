"""Mage block: the ``files`` source into the lake's bronze zone (``platform ingest``, which
also generates the sample sources if they are missing)."""

from project.utils.platform_step import run_platform

if "custom" not in globals():
    from mage_ai.data_preparation.decorators import custom


@custom
def ingest_files(*args, **kwargs) -> dict[str, object]:
    return run_platform("ingest", "--source", "files")
