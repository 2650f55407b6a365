"""Ground truth: every mart figure, computed in Python from the CLEAN rows in the store.

Independent of dbt: the store holds the current version of every real row (no junk, no
duplicates, timestamps as UTC epoch seconds, money as cents). Rows are streamed in key or time
order from sqlite and aggregated here with exact integers and ``decimal`` (ROUND_HALF_UP), so
memory grows with the number of days, months and groups, not with the tables.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import Any

from .store import Store

DAY = 86_400
CENT = Decimal("0.01")
BASIS = Decimal("0.0001")
AD_CHANNELS = ("search", "social", "email", "affiliate")
FUNNEL = ("page_view", "product_view", "add_to_cart", "checkout", "purchase")
ATTRIBUTION_WINDOW = 7 * DAY

Record = dict[str, Any]


def _round(value: Decimal, places: Decimal) -> float:
    return float(value.quantize(places, rounding=ROUND_HALF_UP))


def _ratio(numerator: int | Decimal, denominator: int | Decimal, places: Decimal) -> float | None:
    if not denominator:
        return None
    return _round(Decimal(numerator) / Decimal(denominator), places)


def _money(cents: int) -> float:
    return float(Decimal(cents) / 100)


def _day(seconds: int) -> date:
    return date(1970, 1, 1) + timedelta(days=seconds // DAY)


def _month_index(seconds: int) -> int:
    day = _day(seconds)
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_boundary(index: int) -> int:
    """Epoch seconds of the first instant of the month AFTER month ``index``."""
    following = _month_start(index + 1)
    return (following - date(1970, 1, 1)).days * DAY


class GroundTruth:
    """Computes every mart table from a store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        return iter(self.store.query(sql, params))

    # ------------------------------------------------------------------ orders
    def _prepare_orders(self) -> None:
        """A temp table of orders with their gross (sum of items), built by streaming."""
        self.store.connection.execute("DROP TABLE IF EXISTS temp.truth_orders")
        self.store.connection.execute(
            "CREATE TEMP TABLE truth_orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER, "
            "ordered_at INTEGER, gross INTEGER, valid INTEGER)"
        )
        items = groupby(
            self._rows("SELECT order_id, quantity, unit_price FROM order_items ORDER BY order_id"),
            key=lambda row: row[0],
        )
        current = next(items, None)
        chunk: list[tuple] = []
        for order_id, customer_id, ordered_at, status in self._rows(
            "SELECT order_id, customer_id, ordered_at, status FROM orders ORDER BY order_id"
        ):
            gross = 0
            while current is not None and current[0] <= order_id:
                if current[0] == order_id:
                    gross = sum(quantity * price for _, quantity, price in current[1])
                current = next(items, None)
            chunk.append((order_id, customer_id, ordered_at, gross, int(status != "cancelled")))
            if len(chunk) >= 20_000:
                self._insert_orders(chunk)
        self._insert_orders(chunk)
        self.store.connection.execute(
            "CREATE INDEX temp.truth_orders_customer ON truth_orders (customer_id, ordered_at)"
        )

    def _insert_orders(self, chunk: list[tuple]) -> None:
        self.store.connection.executemany("INSERT INTO truth_orders VALUES (?, ?, ?, ?, ?)", chunk)
        chunk.clear()

    # ------------------------------------------------------------------ finance
    def revenue(self) -> tuple[list[Record], list[Record]]:
        refunds: dict[int, int] = defaultdict(int)
        for order_id, amount in self._rows("SELECT order_id, amount FROM refunds"):
            refunds[order_id] += amount
        days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
        months: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for order_id, ordered_at, gross in self._rows(
            "SELECT order_id, ordered_at, gross FROM truth_orders WHERE valid = 1"
        ):
            for bucket in (days[_day(ordered_at)], months[_month_index(ordered_at)]):
                bucket[0] += 1
                bucket[1] += gross
                bucket[2] += refunds.get(order_id, 0)

        def record(values: list[int]) -> Record:
            count, gross, refunded = values
            return {
                "order_count": count,
                "gross_revenue": _money(gross),
                "refunded_amount": _money(refunded),
                "net_revenue": _money(gross - refunded),
                "average_order_value": _ratio(Decimal(gross) / 100, count, CENT),
            }

        daily = [{"revenue_date": d.isoformat(), **record(v)} for d, v in sorted(days.items())]
        monthly = [
            {"revenue_month": _month_start(m).isoformat(), **record(v)}
            for m, v in sorted(months.items())
        ]
        return daily, monthly

    def payment_mix(self) -> list[Record]:
        counts: dict[str, int] = defaultdict(int)
        totals: dict[str, int] = defaultdict(int)
        for method, amount in self._rows(
            "SELECT payment_method, amount FROM payments WHERE status = 'succeeded'"
        ):
            counts[method] += 1
            totals[method] += amount
        grand = sum(totals.values())
        return [
            {
                "payment_method": method,
                "payment_count": counts[method],
                "total_amount": _money(totals[method]),
                "share_of_amount": _ratio(totals[method], grand, BASIS),
            }
            for method in sorted(counts)
        ]

    def mrr(self) -> list[Record]:
        subscriptions = list(
            self._rows("SELECT started_at, cancelled_at, monthly_price FROM subscriptions")
        )
        if not subscriptions:
            return []
        first = min(_month_index(started) for started, _, _ in subscriptions)
        last = max(
            _month_index(moment)
            for started, cancelled, _ in subscriptions
            for moment in (started, cancelled)
            if moment is not None
        )
        rows: list[Record] = []
        previous_active = 0
        for month in range(first, last + 1):
            boundary = _month_boundary(month)
            active = mrr = new = churned = 0
            for started, cancelled, price in subscriptions:
                if started < boundary and (cancelled is None or cancelled >= boundary):
                    active += 1
                    mrr += price
                if _month_index(started) == month:
                    new += 1
                if cancelled is not None and _month_index(cancelled) == month:
                    churned += 1
            rows.append(
                {
                    "month": _month_start(month).isoformat(),
                    "active_subscriptions": active,
                    "mrr": _money(mrr),
                    "new_subscriptions": new,
                    "churned_subscriptions": churned,
                    "churn_rate": _ratio(churned, previous_active, BASIS),
                }
            )
            previous_active = active
        return rows

    # ------------------------------------------------------------------ marketing
    def attribution(self) -> dict[int, list[int]]:
        """campaign_id -> [attributed orders, attributed revenue cents] (last touch, 7 days)."""
        sessions = groupby(
            self._rows(
                "SELECT customer_id, started_at, session_id, campaign_id FROM web_sessions "
                "WHERE campaign_id IS NOT NULL AND customer_id IS NOT NULL "
                "ORDER BY customer_id, started_at, session_id"
            ),
            key=lambda row: row[0],
        )
        result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        current = next(sessions, None)
        for customer_id, orders in groupby(
            self._rows(
                "SELECT customer_id, ordered_at, gross FROM truth_orders WHERE valid = 1 "
                "ORDER BY customer_id, ordered_at, order_id"
            ),
            key=lambda row: row[0],
        ):
            while current is not None and current[0] < customer_id:
                current = next(sessions, None)
            touches = list(current[1]) if current is not None and current[0] == customer_id else []
            starts = [row[1] for row in touches]
            for _, ordered_at, gross in orders:
                # the latest touch at or before the order (ties: the highest session_id)
                position = bisect.bisect_right(starts, ordered_at) - 1
                if position >= 0 and touches[position][1] >= ordered_at - ATTRIBUTION_WINDOW:
                    campaign = touches[position][3]
                    result[campaign][0] += 1
                    result[campaign][1] += gross
        return result

    def marketing(self) -> tuple[list[Record], list[Record]]:
        campaigns = {
            campaign_id: channel
            for campaign_id, channel in self._rows("SELECT campaign_id, channel FROM campaigns")
        }
        spend: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        channel_spend: dict[str, list[int]] = {c: [0, 0, 0] for c in AD_CHANNELS}
        for channel, campaign_id, amount, impressions, clicks in self._rows(
            "SELECT channel, campaign_id, spend, impressions, clicks FROM ad_spend"
        ):
            for bucket in (spend[campaign_id], channel_spend[channel]):
                bucket[0] += amount
                bucket[1] += impressions
                bucket[2] += clicks
        new_customers: dict[str, int] = defaultdict(int)
        for (channel,) in self._rows(
            "SELECT acquisition_channel FROM customers c WHERE EXISTS "
            "(SELECT 1 FROM truth_orders o WHERE o.customer_id = c.customer_id AND o.valid = 1)"
        ):
            new_customers[channel] += 1
        attributed = self.attribution()
        by_channel: dict[str, list[int]] = {c: [0, 0] for c in AD_CHANNELS}
        for campaign_id, (orders, revenue) in attributed.items():
            by_channel[campaigns[campaign_id]][0] += orders
            by_channel[campaigns[campaign_id]][1] += revenue
        channels = [
            {
                "channel": channel,
                "spend": _money(channel_spend[channel][0]),
                "impressions": channel_spend[channel][1],
                "clicks": channel_spend[channel][2],
                "new_customers": new_customers[channel],
                "cac": _ratio(
                    Decimal(channel_spend[channel][0]) / 100, new_customers[channel], CENT
                ),
                "attributed_orders": by_channel[channel][0],
                "attributed_revenue": _money(by_channel[channel][1]),
                "roas": _ratio(by_channel[channel][1], channel_spend[channel][0], BASIS),
            }
            for channel in AD_CHANNELS
        ]
        per_campaign = [
            {
                "campaign_id": campaign_id,
                "channel": channel,
                "spend": _money(spend[campaign_id][0]),
                "impressions": spend[campaign_id][1],
                "clicks": spend[campaign_id][2],
                "attributed_orders": attributed.get(campaign_id, [0, 0])[0],
                "attributed_revenue": _money(attributed.get(campaign_id, [0, 0])[1]),
                "roas": _ratio(
                    attributed.get(campaign_id, [0, 0])[1], spend[campaign_id][0], BASIS
                ),
            }
            for campaign_id, channel in sorted(campaigns.items())
        ]
        return channels, per_campaign

    # ------------------------------------------------------------------ operations
    def fulfilment(self) -> list[Record]:
        days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for ordered_at, shipped_at, promised_at, delivered_at in self._rows(
            "SELECT o.ordered_at, s.shipped_at, s.promised_at, s.delivered_at FROM shipments s "
            "JOIN truth_orders o ON o.order_id = s.order_id WHERE o.valid = 1"
        ):
            bucket = days[_day(ordered_at)]
            bucket[0] += 1
            bucket[1] += shipped_at - ordered_at
            if delivered_at is not None:
                bucket[2] += 1
                bucket[3] += int(delivered_at <= promised_at)
        return [
            {
                "order_date": day.isoformat(),
                "shipments": shipments,
                "avg_lead_time_hours": _ratio(seconds, shipments * 3_600, CENT),
                "delivered_shipments": delivered,
                "on_time_rate": _ratio(on_time, delivered, BASIS),
            }
            for day, (shipments, seconds, delivered, on_time) in sorted(days.items())
        ]

    def inventory_turnover(self) -> list[Record]:
        moved: dict[int, int] = defaultdict(int)
        sold: dict[int, int] = defaultdict(int)
        for kind, quantity, moved_at in self._rows(
            "SELECT movement_type, quantity, moved_at FROM inventory_movements"
        ):
            month = _month_index(moved_at)
            moved[month] += quantity
            if kind == "sale":
                sold[month] -= quantity
        if not moved:
            return []
        rows: list[Record] = []
        level = 0
        for month in range(min(moved), max(moved) + 1):
            previous, level = level, level + moved.get(month, 0)
            average = Decimal(previous + level) / 2
            rows.append(
                {
                    "month": _month_start(month).isoformat(),
                    "units_sold": sold.get(month, 0),
                    "average_inventory": _round(average, CENT),
                    "turnover": _ratio(sold.get(month, 0), average, BASIS),
                }
            )
        return rows

    def support_resolution(self) -> list[Record]:
        months: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for created_at, resolved_at in self._rows(
            "SELECT created_at, resolved_at FROM support_tickets"
        ):
            bucket = months[_month_index(created_at)]
            bucket[0] += 1
            if resolved_at is not None:
                bucket[1] += 1
                bucket[2] += resolved_at - created_at
        return [
            {
                "created_month": _month_start(month).isoformat(),
                "tickets": tickets,
                "resolved_tickets": resolved,
                "avg_resolution_hours": _ratio(seconds, resolved * 3_600, CENT),
            }
            for month, (tickets, resolved, seconds) in sorted(months.items())
        ]

    # ------------------------------------------------------------------ product
    def active_users(self) -> list[Record]:
        dau: dict[int, int] = defaultdict(int)
        wau: dict[int, int] = defaultdict(int)
        mau: dict[int, int] = defaultdict(int)
        first_day = last_day = None
        rows = self._rows(
            "SELECT coalesce('c' || s.customer_id, 'a' || s.anonymous_id) AS user, "
            "e.occurred_at / 86400 AS day FROM web_events e "
            "JOIN web_sessions s ON s.session_id = e.session_id ORDER BY user, day"
        )
        for _, group in groupby(rows, key=lambda row: row[0]):
            days = sorted({day for _, day in group})
            first_day = days[0] if first_day is None else min(first_day, days[0])
            last_day = days[-1] if last_day is None else max(last_day, days[-1])
            for day in days:
                dau[day] += 1
            for window, counts in ((7, wau), (30, mau)):
                covered_until = -1
                for day in days:
                    for covered in range(max(day, covered_until + 1), day + window):
                        counts[covered] += 1
                    covered_until = max(covered_until, day + window - 1)
        if first_day is None or last_day is None:
            return []
        epoch = date(1970, 1, 1)
        return [
            {
                "activity_date": (epoch + timedelta(days=day)).isoformat(),
                "dau": dau.get(day, 0),
                "wau": wau.get(day, 0),
                "mau": mau.get(day, 0),
            }
            for day in range(first_day, last_day + 1)
        ]

    def funnel(self) -> list[Record]:
        sessions = dict.fromkeys(FUNNEL, 0)
        for _, group in groupby(
            self._rows("SELECT session_id, event_type FROM web_events ORDER BY session_id"),
            key=lambda row: row[0],
        ):
            for event_type in {event_type for _, event_type in group}:
                sessions[event_type] += 1
        rows: list[Record] = []
        previous: int | None = None
        for order, step in enumerate(FUNNEL, start=1):
            rows.append(
                {
                    "step_order": order,
                    "step": step,
                    "sessions": sessions[step],
                    "conversion_from_previous": (
                        None if previous is None else _ratio(sessions[step], previous, BASIS)
                    ),
                }
            )
            previous = sessions[step]
        return rows

    def cohort_retention(self) -> list[Record]:
        cohorts: dict[int, int] = defaultdict(int)
        active: dict[tuple[int, int], int] = defaultdict(int)
        last_month = None
        for _, group in groupby(
            self._rows(
                "SELECT customer_id, ordered_at FROM truth_orders WHERE valid = 1 "
                "ORDER BY customer_id, ordered_at"
            ),
            key=lambda row: row[0],
        ):
            months = sorted({_month_index(ordered_at) for _, ordered_at in group})
            cohorts[months[0]] += 1
            for month in months:
                active[(months[0], month - months[0])] += 1
            last_month = months[-1] if last_month is None else max(last_month, months[-1])
        if last_month is None:
            return []
        return [
            {
                "cohort_month": _month_start(cohort).isoformat(),
                "months_since_first_order": offset,
                "cohort_customers": size,
                "active_customers": active.get((cohort, offset), 0),
                "retention_rate": _ratio(active.get((cohort, offset), 0), size, BASIS),
            }
            for cohort, size in sorted(cohorts.items())
            for offset in range(last_month - cohort + 1)
        ]

    # ------------------------------------------------------------------ all
    def compute(self) -> dict[str, list[Record]]:
        self._prepare_orders()
        daily, monthly = self.revenue()
        channels, campaigns = self.marketing()
        return {
            "finance.fct_daily_revenue": daily,
            "finance.fct_monthly_revenue": monthly,
            "finance.fct_payment_mix": self.payment_mix(),
            "finance.fct_mrr": self.mrr(),
            "marketing.fct_channel_performance": channels,
            "marketing.fct_campaign_performance": campaigns,
            "operations.fct_fulfilment_daily": self.fulfilment(),
            "operations.fct_inventory_turnover": self.inventory_turnover(),
            "operations.fct_support_resolution": self.support_resolution(),
            "product.fct_active_users": self.active_users(),
            "product.fct_conversion_funnel": self.funnel(),
            "product.fct_cohort_retention": self.cohort_retention(),
        }
