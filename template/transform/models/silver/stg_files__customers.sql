-- Silver customers: typed, one row per customer_id (latest version).
with typed as (
    select
        cast(customer_id as {{ dbt.type_bigint() }}) as customer_id,
        lower(trim(cast(email as {{ dbt.type_string() }}))) as email,
        trim(cast(first_name as {{ dbt.type_string() }})) as first_name,
        trim(cast(last_name as {{ dbt.type_string() }})) as last_name,
        upper(trim(cast(country as {{ dbt.type_string() }}))) as country,
        {{ to_utc_timestamp('signup_at') }} as signup_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(_dlt_id as {{ dbt.type_string() }}) as _dlt_id
    from {{ ref('files__customers') }}
),

latest as (
    {{ latest_per_key('typed', 'customer_id') }}
)

select
    customer_id,
    email,
    first_name,
    last_name,
    country,
    signup_at,
    updated_at,
    _dlt_load_id
from latest
