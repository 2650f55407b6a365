"""Orchestration: one folder per tool (``orchestration/<tool>/``) whose jobs call the
tool-neutral ``pipeline`` steps. A tool's package exposes ``Settings``, ``runtime_env(cfg)``,
``dev(cfg, host, port)`` (its UI) and ``check(cfg)``."""
