"""Dashboards as code: one spec per mart (``dashboards/specs/<mart>.yml``, ``spec.py``), its
figures queried from the marts (``queries.py``) and a static preview (``preview.py``); what a
spec compiles to for a BI tool lives in that tool's folder beside these modules."""
