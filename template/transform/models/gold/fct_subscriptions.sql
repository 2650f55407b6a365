-- One row per subscription with the months it started and (if so) was cancelled in.
select
    subscription_id,
    customer_id,
    plan,
    monthly_price,
    started_at,
    cast({{ dbt.date_trunc('month', 'started_at') }} as date) as started_month,
    cancelled_at,
    cast({{ dbt.date_trunc('month', 'cancelled_at') }} as date) as cancelled_month,
    cancelled_at is not null as is_cancelled,
    updated_at
from {{ ref('stg_shop_db__subscriptions') }}
