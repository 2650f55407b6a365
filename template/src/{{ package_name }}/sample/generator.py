"""Deterministic sample sources: a small retail shop.

``generate()`` writes, from a seed and a scale factor (SF 1 ~ 200k orders, SF 0.01 ~ 2k):

- ``<files_dir>/customers.jsonl`` (JSON lines; a few exact duplicate lines at the end),
- ``<files_dir>/products.csv``,
- the shop database (sqlite): ``orders`` and ``order_items``,
- the payments the sample API serves (sqlite table ``payments`` in its own file).

Rows are produced and written in chunks, so memory stays flat as the scale factor grows. The
same seed and scale factor always give byte-identical files and identical database rows.
"""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import StackConfig

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
ORDER_WINDOW_DAYS = 90
CHUNK_ORDERS = 10_000

ORDER_STATUSES = ("placed", "shipped", "delivered", "cancelled")
ORDER_STATUS_WEIGHTS = (15, 20, 55, 10)
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_METHOD_WEIGHTS = (55, 25, 12, 8)
COUNTRIES = ("US", "DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL", "CA")
CATEGORIES = ("apparel", "home", "garden", "toys", "books", "electronics", "sports")
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elif", "Finn", "Grace", "Hugo", "Ines", "Jon")
LAST_NAMES = ("Meyer", "Smith", "Rossi", "Dubois", "Novak", "Silva", "Jensen", "Kowal", "Ito")
ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Handy", "Premium", "Smart", "Sturdy")
NOUNS = ("Backpack", "Lamp", "Mug", "Planter", "Puzzle", "Novel", "Speaker", "Bottle", "Kite")

CUSTOMER_FIELDS = (
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "country",
    "signup_at",
    "updated_at",
)
PRODUCT_FIELDS = (
    "product_id",
    "sku",
    "product_name",
    "category",
    "unit_price",
    "is_active",
    "updated_at",
)

SHOP_SCHEMA = """
CREATE TABLE orders (
    order_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    ordered_at TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE order_items (
    order_item_id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price REAL NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_updated_at ON orders (updated_at, order_id);
CREATE INDEX order_items_updated_at ON order_items (updated_at, order_item_id);
"""

PAYMENTS_SCHEMA = """
CREATE TABLE payments (
    payment_id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    amount REAL NOT NULL,
    status TEXT NOT NULL,
    paid_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX payments_updated_at ON payments (updated_at, payment_id);
"""

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class SampleSizes:
    customers: int
    products: int
    orders: int

    @classmethod
    def for_scale(cls, scale_factor: float) -> SampleSizes:
        if scale_factor <= 0:
            raise ValueError("scale_factor must be greater than 0")
        return cls(
            customers=max(20, round(50_000 * scale_factor)),
            products=max(20, round(5_000 * scale_factor)),
            orders=max(50, round(200_000 * scale_factor)),
        )


@dataclass(frozen=True)
class SamplePaths:
    files_dir: Path
    shop_db: Path
    payments_db: Path

    @classmethod
    def from_config(cls, cfg: StackConfig) -> SamplePaths:
        return cls(files_dir=cfg.files_dir, shop_db=cfg.sqlite_path, payments_db=cfg.api_data_path)

    @property
    def customers(self) -> Path:
        return self.files_dir / "customers.jsonl"

    @property
    def products(self) -> Path:
        return self.files_dir / "products.csv"

    def all(self) -> tuple[Path, ...]:
        return (self.customers, self.products, self.shop_db, self.payments_db)

    def exist(self) -> bool:
        return all(path.is_file() for path in self.all())


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with a trailing Z, seconds precision: 2026-03-01T10:15:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"{seed}:{stream}")


def _customers(seed: int, count: int) -> Iterator[dict[str, object]]:
    rng = _rng(seed, "customers")
    for customer_id in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        signup = EPOCH - timedelta(seconds=rng.randrange(365 * 86_400))
        updated = signup + timedelta(seconds=rng.randrange(60 * 86_400))
        yield {
            "customer_id": customer_id,
            "email": f"{first}.{last}.{customer_id}@example.com".lower(),
            "first_name": first,
            "last_name": last,
            "country": rng.choice(COUNTRIES),
            "signup_at": iso(signup),
            "updated_at": iso(updated),
        }


def _write_customers(path: Path, seed: int, count: int) -> int:
    rng = _rng(seed, "customer-duplicates")
    duplicated = set(rng.sample(range(1, count + 1), k=min(count, max(3, count // 250))))
    repeated: list[str] = []
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for customer in _customers(seed, count):
            line = json.dumps(customer, separators=(",", ":")) + "\n"
            handle.write(line)
            lines += 1
            if customer["customer_id"] in duplicated:
                repeated.append(line)
        handle.writelines(repeated)
    return lines + len(repeated)


def _product_rows(seed: int, count: int) -> Iterator[tuple[int, str, str, str, float, bool, str]]:
    rng = _rng(seed, "products")
    for product_id in range(1, count + 1):
        updated = EPOCH - timedelta(seconds=rng.randrange(180 * 86_400))
        yield (
            product_id,
            f"SKU-{product_id:06d}",
            f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
            rng.choice(CATEGORIES),
            round(rng.uniform(3, 250), 2),
            rng.random() < 0.9,
            iso(updated),
        )


def _write_products(path: Path, seed: int, count: int) -> list[float]:
    """Write products.csv; return the unit prices (index = product_id - 1)."""
    prices: list[float] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PRODUCT_FIELDS)
        for row in _product_rows(seed, count):
            product_id, sku, name, category, price, active, updated = row
            prices.append(price)
            writer.writerow(
                (product_id, sku, name, category, f"{price:.2f}", str(active).lower(), updated)
            )
    return prices


@dataclass
class _Counters:
    order_items: int = 0
    payments: int = 0


def _order_chunk(
    rng: random.Random,
    sizes: SampleSizes,
    prices: list[float],
    first_order: int,
    last_order: int,
    counters: _Counters,
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    window = ORDER_WINDOW_DAYS * 86_400
    slot = window / sizes.orders
    orders: list[tuple] = []
    items: list[tuple] = []
    payments: list[tuple] = []
    for order_id in range(first_order, last_order + 1):
        ordered = EPOCH + timedelta(seconds=int((order_id - 1) * slot + rng.random() * slot))
        status = rng.choices(ORDER_STATUSES, ORDER_STATUS_WEIGHTS)[0]
        lag_hours = {"placed": 2, "shipped": 72, "delivered": 240, "cancelled": 48}[status]
        updated = ordered + timedelta(seconds=rng.randrange(60, lag_hours * 3_600))
        orders.append(
            (order_id, rng.randint(1, sizes.customers), iso(ordered), status, iso(updated))
        )
        total = 0.0
        for _ in range(rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0]):
            counters.order_items += 1
            product_id = rng.randint(1, sizes.products)
            quantity = rng.choices((1, 2, 3), (70, 20, 10))[0]
            price = prices[product_id - 1]
            total += quantity * price
            items.append(
                (counters.order_items, order_id, product_id, quantity, price, iso(ordered))
            )
        amount = round(total, 2)
        if status == "cancelled":
            attempts = ("failed",) if rng.random() < 0.3 else ()
        else:
            attempts = ("failed", "succeeded") if rng.random() < 0.07 else ("succeeded",)
        paid = ordered
        for outcome in attempts:
            counters.payments += 1
            paid += timedelta(seconds=rng.randrange(30, 1_800))
            method = rng.choices(PAYMENT_METHODS, PAYMENT_METHOD_WEIGHTS)[0]
            changed = paid + timedelta(seconds=rng.randrange(0, 120))
            payments.append(
                (counters.payments, order_id, method, amount, outcome, iso(paid), iso(changed))
            )
    return orders, items, payments


def _fresh_sqlite(path: Path, schema: str) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(schema)
    return connection


def generate(
    paths: SamplePaths,
    *,
    seed: int = 42,
    scale_factor: float = 0.01,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write every sample source (replacing old files); return rows written per table.

    ``progress(table, rows)`` is called as work advances (orders in chunks).
    """
    sizes = SampleSizes.for_scale(scale_factor)
    for path in paths.all():
        path.parent.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _table, _rows: None)

    counts = {"customers": _write_customers(paths.customers, seed, sizes.customers)}
    report("customers", counts["customers"])
    prices = _write_products(paths.products, seed, sizes.products)
    counts["products"] = len(prices)
    report("products", counts["products"])

    rng = _rng(seed, "orders")
    counters = _Counters()
    shop = _fresh_sqlite(paths.shop_db, SHOP_SCHEMA)
    pay = _fresh_sqlite(paths.payments_db, PAYMENTS_SCHEMA)
    try:
        for first in range(1, sizes.orders + 1, CHUNK_ORDERS):
            last = min(first + CHUNK_ORDERS - 1, sizes.orders)
            orders, items, payments = _order_chunk(rng, sizes, prices, first, last, counters)
            shop.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", orders)
            shop.executemany("INSERT INTO order_items VALUES (?, ?, ?, ?, ?, ?)", items)
            pay.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?)", payments)
            report("orders", len(orders))
        shop.commit()
        pay.commit()
    finally:
        shop.close()
        pay.close()
    counts.update(orders=sizes.orders, order_items=counters.order_items, payments=counters.payments)
    return counts
