"""Data lake helpers (local filesystem)."""
