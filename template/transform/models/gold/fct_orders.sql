-- One row per order: its lines summed up (orders without lines have zero items and total).
with lines as (
    select
        order_id,
        count(*) as item_count,
        sum(quantity) as total_quantity,
        sum(line_total) as order_total
    from {{ ref('fct_order_items') }}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.ordered_at,
    cast(orders.ordered_at as date) as order_date,
    orders.status,
    orders.status = 'cancelled' as is_cancelled,
    cast(coalesce(lines.item_count, 0) as {{ dbt.type_int() }}) as item_count,
    cast(coalesce(lines.total_quantity, 0) as {{ dbt.type_int() }}) as total_quantity,
    {{ to_money('coalesce(lines.order_total, 0)', 18) }} as order_total,
    orders.updated_at
from {{ ref('stg_shop_db__orders') }} as orders
left join lines
    on orders.order_id = lines.order_id
