"""Dashboards as code: one spec per mart (``dashboards/specs/<mart>.yml``, ``spec.py``), its
figures queried from the marts (``queries.py``) and a static preview (``preview.py``); what a
spec compiles to for a BI tool lives in that tool's module beside these (``none.py`` when no BI
tool was chosen). A tool's module holds its ``Settings``, ``runtime_env(cfg)``, ``check(cfg)``
(for ``platform doctor``) and ``publish(cfg) -> str`` (what it published, for the summary)."""

# The modules every visualization choice shares (and the Superset bundle compiler, which the
# tools that import such a bundle share); the others are one per BI tool.
SHARED_MODULES = ("check", "preview", "queries", "spec", "superset_bundle")


class PublishError(RuntimeError):
    """Publishing the dashboards to the BI tool failed; the message says why and what to do."""
