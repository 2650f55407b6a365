-- One row per support ticket, with its resolution time in seconds when resolved.
select
    ticket_id,
    customer_id,
    order_id,
    category,
    priority,
    status,
    created_at,
    cast({{ dbt.date_trunc('month', 'created_at') }} as date) as created_month,
    resolved_at,
    resolved_at is not null as is_resolved,
    cast({{ dbt.datediff('created_at', 'resolved_at', 'second') }}
        as {{ dbt.type_bigint() }}) as resolution_seconds,
    updated_at
from {{ ref('stg_shop_api__support_tickets') }}
