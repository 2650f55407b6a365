"""What the marts hold: a short summary for the CLI (and anyone who wants one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import StackConfig
from ..warehouse.duckdb import connect


@dataclass(frozen=True)
class MartSummary:
    """Row counts of every mart table, plus finance headline figures when that mart exists."""

    tables: dict[str, int] = field(default_factory=dict)
    revenue: dict[str, Any] | None = None
    payment_mix: list[dict[str, Any]] = field(default_factory=list)


def _records(cursor: Any) -> list[dict[str, Any]]:
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def mart_summary(cfg: StackConfig) -> MartSummary:
    """Query the warehouse (read-only) for the configured marts."""
    tables: dict[str, int] = {}
    revenue: dict[str, Any] | None = None
    payment_mix: list[dict[str, Any]] = []
    with connect(cfg) as connection:
        listed = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2",
            [cfg.marts],
        ).fetchall()
        for schema, table in listed:
            count = connection.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            tables[f"{schema}.{table}"] = int(count[0]) if count else 0
        if "finance.fct_daily_revenue" in tables:
            revenue = _records(
                connection.execute(
                    "SELECT count(*) AS days, min(revenue_date) AS first_day, "
                    "max(revenue_date) AS last_day, sum(order_count) AS orders, "
                    "round(sum(gross_revenue), 2) AS gross_revenue, "
                    "round(sum(gross_revenue) / nullif(sum(order_count), 0), 2) "
                    "AS average_order_value FROM finance.fct_daily_revenue"
                )
            )[0]
        if "finance.fct_payment_mix" in tables:
            payment_mix = _records(
                connection.execute(
                    "SELECT payment_method, payment_count, total_amount, share_of_amount "
                    "FROM finance.fct_payment_mix ORDER BY total_amount DESC"
                )
            )
    return MartSummary(tables=tables, revenue=revenue, payment_mix=payment_mix)
