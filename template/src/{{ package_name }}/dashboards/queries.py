"""What a chart shows, queried from the mart through the configured warehouse.

One portable SQL statement per chart (``date_trunc``, ``count(DISTINCT ...)``: DuckDB,
PostgreSQL and Snowflake share them); a warehouse that spells quoted names or the date bucket
otherwise says so in its module (``quote_identifier(name)``, ``date_bucket(grain, column)``).
Values come back as JSON-ready numbers and ISO dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType
from typing import Any

from ..config import StackConfig
from .spec import Aggregate, Chart, Kind, Metric


@dataclass(frozen=True)
class ChartData:
    """A chart's figures: the x values (time or dimension) and one series per metric; a
    big_number's single value; a table's columns and rows."""

    chart: Chart
    x: list[Any] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return next(iter(self.series.values()))[0] if self.chart.kind is Kind.big_number else None


def _standard_quote(name: str) -> str:
    return f'"{name}"'


def _standard_bucket(grain: str, column: str) -> str:
    return f"date_trunc('{grain}', {column})"


@dataclass(frozen=True)
class Dialect:
    """How the warehouse spells a quoted name and the start of a date's bucket."""

    quote: Callable[[str], str] = _standard_quote
    bucket: Callable[[str, str], str] = _standard_bucket

    @classmethod
    def of(cls, warehouse: ModuleType) -> Dialect:
        """The warehouse module's own spellings where it has them, the standard ones else."""
        return cls(
            quote=getattr(warehouse, "quote_identifier", _standard_quote),
            bucket=getattr(warehouse, "date_bucket", _standard_bucket),
        )


STANDARD = Dialect()


def _aggregate(metric: Metric, dialect: Dialect) -> str:
    column = dialect.quote(metric.column)
    if metric.aggregate is Aggregate.count_distinct:
        return f"count(DISTINCT {column})"
    return f"{metric.aggregate.value}({column})"


def chart_sql(mart: str, chart: Chart, dialect: Dialect = STANDARD) -> str:
    """The statement behind ``chart``: grouped by its time bucket or dimensions."""
    quote = dialect.quote
    keys: list[str] = []
    if chart.time is not None:
        bucket = dialect.bucket(chart.time.grain.value, quote(chart.time.column))
        keys.append(f"CAST({bucket} AS date)")
    keys += [quote(d) for d in chart.dimensions]
    selected = [f"{k} AS {quote(f'k{i}')}" for i, k in enumerate(keys)]
    selected += [f"{_aggregate(m, dialect)} AS {quote(m.name)}" for m in chart.metrics]
    sql = f"SELECT {', '.join(selected)} FROM {quote(mart)}.{quote(chart.dataset)}"
    if keys:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
        if chart.kind in (Kind.bar, Kind.pie) and chart.time is None:
            sql += f" ORDER BY {len(keys) + 1} DESC, 1"  # largest first
        else:
            sql += " ORDER BY " + ", ".join(str(i + 1) for i in range(len(keys)))
        sql += f" LIMIT {chart.limit}"
    return sql


def plain(value: Any) -> Any:
    """A value as JSON has it: decimals as floats, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def chart_data(cfg: StackConfig, mart: str, chart: Chart) -> ChartData:
    """Query ``chart``'s figures from the mart."""
    warehouse = cfg.module("warehouse")
    result = warehouse.query(cfg, chart_sql(mart, chart, Dialect.of(warehouse)))
    rows = [[plain(v) for v in row] for row in result.rows]
    keys = (1 if chart.time else 0) + len(chart.dimensions)
    series = {m.name: [row[keys + i] for row in rows] for i, m in enumerate(chart.metrics)}
    if chart.kind is Kind.table:
        names = [chart.time.column] if chart.time else []
        names += [*chart.dimensions, *(m.title for m in chart.metrics)]
        return ChartData(chart, series=series, columns=names, rows=rows)
    x = [row[0] if keys == 1 else " / ".join(map(str, row[:keys])) for row in rows]
    return ChartData(chart, x=x if keys else [], series=series)
