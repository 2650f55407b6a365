"""Bundled sample sources: a deterministic data generator and a small payments REST API."""
