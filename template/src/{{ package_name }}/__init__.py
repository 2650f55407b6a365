"""Orchestrator-agnostic core of the data platform: config, sample sources, ingestion, dbt."""

__version__ = "0.1.0"
