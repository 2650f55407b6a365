-- Product dimension: one row per product (latest version).
select
    product_id,
    sku,
    product_name,
    category,
    unit_price,
    unit_cost,
    is_active,
    updated_at
from {{ ref('stg_files__products') }}
