"""The sample company, simulated: an online shop with a subscription line.

Batch 1 is the first 90 days of trading (2026-01-01 .. 2026-03-31, plus the customers,
products, campaigns and subscriptions that existed before); every later batch is the next
7 days. A batch holds what became visible in its period: new rows, and new versions of rows
that changed (orders shipped or delivered, tickets resolved, subscriptions cancelled, price and
e-mail changes). Orders follow a planned timeline (cancel, ship, deliver, refund, ticket)
stored with them, so a later batch advances them deterministically. Late-arriving orders
(ordered in an earlier period, recorded in this one) come with their items, payments,
shipments and sessions.

Every ``updated_at`` of a batch lies inside that batch's period, so an incremental load that
resumes after the previous batch's latest ``updated_at`` sees exactly the batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .store import Store

DAY = 86_400
HOUR = 3_600
MINUTE = 60
EPOCH = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
EPOCH_DAY = EPOCH // DAY
FIRST_PERIOD_DAYS = 90
LATER_PERIOD_DAYS = 7

COUNTRIES = ("US", "DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL", "CA")
CATEGORIES = ("apparel", "home", "garden", "toys", "books", "electronics", "sports")
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elif", "Finn", "Grace", "Hugo", "Ines", "Jon")
LAST_NAMES = ("Meyer", "Smith", "Rossi", "Dubois", "Novak", "Silva", "Jensen", "Kowal", "Ito")
ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Handy", "Premium", "Smart", "Sturdy")
NOUNS = ("Backpack", "Lamp", "Mug", "Planter", "Puzzle", "Novel", "Speaker", "Bottle", "Kite")
ACQUISITION_CHANNELS = ("search", "social", "email", "affiliate", "organic")
ACQUISITION_WEIGHTS = (30, 20, 10, 10, 30)
AD_CHANNELS = ("search", "social", "email", "affiliate")
SESSION_CHANNELS = ("search", "social", "email", "affiliate", "organic", "direct")
SESSION_CHANNEL_WEIGHTS = (30, 15, 10, 10, 20, 15)
DEVICES = ("desktop", "mobile", "tablet")
DEVICE_WEIGHTS = (45, 45, 10)
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_METHOD_WEIGHTS = (55, 25, 12, 8)
CARRIERS = ("dhl", "ups", "dpd", "gls")
REFUND_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind")
TICKET_CATEGORIES = ("delivery", "payment", "product", "account")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_PRIORITY_WEIGHTS = (30, 45, 20, 5)
PLANS = (("basic", 999), ("plus", 1_999), ("premium", 3_999))
PLAN_WEIGHTS = (50, 35, 15)
LOYALTY_TIERS = ("bronze", "silver", "gold", "platinum")
ITEM_COUNTS = (1, 2, 3, 4, 5, 6, 7)
ITEM_WEIGHTS = (10, 15, 20, 20, 15, 12, 8)
WEEKDAY_FACTORS = (0.95, 0.9, 0.95, 1.0, 1.1, 1.1, 1.0)  # Monday .. Sunday (sum 7)
ID_NAMES = (
    "customer",
    "product",
    "campaign",
    "order",
    "order_item",
    "payment",
    "refund",
    "subscription",
    "movement",
    "session",
    "event",
    "ticket",
)
ORDER_COLUMNS = (
    "order_id",
    "customer_id",
    "ordered_at",
    "status",
    "currency",
    "updated_at",
    "plan_cancel_at",
    "plan_ship_at",
    "plan_deliver_at",
    "plan_promised_at",
    "plan_carrier",
    "plan_refund_at",
    "plan_refund_cents",
    "plan_refund_reason",
    "plan_ticket_at",
    "next_event_at",
)
COLUMNS = {
    "customers": (
        "customer_id",
        "email",
        "first_name",
        "last_name",
        "country",
        "acquisition_channel",
        "signup_at",
        "updated_at",
        "loyalty_tier",
    ),
    "products": (
        "product_id",
        "sku",
        "product_name",
        "category",
        "unit_price",
        "unit_cost",
        "is_active",
        "updated_at",
    ),
    "campaigns": (
        "campaign_id",
        "channel",
        "campaign_name",
        "started_on",
        "ended_on",
        "updated_at",
    ),
    "ad_spend": (
        "spend_date",
        "campaign_id",
        "channel",
        "spend",
        "impressions",
        "clicks",
        "updated_at",
    ),
    "web_sessions": (
        "session_id",
        "customer_id",
        "anonymous_id",
        "started_at",
        "channel",
        "campaign_id",
        "device",
        "updated_at",
    ),
    "web_events": (
        "event_id",
        "session_id",
        "event_type",
        "occurred_at",
        "product_id",
        "order_id",
        "updated_at",
    ),
    "orders": ORDER_COLUMNS,
    "order_items": (
        "order_item_id",
        "order_id",
        "product_id",
        "quantity",
        "unit_price",
        "updated_at",
    ),
    "refunds": ("refund_id", "order_id", "amount", "refunded_at", "reason", "updated_at"),
    "subscriptions": (
        "subscription_id",
        "customer_id",
        "plan",
        "monthly_price",
        "started_at",
        "cancelled_at",
        "updated_at",
        "plan_cancel_at",
        "next_event_at",
    ),
    "shipments": (
        "shipment_id",
        "order_id",
        "carrier",
        "promised_at",
        "shipped_at",
        "delivered_at",
        "updated_at",
    ),
    "inventory_movements": (
        "movement_id",
        "product_id",
        "movement_type",
        "quantity",
        "moved_at",
        "updated_at",
    ),
    "payments": (
        "payment_id",
        "order_id",
        "payment_method",
        "amount",
        "status",
        "paid_at",
        "updated_at",
    ),
    "support_tickets": (
        "ticket_id",
        "customer_id",
        "order_id",
        "category",
        "priority",
        "created_at",
        "resolved_at",
        "status",
        "updated_at",
        "plan_resolve_at",
        "next_event_at",
    ),
}

Progress = Callable[[str, int], None]


def period(batch: int) -> tuple[int, int]:
    """``[start, end)`` of a batch's period in epoch seconds."""
    if batch < 1:
        raise ValueError("batches are numbered from 1")
    if batch == 1:
        return EPOCH, EPOCH + FIRST_PERIOD_DAYS * DAY
    start = EPOCH + (FIRST_PERIOD_DAYS + LATER_PERIOD_DAYS * (batch - 2)) * DAY
    return start, start + LATER_PERIOD_DAYS * DAY


@dataclass(frozen=True)
class SampleSizes:
    """Sizes of batch 1 at a scale factor (later batches add a week at the same rate)."""

    customers: int
    products: int
    orders_per_day: float
    campaigns_per_channel: int
    subscriptions: int

    @classmethod
    def for_scale(cls, scale_factor: float) -> SampleSizes:
        if scale_factor <= 0:
            raise ValueError("scale_factor must be greater than 0")
        return cls(
            customers=max(40, round(50_000 * scale_factor)),
            products=max(30, round(5_000 * scale_factor)),
            orders_per_day=max(3.0, 2_800 * scale_factor),
            campaigns_per_channel=max(2, round(25 * scale_factor**0.5)),
            subscriptions=max(20, round(10_000 * scale_factor)),
        )

    @property
    def orders(self) -> int:
        """About how many orders batch 1 holds (SF 1: 252k orders, ~1M order lines)."""
        return round(self.orders_per_day * FIRST_PERIOD_DAYS)


@dataclass(frozen=True)
class OrderPlan:
    """An order's timeline; times are epoch seconds (None: never happens)."""

    order_id: int
    customer_id: int
    ordered_at: int
    cancel_at: int | None
    ship_at: int | None
    deliver_at: int | None
    promised_at: int | None
    carrier: str | None
    refund_at: int | None
    refund_cents: int | None
    refund_reason: str | None
    ticket_at: int | None

    def status_at(self, moment: int) -> str:
        if self.cancel_at is not None and self.cancel_at < moment:
            return "cancelled"
        if self.deliver_at is not None and self.deliver_at < moment:
            return "delivered"
        if self.ship_at is not None and self.ship_at < moment:
            return "shipped"
        return "placed"

    def last_change_before(self, moment: int) -> int:
        times = (self.cancel_at, self.ship_at, self.deliver_at)
        return max((t for t in times if t is not None and t < moment), default=self.ordered_at)

    def next_event_from(self, moment: int) -> int | None:
        times = (
            self.cancel_at,
            self.ship_at,
            self.deliver_at,
            self.refund_at,
            self.ticket_at,
        )
        return min((t for t in times if t is not None and t >= moment), default=None)

    def row(self, status: str, updated_at: int, next_event_at: int | None) -> tuple:
        return (
            self.order_id,
            self.customer_id,
            self.ordered_at,
            status,
            "EUR",
            updated_at,
            self.cancel_at,
            self.ship_at,
            self.deliver_at,
            self.promised_at,
            self.carrier,
            self.refund_at,
            self.refund_cents,
            self.refund_reason,
            self.ticket_at,
            next_event_at,
        )


def _happens(moment: int | None, after: int | None, before: int) -> bool:
    """``moment`` lies in ``[after, before)`` (``after`` None: no lower bound)."""
    return moment is not None and moment < before and (after is None or moment >= after)


class Simulation:
    """Simulates one batch into the store."""

    def __init__(self, store: Store, seed: int, sizes: SampleSizes, batch: int) -> None:
        self.store = store
        self.seed = seed
        self.sizes = sizes
        self.batch = batch
        self.start, self.end = period(batch)
        self.arrival = 0 if batch == 1 else self.start
        self.ids = {name: int(store.get_meta(f"next_{name}_id", "1") or 1) for name in ID_NAMES}
        self.prices: list[int] = []
        self.customers_before = 0
        self.campaigns: dict[str, list[tuple[int, int, int]]] = {c: [] for c in AD_CHANNELS}

    # ------------------------------------------------------------------ helpers
    def rng(self, stream: str, *parts: object) -> random.Random:
        return random.Random(f"{self.seed}:{stream}:{self.batch}:{':'.join(map(str, parts))}")

    def next_id(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def add(self, table: str, *values: object) -> None:
        self.store.insert(table, COLUMNS[table], (*values, self.batch, self.batch))

    def stamp(self, moment: int, arrival: int | None = None) -> int:
        """An ``updated_at`` inside this batch's period: not before arrival, before the end."""
        return min(max(moment, self.arrival if arrival is None else arrival), self.end - 1)

    def period_days(self) -> range:
        return range(self.start // DAY, self.end // DAY)

    def _load_state(self) -> None:
        self.prices = [
            row[0]
            for row in self.store.query("SELECT unit_price FROM products ORDER BY product_id")
        ]
        (count,) = self.store.query("SELECT count(*) FROM customers").fetchone()
        self.customers_before = int(count)
        self.campaigns = {channel: [] for channel in AD_CHANNELS}
        for campaign_id, channel, started_on, ended_on in self.store.query(
            "SELECT campaign_id, channel, started_on, ended_on FROM campaigns ORDER BY 1"
        ):
            self.campaigns[channel].append((started_on, ended_on, campaign_id))

    # ------------------------------------------------------------------ run
    def run(self, progress: Progress) -> None:
        self._load_state()
        self.products()
        self.customers()
        self.campaigns_and_spend()
        self.subscriptions()
        self.inventory()
        if self.batch > 1:
            self.advance_tickets()
            self.advance_orders()
        self.orders(progress)
        self.standalone_tickets()
        self.browsing()
        for name, value in self.ids.items():
            self.store.set_meta(f"next_{name}_id", value)
        self.store.commit()

    # ------------------------------------------------------------------ master data
    def products(self) -> None:
        rng = self.rng("products")
        if self.batch == 1:
            for _ in range(self.sizes.products):
                product_id = self.next_id("product")
                price = rng.randrange(300, 25_000)
                cost = round(price * rng.uniform(0.35, 0.7))
                name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
                updated = EPOCH - rng.randrange(180 * DAY)
                self.add(
                    "products",
                    product_id,
                    f"SKU-{product_id:06d}",
                    name,
                    rng.choice(CATEGORIES),
                    price,
                    cost,
                    int(rng.random() < 0.92),
                    updated,
                )
                self.prices.append(price)
            return
        changed = rng.sample(range(1, len(self.prices) + 1), k=max(1, len(self.prices) // 33))
        updates = []
        for product_id in sorted(changed):
            factor = rng.uniform(0.9, 1.15)
            price = max(100, round(self.prices[product_id - 1] * factor))
            self.prices[product_id - 1] = price
            updated = self.start + rng.randrange(6 * HOUR)
            updates.append((price, factor, updated, self.batch, product_id))
        self.store.update(
            "products",
            "unit_price = ?, unit_cost = CAST(round(unit_cost * ?) AS INTEGER), "
            "updated_at = ?, batch = ?",
            "product_id",
            updates,
        )

    def _customer(self, rng: random.Random, signup: int, tier: str | None) -> None:
        customer_id = self.next_id("customer")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        self.add(
            "customers",
            customer_id,
            f"{first}.{last}.{customer_id}@example.com".lower(),
            first,
            last,
            rng.choice(COUNTRIES),
            rng.choices(ACQUISITION_CHANNELS, ACQUISITION_WEIGHTS)[0],
            signup,
            self.stamp(signup + rng.randrange(30 * DAY) if self.batch == 1 else signup),
            tier,
        )

    def customers(self) -> None:
        rng = self.rng("customers")
        if self.batch == 1:
            for _ in range(self.sizes.customers):
                self._customer(rng, EPOCH - rng.randrange(1, 400 * DAY), None)
            self.customers_before = self.sizes.customers
            return
        count = self.customers_before
        changed = sorted(rng.sample(range(1, count + 1), k=max(1, count // 50)))
        names = {
            row[0]: (row[1], row[2])
            for row in self.store.query(
                "SELECT customer_id, first_name, last_name FROM customers WHERE customer_id "
                f"IN ({', '.join(map(str, changed))})"
            )
        }
        updates = []
        for customer_id in changed:
            first, last = names[customer_id]
            email = f"{first}.{last}.{customer_id}.b{self.batch}@example.net".lower()
            tier = rng.choice(LOYALTY_TIERS)
            updated = self.start + rng.randrange(LATER_PERIOD_DAYS * DAY - HOUR)
            updates.append((email, tier, updated, self.batch, customer_id))
        self.store.update(
            "customers",
            "email = ?, loyalty_tier = ?, updated_at = ?, batch = ?",
            "customer_id",
            updates,
        )
        for _ in range(max(1, self.sizes.customers // 33)):
            signup = self.start + rng.randrange(LATER_PERIOD_DAYS * DAY - HOUR)
            self._customer(rng, signup, rng.choice(LOYALTY_TIERS))

    def campaigns_and_spend(self) -> None:
        rng = self.rng("campaigns")
        last_day = self.end // DAY - 1
        if self.batch == 1:
            per_channel = self.sizes.campaigns_per_channel
            span = FIRST_PERIOD_DAYS + 10
            for channel in AD_CHANNELS:
                for number in range(per_channel):
                    first = EPOCH_DAY - 15 + number * span // per_channel + rng.randrange(8)
                    self._campaign(rng, channel, number + 1, first, first + rng.randrange(20, 61))
        else:
            for channel in AD_CHANNELS:
                first = self.start // DAY + rng.randrange(LATER_PERIOD_DAYS)
                number = len(self.campaigns[channel]) + 1
                self._campaign(rng, channel, number, first, first + rng.randrange(20, 61))
            channel = rng.choice(AD_CHANNELS)
            started_on, ended_on, campaign_id = rng.choice(self.campaigns[channel])
            extended = max(ended_on, last_day) + 14
            updated = self.start + rng.randrange(LATER_PERIOD_DAYS * DAY - HOUR)
            self.store.update(
                "campaigns",
                "ended_on = ?, updated_at = ?, batch = ?",
                "campaign_id",
                [(extended, updated, self.batch, campaign_id)],
            )
            listed = self.campaigns[channel]
            listed[listed.index((started_on, ended_on, campaign_id))] = (
                started_on,
                extended,
                campaign_id,
            )
        first_day = (
            min(c[0] for cs in self.campaigns.values() for c in cs)
            if self.batch == 1
            else self.start // DAY
        )
        spend_rng = self.rng("ad_spend")
        factor = {"search": 1.6, "social": 1.2, "email": 0.3, "affiliate": 0.8}
        for day in range(first_day, last_day + 1):
            for channel in AD_CHANNELS:
                for started_on, ended_on, campaign_id in self.campaigns[channel]:
                    if not started_on <= day <= ended_on:
                        continue
                    impressions = spend_rng.randrange(500, 20_000)
                    self.add(
                        "ad_spend",
                        day,
                        campaign_id,
                        channel,
                        round(spend_rng.randrange(2_000, 40_000) * factor[channel]),
                        impressions,
                        int(impressions * spend_rng.uniform(0.01, 0.06)),
                        day * DAY + 23 * HOUR + spend_rng.randrange(30 * MINUTE),
                    )

    def _campaign(
        self, rng: random.Random, channel: str, number: int, started_on: int, ended_on: int
    ) -> None:
        campaign_id = self.next_id("campaign")
        name = f"{channel.title()} {rng.choice(ADJECTIVES)} #{number}"
        created = max(started_on * DAY - 2 * DAY + 9 * HOUR, self.arrival)
        self.add("campaigns", campaign_id, channel, name, started_on, ended_on, self.stamp(created))
        self.campaigns[channel].append((started_on, ended_on, campaign_id))

    # ------------------------------------------------------------------ subscriptions
    def subscriptions(self) -> None:
        rng = self.rng("subscriptions")
        if self.batch == 1:
            count, first = self.sizes.subscriptions, EPOCH - 300 * DAY
        else:
            count = max(1, round(self.sizes.subscriptions * LATER_PERIOD_DAYS / 390))
            first = self.start
            due = self.store.query(
                "SELECT subscription_id, plan_cancel_at FROM subscriptions "
                "WHERE next_event_at < ? ORDER BY 1",
                (self.end,),
            ).fetchall()
            self.store.update(
                "subscriptions",
                "cancelled_at = ?, updated_at = ?, next_event_at = NULL, batch = ?",
                "subscription_id",
                [(at, self.stamp(at), self.batch, sid) for sid, at in due],
            )
        for _ in range(count):
            started = rng.randrange(first, self.end - HOUR)
            plan, price = PLANS[rng.choices(range(len(PLANS)), PLAN_WEIGHTS)[0]]
            cancel = started + rng.randrange(20 * DAY, 300 * DAY) if rng.random() < 0.45 else None
            cancelled = cancel if _happens(cancel, None, self.end) else None
            self.add(
                "subscriptions",
                self.next_id("subscription"),
                1 + rng.randrange(max(1, self.customers_before)),
                plan,
                price,
                started,
                cancelled,
                self.stamp(cancelled or started),
                cancel,
                cancel if cancel is not None and cancelled is None else None,
            )

    # ------------------------------------------------------------------ inventory
    def inventory(self) -> None:
        rng = self.rng("inventory")
        products = len(self.prices)
        if self.batch == 1:
            for product_id in range(1, products + 1):
                moved = EPOCH - DAY - rng.randrange(DAY)
                quantity = rng.randrange(100, 600)
                self.add(
                    "inventory_movements",
                    self.next_id("movement"),
                    product_id,
                    "receipt",
                    quantity,
                    moved,
                    moved,
                )
        for day in self.period_days():
            for product_id in range(1, products + 1):
                draw = rng.random()
                if draw < 1 / 14:
                    kind, quantity = "receipt", rng.randrange(20, 200)
                elif draw < 1 / 14 + 1 / 150:
                    kind, quantity = "adjustment", rng.choice((-5, -3, -2, -1, 1, 2, 4))
                else:
                    continue
                moved = day * DAY + 6 * HOUR + rng.randrange(12 * HOUR)
                self.add(
                    "inventory_movements",
                    self.next_id("movement"),
                    product_id,
                    kind,
                    quantity,
                    moved,
                    self.stamp(moved),
                )

    # ------------------------------------------------------------------ web
    def _anonymous_id(self, rng: random.Random) -> str:
        return f"anon-{rng.randrange(self.sizes.customers * 3):08d}"

    def _campaign_for(self, rng: random.Random, channel: str, moment: int) -> int | None:
        if channel not in self.campaigns:
            return None
        day = moment // DAY
        active = [c[2] for c in self.campaigns[channel] if c[0] <= day <= c[1]]
        if not active or rng.random() >= 0.8:
            return None
        return rng.choice(active)

    def _session(
        self,
        rng: random.Random,
        customer_id: int | None,
        started: int,
        channel: str,
        events: Sequence[tuple[str, int, int | None, int | None]],
        arrival: int,
    ) -> None:
        session_id = self.next_id("session")
        last = max(moment for _, moment, _, _ in events)
        self.add(
            "web_sessions",
            session_id,
            customer_id,
            self._anonymous_id(rng),
            started,
            channel,
            self._campaign_for(rng, channel, started),
            rng.choices(DEVICES, DEVICE_WEIGHTS)[0],
            self.stamp(last, arrival),
        )
        for event_type, moment, product_id, order_id in events:
            self.add(
                "web_events",
                self.next_id("event"),
                session_id,
                event_type,
                moment,
                product_id,
                order_id,
                self.stamp(moment, arrival),
            )

    def browsing(self) -> None:
        """Sessions that buy nothing (anonymous or logged in)."""
        for day in self.period_days():
            rng = self.rng("browsing", day)
            count = max(1, round(self.sizes.orders_per_day * rng.uniform(0.8, 1.2)))
            for _ in range(count):
                started = day * DAY + rng.randrange(DAY - 2 * HOUR)
                customer = 1 + rng.randrange(self.customers_before) if rng.random() < 0.35 else None
                channel = rng.choices(SESSION_CHANNELS, SESSION_CHANNEL_WEIGHTS)[0]
                product = self._pick_product(rng)
                events = [("page_view", started, None, None)]
                moment = started
                for event_type, chance in (
                    ("product_view", 0.7),
                    ("add_to_cart", 0.3),
                    ("checkout", 0.25),
                ):
                    if rng.random() >= chance:
                        break
                    moment += rng.randrange(20, 15 * MINUTE)
                    events.append((event_type, moment, product, None))
                self._session(rng, customer, started, channel, events, self.arrival)

    # ------------------------------------------------------------------ orders
    def _pick_customer(self, rng: random.Random) -> int:
        return 1 + int(self.customers_before * rng.random() ** 1.5)

    def _pick_product(self, rng: random.Random) -> int:
        return 1 + int(len(self.prices) * rng.random() ** 1.3)

    def orders(self, progress: Progress) -> None:
        for day in self.period_days():
            rng = self.rng("orders", day)
            weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
            rate = self.sizes.orders_per_day * WEEKDAY_FACTORS[weekday]
            count = max(1, round(rate * rng.uniform(0.9, 1.1)))
            for ordered in sorted(day * DAY + rng.randrange(DAY - HOUR) for _ in range(count)):
                self._new_order(rng, ordered, self.arrival)
            progress("orders", count)
        if self.batch > 1:
            rng = self.rng("late-orders")
            count = max(2, round(self.sizes.orders_per_day * LATER_PERIOD_DAYS * 0.03))
            for _ in range(count):
                ordered = self.start - rng.randrange(HOUR, 10 * DAY)
                arrival = self.start + rng.randrange(3 * DAY)
                self._new_order(rng, ordered, arrival)
            progress("orders", count)

    def _new_order(self, rng: random.Random, ordered: int, arrival: int) -> None:
        order_id = self.next_id("order")
        customer_id = self._pick_customer(rng)
        items: list[tuple[int, int]] = []
        gross = 0
        updated = self.stamp(ordered, arrival)
        for _ in range(rng.choices(ITEM_COUNTS, ITEM_WEIGHTS)[0]):
            product_id = self._pick_product(rng)
            quantity = rng.choices((1, 2, 3), (70, 20, 10))[0]
            price = self.prices[product_id - 1]
            gross += quantity * price
            items.append((product_id, quantity))
            self.add(
                "order_items",
                self.next_id("order_item"),
                order_id,
                product_id,
                quantity,
                price,
                updated,
            )
        plan = self._plan(rng, order_id, customer_id, ordered, gross)
        self._payments(rng, plan, gross, arrival)
        self._order_sessions(rng, plan, items, arrival)
        self._apply(plan, None, arrival, items)

    def _plan(
        self, rng: random.Random, order_id: int, customer_id: int, ordered: int, gross: int
    ) -> OrderPlan:
        cancel = ship = deliver = promised = refund = refund_cents = None
        carrier = reason = None
        if rng.random() < 0.07:
            cancel = ordered + rng.randrange(10 * MINUTE, 20 * HOUR)
        else:
            ship = ordered + rng.randrange(4 * HOUR, 60 * HOUR)
            promised = ordered + 3 * DAY + rng.choice((0, DAY, 2 * DAY))
            deliver = ship + rng.randrange(18 * HOUR, 6 * DAY)
            carrier = rng.choice(CARRIERS)
            if rng.random() < 0.06:
                refund = deliver + rng.randrange(2 * HOUR, 6 * DAY)
                partial = rng.random() < 0.5
                refund_cents = max(100, round(gross * rng.uniform(0.1, 0.6))) if partial else gross
                refund_cents = min(refund_cents, gross)
                reason = rng.choice(REFUND_REASONS)
        ticket = ordered + rng.randrange(HOUR, 8 * DAY) if rng.random() < 0.04 else None
        return OrderPlan(
            order_id,
            customer_id,
            ordered,
            cancel,
            ship,
            deliver,
            promised,
            carrier,
            refund,
            refund_cents,
            reason,
            ticket,
        )

    def _payments(self, rng: random.Random, plan: OrderPlan, gross: int, arrival: int) -> None:
        if plan.cancel_at is not None:
            outcomes: tuple[str, ...] = ("failed",) if rng.random() < 0.4 else ()
        else:
            outcomes = ("failed", "succeeded") if rng.random() < 0.06 else ("succeeded",)
        paid = plan.ordered_at
        for outcome in outcomes:
            paid += rng.randrange(5, 10 * MINUTE)
            self.add(
                "payments",
                self.next_id("payment"),
                plan.order_id,
                rng.choices(PAYMENT_METHODS, PAYMENT_METHOD_WEIGHTS)[0],
                gross,
                outcome,
                paid,
                self.stamp(paid + rng.randrange(120), arrival),
            )

    def _order_sessions(
        self, rng: random.Random, plan: OrderPlan, items: list[tuple[int, int]], arrival: int
    ) -> None:
        ordered, product = plan.ordered_at, items[0][0]
        if rng.random() < 0.45:
            started = ordered - rng.randrange(HOUR, 10 * DAY)
            channel = rng.choice(AD_CHANNELS)
            events = [("page_view", started, None, None)]
            if rng.random() < 0.6:
                events.append(("product_view", started + rng.randrange(20, 600), product, None))
            self._session(rng, plan.customer_id, started, channel, events, arrival)
        started = ordered - rng.randrange(2 * MINUTE, 45 * MINUTE)
        step = (ordered - started) // 5
        channel = rng.choices(SESSION_CHANNELS, SESSION_CHANNEL_WEIGHTS)[0]
        events = [
            ("page_view", started, None, None),
            ("product_view", started + step, product, None),
            ("add_to_cart", started + 2 * step, product, None),
            ("checkout", started + 4 * step, None, None),
            ("purchase", ordered, None, plan.order_id),
        ]
        self._session(rng, plan.customer_id, started, channel, events, arrival)

    def _apply(
        self,
        plan: OrderPlan,
        before: int | None,
        arrival: int,
        items: list[tuple[int, int]] | None,
    ) -> None:
        """Emit what changed in ``[before, end)`` (``before`` None: a new order)."""
        end = self.end
        status = plan.status_at(end)
        next_event = plan.next_event_from(end)
        updated = self.stamp(plan.last_change_before(end), arrival)
        if before is None:
            self.store.insert(
                "orders",
                ORDER_COLUMNS,
                (*plan.row(status, updated, next_event), *(self.batch,) * 2),
            )
        elif status != plan.status_at(before):
            self.store.update(
                "orders",
                "status = ?, updated_at = ?, next_event_at = ?, batch = ?",
                "order_id",
                [(status, updated, next_event, self.batch, plan.order_id)],
            )
        else:
            self.store.update(
                "orders", "next_event_at = ?", "order_id", [(next_event, plan.order_id)]
            )
        shipped = _happens(plan.ship_at, before, end)
        delivered = _happens(plan.deliver_at, before, end)
        if shipped or delivered:
            items = items if items is not None else self._items(plan.order_id)
        if shipped:
            assert plan.ship_at is not None
            delivered_at = plan.deliver_at if delivered else None
            self.add(
                "shipments",
                plan.order_id,
                plan.order_id,
                plan.carrier,
                plan.promised_at,
                plan.ship_at,
                delivered_at,
                self.stamp(delivered_at or plan.ship_at, arrival),
            )
            for product_id, quantity in items or ():
                self.add(
                    "inventory_movements",
                    self.next_id("movement"),
                    product_id,
                    "sale",
                    -quantity,
                    plan.ship_at,
                    self.stamp(plan.ship_at, arrival),
                )
        elif delivered:
            assert plan.deliver_at is not None
            self.store.update(
                "shipments",
                "delivered_at = ?, updated_at = ?, batch = ?",
                "shipment_id",
                [
                    (
                        plan.deliver_at,
                        self.stamp(plan.deliver_at, arrival),
                        self.batch,
                        plan.order_id,
                    )
                ],
            )
        if _happens(plan.refund_at, before, end):
            assert plan.refund_at is not None
            self.add(
                "refunds",
                self.next_id("refund"),
                plan.order_id,
                plan.refund_cents,
                plan.refund_at,
                plan.refund_reason,
                self.stamp(plan.refund_at, arrival),
            )
            if plan.refund_reason in ("damaged", "wrong_item"):
                product_id, quantity = (items or self._items(plan.order_id))[0]
                self.add(
                    "inventory_movements",
                    self.next_id("movement"),
                    product_id,
                    "return",
                    quantity,
                    plan.refund_at,
                    self.stamp(plan.refund_at, arrival),
                )
        if _happens(plan.ticket_at, before, end):
            assert plan.ticket_at is not None
            self._ticket(
                random.Random(f"{self.seed}:ticket:{plan.order_id}"),
                plan.customer_id,
                plan.order_id,
                plan.ticket_at,
                arrival,
            )

    def _items(self, order_id: int) -> list[tuple[int, int]]:
        return [
            (int(product_id), int(quantity))
            for product_id, quantity in self.store.query(
                "SELECT product_id, quantity FROM order_items WHERE order_id = ? "
                "ORDER BY order_item_id",
                (order_id,),
            )
        ]

    def _ticket(
        self,
        rng: random.Random,
        customer_id: int,
        order_id: int | None,
        created: int,
        arrival: int,
    ) -> None:
        resolve = created + rng.randrange(30 * MINUTE, 120 * HOUR) if rng.random() < 0.93 else None
        resolved = resolve if _happens(resolve, None, self.end) else None
        self.add(
            "support_tickets",
            self.next_id("ticket"),
            customer_id,
            order_id,
            rng.choice(TICKET_CATEGORIES),
            rng.choices(TICKET_PRIORITIES, TICKET_PRIORITY_WEIGHTS)[0],
            created,
            resolved,
            "resolved" if resolved is not None else "open",
            self.stamp(resolved or created, arrival),
            resolve,
            resolve if resolve is not None and resolved is None else None,
        )

    def advance_orders(self) -> None:
        """Earlier orders whose timeline has an event in this period."""
        due = self.store.query(
            f"SELECT {', '.join(ORDER_COLUMNS[:3])}, {', '.join(ORDER_COLUMNS[6:15])} "
            "FROM orders WHERE next_event_at < ? ORDER BY order_id",
            (self.end,),
        ).fetchall()
        for row in due:
            plan = OrderPlan(*row)
            self._apply(plan, self.start, self.arrival, None)

    def advance_tickets(self) -> None:
        """Tickets of earlier batches resolved in this period, plus new tickets without order."""
        due = self.store.query(
            "SELECT ticket_id, plan_resolve_at FROM support_tickets "
            "WHERE next_event_at < ? ORDER BY 1",
            (self.end,),
        ).fetchall()
        self.store.update(
            "support_tickets",
            "resolved_at = ?, status = 'resolved', updated_at = ?, next_event_at = NULL, batch = ?",
            "ticket_id",
            [(at, self.stamp(at), self.batch, ticket_id) for ticket_id, at in due],
        )

    def standalone_tickets(self) -> None:
        """Tickets about an account, not an order."""
        rate = self.sizes.orders_per_day * 0.006
        for day in self.period_days():
            rng = self.rng("tickets", day)
            for _ in range(int(rate) + (rng.random() < rate - int(rate))):
                created = day * DAY + rng.randrange(DAY - HOUR)
                self._ticket(rng, self._pick_customer(rng), None, created, self.arrival)
