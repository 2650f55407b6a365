"""Ingestion adapters: one module per ingestion tool (dlt today)."""
