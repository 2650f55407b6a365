"""Pipeline steps (ingest, transform, summary) that the CLI and every orchestrator call.

Tool-neutral: each step reaches the configured tool of a layer through that layer's small
interface (``cfg.module(layer)``), so no tool is named here (a test holds that)."""
