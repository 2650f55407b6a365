-- Silver orders: typed, one row per order_id (latest status).
with typed as (
    select
        cast(order_id as {{ dbt.type_bigint() }}) as order_id,
        cast(customer_id as {{ dbt.type_bigint() }}) as customer_id,
        {{ to_utc_timestamp('ordered_at') }} as ordered_at,
        lower(trim(cast(status as {{ dbt.type_string() }}))) as status,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(_dlt_id as {{ dbt.type_string() }}) as _dlt_id
    from {{ ref('shop_db__orders') }}
),

latest as (
    {{ latest_per_key('typed', 'order_id') }}
)

select
    order_id,
    customer_id,
    ordered_at,
    status,
    updated_at,
    _dlt_load_id
from latest
