"""The source systems and their tables: one definition used by ingestion and the sample data.

Column kinds: ``id`` / ``int`` (integers), ``money`` (2 decimals), ``bool``, ``text``, ``ts``
(ISO-8601 timestamp text) and ``date`` (``YYYY-MM-DD`` text). Timestamps and dates stay text
in bronze (raw, as the source wrote them); silver parses them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool = False


@dataclass(frozen=True)
class SourceTable:
    """One table of a source; ``key`` is its primary key, ``file_format`` set for files."""

    source: str
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    file_format: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def file_pattern(self) -> str:
        """Glob of the batch files of a files-source table: ``customers_*.jsonl``."""
        return f"{self.name}_*.{self.file_format}"

    def batch_file_name(self, batch: int) -> str:
        return f"{self.name}_{batch:04d}.{self.file_format}"


def _columns(*specs: str) -> tuple[Column, ...]:
    """``"name:kind"`` or ``"name:kind?"`` (``?`` = nullable by design)."""
    columns = []
    for spec in specs:
        name, kind = spec.split(":")
        columns.append(Column(name, kind.rstrip("?"), nullable=kind.endswith("?")))
    return tuple(columns)


FILES = "files"
SHOP_DB = "shop_db"
SHOP_API = "shop_api"

TABLES: tuple[SourceTable, ...] = (
    SourceTable(
        FILES,
        "customers",
        _columns(
            "customer_id:id",
            "email:text",
            "first_name:text",
            "last_name:text",
            "country:text",
            "acquisition_channel:text",
            "signup_at:ts",
            "updated_at:ts",
        ),
        ("customer_id",),
        "jsonl",
    ),
    SourceTable(
        FILES,
        "products",
        _columns(
            "product_id:id",
            "sku:text",
            "product_name:text",
            "category:text",
            "unit_price:money",
            "unit_cost:money",
            "is_active:bool",
            "updated_at:ts",
        ),
        ("product_id",),
        "csv",
    ),
    SourceTable(
        FILES,
        "campaigns",
        _columns(
            "campaign_id:id",
            "channel:text",
            "campaign_name:text",
            "started_on:date",
            "ended_on:date?",
            "updated_at:ts",
        ),
        ("campaign_id",),
        "csv",
    ),
    SourceTable(
        FILES,
        "ad_spend",
        _columns(
            "spend_date:date",
            "campaign_id:id",
            "channel:text",
            "spend:money",
            "impressions:int",
            "clicks:int",
            "updated_at:ts",
        ),
        ("spend_date", "campaign_id"),
        "csv",
    ),
    SourceTable(
        FILES,
        "web_sessions",
        _columns(
            "session_id:id",
            "customer_id:id?",
            "anonymous_id:text",
            "started_at:ts",
            "channel:text",
            "campaign_id:id?",
            "device:text",
            "updated_at:ts",
        ),
        ("session_id",),
        "jsonl",
    ),
    SourceTable(
        FILES,
        "web_events",
        _columns(
            "event_id:id",
            "session_id:id",
            "event_type:text",
            "occurred_at:ts",
            "product_id:id?",
            "order_id:id?",
            "updated_at:ts",
        ),
        ("event_id",),
        "jsonl",
    ),
    SourceTable(
        SHOP_DB,
        "orders",
        _columns(
            "order_id:id",
            "customer_id:id",
            "ordered_at:ts",
            "status:text",
            "currency:text",
            "updated_at:ts",
        ),
        ("order_id",),
    ),
    SourceTable(
        SHOP_DB,
        "order_items",
        _columns(
            "order_item_id:id",
            "order_id:id",
            "product_id:id",
            "quantity:int",
            "unit_price:money",
            "updated_at:ts",
        ),
        ("order_item_id",),
    ),
    SourceTable(
        SHOP_DB,
        "refunds",
        _columns(
            "refund_id:id",
            "order_id:id",
            "amount:money",
            "refunded_at:ts",
            "reason:text",
            "updated_at:ts",
        ),
        ("refund_id",),
    ),
    SourceTable(
        SHOP_DB,
        "subscriptions",
        _columns(
            "subscription_id:id",
            "customer_id:id",
            "plan:text",
            "monthly_price:money",
            "started_at:ts",
            "cancelled_at:ts?",
            "updated_at:ts",
        ),
        ("subscription_id",),
    ),
    SourceTable(
        SHOP_DB,
        "shipments",
        _columns(
            "shipment_id:id",
            "order_id:id",
            "carrier:text",
            "promised_at:ts",
            "shipped_at:ts",
            "delivered_at:ts?",
            "updated_at:ts",
        ),
        ("shipment_id",),
    ),
    SourceTable(
        SHOP_DB,
        "inventory_movements",
        _columns(
            "movement_id:id",
            "product_id:id",
            "movement_type:text",
            "quantity:int",
            "moved_at:ts",
            "updated_at:ts",
        ),
        ("movement_id",),
    ),
    SourceTable(
        SHOP_API,
        "payments",
        _columns(
            "payment_id:id",
            "order_id:id",
            "payment_method:text",
            "amount:money",
            "status:text",
            "paid_at:ts",
            "updated_at:ts",
        ),
        ("payment_id",),
    ),
    SourceTable(
        SHOP_API,
        "support_tickets",
        _columns(
            "ticket_id:id",
            "customer_id:id",
            "order_id:id?",
            "category:text",
            "priority:text",
            "created_at:ts",
            "resolved_at:ts?",
            "status:text",
            "updated_at:ts",
        ),
        ("ticket_id",),
    ),
)

TABLES_BY_NAME: dict[str, SourceTable] = {table.name: table for table in TABLES}
SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    source: tuple(table.name for table in TABLES if table.source == source)
    for source in (FILES, SHOP_DB, SHOP_API)
}
# Columns added in a later batch (schema drift): they flow through ingestion untyped.
DRIFT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": (Column("loyalty_tier", "text", nullable=True),),
}
CURSOR_COLUMN = "updated_at"
