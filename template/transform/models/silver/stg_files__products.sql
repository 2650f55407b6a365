-- Silver products: typed, one row per product_id (latest version).
with typed as (
    select
        cast(product_id as {{ dbt.type_bigint() }}) as product_id,
        trim(cast(sku as {{ dbt.type_string() }})) as sku,
        trim(cast(product_name as {{ dbt.type_string() }})) as product_name,
        lower(trim(cast(category as {{ dbt.type_string() }}))) as category,
        {{ to_money('unit_price') }} as unit_price,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(_dlt_id as {{ dbt.type_string() }}) as _dlt_id
    from {{ ref('files__products') }}
),

latest as (
    {{ latest_per_key('typed', 'product_id') }}
)

select
    product_id,
    sku,
    product_name,
    category,
    unit_price,
    is_active,
    updated_at,
    _dlt_load_id
from latest
