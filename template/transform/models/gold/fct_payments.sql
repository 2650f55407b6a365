-- One row per payment attempt, with the paying customer.
select
    payments.payment_id,
    payments.order_id,
    orders.customer_id,
    payments.payment_method,
    payments.status,
    payments.status = 'succeeded' as is_succeeded,
    payments.amount,
    payments.paid_at,
    cast(payments.paid_at as date) as paid_date,
    payments.updated_at
from {{ ref('stg_shop_api__payments') }} as payments
left join {{ ref('stg_shop_db__orders') }} as orders
    on payments.order_id = orders.order_id
