"""Dashboard specs (``dashboards/specs/<mart>.yml``): one tool-agnostic dashboard per mart.

A spec names charts over the mart's models (``dataset``), each with metrics (a column and an
aggregate), dimensions, an optional time column and grain, and a kind (line, bar, big_number,
table, pie); dashboard filters; and a layout (rows of charts on a 12-column grid). Every BI
target compiles from these models, and the preview draws them. Errors name the file and the key:
``dashboards/specs/finance.yml: charts[2].metrics[0].aggregate: ...``.

``manifest_problems`` checks a spec against dbt's manifest: every dataset is a model of the
spec's mart and every column it names is a column of that model.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config.env import key_path

GRID_COLUMNS = 12
IDENTIFIER = r"^[a-z][a-z0-9_]*$"


class SpecError(ValueError):
    """A spec that cannot be read or validated; the message names the file and the key."""


class Kind(StrEnum):
    line = "line"
    bar = "bar"
    big_number = "big_number"
    table = "table"
    pie = "pie"


class Aggregate(StrEnum):
    sum = "sum"
    avg = "avg"
    min = "min"
    max = "max"
    count = "count"
    count_distinct = "count_distinct"


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class FilterKind(StrEnum):
    time_range = "time_range"
    select = "select"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Metric(_Strict):
    column: str = Field(pattern=IDENTIFIER)
    aggregate: Aggregate = Aggregate.sum
    label: str = ""

    @property
    def name(self) -> str:
        """The metric's column in query results (``sum_gross_revenue``)."""
        return f"{self.aggregate.value}_{self.column}"

    @property
    def title(self) -> str:
        return self.label or f"{self.aggregate.value.replace('_', ' ')} of {self.column}"


class TimeAxis(_Strict):
    column: str = Field(pattern=IDENTIFIER)
    grain: Grain = Grain.day


class Chart(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: str = Field(min_length=1)
    kind: Kind
    # A model of this spec's mart (dbt model name).
    dataset: str = Field(pattern=IDENTIFIER)
    metrics: list[Metric] = Field(min_length=1)
    dimensions: list[str] = []
    time: TimeAxis | None = None
    # Rows a table or bar chart shows at most (largest first for bars without a time axis).
    limit: int = Field(default=1000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _shape_fits_kind(self) -> Chart:
        dims, kind = len(self.dimensions), self.kind
        if kind is Kind.big_number and (dims or self.time or len(self.metrics) != 1):
            raise ValueError("a big_number shows one metric, without dimensions or time")
        if kind is Kind.pie and (dims != 1 or self.time or len(self.metrics) != 1):
            raise ValueError("a pie shows one metric by one dimension, without time")
        if kind is Kind.line and (self.time is None or dims):
            raise ValueError("a line needs `time` and no dimensions")
        if kind is Kind.bar and (self.time is None) == (dims != 1):
            raise ValueError("a bar needs either `time` or one dimension")
        for dimension in self.dimensions:
            if not dimension.isidentifier() or dimension != dimension.lower():
                raise ValueError(f"dimension {dimension!r} is not a column name")
        return self

    @property
    def columns(self) -> list[str]:
        """Every column of the dataset this chart reads."""
        time = [self.time.column] if self.time else []
        return list(dict.fromkeys([*time, *self.dimensions, *(m.column for m in self.metrics)]))


class Filter(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: str = Field(min_length=1)
    kind: FilterKind
    column: str = Field(pattern=IDENTIFIER)
    # The charts it applies to (default: every chart that reads the column).
    charts: list[str] = []


class Cell(_Strict):
    chart: str = Field(pattern=IDENTIFIER)
    width: int = Field(default=0, ge=0, le=GRID_COLUMNS)


class Dashboard(_Strict):
    title: str = Field(min_length=1)
    description: str = ""
    charts: list[Chart] = Field(min_length=1)
    filters: list[Filter] = []
    # Rows of chart ids (or {chart, width}); a row's widths default to equal shares of 12.
    layout: list[list[Cell | str]] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Dashboard:
        ids = [chart.id for chart in self.charts]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"chart ids must be unique: {', '.join(duplicates)}")
        placed = [cell for row in self.rows for cell in row]
        for cell in placed:
            if cell.chart not in ids:
                raise ValueError(f"layout names chart {cell.chart!r}, which `charts` lacks")
        placed_ids = [cell.chart for cell in placed]
        missing = [i for i in ids if i not in placed_ids]
        twice = sorted({i for i in placed_ids if placed_ids.count(i) > 1})
        if missing or twice:
            raise ValueError(
                "layout must place every chart once "
                f"(missing: {', '.join(missing) or '-'}; twice: {', '.join(twice) or '-'})"
            )
        for number, row in enumerate(self.rows):
            if sum(cell.width for cell in row) > GRID_COLUMNS:
                raise ValueError(f"layout row {number}: widths add up to more than 12")
        for item in self.filters:
            for chart in item.charts:
                if chart not in ids:
                    raise ValueError(f"filter {item.id!r} names chart {chart!r}, which is unknown")
            if not self.filter_targets(item):
                raise ValueError(
                    f"filter {item.id!r}: no chart reads {item.column!r} (list its `charts`)"
                )
        return self

    @property
    def rows(self) -> list[list[Cell]]:
        """The layout with every width filled in (equal shares of what is left)."""
        rows = []
        for row in self.layout:
            cells = [Cell(chart=c) if isinstance(c, str) else c for c in row]
            free = GRID_COLUMNS - sum(c.width for c in cells)
            unsized = [c for c in cells if not c.width]
            share = max(1, free // len(unsized)) if unsized else 0
            rows.append([c if c.width else Cell(chart=c.chart, width=share) for c in cells])
        return rows

    def chart(self, chart_id: str) -> Chart:
        return next(chart for chart in self.charts if chart.id == chart_id)

    def filter_targets(self, item: Filter) -> list[Chart]:
        """The charts a filter applies to."""
        if item.charts:
            return [self.chart(chart_id) for chart_id in item.charts]
        return [chart for chart in self.charts if item.column in chart.columns]


class Spec(BaseModel):
    """A validated dashboard with the mart it belongs to and the file it came from."""

    model_config = ConfigDict(frozen=True)

    mart: str
    path: Path
    dashboard: Dashboard


def spec_paths(specs_dir: Path, marts: list[str]) -> list[Path]:
    """The spec of every configured mart (``<specs_dir>/<mart>.yml``)."""
    return [specs_dir / f"{mart}.yml" for mart in marts]


def _label(path: Path, root: Path | None) -> str:
    """``dashboards/specs/finance.yml``: relative to the project root or the cwd if possible."""
    for base in (root, Path.cwd()):
        if base is not None and path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def load_spec(path: Path, root: Path | None = None) -> Spec:
    """Read and validate one spec; ``SpecError`` names the file and the key of every problem."""
    label = _label(path, root)
    if not path.is_file():
        raise SpecError(f"{label}: file not found (every configured mart has a dashboard spec)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise SpecError(f"{label}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        dashboard = Dashboard.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(_format(exc, label)) from None
    return Spec(mart=path.stem, path=path, dashboard=dashboard)


def load_specs(specs_dir: Path, marts: list[str], root: Path | None = None) -> list[Spec]:
    """Every configured mart's spec, validated (all problems of all files in one error);
    messages name files relative to ``root``."""
    specs, problems = [], []
    for path in spec_paths(specs_dir, marts):
        try:
            specs.append(load_spec(path, root))
        except SpecError as exc:
            problems.append(str(exc))
    if problems:
        raise SpecError("\n".join(problems))
    return specs


def _format(exc: ValidationError, label: str) -> str:
    lines = []
    for error in exc.errors():
        # pydantic adds the union member it tried (`Cell`, `str`) to locations: not a key.
        loc = tuple(p for p in error["loc"] if p not in {"Cell", "str"})
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is missing"
        elif error["type"] == "extra_forbidden":
            message = "is not a known key (check its spelling)"
        elif "input" in error and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"{label}: {key_path(loc)}: {message}")
    return "\n".join(dict.fromkeys(lines))


# ------------------------------------------------------------------------- dbt's manifest
def mart_models(manifest: dict[str, Any], mart: str) -> dict[str, set[str]]:
    """The models of ``mart`` in dbt's manifest (``marts/<mart>/``) and their columns."""
    models = {}
    for node in manifest.get("nodes", {}).values():
        fqn = node.get("fqn", [])
        if node.get("resource_type") == "model" and fqn[1:3] == ["marts", mart]:
            models[node["name"]] = {name.lower() for name in node.get("columns", {})}
    return models


def manifest_problems(spec: Spec, manifest: dict[str, Any], root: Path | None = None) -> list[str]:
    """What ``spec`` names that the dbt project lacks: datasets that are not models of its mart,
    columns that are not columns of the dataset (each problem names the file and the key)."""
    label = _label(spec.path, root)
    models = mart_models(manifest, spec.mart)
    problems = []
    for index, chart in enumerate(spec.dashboard.charts):
        key = f"charts[{index}]"
        if chart.dataset not in models:
            known = ", ".join(sorted(models)) or "none"
            problems.append(
                f"{label}: {key}.dataset: {chart.dataset!r} is not a model of mart "
                f"{spec.mart!r} (its models: {known})"
            )
            continue
        columns = models[chart.dataset]
        named = [("time.column", chart.time.column)] if chart.time else []
        named += [(f"dimensions[{i}]", d) for i, d in enumerate(chart.dimensions)]
        named += [(f"metrics[{i}].column", m.column) for i, m in enumerate(chart.metrics)]
        for where, column in named:
            if column not in columns:
                problems.append(
                    f"{label}: {key}.{where}: {column!r} is not a column of {chart.dataset} "
                    f"(its columns: {', '.join(sorted(columns))})"
                )
    for index, item in enumerate(spec.dashboard.filters):
        for chart in spec.dashboard.filter_targets(item):
            if chart.dataset in models and item.column not in models[chart.dataset]:
                problems.append(
                    f"{label}: filters[{index}].column: {item.column!r} is not a column of "
                    f"{chart.dataset} (chart {chart.id!r})"
                )
    return problems
