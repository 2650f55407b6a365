"""Transform assets: the dbt project (bronze views, silver, gold, marts) as Dagster assets.

Model keys are ``[<schema>, <model>]`` (e.g. ``gold/fct_orders``) and each layer is an asset
group; dbt tests run in ``dbt build`` and are reported as asset checks.
"""

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ....config import StackConfig, load_config
from ....pipeline.transform import dbt_environment

# dbt artifacts of Dagster runs, relative to the dbt project (inside its git-ignored target/).
RUN_TARGET_PATH = Path("target") / "dagster"


def _built_schema(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """The schema dbt builds a model in (macros/generate_schema_name.sql: bronze, silver, gold,
    or the mart's folder name), not only the configured one: marts configure none."""
    if dbt_resource_props.get("resource_type") != "model":
        return None
    return dbt_resource_props.get("schema") or None


class LayerTranslator(DagsterDbtTranslator):
    """Keys models ``[<schema>, <model>]`` and groups them by schema: bronze, silver, gold and
    one group per mart."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        schema = _built_schema(dbt_resource_props)
        if schema:
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return _built_schema(dbt_resource_props) or super().get_group_name(dbt_resource_props)


def dbt_project(cfg: StackConfig) -> DbtProject:
    """The dbt project with a manifest: parsed when missing (and on every load in ``dg dev``).

    dagster-dbt parses with the ``dbt`` it finds on PATH: this environment's comes first, so
    a platform started as ``.venv/bin/platform`` (no ``uv run``, no activated environment)
    parses with its own dbt too."""
    bin_dir = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != bin_dir]
    os.environ["PATH"] = os.pathsep.join([bin_dir, *path])
    project = DbtProject(
        project_dir=cfg.dbt_project_dir,
        profiles_dir=cfg.dbt_profiles_dir,
        target=cfg.dbt_target,
    )
    if project.manifest_path.exists():
        project.prepare_if_dev()
    else:
        project.preparer.prepare(project)
    return project


def dbt_executable() -> str:
    """The dbt of this environment, whatever the PATH of the process running Dagster."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def build_transform_assets(cfg: StackConfig, project: DbtProject) -> dg.AssetsDefinition:
    """All dbt models as assets; one ``dbt build`` (models and their tests) per run."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="transform",
        dagster_dbt_translator=LayerTranslator(),
    )
    def _transform(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        cfg.module("warehouse").prepare(cfg)
        # The same environment rule as every other dbt run (pipeline.transform). One artifacts
        # folder reused by every run (runs are serialized, see dagster.yaml) instead of
        # dagster-dbt's default of a new folder per run.
        with dbt_environment(cfg):
            yield from dbt.cli(["build"], context=context, target_path=RUN_TARGET_PATH).stream()

    return _transform


@dg.definitions
def defs() -> dg.Definitions:
    cfg = load_config()
    cfg.apply_runtime_env()
    project = dbt_project(cfg)
    return dg.Definitions(
        assets=[build_transform_assets(cfg, project)],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable())},
    )
