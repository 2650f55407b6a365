"""``platform dashboards check``: every spec against the dbt project it charts.

dbt parses the project into a temporary folder (no warehouse is reached); its manifest lists
each mart's models and their columns, and ``spec.manifest_problems`` names what a spec asks
for that the project lacks.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..config import StackConfig
from ..pipeline.transform import check_dbt_project, dbt_base_args, dbt_environment, processing_tool
from .spec import Spec, SpecError, load_specs, manifest_problems


def dbt_manifest(cfg: StackConfig) -> dict[str, Any]:
    """dbt's manifest of the project (``dbt parse`` into a temporary target folder)."""
    check_dbt_project(cfg)
    with tempfile.TemporaryDirectory(prefix="dashboards-") as tmp:
        target, logs = Path(tmp) / "target", Path(tmp) / "logs"
        with dbt_environment(cfg, target_path=target, log_path=logs):
            run = processing_tool(cfg).invoke(["parse", "--quiet", *dbt_base_args(cfg)])
        if not run.success:
            raise SpecError("dbt parse failed: " + ("; ".join(run.failures) or "see its log"))
        return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def check_specs(cfg: StackConfig) -> tuple[list[Spec], list[str]]:
    """The configured marts' specs and every problem against dbt's manifest ([] when none)."""
    specs = load_specs(cfg.dashboard_specs_dir, cfg.marts, cfg.root)
    manifest = dbt_manifest(cfg)
    return specs, [p for spec in specs for p in manifest_problems(spec, manifest, cfg.root)]
