"""The tool catalog: pydantic models over ``catalog.yaml``, the one source of truth.

Everything that knows about a layer or a tool (copier.yml choices, the derived render context,
the docs matrix, the tests) reads it through :func:`load_catalog`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")


class Kind(StrEnum):
    open_source = "open_source"
    commercial = "commercial"
    self_hosted = "self_hosted"


class Status(StrEnum):
    implemented = "implemented"
    planned = "planned"


KIND_LABELS = {
    Kind.open_source: "open source",
    Kind.commercial: "commercial",
    Kind.self_hosted: "self-hosted",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvVar(_Strict):
    # Upper case; Terraform input variables keep their own case (TF_VAR_<variable name>).
    name: str = Field(pattern=r"^([A-Z][A-Z0-9_]*|TF_VAR_[a-z][a-z0-9_]*)$")
    description: str
    default: str = ""
    secret: bool = False
    # Turns a tool's anonymous telemetry off (listed in the rendered README's telemetry section).
    telemetry: bool = False

    @model_validator(mode="after")
    def _secrets_have_no_default(self) -> EnvVar:
        if self.secret and self.default:
            raise ValueError(f"{self.name}: a secret never carries a default value")
        return self


class DataPath(_Strict):
    """Data a tool keeps inside the project: git-ignored, removed by `make clean`, mounted into
    the services that run the pipeline. ``path`` is relative to the project root ("{answer}" is
    filled from the answers); a folder ends with "/"."""

    path: str = Field(min_length=1)
    # What it holds, for the rendered README ("" for companions such as a database's WAL).
    description: str = ""


class Service(_Strict):
    """A docker-compose service; built from the project's Dockerfile unless ``image`` is set."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    description: str
    image: str = ""
    # Replaces the image's entrypoint (e.g. [sh, -c] to run a start-up step first).
    entrypoint: list[str] = []
    # "{answer}" is filled from the answers.
    command: list[str] = []
    # The copier question that picks the published port ("": the container port).
    port_question: str = ""
    container_port: int
    # "{answer}" is filled from the answers; ${VAR} references are kept for compose.
    environment: dict[str, str] = {}
    volumes: list[str] = []
    # The service runs the pipeline: every data path of the stack is mounted into /app, the
    # stack's `compose_env` is set, and it starts after the other services are healthy.
    mounts_data: bool = False
    # A compose healthcheck (test, interval, ...): services that run the pipeline wait for it.
    healthcheck: dict[str, Any] = {}
    # False: reached by the other services only (a tool's own metadata database): no port is
    # published on the bind address.
    publish: bool = True


class Twin(_Strict):
    """A local stand-in for a cloud tool that tests start on 127.0.0.1 (``{port}``: a free
    port): the command that serves it and the environment that points the platform at it."""

    command: list[str] = Field(min_length=1)
    env: dict[str, str] = {}
    # An npm package (name@version) that provides the command: the twin's starter installs it
    # into the project's `.twins/` (node is needed); "": the command is in the project's .venv.
    npm: str = Field(default="", pattern=r"^([a-z0-9@][a-z0-9._/-]*@[0-9][0-9A-Za-z.+-]*)?$")


class Tool(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kinds: list[Kind] = Field(min_length=1)
    status: Status
    summary: str
    docs: str = ""
    python_dependencies: list[str] = []
    dev_dependencies: list[str] = []
    env_vars: list[EnvVar] = []
    services: list[Service] = []
    dbt_adapter: str = ""
    requires: dict[str, list[str]] = {}
    # What its end-to-end cell needs of the other layers beyond `requires` (what it can run
    # against on this machine): the e2e suite places it only there; users may choose more.
    e2e_requires: dict[str, list[str]] = {}
    # Runs on a laptop/CI machine with no cloud account (so end-to-end tests can run it).
    runs_locally: bool = False
    # How the template's end-to-end suite runs it: `pairwise` tools join the all-pairs subset;
    # `once` tools (heavy: a big install, an emulator, a JVM) get exactly one cell, the light
    # answers (the defaults, a heavy default swapped for a light tool) with this tool swapped in,
    # packed with heavy tools of other layers; `alone` tools get one cell too, never shared
    # with other heavy tools (a tool that makes every step of its cell slow, e.g. a connector
    # process per source on each ingest). A heavy default runs in the default cell.
    e2e: Literal["pairwise", "once", "alone"] = "pairwise"
    # The rendered test modules its cell runs (of those marked with its layer), where the whole
    # marked suite would cost CI too much on this tool (Spark: ~90 s per dbt run); []: all.
    e2e_own_tests: list[str] = []
    # The tool's `config:` block in config/stack_config.yaml; "{answer}" is filled from answers.
    settings: dict[str, str] = {}
    # Tool state kept inside the project (git-ignored, removed by `make clean`).
    state_paths: list[str] = []
    # Data kept inside the project (the lake, the warehouse file): see DataPath.
    data_paths: list[DataPath] = []
    # Lake: where bronze is for a plain `dbt parse` with nothing set ("{answer}" filled).
    dbt_bronze_default: str = ""
    # Warehouse: dbt `meta` for every bronze source ("{bronze}" = the lake's bronze URL).
    dbt_source_meta: dict[str, str] = {}
    # Warehouse: dbt `on-run-start` hooks (e.g. loading new bronze loads into landing tables).
    dbt_on_run_start: list[str] = []
    # Warehouse: dbt model configs for every model of the project (dbt_project.yml `models:`,
    # e.g. the table format: "+file_format").
    dbt_model_config: dict[str, str] = {}
    # Warehouse: bronze is staged in the lake in one all-text shape before dbt runs
    # (src/<package>/warehouse/_stage.py), for warehouses that cannot read loads whose column
    # types differ (a number in one load, text in the next).
    stages_bronze: bool = False
    # TOML appended to the rendered pyproject.toml ("{package_name}" filled).
    pyproject: str = ""
    # Lines of the rendered README: `dev` (what `make dev` opens), `layout` (its folder),
    # `switch` (lake, warehouse: from the local twin to production, step by step); "{answer}"
    # filled.
    readme: dict[str, str] = {}
    # Lake: the protocol its data is reached by over the network ("s3"; "" for a folder).
    object_store: str = ""
    # A local twin the tests start in place of the cloud service.
    twin: Twin | None = None
    # Environment of the compose services that run the pipeline, so they reach this tool's own
    # compose service by its name (not the host's published port); "{answer}" filled.
    compose_env: dict[str, str] = {}
    # Requirements of the tool's own environment inside the project (`.venv-<tool>`), for a
    # tool whose pins clash with the platform's: created on first use, never by `make setup`.
    own_environment: list[str] = []
    # Warehouse: the SQLAlchemy dialect and driver (requirements) a SQLAlchemy-based BI tool's
    # own environment needs to reach it, at the URL of its module's `bi_connection(cfg)`.
    bi_driver: list[str] = []
    # Visualization: the tool's own environment also holds the chosen warehouse's `bi_driver`
    # (a SQLAlchemy-based BI tool that connects from the project: Superset); it reaches only
    # warehouses that have one.
    warehouse_driver: bool = False
    # Shell commands the compose services' image runs after `uv sync` (e.g. creating the tool's
    # own environment, so a container never installs at start); "{package_name}" filled.
    image_steps: list[str] = []
    # Visualization: the import bundle the BI tool reads, compiled from the dashboard specs by
    # a module rendered for every tool that names it ("superset": Superset's assets bundle,
    # `dashboards/superset_bundle.py`, read by Superset and by Preset); "": none.
    import_bundle: Literal["", "superset"] = ""
    # Warehouse: Mage's io_config.yaml keys (default profile) that reach it; "{answer}" filled.
    mage_io_config: dict[str, str] = {}

    @property
    def implemented(self) -> bool:
        return self.status is Status.implemented

    @property
    def kind_labels(self) -> str:
        return ", ".join(KIND_LABELS[k] for k in self.kinds)


class Layer(_Strict):
    id: str
    label: str
    question: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    help: str
    default: str | list[str]
    multiselect: bool = False
    tools: list[Tool] = Field(min_length=1)

    def tool(self, tool_id: str) -> Tool:
        for tool in self.tools:
            if tool.id == tool_id:
                return tool
        known = ", ".join(t.id for t in self.tools)
        raise KeyError(f"layer {self.id!r} has no tool {tool_id!r} (known: {known})")

    @property
    def implemented(self) -> list[Tool]:
        return [t for t in self.tools if t.implemented]


class Integration(_Strict):
    """A fact about a pair of tools (Dagster + dbt -> dagster-dbt), used when all are chosen."""

    when: dict[str, str] = Field(min_length=2)
    summary: str
    python_dependencies: list[str] = []
    dev_dependencies: list[str] = []
    # A paragraph of the rendered README ("{answer}" filled).
    readme: str = ""

    def applies(self, stack: dict[str, str | list[str]]) -> bool:
        return all(
            tool in (picked if isinstance(picked, list) else [picked])
            for layer, tool in self.when.items()
            for picked in [stack.get(layer, [])]
        )


class Catalog(_Strict):
    layers: list[Layer]
    integrations: list[Integration] = []
    base_dependencies: list[str]
    base_env_vars: list[EnvVar] = []
    # Data every platform keeps, whatever the choices (the sample sources).
    base_data_paths: list[DataPath] = []
    copier_dependencies: list[str] = []
    base_dev_dependencies: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        ids = [layer.id for layer in self.layers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate layer ids: {ids}")
        for layer in self.layers:
            tool_ids = [t.id for t in layer.tools]
            if len(set(tool_ids)) != len(tool_ids):
                raise ValueError(f"layer {layer.id}: duplicate tool ids {tool_ids}")
            defaults = layer.default if isinstance(layer.default, list) else [layer.default]
            for default in defaults:
                if not layer.tool(default).implemented:
                    raise ValueError(f"layer {layer.id}: default {default!r} is not implemented")
            if isinstance(layer.default, list) != layer.multiselect:
                raise ValueError(f"layer {layer.id}: a list default goes with multiselect")
            for tool in layer.tools:
                if tool.e2e_own_tests and tool.e2e != "alone":
                    # Its home cell's tests are cut to that list: a tool sharing the cell
                    # would lose its own tests (tests/test_e2e_plan.py would fail there).
                    raise ValueError(
                        f"{layer.id}={tool.id}: e2e_own_tests limits its cell's tests, so it "
                        "needs `e2e: alone` (a cell no other tool has its home in)"
                    )
                for other_layer, allowed in (*tool.requires.items(), *tool.e2e_requires.items()):
                    target = self.layer(other_layer)
                    for allowed_id in allowed:
                        target.tool(allowed_id)
        warehouses = (
            self.layer("warehouse").implemented
            if any(layer.id == "warehouse" for layer in self.layers)
            else []
        )
        for tool in (t for layer in self.layers for t in layer.tools if t.warehouse_driver):
            allowed = tool.requires.get("warehouse")
            blind = [
                w.id for w in warehouses if not w.bi_driver and (allowed is None or w.id in allowed)
            ]
            if blind:
                raise ValueError(
                    f"{tool.id} connects through the warehouse's driver, and {', '.join(blind)} "
                    "has no bi_driver: give it one or leave it out of the tool's `requires`"
                )
        for integration in self.integrations:
            for layer_id, tool_id in integration.when.items():
                self.layer(layer_id).tool(tool_id)
        return self

    def layer(self, layer_id: str) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(f"no layer {layer_id!r} (known: {', '.join(x.id for x in self.layers)})")

    def layer_for_question(self, question: str) -> Layer:
        for layer in self.layers:
            if layer.question == question:
                return layer
        raise KeyError(f"no layer is asked by question {question!r}")

    def selected(self, answers: dict) -> list[tuple[Layer, Tool]]:
        """The (layer, tool) pairs that a set of copier answers picks, in layer order."""
        picked: list[tuple[Layer, Tool]] = []
        for layer in self.layers:
            value = answers.get(layer.question, layer.default)
            if layer.multiselect and isinstance(value, str):
                value = yaml.safe_load(value)  # `--data marts=[finance]` arrives as text
            for tool_id in value if isinstance(value, list) else [value]:
                picked.append((layer, layer.tool(tool_id)))
        return picked


@lru_cache(maxsize=1)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    with path.open(encoding="utf-8") as handle:
        return Catalog.model_validate(yaml.safe_load(handle))
