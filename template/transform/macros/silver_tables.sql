{#- The silver contract of every bronze table, in one place: its key and, per column, its type,
    whether it may be NULL, and an optional business check. stg_*, quarantine_* and
    dq_row_accounting are generated from it (see silver.sql), so validation, typing and the row
    accounting cannot drift apart.

    Column types: id / count (bigint), integer, text (trimmed, '' is missing), code (text in
    lower case), upper_code (text in upper case), email (lower case, checked), money
    (decimal(12,2)), flag (boolean), timestamp (UTC), date.
    Checks: positive (> 0), non_negative (>= 0); a failure is reported as invalid_<column>. -#}
{% macro silver_tables() %}
    {{ return({
        'files__customers': {
            'key': ['customer_id'],
            'columns': [
                {'name': 'customer_id', 'type': 'id'},
                {'name': 'email', 'type': 'email'},
                {'name': 'first_name', 'type': 'text'},
                {'name': 'last_name', 'type': 'text'},
                {'name': 'country', 'type': 'upper_code'},
                {'name': 'acquisition_channel', 'type': 'code'},
                {'name': 'loyalty_tier', 'type': 'code', 'nullable': true},
                {'name': 'signup_at', 'type': 'timestamp'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'files__products': {
            'key': ['product_id'],
            'columns': [
                {'name': 'product_id', 'type': 'id'},
                {'name': 'sku', 'type': 'text'},
                {'name': 'product_name', 'type': 'text'},
                {'name': 'category', 'type': 'code'},
                {'name': 'unit_price', 'type': 'money'},
                {'name': 'unit_cost', 'type': 'money'},
                {'name': 'is_active', 'type': 'flag'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'files__campaigns': {
            'key': ['campaign_id'],
            'columns': [
                {'name': 'campaign_id', 'type': 'id'},
                {'name': 'channel', 'type': 'code'},
                {'name': 'campaign_name', 'type': 'text'},
                {'name': 'started_on', 'type': 'date'},
                {'name': 'ended_on', 'type': 'date', 'nullable': true},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'files__ad_spend': {
            'key': ['spend_date', 'campaign_id'],
            'columns': [
                {'name': 'spend_date', 'type': 'date'},
                {'name': 'campaign_id', 'type': 'id'},
                {'name': 'channel', 'type': 'code'},
                {'name': 'spend', 'type': 'money', 'check': 'non_negative'},
                {'name': 'impressions', 'type': 'count'},
                {'name': 'clicks', 'type': 'count'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'files__web_sessions': {
            'key': ['session_id'],
            'columns': [
                {'name': 'session_id', 'type': 'id'},
                {'name': 'customer_id', 'type': 'id', 'nullable': true},
                {'name': 'anonymous_id', 'type': 'text'},
                {'name': 'started_at', 'type': 'timestamp'},
                {'name': 'channel', 'type': 'code'},
                {'name': 'campaign_id', 'type': 'id', 'nullable': true},
                {'name': 'device', 'type': 'code'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'files__web_events': {
            'key': ['event_id'],
            'columns': [
                {'name': 'event_id', 'type': 'id'},
                {'name': 'session_id', 'type': 'id'},
                {'name': 'event_type', 'type': 'code'},
                {'name': 'occurred_at', 'type': 'timestamp'},
                {'name': 'product_id', 'type': 'id', 'nullable': true},
                {'name': 'order_id', 'type': 'id', 'nullable': true},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__orders': {
            'key': ['order_id'],
            'columns': [
                {'name': 'order_id', 'type': 'id'},
                {'name': 'customer_id', 'type': 'id'},
                {'name': 'ordered_at', 'type': 'timestamp'},
                {'name': 'status', 'type': 'code'},
                {'name': 'currency', 'type': 'upper_code'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__order_items': {
            'key': ['order_item_id'],
            'columns': [
                {'name': 'order_item_id', 'type': 'id'},
                {'name': 'order_id', 'type': 'id'},
                {'name': 'product_id', 'type': 'id'},
                {'name': 'quantity', 'type': 'integer', 'check': 'positive'},
                {'name': 'unit_price', 'type': 'money'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__refunds': {
            'key': ['refund_id'],
            'columns': [
                {'name': 'refund_id', 'type': 'id'},
                {'name': 'order_id', 'type': 'id'},
                {'name': 'amount', 'type': 'money'},
                {'name': 'refunded_at', 'type': 'timestamp'},
                {'name': 'reason', 'type': 'code'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__subscriptions': {
            'key': ['subscription_id'],
            'columns': [
                {'name': 'subscription_id', 'type': 'id'},
                {'name': 'customer_id', 'type': 'id'},
                {'name': 'plan', 'type': 'code'},
                {'name': 'monthly_price', 'type': 'money'},
                {'name': 'started_at', 'type': 'timestamp'},
                {'name': 'cancelled_at', 'type': 'timestamp', 'nullable': true},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__shipments': {
            'key': ['shipment_id'],
            'columns': [
                {'name': 'shipment_id', 'type': 'id'},
                {'name': 'order_id', 'type': 'id'},
                {'name': 'carrier', 'type': 'text'},
                {'name': 'promised_at', 'type': 'timestamp'},
                {'name': 'shipped_at', 'type': 'timestamp'},
                {'name': 'delivered_at', 'type': 'timestamp', 'nullable': true},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_db__inventory_movements': {
            'key': ['movement_id'],
            'columns': [
                {'name': 'movement_id', 'type': 'id'},
                {'name': 'product_id', 'type': 'id'},
                {'name': 'movement_type', 'type': 'code'},
                {'name': 'quantity', 'type': 'integer'},
                {'name': 'moved_at', 'type': 'timestamp'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_api__payments': {
            'key': ['payment_id'],
            'columns': [
                {'name': 'payment_id', 'type': 'id'},
                {'name': 'order_id', 'type': 'id'},
                {'name': 'payment_method', 'type': 'code'},
                {'name': 'amount', 'type': 'money'},
                {'name': 'status', 'type': 'code'},
                {'name': 'paid_at', 'type': 'timestamp'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
        'shop_api__support_tickets': {
            'key': ['ticket_id'],
            'columns': [
                {'name': 'ticket_id', 'type': 'id'},
                {'name': 'customer_id', 'type': 'id'},
                {'name': 'order_id', 'type': 'id', 'nullable': true},
                {'name': 'category', 'type': 'code'},
                {'name': 'priority', 'type': 'code'},
                {'name': 'created_at', 'type': 'timestamp'},
                {'name': 'resolved_at', 'type': 'timestamp', 'nullable': true},
                {'name': 'status', 'type': 'code'},
                {'name': 'updated_at', 'type': 'timestamp'},
            ],
        },
    }) }}
{% endmacro %}
