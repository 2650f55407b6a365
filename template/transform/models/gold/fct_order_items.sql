-- One row per valid order line, with its order's customer, time and status.
select
    items.order_item_id,
    items.order_id,
    orders.customer_id,
    items.product_id,
    orders.ordered_at,
    cast(orders.ordered_at as date) as order_date,
    orders.status as order_status,
    orders.status = 'cancelled' as is_cancelled,
    items.quantity,
    items.unit_price,
    {{ to_money('items.quantity * items.unit_price', 18) }} as line_total
from {{ ref('stg_shop_db__order_items') }} as items
left join {{ ref('stg_shop_db__orders') }} as orders
    on items.order_id = orders.order_id
