"""Warehouse helpers (DuckDB)."""
