-- One row per shipment, with its order's time and status, lead time (order to shipping, in
-- seconds) and whether it was delivered on time.
select
    shipments.shipment_id,
    shipments.order_id,
    orders.customer_id,
    shipments.carrier,
    orders.ordered_at,
    cast(orders.ordered_at as date) as order_date,
    orders.status as order_status,
    orders.status = 'cancelled' as is_cancelled_order,
    shipments.promised_at,
    shipments.shipped_at,
    shipments.delivered_at,
    cast({{ dbt.datediff('orders.ordered_at', 'shipments.shipped_at', 'second') }}
        as {{ dbt.type_bigint() }}) as lead_time_seconds,
    shipments.delivered_at is not null as is_delivered,
    case
        when shipments.delivered_at is null then null
        else shipments.delivered_at <= shipments.promised_at
    end as is_on_time,
    shipments.updated_at
from {{ ref('stg_shop_db__shipments') }} as shipments
left join {{ ref('stg_shop_db__orders') }} as orders
    on shipments.order_id = orders.order_id
