-- Customer dimension: one row per customer (latest version).
select
    customer_id,
    email,
    first_name,
    last_name,
    {{ dbt.concat(['first_name', "' '", 'last_name']) }} as full_name,
    country,
    acquisition_channel,
    loyalty_tier,
    signup_at,
    updated_at
from {{ ref('stg_files__customers') }}
