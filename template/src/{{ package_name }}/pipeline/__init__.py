"""Pipeline steps (ingest, transform) that every orchestrator and the CLI call."""
