"""What the marts hold: a short summary for the CLI (and anyone who wants one).

Portable SQL through the configured warehouse's ``query``; no warehouse is named here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import StackConfig


@dataclass(frozen=True)
class MartSummary:
    """Row counts of every mart table, plus finance headline figures when that mart exists."""

    tables: dict[str, int] = field(default_factory=dict)
    revenue: dict[str, Any] | None = None
    payment_mix: list[dict[str, Any]] = field(default_factory=list)


def mart_summary(cfg: StackConfig) -> MartSummary:
    """Query the warehouse (read-only) for the configured marts."""
    query = cfg.module("warehouse").query
    schemas = ", ".join(f"'{mart}'" for mart in cfg.marts)
    listed = query(
        cfg,
        "SELECT table_schema, table_name FROM information_schema.tables "
        f"WHERE table_schema IN ({schemas}) ORDER BY 1, 2",
    ).rows
    tables: dict[str, int] = {}
    for schema, table in listed:
        count = query(cfg, f'SELECT count(*) FROM "{schema}"."{table}"').rows
        tables[f"{schema}.{table}"] = int(count[0][0]) if count else 0
    revenue: dict[str, Any] | None = None
    payment_mix: list[dict[str, Any]] = []
    if "finance.fct_daily_revenue" in tables:
        revenue = query(
            cfg,
            "SELECT count(*) AS days, min(revenue_date) AS first_day, "
            "max(revenue_date) AS last_day, sum(order_count) AS orders, "
            "round(sum(gross_revenue), 2) AS gross_revenue, "
            "round(sum(gross_revenue) / nullif(sum(order_count), 0), 2) "
            "AS average_order_value FROM finance.fct_daily_revenue",
        ).records()[0]
    if "finance.fct_payment_mix" in tables:
        payment_mix = query(
            cfg,
            "SELECT payment_method, payment_count, total_amount, share_of_amount "
            "FROM finance.fct_payment_mix ORDER BY total_amount DESC",
        ).records()
    return MartSummary(tables=tables, revenue=revenue, payment_mix=payment_mix)
