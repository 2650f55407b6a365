-- One row per order: its valid lines summed up (gross) and its valid refunds (net = gross -
-- refunded). Orders without lines have zero items and a zero gross.
with lines as (
    select
        order_id,
        count(*) as item_count,
        sum(quantity) as total_quantity,
        sum(line_total) as gross_amount
    from {{ ref('fct_order_items') }}
    group by order_id
),

refunds as (
    select
        order_id,
        sum(amount) as refunded_amount
    from {{ ref('stg_shop_db__refunds') }}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.ordered_at,
    cast(orders.ordered_at as date) as order_date,
    cast({{ dbt.date_trunc('month', 'orders.ordered_at') }} as date) as order_month,
    orders.status,
    orders.status = 'cancelled' as is_cancelled,
    orders.currency,
    cast(coalesce(lines.item_count, 0) as {{ dbt.type_int() }}) as item_count,
    cast(coalesce(lines.total_quantity, 0) as {{ dbt.type_int() }}) as total_quantity,
    {{ to_money('coalesce(lines.gross_amount, 0)', 18) }} as gross_amount,
    {{ to_money('coalesce(refunds.refunded_amount, 0)', 18) }} as refunded_amount,
    {{ to_money('coalesce(lines.gross_amount, 0) - coalesce(refunds.refunded_amount, 0)', 18) }}
        as net_amount,
    orders.updated_at
from {{ ref('stg_shop_db__orders') }} as orders
left join lines
    on orders.order_id = lines.order_id
left join refunds
    on orders.order_id = refunds.order_id
