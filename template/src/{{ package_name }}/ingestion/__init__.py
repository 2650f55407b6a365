"""Ingestion: one folder per tool (``ingestion/<tool>/``), each writing the bronze contract
(``contract.py``). A tool's package exposes ``Settings`` (its config model), ``runtime_env(cfg)``,
``run_source(cfg, source, bronze_url, api_base_url)`` and ``check(cfg)``."""

# Modules of this layer that are not a tool.
SHARED_MODULES = ("contract", "readers")
