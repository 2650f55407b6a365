"""Airflow's DAG folder: the ``daily_platform`` DAG of this platform.

The DAG is built by the package (``orchestration/airflow/dag.py``) from the stack config, so
this file stays a loader: Airflow's DAG processor and its task runners import it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

# dags/ -> airflow/ -> orchestration/ -> the package (named by the project).
PACKAGE = Path(__file__).resolve().parents[3].name

daily_platform = importlib.import_module(f"{PACKAGE}.orchestration.airflow.dag").build_dag()
