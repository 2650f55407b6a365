-- Silver payments: typed, one row per payment_id (the API repeats some records across pages).
with typed as (
    select
        cast(payment_id as {{ dbt.type_bigint() }}) as payment_id,
        cast(order_id as {{ dbt.type_bigint() }}) as order_id,
        lower(trim(cast(payment_method as {{ dbt.type_string() }}))) as payment_method,
        {{ to_money('amount') }} as amount,
        lower(trim(cast(status as {{ dbt.type_string() }}))) as status,
        {{ to_utc_timestamp('paid_at') }} as paid_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(_dlt_id as {{ dbt.type_string() }}) as _dlt_id
    from {{ ref('payments_api__payments') }}
),

latest as (
    {{ latest_per_key('typed', 'payment_id') }}
)

select
    payment_id,
    order_id,
    payment_method,
    amount,
    status,
    paid_at,
    updated_at,
    _dlt_load_id
from latest
