-- Silver order lines: typed, one row per order_item_id (latest version).
with typed as (
    select
        cast(order_item_id as {{ dbt.type_bigint() }}) as order_item_id,
        cast(order_id as {{ dbt.type_bigint() }}) as order_id,
        cast(product_id as {{ dbt.type_bigint() }}) as product_id,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        {{ to_money('unit_price') }} as unit_price,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(_dlt_id as {{ dbt.type_string() }}) as _dlt_id
    from {{ ref('shop_db__order_items') }}
),

latest as (
    {{ latest_per_key('typed', 'order_item_id') }}
)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    updated_at,
    _dlt_load_id
from latest
