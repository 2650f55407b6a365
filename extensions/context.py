"""Jinja extensions for copier: catalog-driven choices and the derived render context.

Loaded by copier through copier-template-extensions (see ``_jinja_extensions`` in copier.yml).
Templates stay thin: anything computed from the catalog and the answers is made here.
"""

from __future__ import annotations

import functools
import importlib.util
import ipaddress
import json
import keyword
import posixpath
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, ClassVar

import yaml
from copier_template_extensions import ContextHook
from jinja2 import Environment
from jinja2.ext import Extension


def _load_catalog_module():
    """catalog.py beside this file, as its own module (one per template copy on disk)."""
    here = Path(__file__).resolve().parent
    name = f"data_platform_template_catalog_{abs(hash(str(here))):x}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("catalog.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


catalog_module = _load_catalog_module()
CATALOG = catalog_module.load_catalog(Path(__file__).resolve().with_name("catalog.yaml"))


# Soft keywords of every Python a platform may target, whichever Python runs copier ("type"
# became one in 3.12).
SOFT_KEYWORDS = frozenset(keyword.softkwlist) | {"_", "case", "match", "type"}


def _reserved_package_names() -> frozenset[str]:
    """Names a rendered package must not take: Python keywords (soft ones too), the standard
    library and the stack's libraries."""
    names = set(sys.stdlib_module_names) | {"src", "tests", "test", "transform", "config"}
    names |= set(keyword.kwlist) | SOFT_KEYWORDS
    for layer in CATALOG.layers:
        for tool in layer.tools:
            names.add(tool.id)
            for req in tool.python_dependencies + tool.dev_dependencies:
                names.add(re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0].replace("-", "_").lower())
    for req in CATALOG.base_dependencies + CATALOG.base_dev_dependencies:
        names.add(re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0].replace("-", "_").lower())
    return frozenset(names | {"yaml", "dbt", "dagster", "dlt", "duckdb"})


RESERVED_PACKAGE_NAMES = _reserved_package_names()

# Letters that Unicode does not decompose into an ASCII letter plus accents.
_ASCII_SPELLING = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O"}
    | {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th"}
    | {"\u0131": "i"}  # dotless i
)


def ascii_spelling(text: str) -> str:
    """``text`` spelled in ASCII where it can be: accents dropped (NFKD), a few letters spelled
    out ("Über Straße" -> "Uber Strasse"). Characters with no ASCII spelling are kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_SPELLING))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ascii_identifier(text: str, separator: str = "_") -> str:
    """The package name (``separator`` "_") or slug ("-") of a project name: "Über Data" ->
    "uber_data" / "uber-data"."""
    return re.sub(r"[^a-z0-9]+", separator, ascii_spelling(text).lower()).strip(separator)


# A refusal is two lines: the rule, short enough to show in full beside copier's prefix
# ("Validation error for question 'project_name': ", 46 characters) in an 80-column prompt,
# whose error bar shows one line; then the verdict on the answer, for `--data` and the log.
RULE_WIDTH = 80 - len("Validation error for question 'project_name': ")


def project_name_problem(name: str) -> str:
    """Why ``name`` cannot name a project (the rule first, then the verdict), or ""."""
    spelled = ascii_spelling(name)
    invalid = f'"{name}" is not a valid project name'
    if not spelled.isascii():
        foreign = ", ".join(dict.fromkeys(c for c in spelled if not c.isascii()))
        return f"Use letters with an ASCII spelling\n{invalid}: no ASCII spelling for {foreign}."
    if not 3 <= len(spelled) <= 50:
        return f"Use 3 to 50 characters\n{invalid}: it has {len(spelled)}."
    if not re.fullmatch(r"[A-Za-z]", spelled[0]):
        return f"Start with a letter\n{invalid}: it starts with {spelled[0]!r}."
    if stray := re.search(r"[^A-Za-z0-9 _-]", spelled):
        return f"Use letters, digits, spaces, -, _\n{invalid}: {stray.group()!r} is not allowed."
    if not re.fullmatch(r"[A-Za-z0-9]", spelled[-1]):
        return f"End with a letter or a digit\n{invalid}: it ends with {spelled[-1]!r}."
    package = ascii_identifier(name)
    if keyword.iskeyword(package) or package in SOFT_KEYWORDS:
        return (
            "Python keywords can't be packages\n"
            f'"{name}" would make the package "{package}", a Python keyword.'
        )
    if package in RESERVED_PACKAGE_NAMES:
        return (
            "Package must not shadow a module\n"
            f'"{name}" would make the package "{package}", an existing module.'
        )
    return ""


def ipv4_problem(address: str) -> str:
    """Why ``address`` is not an IPv4 address to bind ports to (rule first), or ""."""
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return (
            "Use an IPv4 address (127.0.0.1)\n"
            f'"{address}" is not an IPv4 address (0.0.0.0 means all networks).'
        )
    return ""


def is_loopback(address: str) -> bool:
    """True for an IPv4 loopback address (127.0.0.0/8): ports bound there stay on this machine."""
    try:
        return ipaddress.IPv4Address(address).is_loopback
    except ValueError:
        return False


@functools.cache
def layer_choices(layer_id: str) -> str:
    """YAML for a copier ``choices:`` block: the layer's implemented tools, with validators.

    A pair the catalog declares incompatible (``requires``) is refused on the choice asked
    later, so copier itself explains the conflict while the user is still answering.
    """
    layer = CATALOG.layer(layer_id)
    order = [x.id for x in CATALOG.layers]
    choices: dict[str, dict[str, str]] = {}
    for tool in layer.implemented:
        messages = []
        for other in CATALOG.layers:
            if order.index(other.id) >= order.index(layer.id):
                continue
            messages += _conflicts(other, layer, tool)
        entry = {"value": tool.id}
        if messages:
            entry["validator"] = "".join(messages)
        choices[choice_title(layer, tool)] = entry
    return yaml.safe_dump(choices, sort_keys=False, width=2**31)


def choice_title(layer, tool) -> str:
    """What a choice shows: the tool's label, with its licence kinds when it is a real tool
    (a mart is content the template writes, and "none" installs nothing)."""
    if layer.id == "marts" or tool.id == "none":
        return tool.label
    return f"{tool.label} ({tool.kind_labels})"


def _conflicts(earlier, later, later_tool) -> list[str]:
    """Jinja snippets that refuse ``later_tool`` when an earlier answer cannot work with it."""
    snippets = []
    for tool in earlier.implemented:
        allowed = tool.requires.get(later.id)
        if allowed is not None and later_tool.id not in allowed:
            need = ", ".join(later.tool(a).label for a in allowed)
            snippets.append(
                f"{{% if {_test(earlier, tool)} %}}{later_tool.label} cannot be used with "
                f"{tool.label}: {tool.label} needs {later.label} = {need}.{{% endif %}}"
            )
        allowed = later_tool.requires.get(earlier.id)
        if allowed is not None and tool.id not in allowed:
            need = ", ".join(earlier.tool(a).label for a in allowed)
            snippets.append(
                f"{{% if {_test(earlier, tool)} %}}{later_tool.label} needs {earlier.label} = "
                f"{need}, not {tool.label}.{{% endif %}}"
            )
    return snippets


def _test(layer, tool) -> str:
    if layer.multiselect:
        return f"'{tool.id}' in {layer.question}"
    return f"{layer.question} == '{tool.id}'"


# "{answer}" in a catalog text; "${VAR}" (a stack-config variable reference) is left alone.
_ANSWER_FIELD = re.compile(r"(?<!\$)\{(\w+)\}")


def fill(text: str, answers: dict[str, Any]) -> str:
    """``text`` with every ``{answer}`` filled (``${VAR}`` references kept as they are)."""
    return _ANSWER_FIELD.sub(lambda match: str(answers[match.group(1)]), text)


def derive(answers: dict[str, Any]) -> dict[str, Any]:
    """Everything templates need beyond the raw answers, computed from the catalog."""
    picked = CATALOG.selected(answers)
    tools = [tool for _, tool in picked]
    stack = {
        layer.id: [t.id for lyr, t in picked if lyr.id == layer.id]
        if layer.multiselect
        else next(t.id for lyr, t in picked if lyr.id == layer.id)
        for layer in CATALOG.layers
    }
    env_vars: dict[str, Any] = {}
    for var_list in [CATALOG.base_env_vars, *(t.env_vars for t in tools)]:
        for var in var_list:
            env_vars.setdefault(var.name, var)
    # What the services that run the pipeline need to reach the others inside compose.
    compose_env = {k: fill(v, answers) for t in tools for k, v in t.compose_env.items()}
    services = [
        svc.model_copy(
            update={
                "command": [fill(part, answers) for part in svc.command],
                "environment": {
                    **(compose_env if svc.mounts_data else {}),
                    **{k: fill(v, answers) for k, v in svc.environment.items()},
                },
            }
        )
        for tool in tools
        for svc in tool.services
    ]
    data_paths = project_data_paths(
        [*CATALOG.base_data_paths, *(p for t in tools for p in t.data_paths)], answers
    )
    mounts = data_mounts([p["path"] for p in data_paths])
    integrations = [i for i in CATALOG.integrations if i.applies(stack)]
    by_layer = {lyr.id: tool for lyr, tool in picked if not lyr.multiselect}
    lake, warehouse = by_layer["data_lake"], by_layer["warehouse"]
    bronze_default = lake.dbt_bronze_default.format(**answers)
    bronze = f"{{{{ env_var('PLATFORM_BRONZE_URL', '{bronze_default}') }}}}"
    orchestrator_services = by_layer["orchestration"].services
    return {
        "stack": stack,
        "stack_labels": {
            layer.id: ", ".join(t.label for lyr, t in picked if lyr.id == layer.id)
            for layer in CATALOG.layers
        },
        "dependencies": _unique(
            CATALOG.base_dependencies,
            *(t.python_dependencies for t in tools),
            *(i.python_dependencies for i in integrations),
        ),
        "dev_dependencies": _unique(
            CATALOG.base_dev_dependencies,
            *(t.dev_dependencies for t in tools),
            *(i.dev_dependencies for i in integrations),
        ),
        # Each layer's `config:` block in stack_config.yaml, from the tool's catalog entry.
        "tool_settings": {
            lyr_id: {key: fill(value, answers) for key, value in tool.settings.items()}
            for lyr_id, tool in by_layer.items()
        },
        "state_paths": _unique(*(t.state_paths for t in tools)),
        # Data kept in the project ({path, description}): git-ignored, removed by `make clean`.
        "data_paths": data_paths,
        "pyproject_sections": [
            t.pyproject.format(package_name=answers.get("package_name", "")).strip()
            for t in tools
            if t.pyproject
        ],
        "tool_readme": {
            lyr_id: {
                key: fill(
                    text,
                    {
                        **answers,
                        "port": answers.get(svc.port_question, svc.container_port) if svc else "",
                    },
                )
                for key, text in tool.readme.items()
            }
            for lyr_id, tool in by_layer.items()
            for svc in [next(iter(tool.services), None)]
        },
        # The lake's network protocol ("s3"; "" for a folder) and its local twin for tests.
        "lake_object_store": lake.object_store,
        # Where bronze lives (a folder or a bucket URL), for the rendered docs.
        "bronze_location": bronze_default,
        "integration_readme": [fill(i.readme, answers).strip() for i in integrations if i.readme],
        # Every chosen tool's local twin (a lake's, a warehouse's), started by the tests.
        "twins": [
            {"tool": tool.id, **tool.twin.model_dump()} for tool in tools if tool.twin is not None
        ],
        # Chosen tools on the pipeline's path (not the BI tool: the pipeline never calls it, and
        # its own tests use a stand-in) that nothing local stands in for (a cloud service): the
        # rendered CI leaves the end-to-end tests out (they need an account).
        "cloud_tools": [
            {"label": t.label}
            for lyr, t in picked
            if not t.runs_locally and lyr.id != "visualization"
        ],
        # Each chosen tool's own environment (`.venv-<tool>`): its pinned requirements.
        "own_environments": {t.id: t.own_environment for t in tools if t.own_environment},
        # The chosen warehouse's SQLAlchemy dialect, for a BI tool's own environment that has
        # `warehouse_driver` (Superset's requirements.txt).
        "bi_driver": warehouse.bi_driver,
        # The import bundle the BI tool reads ("superset"; ""): its compiler module is rendered.
        "import_bundle": by_layer["visualization"].import_bundle,
        "image_steps": [
            step.format(package_name=answers.get("package_name", ""))
            for t in tools
            for step in t.image_steps
        ],
        "mage_io_config": {
            key: fill(value, answers) for key, value in warehouse.mage_io_config.items()
        },
        "dbt_source_meta": {
            key: value.replace("{bronze}", bronze)
            for key, value in warehouse.dbt_source_meta.items()
        },
        "dbt_on_run_start": warehouse.dbt_on_run_start,
        "dbt_model_config": warehouse.dbt_model_config,
        "stages_bronze": warehouse.stages_bronze,
        # The port of the orchestrator's UI (`make dev`), if it has one.
        "orchestrator_port": (
            answers.get(
                orchestrator_services[0].port_question, orchestrator_services[0].container_port
            )
            if orchestrator_services
            else None
        ),
        "env_vars": list(env_vars.values()),
        "telemetry_vars": [var for var in env_vars.values() if var.telemetry],
        "services": services,
        # Each service's volumes: its own, then the data paths if it runs the pipeline.
        "service_volumes": {
            svc.name: [*svc.volumes, *(mounts if svc.mounts_data else [])] for svc in services
        },
        # Services that run the pipeline start after the others (once healthy, if they say).
        "service_depends_on": {
            svc.name: {
                other.name: "service_healthy" if other.healthcheck else "service_started"
                for other in services
                if not other.mounts_data
            }
            for svc in services
            if svc.mounts_data
        },
        # Where each compose service is published: its port answer, else the container port.
        "service_ports": {
            svc.name: answers.get(svc.port_question, svc.container_port) for svc in services
        },
        "dbt_adapter": next(t.dbt_adapter for lyr, t in picked if lyr.id == "warehouse"),
        "mermaid": mermaid(picked),
        "ruff_requirement": next(d for d in CATALOG.base_dev_dependencies if d.startswith("ruff")),
        "copier_dependencies": CATALOG.copier_dependencies,
    }


def project_data_paths(entries, answers: dict[str, Any]) -> list[dict[str, str]]:
    """The catalog's data paths with the answers filled in, normalised ("./a//b/" -> "a/b/")."""
    paths: dict[str, str] = {}
    for entry in entries:
        text = entry.path.format(**answers)
        path = posixpath.normpath(text) + ("/" if text.endswith("/") else "")
        paths.setdefault(path, entry.description)
    return [{"path": path, "description": text} for path, text in paths.items()]


def data_mounts(paths: list[str]) -> list[str]:
    """Compose volumes that bring ``paths`` into /app: a folder as itself, a file through its
    folder (a bind mount of a missing file would create a folder), nested folders once."""
    folders = []
    for path in paths:
        folder = path.rstrip("/") if path.endswith("/") else posixpath.dirname(path) or path
        folders.append(folder)
    kept = [
        f
        for f in dict.fromkeys(folders)
        if not any(f != other and f.startswith(other + "/") for other in folders)
    ]
    return [f"./{folder}:/app/{folder}" for folder in kept]


def _unique(*groups: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return sorted(seen, key=str.lower)


def mermaid(picked) -> str:
    """A mermaid flowchart of the chosen stack, in the user's data-flow order."""
    label = {lyr.id: [] for lyr, _ in picked}
    for lyr, tool in picked:
        label[lyr.id].append(tool.label)
    marts = label.get("marts", [])
    lines = [
        "flowchart LR",
        '  subgraph SRC["Sources"]',
        '    api["REST API"]',
        '    db[("SQL database")]',
        '    files[/"CSV + JSON files"/]',
        "  end",
        f'  ING["{" / ".join(label["ingestion"])}<br/>ingestion"]',
        f'  ORCH{{{{"{" / ".join(label["orchestration"])}<br/>orchestration"}}}}',
        f'  subgraph LAKE["Lake: {" / ".join(label["data_lake"])}"]',
        '    bronze["bronze (raw parquet)"]',
        "  end",
        f'  subgraph WH["Warehouse: {" / ".join(label["warehouse"])}'
        f' + {" / ".join(label["processing"])}"]',
        '    silver["silver (cleaned)"]',
        '    gold["gold (business)"]',
    ]
    for mart in marts:
        key = mart.lower().replace(" ", "_")
        lines.append(f'    mart_{key}["{mart} mart"]')
    lines.append("  end")
    lines += [
        "  api --> ING",
        "  db --> ING",
        "  files --> ING",
        "  ING --> bronze",
        "  bronze --> silver",
        "  silver --> gold",
    ]
    viz = label.get("visualization", [])
    for mart in marts:
        key = mart.lower().replace(" ", "_")
        lines.append(f"  gold --> mart_{key}")
    if viz and viz != [CATALOG.layer("visualization").tool("none").label]:
        lines.append(f'  VIZ["{" / ".join(viz)}<br/>dashboards"]')
        lines += [f"  mart_{m.lower().replace(' ', '_')} --> VIZ" for m in marts]
    lines.append("  ORCH -. schedules .-> ING")
    lines.append("  ORCH -. runs .-> silver")
    return "\n".join(lines)


class CatalogExtension(Extension):
    """Exposes the catalog to copier.yml (choices, defaults, help) and to templates."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["catalog"] = CATALOG
        environment.globals["layer_choices"] = layer_choices
        environment.globals["project_name_problem"] = project_name_problem
        environment.globals["ipv4_problem"] = ipv4_problem
        environment.filters["ascii_identifier"] = ascii_identifier
        environment.tests["loopback"] = is_loopback


_ANSWER_KEYS = tuple(layer.question for layer in CATALOG.layers)
_PORT_KEYS = tuple(
    sorted(
        {
            svc.port_question
            for lyr in CATALOG.layers
            for t in lyr.tools
            for svc in t.services
            if svc.port_question
        }
    )
)
# Answers that catalog settings refer to as "{answer}" (e.g. lake_path, duckdb_path).
_SETTING_KEYS = tuple(
    sorted(
        {
            name
            for lyr in CATALOG.layers
            for t in lyr.tools
            for text in (
                *t.settings.values(),
                t.dbt_bronze_default,
                *(p.path for p in t.data_paths),
                *t.readme.values(),
                *(part for svc in t.services for part in svc.command),
                *(value for svc in t.services for value in svc.environment.values()),
                *t.compose_env.values(),
                *t.mage_io_config.values(),
            )
            for name in _ANSWER_FIELD.findall(text)
            if name != "port"
        }
    )
)


class ContextUpdater(ContextHook):
    """Adds the derived context (dependencies, env vars, services, diagram) to every render."""

    _cache: ClassVar[dict[str, dict[str, Any]]] = {}

    def hook(self, context: dict[str, Any]) -> None:
        if not all(key in context for key in _ANSWER_KEYS):
            return
        keys = (*_ANSWER_KEYS, *_PORT_KEYS, *_SETTING_KEYS, "package_name")
        answers = {key: context[key] for key in keys if key in context}
        cache_key = json.dumps(answers, sort_keys=True, default=str)
        if cache_key not in self._cache:
            try:
                self._cache[cache_key] = derive(answers)
            except KeyError:
                # an answer copier has not asked or validated yet (it reports it itself):
                # remembered too, questions render many times before the next answer
                self._cache[cache_key] = None
        derived = self._cache[cache_key]
        if derived is not None:
            context.update(derived)
