"""Mage block: what bronze and the marts hold (``platform summary``), in the block's log."""

from project.utils.platform_step import run_platform

if "custom" not in globals():
    from mage_ai.data_preparation.decorators import custom


@custom
def summary(*args, **kwargs) -> dict[str, object]:
    return run_platform("summary")
