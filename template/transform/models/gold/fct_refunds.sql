-- One row per refund, with the refunded order's customer.
select
    refunds.refund_id,
    refunds.order_id,
    orders.customer_id,
    refunds.amount,
    refunds.reason,
    refunds.refunded_at,
    cast(refunds.refunded_at as date) as refunded_date,
    refunds.updated_at
from {{ ref('stg_shop_db__refunds') }} as refunds
left join {{ ref('stg_shop_db__orders') }} as orders
    on refunds.order_id = orders.order_id
