"""Mage block: one ``dbt build`` of silver, gold and the marts with their tests
(``platform transform``); a failing model or test fails the block."""

from project.utils.platform_step import run_platform

if "custom" not in globals():
    from mage_ai.data_preparation.decorators import custom


@custom
def transform(*args, **kwargs) -> dict[str, object]:
    return run_platform("transform")
