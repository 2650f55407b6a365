"""The dashboard specs compiled to a Superset import bundle (``build/superset/bundle/``).

Layout (what Superset's importers read): ``metadata.yaml``, ``databases/warehouse.yaml``,
``datasets/warehouse/<mart>.<model>.yaml`` (with the columns and metrics the charts use),
``charts/<mart>.<chart>.yaml`` (form data for the UI and a saved query context for the
chart-data API) and ``dashboards/<mart>.yaml`` (the position tree from the spec's layout and
native filters). Every id is a uuid5 of the project name and the object's name, so a rebuild
yields the same bundle and a re-import updates the same objects.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..spec import Aggregate, Chart, Dashboard, FilterKind, Kind, Spec

if TYPE_CHECKING:
    from ...warehouse import BIConnection

VERSION = "1.0.0"
DATABASE_FILE = "databases/warehouse.yaml"
# Superset's time grains (ISO 8601 durations).
GRAINS = {"day": "P1D", "week": "P1W", "month": "P1M", "quarter": "P3M", "year": "P1Y"}
VIZ = {
    Kind.big_number: "big_number_total",
    Kind.line: "echarts_timeseries_line",
    Kind.bar: "echarts_timeseries_bar",
    Kind.pie: "pie",
    Kind.table: "table",
}
# Row height of a chart on the dashboard grid (Superset's units of 8 px).
CHART_HEIGHT = 50


def object_uuid(project: str, *name: str) -> str:
    """The stable id of a bundle object (``database``, ``dataset/finance/fct_mrr``, ...)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(["platform", project, *name])))


def _metric_expression(column: str, aggregate: Aggregate) -> str:
    quoted = f'"{column}"'
    if aggregate is Aggregate.count_distinct:
        return f"COUNT(DISTINCT {quoted})"
    return f"{aggregate.value.upper()}({quoted})"


def _database(project: str, connection: BIConnection) -> dict[str, Any]:
    extra = {"engine_params": {"connect_args": connection.connect_args}}
    return {
        "database_name": f"{project} warehouse",
        "sqlalchemy_uri": connection.sqlalchemy_uri,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": extra,
        "uuid": object_uuid(project, "database"),
        "version": VERSION,
    }


def _dataset(project: str, mart: str, model: str, dashboard: Dashboard) -> dict[str, Any]:
    """A mart model as a dataset: the columns the charts and filters read (time columns as
    temporal) and one saved metric per aggregate the charts show (``sum_gross_revenue``)."""
    charts = [chart for chart in dashboard.charts if chart.dataset == model]
    temporal = {chart.time.column for chart in charts if chart.time}
    temporal |= {
        item.column
        for item in dashboard.filters
        if item.kind is FilterKind.time_range
        and any(chart.dataset == model for chart in dashboard.filter_targets(item))
    }
    names = list(dict.fromkeys([c for chart in charts for c in chart.columns]))
    names += [item.column for item in dashboard.filters if item.column not in names]
    names = [n for n in names if n in temporal or any(n in c.columns for c in charts)]
    metrics = {m.name: m for chart in charts for m in chart.metrics}
    return {
        "table_name": model,
        "main_dttm_col": next(iter(sorted(temporal)), None),
        "description": f"Model {model} of the {mart} mart (dbt).",
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "schema": mart,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": object_uuid(project, "dataset", mart, model),
        "metrics": [
            {
                "metric_name": name,
                "verbose_name": metric.title,
                "metric_type": metric.aggregate.value,
                "expression": _metric_expression(metric.column, metric.aggregate),
                "description": None,
                "d3format": None,
                "currency": None,
                "extra": {},
                "warning_text": None,
            }
            for name, metric in metrics.items()
        ],
        "columns": [
            {
                "column_name": name,
                "verbose_name": None,
                "is_dttm": name in temporal,
                "is_active": True,
                "type": "DATE" if name in temporal else None,
                "advanced_data_type": None,
                "groupby": True,
                "filterable": True,
                "expression": None,
                "description": None,
                "python_date_format": None,
                "extra": {},
            }
            for name in names
        ],
        "version": VERSION,
        "database_uuid": object_uuid(project, "database"),
    }


def _axis(chart: Chart) -> dict[str, Any]:
    """The x axis of a chart with time: the column bucketed by the spec's grain."""
    assert chart.time is not None
    return {
        "columnType": "BASE_AXIS",
        "expressionType": "SQL",
        "sqlExpression": chart.time.column,
        "label": chart.time.column,
        "timeGrain": GRAINS[chart.time.grain.value],
    }


def form_data(chart: Chart) -> dict[str, Any]:
    """What Superset's UI draws ``chart`` from (its ``params``)."""
    metrics = [m.name for m in chart.metrics]
    params: dict[str, Any] = {"viz_type": VIZ[chart.kind], "adhoc_filters": []}
    if chart.kind is Kind.big_number:
        params.update(metric=metrics[0], header_font_size=0.4, subheader_font_size=0.15)
    elif chart.kind is Kind.pie:
        params.update(groupby=chart.dimensions, metric=metrics[0], row_limit=chart.limit)
        params.update(show_labels=True, show_legend=True, sort_by_metric=True)
    elif chart.kind is Kind.table:
        groupby = [*([chart.time.column] if chart.time else []), *chart.dimensions]
        params.update(query_mode="aggregate", groupby=groupby, metrics=metrics)
        params.update(row_limit=chart.limit, order_desc=True, all_columns=[], percent_metrics=[])
        if chart.time:
            params["time_grain_sqla"] = GRAINS[chart.time.grain.value]
    else:  # line or bar: a time axis, or (bar) one dimension
        x_axis = chart.time.column if chart.time else chart.dimensions[0]
        params.update(x_axis=x_axis, metrics=metrics, groupby=[], row_limit=chart.limit)
        params.update(show_legend=True, rich_tooltip=True)
        if chart.time:
            params["time_grain_sqla"] = GRAINS[chart.time.grain.value]
        else:
            params.update(x_axis_sort=metrics[0], x_axis_sort_asc=False)
    return params


def query_context(chart: Chart) -> dict[str, Any]:
    """The query the chart-data API runs for ``chart`` (saved with the chart; the importer
    points its datasource at the imported dataset)."""
    metrics = [m.name for m in chart.metrics]
    columns: list[Any] = [_axis(chart)] if chart.time else []
    columns += chart.dimensions
    query: dict[str, Any] = {
        "columns": columns,
        "metrics": metrics,
        "filters": [],
        "extras": {"having": "", "where": ""},
        "row_limit": 1 if chart.kind is Kind.big_number else chart.limit,
        "orderby": [],
    }
    if chart.kind is not Kind.big_number and chart.time is None:
        query["orderby"] = [[metrics[0], False]]
    elif chart.time is not None:
        query["orderby"] = [[chart.time.column, True]]
    return {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": form_data(chart),
        "result_format": "json",
        "result_type": "full",
    }


def _chart(project: str, mart: str, chart: Chart) -> dict[str, Any]:
    return {
        "slice_name": chart.title,
        "description": None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": VIZ[chart.kind],
        "params": form_data(chart),
        "query_context": json.dumps(query_context(chart)),
        "cache_timeout": None,
        "uuid": object_uuid(project, "chart", mart, chart.id),
        "version": VERSION,
        "dataset_uuid": object_uuid(project, "dataset", mart, chart.dataset),
    }


def position(project: str, spec: Spec) -> dict[str, Any]:
    """The dashboard's position tree: a row per layout row, a chart per cell with its width."""
    dashboard = spec.dashboard
    tree: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": dashboard.title}},
    }
    for number, row in enumerate(dashboard.rows):
        row_id = f"ROW-{number}"
        tree["GRID_ID"]["children"].append(row_id)
        tree[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for cell in row:
            chart = dashboard.chart(cell.chart)
            node_id = f"CHART-{cell.chart}"
            tree[row_id]["children"].append(node_id)
            tree[node_id] = {
                "type": "CHART",
                "id": node_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "width": cell.width,
                    "height": CHART_HEIGHT,
                    "chartId": 0,
                    "uuid": object_uuid(project, "chart", spec.mart, chart.id),
                    "sliceName": chart.title,
                },
            }
    return tree


def _native_filters(project: str, spec: Spec) -> list[dict[str, Any]]:
    filters = []
    for item in spec.dashboard.filters:
        targets: list[dict[str, Any]] = [{}]
        if item.kind is FilterKind.select:
            model = spec.dashboard.filter_targets(item)[0].dataset
            dataset = object_uuid(project, "dataset", spec.mart, model)
            targets = [{"datasetUuid": dataset, "column": {"name": item.column}}]
        filters.append(
            {
                "id": f"NATIVE_FILTER-{item.id}",
                "name": item.title,
                "filterType": "filter_time"
                if item.kind is FilterKind.time_range
                else "filter_select",
                "targets": targets,
                "controlValues": {"enableEmptyFilter": False},
                "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                "cascadeParentIds": [],
                "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                "type": "NATIVE_FILTER",
                "description": "",
            }
        )
    return filters


def _dashboard(project: str, spec: Spec) -> dict[str, Any]:
    return {
        "dashboard_title": spec.dashboard.title,
        "description": spec.dashboard.description or None,
        "css": "",
        "slug": spec.mart,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": object_uuid(project, "dashboard", spec.mart),
        "position": position(project, spec),
        "metadata": {
            "native_filter_configuration": _native_filters(project, spec),
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": True,
            "default_filters": "{}",
            "chart_configuration": {},
        },
        "version": VERSION,
    }


def compile_bundle(project: str, specs: list[Spec], connection: BIConnection) -> dict[str, Any]:
    """Every file of the bundle (path inside the bundle -> content), from the specs."""
    files: dict[str, Any] = {
        "metadata.yaml": {"version": VERSION, "type": "Dashboard"},
        DATABASE_FILE: _database(project, connection),
    }
    for spec in specs:
        for model in dict.fromkeys(chart.dataset for chart in spec.dashboard.charts):
            dataset = _dataset(project, spec.mart, model, spec.dashboard)
            files[f"datasets/warehouse/{spec.mart}.{model}.yaml"] = dataset
        for chart in spec.dashboard.charts:
            files[f"charts/{spec.mart}.{chart.id}.yaml"] = _chart(project, spec.mart, chart)
        files[f"dashboards/{spec.mart}.yaml"] = _dashboard(project, spec)
    return files


def write_bundle(files: dict[str, Any], folder: Path) -> Path:
    """The bundle as YAML files under ``folder`` (emptied first: a removed chart leaves)."""
    for old in sorted(folder.rglob("*.yaml"), reverse=True) if folder.is_dir() else []:
        old.unlink()
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return folder
