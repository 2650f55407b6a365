"""Dagster definitions, loaded by ``dg`` from this package (``[tool.dg]`` in pyproject.toml)."""
